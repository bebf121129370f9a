"""Opening a ticket from any channel (SPEC section 6): staff, mail, the web and the app, whose
tickets carry a random reference and a secret (issue 13)."""

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from core.models import User
from feedback.models import ApiKey, Category, Channel, SlaPolicy, Ticket
from feedback.services.notices import notify_client_rm

REFERENCE_RE = re.compile(r"\[(FB-\d{4}-\d{6,})\]")


@transaction.atomic
def _check_opening(*, channel: str, category: str, calls: tuple[int | None, ...]) -> None:
    if None not in calls:
        raise ValidationError(_("A ticket comes from one call: a hotline call or a call-back."))
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    if category not in Category.values:
        raise ValidationError(_("Unknown category."))


def ticket_create(
    *,
    channel: str,
    category: str,
    subject: str,
    description: str,
    client: Client | None = None,
    created_by: User | None = None,
    received_at: datetime | None = None,
    sender_email: str = "",
    sender_name: str = "",
    sender_phone: str = "",
    sender_phone_typed: str = "",
    source_message_id: str = "",
    call_id: int | None = None,
    callback_id: int | None = None,
    api_key: ApiKey | None = None,
) -> Ticket:
    """Open a ticket from any channel; its SLA clock starts at ``received_at`` under the policy
    in force then. The client's RM is told. ``sender_*`` are what a sender from outside gave;
    ``call_id`` or ``callback_id`` the hotline call or call-back the ticket was opened from."""
    _check_opening(channel=channel, category=category, calls=(call_id, callback_id))
    received_at = received_at or timezone.now()
    warn_due_at, due_at = SlaPolicy.in_force(received_at).deadlines(received_at)
    from_app = api_key is not None
    secret = secrets.token_urlsafe(24) if from_app else ""
    ticket = Ticket.objects.create(
        # The reference needs the primary key; a unique placeholder holds the slot until then.
        # The app's tickets keep a random one: nothing to enumerate (issue 13).
        reference=f"FB-{secrets.token_hex(8).upper()}" if from_app else f"~{secrets.token_hex(8)}",
        access_hash=ticket_secret_hash(secret) if from_app else "",
        client=client,
        channel=channel,
        category=category,
        subject=subject[:200],
        description=description,
        created_by=created_by,
        received_at=received_at,
        first_response_due_at=due_at,
        warn_due_at=warn_due_at,
        sender_email=sender_email,
        sender_name=sender_name,
        sender_phone=sender_phone,
        sender_phone_typed=sender_phone_typed,
        source_message_id=source_message_id,
        call_id=call_id,
        callback_id=callback_id,
        api_key=api_key,
    )
    if from_app:
        # Shown to the app once, in the 201 answer; only its hash is kept.
        ticket.api_secret = secret
    else:
        ticket.reference = f"FB-{timezone.localtime(received_at).year}-{ticket.pk:06d}"
        ticket.save(update_fields=["reference"])
    notify_client_rm(ticket=ticket, client=client, coalesce=from_app)
    return ticket


def ticket_secret_hash(secret: str) -> str:
    """SHA-256 hex of an app ticket's secret (64 characters)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def ticket_secret_matches(*, ticket: Ticket, secret: str) -> bool:
    """Constant-time check of the secret the app presents for ``ticket``; False for tickets that
    have none (opened by staff, mail or the web)."""
    if not ticket.access_hash or not secret:
        return False
    return hmac.compare_digest(ticket.access_hash, ticket_secret_hash(secret))
