"""Answers to the client: a response (stops the SLA clock) and the resolution (sends the
survey)."""

from email.utils import make_msgid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from feedback.models import Survey, Ticket, TicketMessage, TicketStatus
from feedback.services.client_mail import mail_client
from feedback.services.handling import require_open, ticket_text
from feedback.services.surveys import survey_send


@transaction.atomic
def ticket_respond(
    *, ticket: Ticket, author: User, body: str, send_email: bool = True
) -> TicketMessage:
    """Answer the client. The first answer stops the SLA clock. An empty or too long ``body`` is
    a ``ValidationError`` on "body" (``ticket_text``) and nothing is written."""
    body = ticket_text(body, field="body", required=_("Write the response first."))
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("client").get(pk=ticket.pk)
    )
    require_open(ticket)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=author,
        kind=TicketMessage.Kind.RESPONSE_TO_CLIENT,
        body=body,
        message_id=make_msgid(idstring=ticket.reference, domain="vip-service.local"),
        created_at=now,
    )
    fields = ["status"]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
    if ticket.handler_id is None:
        ticket.handler = author
        fields.append("handler")
    ticket.status = TicketStatus.RESPONDED
    ticket.save(update_fields=fields)
    if send_email:
        mail_client(
            ticket, subject=ticket.subject, body=message.body, message_id=message.message_id
        )
    return message


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor: User, resolution: str) -> Survey:
    """Close the matter with a final answer to the client, and send the satisfaction survey. The
    resolution is the response's text: required, within ``ticket_text``'s limit, else nothing
    changes."""
    message = ticket_respond(ticket=ticket, author=actor, body=resolution)
    ticket = message.ticket
    ticket.status = TicketStatus.RESOLVED
    ticket.resolved_at = message.created_at
    ticket.save(update_fields=["status", "resolved_at"])
    return survey_send(ticket=ticket)
