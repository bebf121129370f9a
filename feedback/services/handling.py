"""Handling an open ticket: assign (one or in bulk), note, close, reopen on the client's reply,
correct the category, attach the client of an unmatched email."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from core.models import Notification, User
from core.services import audit_record, notification_create
from feedback.models import (
    TICKET_TEXT_MAX_LENGTH,
    Category,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from feedback.selectors import team_leads
from feedback.services.notices import notify_client_rm, ticket_url


def require_open(ticket: Ticket) -> None:
    if not ticket.is_open:
        raise ValidationError(_("This ticket is already resolved or closed."))


def ticket_text(text: str, *, field: str, required: str = "") -> str:
    """The one rule for the free text staff write on a ticket's page (a response, the resolution,
    an internal note, a close reason; issue 14): the text stripped, refused past
    ``TICKET_TEXT_MAX_LENGTH`` characters, never cut. ``required`` is the message for an empty or
    blank text (none: it may be empty). Raises ``ValidationError`` keyed by ``field`` (the form
    field the text came from) before anything is written."""
    text = text.strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > TICKET_TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                field: _("Keep it to %(limit)s characters (it has %(count)s); nothing was saved.")
                % {"limit": TICKET_TEXT_MAX_LENGTH, "count": len(text)}
            }
        )
    return text


@transaction.atomic
def ticket_assign(*, ticket: Ticket, handler: User, actor: User) -> Ticket:
    """Give the ticket to a handler (taking it is assigning it to yourself)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    require_open(ticket)
    previous = ticket.handler_id
    ticket.handler = handler
    if ticket.status == TicketStatus.NEW:
        ticket.status = TicketStatus.IN_PROGRESS
    ticket.save(update_fields=["handler", "status"])
    if handler.pk != actor.pk and handler.pk != previous:
        notification_create(
            recipients=[handler],
            title=lambda: (
                _("Ticket %(reference)s was assigned to you") % {"reference": ticket.reference}
            ),
            body=ticket.subject,
            url=ticket_url(ticket),
        )
    return ticket


@transaction.atomic
def tickets_assign(*, tickets: list[Ticket], handler: User, actor: User) -> int:
    """Bulk assignment from the queue; resolved and closed tickets are left alone."""
    count = 0
    for ticket in tickets:
        if ticket.is_open:
            ticket_assign(ticket=ticket, handler=handler, actor=actor)
            count += 1
    return count


@transaction.atomic
def ticket_note_add(*, ticket: Ticket, author: User, body: str) -> TicketMessage:
    body = ticket_text(body, field="body", required=_("Write the note first."))
    return TicketMessage.objects.create(
        ticket=ticket, author=author, kind=TicketMessage.Kind.INTERNAL_NOTE, body=body
    )


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor: User, reason: str = "") -> Ticket:
    """Close a resolved ticket, or an open one that needs no answer (spam, duplicate). Closing a
    ticket that was not resolved needs a reason (the client got no final answer, the thread must
    say why); a resolved one may close without. The reason is kept whole as an internal note
    (``ticket_text``'s limit). Refused with ``ValidationError`` on "reason", the ticket as it was
    (issue 14)."""
    reason = ticket_text(reason, field="reason")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(_("This ticket is already closed."))
    if not reason and ticket.status != TicketStatus.RESOLVED:
        raise ValidationError(
            {
                "reason": _(
                    "Give the reason for closing a ticket that was not resolved; it was not closed."
                )
            }
        )
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = timezone.now()
    ticket.save(update_fields=["status", "closed_at"])
    if reason:
        TicketMessage.objects.create(
            ticket=ticket,
            author=actor,
            kind=TicketMessage.Kind.INTERNAL_NOTE,
            body=_("Closed: %(reason)s") % {"reason": reason},
        )
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, note: str) -> Ticket:
    """Reopen a resolved or closed ticket because the client wrote again (SPEC section 6: "a reply
    to a closed ticket reopens it"): back to in progress with a note saying why, and its handler
    (or, with none, the team leads) told. The SLA clock of the first response is not restarted."""
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if ticket.is_open:
        return ticket
    ticket.status = TicketStatus.IN_PROGRESS
    ticket.resolved_at = ticket.closed_at = None
    ticket.save(update_fields=["status", "resolved_at", "closed_at"])
    TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.Kind.INTERNAL_NOTE, body=note)
    notification_create(
        recipients=[ticket.handler] if ticket.handler is not None else team_leads(),
        title=lambda: (
            _("Ticket %(reference)s was reopened by the client") % {"reference": ticket.reference}
        ),
        body=ticket.subject,
        url=ticket_url(ticket),
        level=Notification.Level.WARNING,
    )
    return ticket


@transaction.atomic
def ticket_category_set(*, ticket: Ticket, category: str, actor: User) -> bool:
    """The feedback team corrects a ticket's category (issue 14). Audited with the old and new
    value and noted in the thread; the needs analysis reads the ticket's current category, so it
    counts the corrected one. Raises ``ValidationError`` for an unknown category. The category it
    has already is no change: nothing written, no note, no audit row; returns whether it
    changed."""
    if category not in Category.values:
        raise ValidationError(_("Unknown category."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = ticket.category
    if before == category:
        return False
    ticket.category = category
    ticket.save(update_fields=["category"])
    TicketMessage.objects.create(
        ticket=ticket,
        author=actor,
        kind=TicketMessage.Kind.INTERNAL_NOTE,
        body=_("Category changed from %(before)s to %(after)s.")
        % {"before": Category(before).label, "after": Category(category).label},
    )
    audit_record(
        actor=actor,
        event="feedback.category_change",
        instance=ticket,
        detail={"from": before, "to": category},
    )
    return True


@transaction.atomic
def ticket_client_set(*, ticket: Ticket, client: Client, actor: User) -> bool:
    """Triage of an unmatched email: attach it to the client it came from. The client it has
    already is no change: nothing written and the RM not told twice; returns whether it
    changed."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.client_id == client.pk:
        return False
    ticket.client = client
    ticket.save(update_fields=["client"])
    notify_client_rm(ticket=ticket, client=client)
    return True
