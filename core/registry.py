"""Extension points that let each app contribute to pages owned by another without importing it.

- Home widgets: a role's home page ("what needs me now?") is the list of widgets the apps registered
  for that role, in order.
- Dossier panels: the client dossier shows every registered panel in order, below its first
  screen; each panel's content is fetched on its own (a fragment, when it scrolls into view), so
  a panel's context function should read its rows in one query.
- Demo seeders: ``seed_demo`` calls every registered seeder in order.
- The call lookup: a feedback ticket opened from a hotline call reads the call (its client, topic
  and notes) through the service desk's registered lookup, so feedback does not import it.
- Who looks after a client: the clients app's scope ("my clients"), its list's RM column and
  filter and the dossier's RM read the managers app's assignments and rota through
  ``RmDirectory``, which managers registers, so clients (below managers) does not import it.

Apps register in ``AppConfig.ready()``. A context function receives the request (and the client for
panels) and returns the template context; it must run a bounded number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from core.roles import Role


@dataclass(frozen=True)
class HomeWidget:
    key: str
    order: int
    roles: frozenset[Role]
    template: str
    context: Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class DossierPanel:
    key: str
    order: int
    title: Any  # a lazy translated string
    template: str
    context: Callable[..., dict[str, Any]]
    roles: frozenset[Role] | None = None  # None: every role that may open the dossier
    dom_id: str = ""  # the section's id in the page (``panel-<app>-<key>`` unless given)


@dataclass(frozen=True)
class DemoSeeder:
    key: str
    order: int
    seed: Callable[..., Any]


@dataclass(frozen=True)
class CallSummary:
    """What a ticket needs of the call it is opened from: a hotline call, or a call-back (whose
    ``pk`` is the call-back's; a ticket records only a hotline call as its source)."""

    pk: int
    client_id: int | None
    topic: str  # the topic's label, in the active language
    notes: str


@dataclass(frozen=True)
class RmDirectory:
    """What the clients app reads of the managers app, each a function of managers' selectors.

    - ``assigned_to(user, client_ref)``: ``EXISTS`` an open assignment of the client at
      ``client_ref`` (an ``OuterRef`` name) to ``user`` as its RM.
    - ``on_call_now(user)``: ``user`` is an RM on an on-call shift that is on now.
    - ``rm_name()``: a ``Subquery`` of the open assignment's RM name, for ``OuterRef("pk")``.
    - ``rms()``: the RMs who can sign in, and those who left with clients still assigned, by
      name (the client list's filter choices).
    - ``client_ids_of(rm)``: the ids of the clients ``rm`` looks after now, as a ``values``
      queryset for ``pk__in``.
    - ``active_assignment(client)``: the client's open assignment with its RM and user, or None.
    """

    assigned_to: Callable[[Any, str], Any]
    on_call_now: Callable[[Any], bool]
    rm_name: Callable[[], Any]
    rms: Callable[[], Any]
    client_ids_of: Callable[[Any], Any]
    active_assignment: Callable[[Any], Any]


@dataclass
class _Registry:
    home_widgets: dict[str, HomeWidget] = field(default_factory=dict)
    dossier_panels: dict[str, DossierPanel] = field(default_factory=dict)
    demo_seeders: dict[str, DemoSeeder] = field(default_factory=dict)
    call_lookup: Callable[..., CallSummary | None] | None = None
    callback_lookup: Callable[..., CallSummary | None] | None = None
    rm_directory: RmDirectory | None = None


registry = _Registry()


def register_home_widget(
    *, key: str, order: int, roles: set[Role] | frozenset[Role], template: str, context
) -> None:
    registry.home_widgets[key] = HomeWidget(key, order, frozenset(roles), template, context)


def register_dossier_panel(
    *, key: str, order: int, title, template: str, context, roles=None, anchor: str = ""
) -> None:
    # Worked out once here, not on each of the dossier's several uses per panel and view.
    dom_id = anchor or f"panel-{slugify(key.replace('.', '-'))}"
    registry.dossier_panels[key] = DossierPanel(
        key, order, title, template, context, frozenset(roles) if roles else None, dom_id
    )


def register_demo_seeder(*, key: str, order: int, seed) -> None:
    registry.demo_seeders[key] = DemoSeeder(key, order, seed)


def home_widgets_for(role: Role | None) -> list[HomeWidget]:
    """The home page's widgets of ``role``. An administrator's home is the supervisor's plus
    their own: "everything" (README)."""
    roles = {role, Role.SUPERVISOR} if role == Role.ADMINISTRATOR else {role}
    widgets = [w for w in registry.home_widgets.values() if roles & w.roles]
    return sorted(widgets, key=lambda w: w.order)


def dossier_panels_for(role: Role | None) -> list[DossierPanel]:
    panels = [p for p in registry.dossier_panels.values() if p.roles is None or role in p.roles]
    return sorted(panels, key=lambda p: p.order)


def dossier_panel_for(role: Role | None, key: str) -> DossierPanel | None:
    """The panel ``key`` if the role may see it, else None."""
    panel = registry.dossier_panels.get(key)
    if panel is None or (panel.roles is not None and role not in panel.roles):
        return None
    return panel


def demo_seeders() -> list[DemoSeeder]:
    return sorted(registry.demo_seeders.values(), key=lambda s: s.order)


def register_call_lookup(lookup: Callable[..., CallSummary | None]) -> None:
    """``lookup(user=, pk=)`` returns the call ``pk`` as a ``CallSummary`` when ``user`` may see
    it, else ``None``."""
    registry.call_lookup = lookup


def register_callback_lookup(lookup: Callable[..., CallSummary | None]) -> None:
    """``lookup(user=, pk=)`` returns the call-back ``pk`` as a ``CallSummary`` when ``user`` may
    see it, else ``None``."""
    registry.callback_lookup = lookup


def callback_for_ticket(*, user, pk: int) -> CallSummary | None:
    """The call-back ``pk`` as ``user`` may see it, or ``None`` (no such call-back, out of scope,
    or no service desk installed)."""
    if registry.callback_lookup is None:
        return None
    return registry.callback_lookup(user=user, pk=pk)


def call_for_ticket(*, user, pk: int) -> CallSummary | None:
    """The hotline call ``pk`` as ``user`` may see it, or ``None`` (no such call, out of scope, or
    no service desk installed)."""
    if registry.call_lookup is None:
        return None
    return registry.call_lookup(user=user, pk=pk)


def register_rm_directory(directory: RmDirectory) -> None:
    registry.rm_directory = directory


def rm_directory() -> RmDirectory:
    """The managers app's ``RmDirectory``; ``LookupError`` before managers registered it (the
    app is installed with clients: SPEC section 4 gives every VIP an RM)."""
    if registry.rm_directory is None:
        raise LookupError("The managers app has not registered its RmDirectory.")
    return registry.rm_directory
