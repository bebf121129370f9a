"""Writes of the feedback app: intake from every channel, the thread, the SLA sweep, surveys and
API keys. Views, admin actions, the API, tasks and the mail poller all call these."""

import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage as DjangoEmail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.models import Client
from core.models import Notification, User
from core.outbox import mail_enqueue
from core.selectors import supervisors
from core.services import audit_record, notification_create
from feedback import sla
from feedback.models import (
    CLOSE_REASON_MAX_LENGTH,
    ApiKey,
    Category,
    Channel,
    HeldMail,
    SlaPolicy,
    SlaState,
    Survey,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
)
from feedback.selectors import team_leads
from managers.selectors import rm_of_client
from retention.services import follow_up_open

logger = logging.getLogger(__name__)

SURVEY_SALT = "feedback.survey"
REFERENCE_RE = re.compile(r"\[(FB-\d{4}-\d{6,})\]")


def ticket_url(ticket: Ticket) -> str:
    return reverse("feedback:ticket_detail", args=[ticket.reference])


# A satisfaction score at or below this (of 1–5) is an unhappy client (issue 14).
UNHAPPY_SCORE_MAX = 2


def unhappy_client_follow_up(
    *, client: Client | None, score: int | None, source: str, reference: str, url: str
) -> None:
    """A survey or call-back ``score`` of 1 or 2 opens a follow-up on the client for their RM
    (``retention.services.follow_up_open``, on the RM's home until done) and tells the RM and the
    feedback team leads at once. ``source`` is "survey" or "callback"; ``reference`` the ticket
    reference or the call-back's month. Nothing happens for a better score or no client."""
    if client is None or score is None or score > UNHAPPY_SCORE_MAX:
        return
    follow_up_open(
        client=client, figures={"score": score, "source": source, "reference": reference}
    )
    rm_user = _rm_user_of(client)
    notification_create(
        recipients=[*([rm_user] if rm_user else []), *team_leads()],
        title=_("Unhappy client %(client)s: satisfaction %(score)s of 5")
        % {"client": client.name, "score": score},
        body=_("From %(reference)s. A follow-up is on the RM's home until it is closed.")
        % {"reference": reference},
        url=url,
        level=Notification.Level.DANGER,
        dedupe_key=f"unhappy:{source}:{reference}",
    )


def _rm_user_of(client: Client | None) -> User | None:
    if client is None:
        return None

    rm = rm_of_client(client=client)
    return rm.user if rm is not None and rm.user_id else None


# --- intake ------------------------------------------------------------------------------------


@transaction.atomic
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
    source_message_id: str = "",
    call_id: int | None = None,
    api_key: ApiKey | None = None,
) -> Ticket:
    """Open a ticket from any channel; its SLA clock starts at ``received_at`` under the policy
    in force then. The client's RM is told."""
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    if category not in Category.values:
        raise ValidationError(_("Unknown category."))
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
        source_message_id=source_message_id,
        call_id=call_id,
        api_key=api_key,
    )
    if from_app:
        # Shown to the app once, in the 201 answer; only its hash is kept.
        ticket.api_secret = secret
    else:
        ticket.reference = f"FB-{timezone.localtime(received_at).year}-{ticket.pk:06d}"
        ticket.save(update_fields=["reference"])
    _notify_client_rm(ticket=ticket, client=client, coalesce=from_app)
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


# --- handling ----------------------------------------------------------------------------------


def _require_open(ticket: Ticket) -> None:
    if not ticket.is_open:
        raise ValidationError(_("This ticket is already resolved or closed."))


@transaction.atomic
def ticket_assign(*, ticket: Ticket, handler: User, actor: User) -> Ticket:
    """Give the ticket to a handler (taking it is assigning it to yourself)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_open(ticket)
    previous = ticket.handler_id
    ticket.handler = handler
    if ticket.status == TicketStatus.NEW:
        ticket.status = TicketStatus.IN_PROGRESS
    ticket.save(update_fields=["handler", "status"])
    if handler.pk != actor.pk and handler.pk != previous:
        notification_create(
            recipients=[handler],
            title=_("Ticket %(reference)s was assigned to you") % {"reference": ticket.reference},
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
    if not body.strip():
        raise ValidationError(_("Write the note first."))
    return TicketMessage.objects.create(
        ticket=ticket, author=author, kind=TicketMessage.Kind.INTERNAL_NOTE, body=body.strip()
    )


def _send_after_commit(mail: DjangoEmail) -> None:
    """Queue the mail in the outbox, in this transaction: a job sends it once the transaction
    commits (a rolled-back change never reaches the client), and a mail server or broker outage
    only delays it."""
    mail_enqueue(
        to=mail.to, subject=str(mail.subject), body=str(mail.body), headers=mail.extra_headers
    )


def _client_address(ticket: Ticket) -> str:
    client = ticket.client if ticket.client_id else None
    if client is not None and client.email:
        return client.email
    return ticket.sender_email


def _mail_client(ticket: Ticket, *, subject: str, body: str, message_id: str) -> None:
    address = _client_address(ticket)
    if not address:
        return
    headers = {"Message-ID": message_id}
    if ticket.source_message_id:
        headers["In-Reply-To"] = ticket.source_message_id
        headers["References"] = ticket.source_message_id
    mail = DjangoEmail(
        subject=f"[{ticket.reference}] {subject}", body=body, to=[address], headers=headers
    )
    _send_after_commit(mail)


@transaction.atomic
def ticket_respond(
    *, ticket: Ticket, author: User, body: str, send_email: bool = True
) -> TicketMessage:
    """Answer the client. The first answer stops the SLA clock."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("client").get(pk=ticket.pk)
    )
    _require_open(ticket)
    if not body.strip():
        raise ValidationError(_("Write the response first."))
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=author,
        kind=TicketMessage.Kind.RESPONSE_TO_CLIENT,
        body=body.strip(),
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
        _mail_client(
            ticket, subject=ticket.subject, body=message.body, message_id=message.message_id
        )
    return message


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor: User, resolution: str) -> Survey:
    """Close the matter with a final answer to the client, and send the satisfaction survey."""
    message = ticket_respond(ticket=ticket, author=actor, body=resolution)
    ticket = message.ticket
    ticket.status = TicketStatus.RESOLVED
    ticket.resolved_at = message.created_at
    ticket.save(update_fields=["status", "resolved_at"])
    return survey_send(ticket=ticket)


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor: User, reason: str = "") -> Ticket:
    """Close a resolved ticket, or an open one that needs no answer (spam, duplicate). The reason
    is kept whole as an internal note: longer than ``CLOSE_REASON_MAX_LENGTH`` characters is a
    ``ValidationError`` and the ticket stays as it was (issue 14)."""
    if len(reason.strip()) > CLOSE_REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason to %(limit)s characters; the ticket was not closed.")
            % {"limit": CLOSE_REASON_MAX_LENGTH}
        )
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(_("This ticket is already closed."))
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = timezone.now()
    ticket.save(update_fields=["status", "closed_at"])
    if reason.strip():
        TicketMessage.objects.create(
            ticket=ticket,
            author=actor,
            kind=TicketMessage.Kind.INTERNAL_NOTE,
            body=_("Closed: %(reason)s") % {"reason": reason.strip()},
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
        title=_("Ticket %(reference)s was reopened by the client")
        % {"reference": ticket.reference},
        body=ticket.subject,
        url=ticket_url(ticket),
        level=Notification.Level.WARNING,
    )
    return ticket


# App tickets tell the RM at most once per this many seconds: a burst from the app (601 tickets in a
# minute were seen) is one notification, and the queue lists them all (issue 13).
APP_NOTICE_WINDOW = 600


def _handler_list(ticket: Ticket) -> list[User]:
    """The ticket's handler as a list of recipients (empty while nobody handles it)."""
    handler = ticket.handler if ticket.handler_id else None
    return [handler] if handler is not None else []


def _notify_client_rm(*, ticket: Ticket, client: Client | None, coalesce: bool = False) -> None:
    """The client's RM hears of every ticket on their client, once (SPEC section 6); tickets from
    the app are coalesced per RM per ``APP_NOTICE_WINDOW``."""
    rm_user = _rm_user_of(client)
    if rm_user is not None and coalesce:
        bucket = int(ticket.received_at.timestamp() // APP_NOTICE_WINDOW)
        notification_create(
            recipients=[rm_user],
            title=_("New feedback from your clients in the app"),
            body=_("Open tickets on your clients are listed in the feedback queue."),
            url=f"{reverse('feedback:queue')}?channel={ticket.channel}",
            dedupe_key=f"feedback:app:{rm_user.pk}:{bucket}",
        )
    elif rm_user is not None and client is not None:
        notification_create(
            recipients=[rm_user],
            title=_("New feedback from your client %(client)s: %(reference)s")
            % {"client": client.name, "reference": ticket.reference},
            body=ticket.subject,
            url=ticket_url(ticket),
            dedupe_key=f"feedback:{ticket.pk}:created",
        )


@transaction.atomic
def ticket_category_set(*, ticket: Ticket, category: str, actor: User) -> Ticket:
    """The feedback team corrects a ticket's category (issue 14). Audited with the old and new
    value and noted in the thread; the needs analysis reads the ticket's current category, so it
    counts the corrected one. Raises ``ValidationError`` for an unknown category."""
    if category not in Category.values:
        raise ValidationError(_("Unknown category."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = ticket.category
    if before == category:
        return ticket
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
    return ticket


@transaction.atomic
def ticket_client_set(*, ticket: Ticket, client: Client, actor: User) -> Ticket:
    """Triage of an unmatched email: attach it to the client it came from."""
    ticket.client = client
    ticket.save(update_fields=["client"])
    _notify_client_rm(ticket=ticket, client=client)
    return ticket


# --- SLA ---------------------------------------------------------------------------------------


def _claimed(pk: int, field: str, now: datetime, **also) -> bool:
    """Stamp ``field`` on one ticket unless someone already did: the conditional UPDATE makes the
    caller the only owner of this step, even with two sweeps racing on PostgreSQL."""
    return (
        Ticket.objects.filter(sla.AWAITING, pk=pk, **{f"{field}__isnull": True}).update(
            **{field: now}, **also
        )
        == 1
    )


# A warning or breach whose moment passed longer ago than this is backlog (first deploy, an
# outage): it goes into one summary per recipient instead of one message per ticket. Three sweep
# periods, so a sweep that is merely late still notifies ticket by ticket.
SLA_BACKLOG_AFTER = timedelta(minutes=15)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _warning_title(ticket: Ticket, now: datetime) -> str:
    """Never announce a deadline already past as if it were still ahead (issue 11)."""
    due = ticket.first_response_due_at
    if due <= now:
        return _("SLA warning: %(reference)s missed its response deadline of %(due)s") % {
            "reference": ticket.reference,
            "due": _local(due),
        }
    return _("SLA warning: %(reference)s is due at %(due)s") % {
        "reference": ticket.reference,
        "due": _local(due),
    }


def _warn(pk: int, now: datetime, leads: list[User]) -> bool:
    with transaction.atomic():
        if not _claimed(pk, "warned_at", now):
            return False
        ticket = Ticket.objects.select_related("handler").get(pk=pk)
        notification_create(
            recipients=leads + _handler_list(ticket),
            title=_warning_title(ticket, now),
            body=ticket.subject,
            url=ticket_url(ticket),
            level=Notification.Level.WARNING,
            dedupe_key=f"feedback:{pk}:warned",
            email=True,
        )
        return True


def _breach(pk: int, now: datetime, bosses: list[User]) -> bool:
    with transaction.atomic():
        if not _claimed(pk, "breached_at", now, escalated_at=now):
            return False
        ticket = Ticket.objects.select_related("handler").get(pk=pk)
        notification_create(
            recipients=bosses + _handler_list(ticket),
            title=_("SLA breached: %(reference)s has had no response for %(hours)s hours")
            % {
                "reference": ticket.reference,
                "hours": int((now - ticket.received_at).total_seconds() // 3600),
            },
            body=ticket.subject,
            url=ticket_url(ticket),
            level=Notification.Level.DANGER,
            dedupe_key=f"feedback:{pk}:breached",
            email=True,
        )
        return True


BACKLOG_LISTED = 30


def _backlog_body(warned: list[Ticket], breached: list[Ticket]) -> str:
    lines = []
    for label, tickets in (
        (_("Response deadline missed, escalated"), breached),
        (_("Past 75% of the response window"), warned),
    ):
        if tickets:
            lines.append(f"{label} ({len(tickets)}):")
            lines += [
                f"- {t.reference} {t.subject} ({_local(t.first_response_due_at)})"
                for t in tickets[:BACKLOG_LISTED]
            ]
            if len(tickets) > BACKLOG_LISTED:
                lines.append(
                    _("… and %(n)d more in the queue.") % {"n": len(tickets) - BACKLOG_LISTED}
                )
    return "\n".join(lines)


@transaction.atomic
def _backlog(warn: list[int], breach: list[int], now: datetime, leads, bosses) -> tuple[int, int]:
    """Claim the backlog's steps and tell each recipient once, in one transaction: the claims and
    the summaries (and their queued mail) commit together or not at all."""
    warned = [pk for pk in warn if _claimed(pk, "warned_at", now)]
    breached = [pk for pk in breach if _claimed(pk, "breached_at", now, escalated_at=now)]
    tickets = Ticket.objects.select_related("handler").in_bulk(warned + breached)
    per_user: dict[int, tuple[User, list[Ticket], list[Ticket]]] = {}

    def add(user: User, ticket: Ticket, kind: int) -> None:
        _user, warned_list, breached_list = per_user.setdefault(user.pk, (user, [], []))
        (warned_list if kind == 1 else breached_list).append(ticket)

    for pk in warned:
        for user in leads + ([tickets[pk].handler] if tickets[pk].handler_id else []):
            add(user, tickets[pk], 1)
    for pk in breached:
        for user in bosses + ([tickets[pk].handler] if tickets[pk].handler_id else []):
            add(user, tickets[pk], 2)
    for user, to_warn, to_breach in per_user.values():
        notification_create(
            recipients=[user],
            title=_(
                "SLA backlog: %(breached)d tickets past their response deadline, %(warned)d "
                "past 75%% of it"
            )
            % {"breached": len(to_breach), "warned": len(to_warn)},
            body=_backlog_body(to_warn, to_breach),
            url=reverse("feedback:queue"),
            level=Notification.Level.DANGER if to_breach else Notification.Level.WARNING,
            dedupe_key=f"feedback:sla-backlog:{now:%Y%m%d%H%M%S}",
            email=True,
        )
    return len(warned), len(breached)


def sla_sweep(*, now: datetime | None = None) -> dict:
    """Warn at 75% and escalate at 100% of the response window, each exactly once per ticket
    (SPEC section 6). Returns counts ``warned``, ``breached`` and, of those, ``backlog``.

    Works from the database's state alone, so a late or repeated run catches up and a second run
    does nothing. A step due within ``SLA_BACKLOG_AFTER`` is claimed and notified in its own
    transaction (a failure leaves it for the next run); older steps (first deploy, an outage) are
    claimed together and summarised once per recipient. Mail goes through the outbox, sent after
    commit, never inside the sweep's transaction.
    """
    now = now or timezone.now()
    recent = now - SLA_BACKLOG_AFTER
    to_warn = Ticket.objects.filter(sla.warning_reached_q(now), warned_at__isnull=True)
    to_breach = Ticket.objects.filter(sla.state_q(SlaState.BREACHED, now), breached_at__isnull=True)
    leads = list(team_leads())
    bosses = list(supervisors())
    late_warned, late_breached = _backlog(
        list(to_warn.filter(warn_due_at__lt=recent).values_list("pk", flat=True)),
        list(to_breach.filter(first_response_due_at__lt=recent).values_list("pk", flat=True)),
        now,
        leads,
        bosses,
    )
    warned = sum(_warn(pk, now, leads) for pk in to_warn.values_list("pk", flat=True))
    breached = sum(_breach(pk, now, bosses) for pk in to_breach.values_list("pk", flat=True))
    return {
        "warned": warned + late_warned,
        "breached": breached + late_breached,
        "backlog": late_warned + late_breached,
    }


# --- surveys -----------------------------------------------------------------------------------


def survey_link(survey: Survey) -> str:
    signed = signing.Signer(salt=SURVEY_SALT).sign(survey.token)
    return settings.SITE_URL.rstrip("/") + reverse("feedback:survey", args=[signed])


def survey_from_token(signed: str) -> Survey | None:
    """The survey a link points to, or None when the link was tampered with or is unknown."""
    try:
        token = signing.Signer(salt=SURVEY_SALT).unsign(signed)
    except signing.BadSignature:
        return None
    return Survey.objects.select_related("ticket", "ticket__client").filter(token=token).first()


@transaction.atomic
def survey_send(*, ticket: Ticket) -> Survey:
    """Create the ticket's survey (once) and email its link to the client when we have an
    address; the app reads the link from the API's status endpoint."""
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        ticket=ticket,
        defaults={
            "token": secrets.token_urlsafe(32),
            "sent_at": now,
            "expires_at": now + timedelta(days=Survey.VALID_DAYS),
        },
    )
    address = _client_address(ticket)
    if created and address:
        client = ticket.client if ticket.client_id else None
        language = client.preferred_language if client is not None else settings.LANGUAGE_CODE
        with translation.override(language):
            mail = _survey_mail(ticket, survey, address)
        _send_after_commit(mail)
    return survey


def _survey_mail(ticket: Ticket, survey: Survey, address: str) -> DjangoEmail:
    body = _(
        "Dear client,\n\nyour feedback %(reference)s has been resolved. Please tell us how "
        "satisfied you are (one click, valid for %(days)s days):\n\n%(link)s\n\nVIP Service"
    ) % {"reference": ticket.reference, "days": Survey.VALID_DAYS, "link": survey_link(survey)}
    return DjangoEmail(
        subject=_("[%(reference)s] How did we do?") % {"reference": ticket.reference},
        body=body,
        to=[address],
    )


class SurveyClosed(Exception):
    """The survey was answered already or has expired."""


@transaction.atomic
def survey_submit(*, survey: Survey, score: int, comment: str = "") -> Survey:
    """Record the client's answer. Usable once: a conditional UPDATE, so two tabs submitting at
    the same moment cannot both count."""
    if not 1 <= int(score) <= 5:
        raise ValidationError(_("Choose a score from 1 to 5."))
    now = timezone.now()
    updated = Survey.objects.filter(
        pk=survey.pk, responded_at__isnull=True, expires_at__gt=now
    ).update(score=int(score), comment=comment.strip(), responded_at=now)
    if updated != 1:
        raise SurveyClosed
    survey.refresh_from_db()
    ticket = survey.ticket
    unhappy_client_follow_up(
        client=ticket.client,
        score=survey.score,
        source="survey",
        reference=ticket.reference,
        url=ticket_url(ticket),
    )
    return survey


# --- API keys ----------------------------------------------------------------------------------


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_issue(*, name: str, channel: str = Channel.APP) -> tuple[ApiKey, str]:
    """A new key; the raw value is returned here once and never stored."""
    prefix = secrets.token_hex(4)
    raw = f"fb_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name, channel=channel, prefix=prefix, key_hash=_key_hash(raw))
    return key, raw


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The active key matching ``raw`` (constant-time comparison), or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "fb":
        return None
    key = ApiKey.objects.filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _key_hash(raw)):
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def ticket_view_record(*, ticket: Ticket, user: User) -> None:
    audit_record(actor=user, event="feedback.ticket_viewed", instance=ticket)


def queue_export_record(*, user: User, rows: int, filters: list[str]) -> None:
    """Audit an export of the queue: the row count and the names of the filters used."""
    audit_record(
        actor=user, event="feedback.queue_exported", detail={"rows": rows, "filters": filters}
    )


def attachment_download_record(*, attachment: TicketAttachment, user: User) -> None:
    audit_record(
        actor=user,
        event="feedback.attachment_downloaded",
        instance=attachment.ticket,
        detail={"attachment": attachment.pk, "filename": attachment.filename},
    )


def held_mail_download_record(*, held: HeldMail, user: User) -> None:
    audit_record(actor=user, event="feedback.held_mail_downloaded", instance=held)
