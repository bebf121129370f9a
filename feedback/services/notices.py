"""Whom the feedback app tells, and the link it gives them: the ticket's page, the client's RM
as a user, the handler, and the RM's notice of a new ticket on their client (SPEC section 6)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import Client
from core.models import User
from core.services import notification_create
from feedback.models import Ticket
from managers.selectors import rm_of_client


def ticket_url(ticket: Ticket) -> str:
    return reverse("feedback:ticket_detail", args=[ticket.reference])


def rm_user_of(client: Client | None) -> User | None:
    if client is None:
        return None

    rm = rm_of_client(client=client)
    return rm.user if rm is not None and rm.user_id else None


# App tickets tell the RM at most once per this many seconds: a burst from the app (601 tickets in a
# minute were seen) is one notification, and the queue lists them all (issue 13).
APP_NOTICE_WINDOW = 600


def handler_list(ticket: Ticket) -> list[User]:
    """The ticket's handler as a list of recipients (empty while nobody handles it)."""
    handler = ticket.handler if ticket.handler_id else None
    return [handler] if handler is not None else []


def notify_client_rm(*, ticket: Ticket, client: Client | None, coalesce: bool = False) -> None:
    """The client's RM hears of every ticket on their client, once (SPEC section 6); tickets from
    the app are coalesced per RM per ``APP_NOTICE_WINDOW``."""
    rm_user = rm_user_of(client)
    if rm_user is not None and coalesce:
        bucket = int(ticket.received_at.timestamp() // APP_NOTICE_WINDOW)
        notification_create(
            recipients=[rm_user],
            title=gettext_lazy("New feedback from your clients in the app"),
            body=gettext_lazy("Open tickets on your clients are listed in the feedback queue."),
            url=f"{reverse('feedback:queue')}?channel={ticket.channel}",
            dedupe_key=f"feedback:app:{rm_user.pk}:{bucket}",
        )
    elif rm_user is not None and client is not None:
        notification_create(
            recipients=[rm_user],
            title=lambda: (
                _("New feedback from your client %(client)s: %(reference)s")
                % {"client": client.name, "reference": ticket.reference}
            ),
            body=ticket.subject,
            url=ticket_url(ticket),
            dedupe_key=f"feedback:{ticket.pk}:created",
        )
