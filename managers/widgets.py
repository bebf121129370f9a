"""Home widgets and the dossier's "RM history" panel."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.registry import register_dossier_panel, register_home_widget
from core.roles import SERVICE_WIDE_ROLES, Role
from managers import selectors

WIDGET_ROWS = 8


def _unassigned(request):
    qs = selectors.unassigned_vips()
    return {
        "title": _("Unassigned VIPs"),
        "total": qs.count(),
        "clients": list(qs[:WIDGET_ROWS]),
    }


def _gaps(request):
    start, end = selectors.next_week_window()
    return {
        "title": _("Hotline coverage gaps (next 7 days)"),
        "gaps": selectors.coverage_gaps(start=start, end=end),
    }


def _attention(request):
    rows = selectors.rms_needing_attention(as_of=timezone.localdate())
    return {
        "title": _("RMs over capacity or with lapsed training"),
        "total": len(rows),
        "rows": rows[:WIDGET_ROWS],
    }


def _my_shifts(request):
    me = selectors.rm_for_user(user=request.user)
    shifts = selectors.next_shifts_of(rm=me, now=timezone.now()) if me else []
    return {"title": _("My next hotline shifts"), "shifts": shifts, "now": timezone.now()}


def _my_load(request):
    me = selectors.rm_for_user(user=request.user)
    load = selectors.open_load_of(rm=me) if me else 0
    capacity = me.capacity if me else 0
    return {
        "title": _("My load"),
        "me": me,
        "load": load,
        "capacity": capacity,
        "percent": min(100, round(100 * load / capacity)) if capacity else 0,
    }


def rm_history_panel(request, client):
    """Every assignment the client has had, newest first, with who, when, why and the handover."""
    return {"assignments": list(selectors.assignment_history(client=client))}


def register() -> None:
    supervisor = SERVICE_WIDE_ROLES
    register_home_widget(
        key="managers.unassigned",
        order=120,
        roles=supervisor,
        template="managers/widgets/unassigned.html",
        context=_unassigned,
    )
    register_home_widget(
        key="managers.coverage_gaps",
        order=130,
        roles=supervisor,
        template="managers/widgets/coverage_gaps.html",
        context=_gaps,
    )
    register_home_widget(
        key="managers.attention",
        order=150,
        roles=supervisor,
        template="managers/widgets/attention.html",
        context=_attention,
    )
    register_home_widget(
        key="managers.my_shifts",
        order=140,
        roles={Role.RELATIONSHIP_MANAGER},
        template="managers/widgets/my_shifts.html",
        context=_my_shifts,
    )
    register_home_widget(
        key="managers.my_load",
        order=145,
        roles={Role.RELATIONSHIP_MANAGER},
        template="managers/widgets/my_load.html",
        context=_my_load,
    )
    register_dossier_panel(
        key="managers.rm_history",
        order=900,
        title=_("RM history"),
        template="managers/panels/rm_history.html",
        context=rm_history_panel,
    )
