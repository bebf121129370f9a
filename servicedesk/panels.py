"""What the service desk adds to other pages: home widgets ("what needs me now?") and dossier
panels. Each context function runs a fixed number of queries."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.selectors import user_sees_pii
from core.registry import (
    register_call_lookup,
    register_callback_lookup,
    register_dossier_panel,
    register_home_widget,
)
from core.roles import SERVICE_WIDE_ROLES, Role
from servicedesk import selectors

WIDGET_ROWS = 8
PANEL_ROWS = 10


def _rm_callbacks(request) -> dict:
    today = timezone.localdate()
    qs = selectors.callbacks_for_user(user=request.user).open()
    urgent = qs.filter(
        Q(due_on__lt=today) | Q(retry_on__lte=today) | Q(due_on__lte=today + timedelta(days=6))
    ).order_by("due_on", "retry_on", "client__name")
    return {
        "title": _("Today's and overdue call-backs"),
        "callbacks": list(urgent[:WIDGET_ROWS]),
        "total": urgent.count(),
        "today": today,
        "show_phone": selectors.callback_phones_unmasked(user=request.user),
    }


def _overdue_callbacks(request) -> dict:
    today = timezone.localdate()
    qs = (
        selectors.callbacks_for_user(user=request.user)
        .overdue(today=today)
        .select_related("rm")
        .order_by("due_on", "client__name")
    )
    return {
        "title": _("Overdue call-backs"),
        "callbacks": list(qs[:WIDGET_ROWS]),
        "total": qs.count(),
        "today": today,
        "show_phone": selectors.callback_phones_unmasked(user=request.user),
    }


def _plans_due(request) -> dict:
    today = timezone.localdate()
    qs = selectors.plans_due_for_review(user=request.user, today=today)
    return {
        "title": _("Wealth plans due for review"),
        "plans": list(qs[:WIDGET_ROWS]),
        "total": qs.count(),
        "today": today,
    }


def _calls_panel(request, client) -> dict:
    calls = list(selectors.calls_for_user(user=request.user).filter(client=client)[:PANEL_ROWS])
    return {
        "client": client,
        "calls": calls,
        "show_pii": user_sees_pii(user=request.user, client=client),
    }


def _callbacks_panel(request, client) -> dict:
    callbacks = list(
        selectors.callbacks_for_user(user=request.user)
        .filter(client=client)
        .order_by("-period")[:PANEL_ROWS]
    )
    return {"client": client, "callbacks": callbacks, "today": timezone.localdate()}


def _plans_panel(request, client) -> dict:
    plans = list(selectors.plans_for_user(user=request.user).filter(client=client)[:PANEL_ROWS])
    return {"client": client, "plans": plans}


def _events_panel(request, client) -> dict:
    invitations = list(
        selectors.invitations_for_user(user=request.user)
        .filter(client=client)
        .order_by("-event__held_on")[:PANEL_ROWS]
    )
    return {"client": client, "invitations": invitations}


def register() -> None:
    register_call_lookup(selectors.call_summary_for_user)
    register_callback_lookup(selectors.callback_summary_for_user)
    rm_and_supervisor = {Role.RELATIONSHIP_MANAGER, *SERVICE_WIDE_ROLES}
    register_home_widget(
        key="servicedesk.callbacks_today",
        order=20,
        roles={Role.RELATIONSHIP_MANAGER},
        template="servicedesk/widgets/callbacks.html",
        context=_rm_callbacks,
    )
    register_home_widget(
        key="servicedesk.callbacks_overdue",
        order=40,
        roles={Role.SUPERVISOR},
        template="servicedesk/widgets/callbacks.html",
        context=_overdue_callbacks,
    )
    register_home_widget(
        key="servicedesk.plans_due",
        order=45,
        roles={Role.RELATIONSHIP_MANAGER},
        template="servicedesk/widgets/plans_due.html",
        context=_plans_due,
    )
    register_dossier_panel(
        key="servicedesk.calls",
        order=60,
        title=_("Calls"),
        template="servicedesk/panels/calls.html",
        context=_calls_panel,
    )
    register_dossier_panel(
        key="servicedesk.callbacks",
        order=65,
        title=_("Call-backs"),
        template="servicedesk/panels/callbacks.html",
        context=_callbacks_panel,
        roles=rm_and_supervisor,
    )
    register_dossier_panel(
        key="servicedesk.plans",
        order=70,
        title=_("Wealth plans"),
        template="servicedesk/panels/plans.html",
        context=_plans_panel,
        roles=rm_and_supervisor,
    )
    register_dossier_panel(
        key="servicedesk.events",
        order=75,
        title=_("Events"),
        template="servicedesk/panels/events.html",
        context=_events_panel,
        roles=rm_and_supervisor,
    )
