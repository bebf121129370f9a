"""What the feedback app adds to other pages: home widgets per role and the dossier panel."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.registry import register_dossier_panel, register_home_widget
from core.roles import Role
from feedback import selectors, sla
from feedback.models import SlaState

WIDGET_ROWS = 10


def _team_queue(request):
    scoped = selectors.tickets_for_user(user=request.user)
    return {
        "title": _("Queue: most urgent first"),
        "tickets": list(
            selectors.urgency_ordered(selectors.awaiting_response(scoped))[:WIDGET_ROWS]
        ),
        "counts": sla.queue_counts(scoped),
        "empty": _("No ticket is waiting for a response. New feedback appears here first."),
    }


def _rm_open_tickets(request):
    # The scope's keys read once for the rows and the counts (``tickets_for_queue``).
    scoped = selectors.tickets_for_queue(user=request.user).filter(
        status__in=selectors.OPEN_STATUSES
    )
    return {
        "title": _("Open tickets on my clients"),
        "tickets": list(selectors.urgency_ordered(scoped)[:WIDGET_ROWS]),
        "counts": sla.queue_counts(scoped),
        "empty": _("None of your clients has an open ticket."),
    }


def _breached(request):
    scoped = selectors.tickets_for_user(user=request.user)
    breached = selectors.urgency_ordered(
        scoped.filter(sla.state_q(SlaState.BREACHED, timezone.now()))
    )
    return {
        "title": _("Breached tickets"),
        "tickets": list(breached[:WIDGET_ROWS]),
        "counts": sla.queue_counts(scoped),
        "filter": "breached",
        "empty": _("No open ticket has breached its 48-hour response time."),
    }


def _branch_logged(request):
    mine = selectors.tickets_for_user(user=request.user).filter(created_by=request.user)
    return {
        "title": _("Feedback I logged"),
        "tickets": list(mine.order_by("-received_at")[:WIDGET_ROWS]),
        "log_link": True,
        "empty": _("Nothing logged yet. When a client gives feedback at the counter, log it here."),
    }


def _dossier(request, client):
    return {
        "client": client,
        "tickets": list(selectors.tickets_of_client(user=request.user, client=client)),
    }


def register() -> None:
    template = "feedback/widgets/tickets.html"
    register_home_widget(
        key="feedback.queue",
        order=10,
        roles={Role.FEEDBACK_TEAM},
        template=template,
        context=_team_queue,
    )
    register_home_widget(
        key="feedback.rm_open",
        order=40,
        roles={Role.RELATIONSHIP_MANAGER},
        template=template,
        context=_rm_open_tickets,
    )
    register_home_widget(
        key="feedback.breached",
        order=40,
        roles={Role.SUPERVISOR},
        template=template,
        context=_breached,
    )
    register_home_widget(
        key="feedback.branch_logged",
        order=30,
        roles={Role.BRANCH_STAFF},
        template=template,
        context=_branch_logged,
    )
    register_dossier_panel(
        key="feedback",
        order=50,
        title=_("Feedback"),
        template="feedback/panels/dossier.html",
        context=_dossier,
    )
