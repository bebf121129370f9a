"""Is an email whose Message-ID was processed before that same email again (a redelivery, a claim
given back after a poll died), or another email reusing its Message-ID? Scanners, printers,
web-form scripts and some mobile mail apps send every message with one fixed Message-ID
(``<1@localhost>``); taken as duplicates, each after the first would be dropped without a trace.
What the intake kept under the Message-ID is compared with the new email: its raw bytes when it
was quarantined, else its sender, subject and the start of its text."""

import hashlib

from feedback.mail.sources import Pending
from feedback.models import HeldMail, Ticket, TicketMessage

# The start of the text compared: enough to tell two messages apart, short of any cut.
COMPARED_CHARS = 2000


def _digest(handle) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _text_agrees(stored: str, body: str) -> bool:
    return stored.replace("\x00", "").startswith(body.replace("\x00", "")[:COMPARED_CHARS])


def _held_agrees(held: HeldMail, pending: Pending, sender: str, subject: str, body: str) -> bool:
    if held.raw:
        with held.raw.open("rb") as kept, pending.open() as new:
            return _digest(kept) == _digest(new)
    return (
        held.sender == sender[:254]
        and held.subject == subject[:200]
        and _text_agrees(held.body, body)
    )


def same_message(
    message_id: str, *, pending: Pending, sender: str, subject: str, body: str
) -> bool:
    """True when what was processed under ``message_id`` is this email (or cannot be told
    apart from it); False when it is another email that reuses the Message-ID."""
    ticket = Ticket.objects.filter(source_message_id=message_id).first()
    if ticket is not None:
        return (
            ticket.sender_email.lower() == sender
            and (not subject or ticket.subject == subject[:200])
            and _text_agrees(ticket.description, body)
        )
    reply = TicketMessage.objects.filter(message_id=message_id).first()
    if reply is not None:
        return _text_agrees(reply.body, body)
    held = HeldMail.objects.filter(message_id=message_id, reprocessed_at__isnull=True).first()
    if held is not None:
        return _held_agrees(held, pending, sender, subject, body)
    return True
