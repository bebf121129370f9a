"""Second chances for held email (SPEC section 6, "Mail"; issue 12, point 7): once the cause of a
quarantine is fixed (a size limit raised, a fault repaired), a feedback team lead processes the
email again from its kept raw bytes; an ignored (automated) email that does need an answer is
opened as a ticket anyway. Each held email is processed again at most once: a conditional UPDATE
claims it, so a double click or two leads at once do it once. Both are audited."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.selectors import client_from_contact
from core.models import User
from core.services import audit_record
from feedback.mail.intake import mail_ingest_detailed
from feedback.mail.sources import Pending
from feedback.models import Category, Channel, HeldMail, Ticket, TicketMessage
from feedback.services.opening import ticket_create


class HeldMailClosed(Exception):
    """The held email was processed again already (or is not of the kind the action needs)."""


def _claim(*, held: HeldMail, kind: str, user: User, now: datetime) -> None:
    """Mark the held email processed, if nobody did first; raise ``HeldMailClosed`` otherwise.
    On PostgreSQL a second claim waits for the first transaction and then finds nothing."""
    claimed = (
        HeldMail.objects.filter(pk=held.pk, kind=kind, reprocessed_at__isnull=True)
        .exclude(kind=HeldMail.Kind.QUARANTINED, raw="")
        .update(reprocessed_at=now, reprocessed_by=user)
    )
    if not claimed:
        raise HeldMailClosed


def _result_ticket(outcome: str, message_id: str) -> Ticket | None:
    if outcome == HeldMail.Outcome.TICKETS:
        return Ticket.objects.filter(source_message_id=message_id).first()
    if outcome == HeldMail.Outcome.REPLIES:
        reply = TicketMessage.objects.filter(message_id=message_id).select_related("ticket")
        return next((m.ticket for m in reply[:1]), None)
    return None


def _raw_pending(held: HeldMail) -> Pending:
    storage, name = held.raw.storage, held.raw.name
    return Pending(
        key=f"held-{held.pk}",
        size=storage.size(name),
        opener=lambda: storage.open(name, "rb"),
    )


def held_mail_reprocess(*, held: HeldMail, user: User, now: datetime | None = None) -> HeldMail:
    """Run the mail intake (``intake.mail_ingest``) again on a quarantined email's raw bytes,
    under today's settings and code, as if it had just arrived: it becomes a ticket (its SLA
    clock from the bank's receipt, as any email's), a reply on its ticket, is found automated
    (ignored), or is quarantined again as a new held email with the reason of now. The held
    email records when, by whom, the outcome (``HeldMail.Outcome``) and the ticket.

    Raises ``HeldMailClosed`` (nothing changed) when it was processed again already, is not
    quarantined or has no raw message; ``OperationalError``/``InterfaceError`` when the
    database is away (nothing changed: try again)."""
    now = now or timezone.now()
    with transaction.atomic():
        _claim(held=held, kind=HeldMail.Kind.QUARANTINED, user=user, now=now)
        ingested = mail_ingest_detailed(pending=_raw_pending(held), now=now)
        ticket = _result_ticket(ingested.outcome, ingested.message_id)
        HeldMail.objects.filter(pk=held.pk).update(outcome=ingested.outcome, result_ticket=ticket)
        held.refresh_from_db()
        audit_record(
            actor=user,
            event="feedback.held_mail_reprocessed",
            instance=held,
            detail={"outcome": ingested.outcome, "ticket": ticket.reference if ticket else ""},
        )
    return held


def held_mail_ticket_open(*, held: HeldMail, user: User, now: datetime | None = None) -> Ticket:
    """Open a ticket from an ignored (automated) email a lead judged to need an answer: its
    sender, subject and kept text, the client matched by address as the intake does, the SLA
    clock from when the email was received (the held email's time). Its attachments were not
    kept (ignored mail keeps its text only). The Message-ID goes with it, so a reply to the
    email threads onto the ticket.

    Raises ``HeldMailClosed`` (nothing changed) when it was processed already or is not an
    ignored email."""
    now = now or timezone.now()
    with transaction.atomic():
        _claim(held=held, kind=HeldMail.Kind.IGNORED, user=user, now=now)
        ticket = ticket_create(
            channel=Channel.EMAIL,
            category=Category.INQUIRY,
            subject=held.subject or _("(no subject)"),
            description=held.body or "-",
            client=client_from_contact(email=held.sender),
            created_by=user,
            received_at=min(held.created_at, now),
            sender_email=held.sender,
            source_message_id=held.message_id,
        )
        HeldMail.objects.filter(pk=held.pk).update(
            outcome=HeldMail.Outcome.TICKETS, result_ticket=ticket
        )
        held.refresh_from_db()
        audit_record(
            actor=user,
            event="feedback.held_mail_ticket_opened",
            instance=held,
            detail={"ticket": ticket.reference},
        )
    return ticket
