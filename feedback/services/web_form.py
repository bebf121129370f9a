"""The web channel (SPEC section 6): a submission of the public feedback form becomes a ticket on
channel "web", matched to a client by phone or e-mail like mail is, or left for triage."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clients.selectors import client_from_contact
from core import throttle
from core.branding import bank_name
from core.outbox import mail_enqueue
from core.services import audit_record
from feedback.models import Channel, Ticket
from feedback.services.opening import ticket_create

WEB_SUBMIT_EVENT = "feedback.web_submit"
THROTTLE_SCOPE = "web_feedback"


def web_feedback_limit_reached(*, address: str) -> bool:
    """Whether ``address`` has sent ``WEB_FEEDBACK_LIMIT`` accepted submissions this
    ``WEB_FEEDBACK_WINDOW`` (checked before the form is read, counting nothing)."""
    return throttle.used_up(
        scope=THROTTLE_SCOPE,
        key=address,
        limit=settings.WEB_FEEDBACK_LIMIT,
        window=settings.WEB_FEEDBACK_WINDOW,
    )


def web_feedback_count(*, address: str) -> bool:
    """Count one accepted submission of ``address``; False when it is over the limit (two sent
    at once at the edge). Only a submission that passed the form counts (issue 14): a sender
    correcting mistakes does not spend their allowance."""
    return throttle.allow(
        scope=THROTTLE_SCOPE,
        key=address,
        limit=settings.WEB_FEEDBACK_LIMIT,
        window=settings.WEB_FEEDBACK_WINDOW,
    )


@transaction.atomic
def web_feedback_submit(
    *,
    name: str,
    phone: str,
    email: str,
    category: str,
    subject: str,
    description: str,
    phone_typed: str = "",
    received_at: datetime | None = None,
) -> Ticket:
    """Open the ticket of one web form submission: channel "web", its SLA clock (48 h by the
    policy in force) from ``received_at`` (now when None).

    ``phone`` is E.164 (``core.phone.normalize_phone``) or "", ``phone_typed`` the same number as
    the sender typed it (kept and shown as typed), ``email`` an address or "": at least one, else
    ``ValidationError`` (as for an unknown ``category``). The client is the one they point at
    (``clients.selectors.client_from_contact``, the rule mail intake uses); none or several
    leaves the ticket unmatched, in the queue as an unmatched sender for the team to triage, like
    unmatched mail. The sender's name, phone and e-mail are kept on the ticket either way, and the
    client's RM is told of a matched one (``ticket_create``).

    Audited as ``feedback.web_submit`` with whether it matched (never the phone or e-mail). After
    commit, through the outbox, ``email`` gets an acknowledgement with the reference, word for word
    the same for a client and a stranger (the form never tells who banks here); a reply to it
    joins the ticket's thread through mail intake."""
    if not (phone or email.strip()):
        raise ValidationError(
            _("Give a phone number or an e-mail address so that we can answer you.")
        )
    client = client_from_contact(email=email, phone=phone)
    ticket = ticket_create(
        channel=Channel.WEB,
        category=category,
        subject=subject,
        description=description,
        client=client,
        received_at=received_at,
        sender_email=email.strip(),
        sender_name=name.strip()[:100],
        sender_phone=phone,
        sender_phone_typed=phone_typed.strip()[:40] if phone else "",
    )
    audit_record(
        actor=None,
        event=WEB_SUBMIT_EVENT,
        instance=ticket,
        detail={"channel": Channel.WEB, "matched": client is not None},
    )
    _acknowledge(ticket)
    return ticket


def _acknowledge(ticket: Ticket) -> None:
    """The acknowledgement mail, in the sender's language (the request's, active now)."""
    hours = round((ticket.first_response_due_at - ticket.received_at).total_seconds() / 3600)
    mail_enqueue(
        to=[ticket.sender_email],
        subject=f"[{ticket.reference}] " + _("We have received your feedback"),
        body=_(
            "Thank you for writing to %(bank)s. Your feedback has the reference %(reference)s; "
            "our feedback team answers within %(hours)s hours. To add something, reply to this "
            "e-mail."
        )
        % {"bank": bank_name(), "reference": ticket.reference, "hours": hours},
    )
