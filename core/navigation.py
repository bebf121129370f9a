"""The top navigation. Apps declare ``navigation`` on their AppConfig: a list of NavItem."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

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
