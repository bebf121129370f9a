"""The supervisors' home: proposals awaiting my approval and my own still pending, with age."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import selectors
from core.registry import register_home_widget
from core.roles import SERVICE_WIDE_ROLES


def pending_context(request):
    awaiting_me, mine = selectors.pending_for_home(user=request.user)
    return {
        "title": _("Waiting for four eyes"),
        "awaiting_me": awaiting_me,
        "mine": mine,
        "now": timezone.now(),
    }


def register() -> None:
    register_home_widget(
        key="approvals.pending",
        order=15,
        roles=SERVICE_WIDE_ROLES,
        template="approvals/widgets/pending.html",
        context=pending_context,
    )
