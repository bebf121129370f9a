"""Mail intake services (SPEC section 6, "Mail"): each polled email becomes a ticket, a reply on
its ticket, or a held email (ignored automated mail, or quarantined mail that cannot be read or
stored). Nothing is retried forever and nothing is lost: a held email keeps its evidence and, when
quarantined, its raw bytes. The poll task and ``feedback_poll_mail`` call ``mailbox_poll``."""

import hashlib
import logging
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.selectors import client_from_contact
from core.models import Notification
from core.services import notification_create
from feedback.mail import reading
from feedback.mail.dedupe import same_message
from feedback.mail.received import received_at
from feedback.mail.sources import MailSource, Pending, mail_source
from feedback.models import (
    Category,
    Channel,
    HeldMail,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
)
from feedback.selectors import team_leads
from feedback.services.handling import ticket_reopen
from feedback.services.opening import REFERENCE_RE, ticket_create

logger = logging.getLogger(__name__)

# What a kept attachment may be, by its name's extension, and the type it is served as (never the
# type the sender declared). Documents and images a client sends a bank; nothing that runs.
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".rtf": "application/rtf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OUTCOMES = ("tickets", "replies", "duplicates", "ignored", "quarantined", "failed")
# The database is unreachable or busy: the message is given back for the next poll, not held.
TRANSIENT = (OperationalError, InterfaceError)


_MESSAGE_IDS = re.compile(r"<[^<>\s]+>")


class Held(Exception):
    """This message is quarantined, for ``reason`` (a ``HeldMail.Reason``)."""

    def __init__(self, reason: str, evidence: str = ""):
        super().__init__(reason)
        self.reason, self.evidence = reason, evidence


@dataclass
class Header:
    """What is known of a message before anything is written."""

    message_id: str
    sender: str = ""
    subject: str = ""


def _printable(text: str, limit: int) -> str:
    return text.replace("\x00", "")[:limit]


def _digest_id(pending: Pending) -> str:
    digest = hashlib.sha256()
    with pending.open() as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"<sha256-{digest.hexdigest()}@no-message-id>"


def _message_id(message: EmailMessage, pending: Pending) -> str:
    """The Message-ID, or a stable stand-in from the content so a message without one is still
    processed once."""
    value = _printable(reading.header_text(message, "Message-ID"), 255).strip()
    return value or _digest_id(pending)


def _already_seen(message_id: str) -> bool:
    return (
        Ticket.objects.filter(source_message_id=message_id).exists()
        or TicketMessage.objects.filter(message_id=message_id).exists()
        or HeldMail.objects.filter(message_id=message_id, reprocessed_at__isnull=True).exists()
    )


def _thread_target(message: EmailMessage, subject: str, sender: str) -> Ticket | None:
    """The ticket an email replies to: by In-Reply-To/References (our Message-IDs are random,
    so they prove the thread), else by "[FB-…]" in the subject when it comes from the ticket's
    own correspondent (a reference alone is guessable)."""
    written = " ".join(reading.header_text(message, h) for h in ("In-Reply-To", "References"))
    # Message-IDs as <...>, however they are separated (clients write them with commas, with no
    # space, or after a comment "Your message of ..."); bare words if none is bracketed.
    if ids := _MESSAGE_IDS.findall(written) or written.split():
        ticket = Ticket.objects.filter(source_message_id__in=ids).first()
        if ticket is None:
            first = TicketMessage.objects.filter(message_id__in=ids).select_related("ticket")
            reply_to = first.first()
            ticket = reply_to.ticket if reply_to else None
        if ticket is not None:
            return ticket
    match = REFERENCE_RE.search(subject)
    if match and sender:
        ticket = Ticket.objects.select_related("client").filter(reference=match.group(1)).first()
        if ticket is not None:
            known = {ticket.sender_email.lower(), (ticket.client.email if ticket.client else "")}
            if sender in {address.lower() for address in known if address}:
                return ticket
    return None


# --- held mail ---------------------------------------------------------------------------------


def held_mail_url() -> str:
    return reverse("feedback:held_mail")


@transaction.atomic
def held_mail_create(
    *,
    kind: str,
    reason: str,
    header: Header,
    pending: Pending,
    evidence: str = "",
    body: str = "",
    ticket: Ticket | None = None,
) -> HeldMail:
    """Record a held email. A quarantined one keeps its raw bytes (streamed into storage) and
    the team leads are told; an ignored one keeps its text for review."""
    held = HeldMail(
        kind=kind,
        reason=reason,
        evidence=_printable(evidence, 500),
        sender=_printable(header.sender, 254),
        subject=_printable(header.subject, 200),
        message_id=header.message_id,
        body=_printable(body, 20_000),
        size=pending.size,
        source_key=pending.key[:255],
        ticket=ticket,
    )
    if kind == HeldMail.Kind.QUARANTINED:
        with pending.open() as handle:
            held.raw.save(f"{uuid.uuid4().hex}.eml", File(handle), save=False)
        transaction.on_commit(lambda: _held_notify(held))
    held.save()
    return held


def _held_notify(held: HeldMail) -> None:
    notification_create(
        recipients=team_leads(),
        title=lambda: (
            _("An email was quarantined: %(reason)s") % {"reason": held.get_reason_display()}
        ),
        body=f"{held.sender or '—'} · {held.subject}",
        url=held_mail_url(),
        level=Notification.Level.WARNING,
        dedupe_key=f"feedback:held:{held.pk}",
    )


def _quarantine(pending: Pending, header: Header, held: Held) -> str:
    held_mail_create(
        kind=HeldMail.Kind.QUARANTINED,
        reason=held.reason,
        evidence=held.evidence,
        header=header,
        pending=pending,
    )
    return "quarantined"


# --- attachments -------------------------------------------------------------------------------


def _refusal(name: str, size: int) -> str:
    if PurePath(name).suffix.lower() not in ATTACHMENT_TYPES:
        return _("this type of file is not accepted")
    if size > settings.FEEDBACK_ATTACHMENT_MAX_BYTES:
        limit = settings.FEEDBACK_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        return _("larger than %(limit)s MB") % {"limit": limit}
    if size == 0:
        return _("empty file")
    return ""


def attachments_store(
    *,
    ticket: Ticket,
    message: TicketMessage | None,
    parts: list[reading.MailPart],
    stored: list[str],
) -> tuple[list[TicketAttachment], list[str]]:
    """Keep an email's files on its ticket, each decoded into a temporary file and streamed into
    storage from there (never a copy of the file in memory): ``(kept, notes)`` where each note
    names a file that was not kept and why (type outside ``ATTACHMENT_TYPES``, over
    ``FEEDBACK_ATTACHMENT_MAX_BYTES``, empty). Call inside the ingesting transaction; the
    storage names written are appended to ``stored`` so a rollback can remove them."""
    kept: list[TicketAttachment] = []
    notes: list[str] = []
    for part in parts:
        with tempfile.TemporaryFile() as spool:
            size = part.write_to(spool)
            refusal = _refusal(part.filename, size)
            if refusal:
                notes.append(
                    _("Attachment not kept: %(name)s (%(reason)s)")
                    % {"name": part.filename, "reason": refusal}
                )
                continue
            spool.seek(0)
            suffix = PurePath(part.filename).suffix.lower()
            attachment = TicketAttachment(
                ticket=ticket,
                message=message,
                filename=part.filename,
                content_type=ATTACHMENT_TYPES[suffix],
                size=size,
            )
            attachment.file.save(f"{uuid.uuid4().hex}{suffix}", File(spool), save=False)
        stored.append(str(attachment.file.name))
        attachment.save()
        kept.append(attachment)
    return kept, notes


def _files_note(body: str, kept: list[TicketAttachment], notes: list[str]) -> str:
    """The text stored for an email: its body, or a line saying it only carried attachments
    (listed on the ticket), then the files not kept."""
    if not body and kept:
        body = _("(No text: the client sent only attachments: %(names)s.)") % {
            "names": ", ".join(a.filename for a in kept)
        }
    return "\n\n".join(filter(None, [body, *notes]))


# --- ingest ------------------------------------------------------------------------------------


@dataclass
class Reading:
    """A message read and checked, ready to be written."""

    message: EmailMessage
    header: Header
    body: str
    received_at: datetime


def _read(pending: Pending, now: datetime) -> tuple[Reading | None, Header, Held | None]:
    """Parse and check a message; never raises for bad mail (a ``Held`` says why)."""
    header = Header(message_id="")
    if pending.size > settings.FEEDBACK_MAIL_MAX_BYTES:
        return None, Header(_digest_id(pending)), Held("too_large", f"{pending.size} bytes")
    if pending.size == 0:
        return None, Header(_digest_id(pending)), Held("empty")
    try:
        with pending.open() as handle:
            message = reading.parse(handle)
        header = Header(
            message_id=_message_id(message, pending),
            sender=reading.sender_address(message),
            subject=reading.header_text(message, "Subject"),
        )
        body = reading.body_text(message)
    except Exception as error:  # the email package's errors on hostile input have no base
        logger.warning("feedback mail %s cannot be parsed: %r", pending.key, error)
        return (
            None,
            header if header.message_id else Header(_digest_id(pending)),
            Held("unparseable", repr(error)),
        )
    if not message.keys():
        return None, header, Held("unparseable", _("no header lines"))
    found = Reading(
        message,
        header,
        body,
        received_at(message, now=now, servers=settings.FEEDBACK_MAIL_SERVERS),
    )
    if "\x00" in header.subject + header.sender + body:
        return found, header, Held("nul", _("a NUL character in the subject or text"))
    return found, header, None


def _ignore(found: Reading, pending: Pending, reason: tuple[str, str]) -> str:
    target = _thread_target(found.message, found.header.subject, found.header.sender)
    held_mail_create(
        kind=HeldMail.Kind.IGNORED,
        reason=reason[0],
        evidence=reason[1],
        header=found.header,
        pending=pending,
        body=found.body,
        ticket=target,
    )
    return "ignored"


def _reply_add(target: Ticket, found: Reading, parts: list, stored: list[str]) -> TicketMessage:
    reply = TicketMessage.objects.create(
        ticket=target,
        kind=TicketMessage.Kind.CLIENT_MESSAGE,
        body=found.body,
        message_id=found.header.message_id,
        created_at=found.received_at,
    )
    kept, notes = attachments_store(ticket=target, message=reply, parts=parts, stored=stored)
    reply.body = _files_note(found.body, kept, notes) or _("(empty message)")
    reply.save(update_fields=["body"])
    if target.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket_reopen(ticket=target, note=_("Reopened: the client replied by email."))
    elif target.status == TicketStatus.RESPONDED:
        Ticket.objects.filter(pk=target.pk).update(status=TicketStatus.IN_PROGRESS)
    return reply


def _ticket_open(found: Reading, parts: list, stored: list[str]) -> Ticket:
    sender = found.header.sender
    # Two clients sharing one address cannot be told apart: triage decides.
    ticket = ticket_create(
        channel=Channel.EMAIL,
        category=Category.INQUIRY,
        subject=found.header.subject or _("(no subject)"),
        description=found.body or "-",
        client=client_from_contact(email=sender),
        sender_email=sender,
        source_message_id=found.header.message_id,
        received_at=found.received_at,
    )
    kept, notes = attachments_store(ticket=ticket, message=None, parts=parts, stored=stored)
    ticket.description = _files_note(found.body, kept, notes) or ticket.subject
    ticket.save(update_fields=["description"])
    return ticket


@transaction.atomic
def _write(found: Reading, stored: list[str]) -> str:
    parts = list(reading.attached_files(found.message))
    header = found.header
    target = _thread_target(found.message, header.subject, header.sender)
    if target is not None:
        _reply_add(target, found, parts, stored)
        return "replies"
    _ticket_open(found, parts, stored)
    return "tickets"


def _discard(stored: list[str]) -> None:
    """Remove the files of a write that was rolled back."""
    for name in stored:
        default_storage.delete(name)


def mail_ingest(*, pending: Pending, now: datetime | None = None) -> str:
    """One email into the queue. Returns the outcome, one of ``OUTCOMES`` but "failed":

    - "duplicates": its Message-ID was processed before (or by a concurrent poll);
    - "ignored": automated mail (RFC 3834: Auto-Submitted, Precedence, auto-reply and list
      headers, delivery reports, MAILER-DAEMON/postmaster), kept for review, no ticket touched;
    - "quarantined": unreadable, empty, too large, no usable sender, NUL characters, or a write
      that failed for any reason but an unreachable database;
    - "replies": added to the thread of the ticket it answers (reopening a resolved or closed
      one); "tickets": a new ticket, its SLA clock from the bank's receipt (``received_at``).

    Raises only ``OperationalError``/``InterfaceError`` (the database is away: try again)."""
    return mail_ingest_detailed(pending=pending, now=now).outcome


@dataclass(frozen=True)
class Ingested:
    """What ``mail_ingest`` did with an email (``outcome``) and the Message-ID it went by (its
    own, or the content's stand-in): the ticket, reply or held email that has it is the result."""

    outcome: str
    message_id: str


def mail_ingest_detailed(*, pending: Pending, now: datetime | None = None) -> Ingested:
    """``mail_ingest``, also saying which Message-ID the email went by."""
    now = now or timezone.now()
    found, header, held = _read(pending, now)
    return Ingested(_outcome(pending, found, header, held), header.message_id)


def _outcome(pending: Pending, found: Reading | None, header: Header, held: Held | None) -> str:
    if header.message_id and _already_seen(header.message_id):
        if same_message(
            header.message_id,
            pending=pending,
            sender=header.sender,
            subject=header.subject,
            body=found.body if found else "",
        ):
            return "duplicates"
        # Another email reusing the Message-ID: it goes by its content's stand-in instead.
        header.message_id = _digest_id(pending)
        if _already_seen(header.message_id):
            return "duplicates"
    if found is not None and held is None and (auto := reading.automated_reason(found.message)):
        return _ignore(found, pending, auto)
    if found is not None and held is None and not header.sender:
        held = Held("no_sender", reading.header_text(found.message, "From"))
    if held is not None or found is None:
        return _quarantine(pending, header, held or Held("unparseable"))
    stored: list[str] = []
    try:
        return _write(found, stored)
    except TRANSIENT:
        _discard(stored)
        raise
    except IntegrityError:
        _discard(stored)
        if _already_seen(header.message_id):
            return "duplicates"  # a concurrent poll committed the same Message-ID first
        logger.exception("feedback mail %s could not be stored", pending.key)
        return _quarantine(pending, header, Held("unstorable", "IntegrityError"))
    except Exception as error:
        _discard(stored)
        logger.exception("feedback mail %s could not be stored", pending.key)
        return _quarantine(pending, header, Held("unstorable", _error_line(error)))


def _error_line(error: Exception) -> str:
    return re.sub(r"\s+", " ", f"{type(error).__name__}: {error}")[:500]


def mailbox_poll(*, source: MailSource | None = None, now: datetime | None = None) -> dict:
    """Read every new email once: ``{outcome: count}`` for ``OUTCOMES``. Each message is claimed
    from the source, ingested in its own transaction and marked done only after the commit; a
    crash in between leaves it claimed until the source gives it back, and the unique Message-ID
    stops the next run from creating it twice. Only an unreachable database gives a message back
    at once ("failed"); every other failure is quarantined, so no message is retried forever."""
    source = source or mail_source()
    counts = dict.fromkeys(OUTCOMES, 0)
    for pending in source.pending():
        try:
            outcome = mail_ingest(pending=pending, now=now)
        except TRANSIENT:
            logger.warning("feedback mail %s: database unavailable; next run", pending.key)
            counts["failed"] += 1
            source.release(pending.key)
            continue
        except Exception as error:
            # Input nobody foresaw: held once, never a poll that fails on it every 2 minutes.
            logger.exception("feedback mail %s could not be read", pending.key)
            outcome = _quarantine(
                pending, Header(_digest_id(pending)), Held("unparseable", _error_line(error))
            )
        counts[outcome] += 1
        source.done(pending.key)
    return counts
