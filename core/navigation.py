"""The top navigation. Apps declare ``navigation`` on their AppConfig: a list of NavItem."""

from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.roles import Role


@dataclass(frozen=True)
class NavItem:
    order: int
    url_name: str
    label: Any
    roles: frozenset[Role]
    icon: str = ""
    # Administrators see every page's item, except the ones about the user's own work (an RM's
    # "my figures"): they have none, and the page would answer 404.
    personal: bool = False
    # The roles whose top bar shows the item itself; for the others it sits under "More" (issue
    # 14: a supervisor's fifteen entries wrapped to two rows at 1280 px). None: shown to all.
    primary_for: frozenset[Role] | None = None

    def is_primary(self, role: Role | None) -> bool:
        if self.primary_for is None:
            return True
        # An administrator's bar is the supervisor's.
        effective = Role.SUPERVISOR if role == Role.ADMINISTRATOR else role
        return effective in self.primary_for


@cache
def _all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "navigation", ()))
    return tuple(sorted(items, key=lambda i: i.order))


@cache
def items_for(role: Role | None) -> tuple[dict[str, Any], ...]:
    """Built once per role and process: every page shows it, and neither the apps' items nor the
    URLconf change while the process runs (labels stay lazy: translated when rendered)."""
    result = []
    for item in _all_items():
        if role == Role.ADMINISTRATOR:
            if item.personal:
                continue
        elif role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append(
            {
                "url": url,
                "label": item.label,
                "icon": item.icon,
                "name": item.url_name,
                "primary": item.is_primary(role),
            }
        )
    return tuple(result)


@cache
def bar_for(role: Role | None) -> dict[str, tuple[dict[str, Any], ...]]:
    """The role's items split for the top bar: ``main`` shown in it, ``more`` under "More"."""
    items = items_for(role)
    return {
        "main": tuple(i for i in items if i["primary"]),
        "more": tuple(i for i in items if not i["primary"]),
    }


# The top bar marks the item whose URL starts like the page's: the first 12 characters, which tell
# the apps' sections apart ("/clients/", "/feedback/", "/servicedesk/…").
ACTIVE_PREFIX = 12


def _link(item: dict[str, Any], *, css: str, icon_gap: str, active: bool) -> str:
    icon = f'<i class="bi bi-{escape(item["icon"])} {icon_gap}" aria-hidden="true"></i>'
    return (
        f'<a class="{css}{" active" if active else ""}" href="{escape(item["url"])}">'
        f"{icon if item['icon'] else ''}{escape(str(item['label']))}</a>"
    )


def menu_html(role: Role | None, path: str) -> str:
    """The top bar's menu for ``role`` on the page at ``path``: the ``<li>`` items of the bar,
    then "More" with the rest (``bar_for``), the section of ``path`` marked active. HTML, every
    label and URL escaped. Written in Python and kept per (role, language, section): every page
    shows it, and as template loops it was about a third of an empty page's rendering (SPEC
    section 11, benchmarks/REPORT.md)."""
    return _menu_html(role, get_language(), path[:ACTIVE_PREFIX])


@lru_cache(maxsize=512)
def _menu_html(role: Role | None, language: str | None, section: str) -> str:
    bar = bar_for(role)
    parts = [
        '<li class="nav-item">'
        + _link(
            item,
            css="nav-link",
            icon_gap="me-1",
            active=item["url"][:ACTIVE_PREFIX] == section and item["url"] != "/",
        )
        + "</li>"
        for item in bar["main"]
    ]
    if bar["more"]:
        entries = "".join(
            "<li>"
            + _link(
                item,
                css="dropdown-item",
                icon_gap="me-2",
                active=item["url"][:ACTIVE_PREFIX] == section,
            )
            + "</li>"
            for item in bar["more"]
        )
        more = escape(_("More"))
        parts.append(
            '<li class="nav-item dropdown">'
            '<a class="nav-link dropdown-toggle" href="#" role="button" data-bs-toggle="dropdown" '
            'aria-expanded="false" data-testid="nav-more">'
            f'<i class="bi bi-three-dots me-1" aria-hidden="true"></i>{more}</a>'
            f'<ul class="dropdown-menu">{entries}</ul></li>'
        )
    return "".join(parts)
