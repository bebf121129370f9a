"""Writes of the mail outbox: services queue mail in their own transaction, a job sends it after
commit (SPEC section 8: work saved while the broker or the mail server is down is never lost).

A message is sent at most once: the drain claims it (pending -> sending) in its own committed
UPDATE before talking to the mail server, and only a send that raised puts it back for another
try. A message left "sending" (the worker died during the send) is never sent again; admin shows it.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxMail
from vipservice.celery import app

logger = logging.getLogger(__name__)

OUTBOX_DRAIN_TASK = "core.tasks.outbox_drain"


def _kick_drain() -> None:
    """Ask a worker to send now. Best effort: with the broker down the mail waits in the table
    and the every-minute housekeeping job sends it when the broker is back. With
    ``task_always_eager`` (tests, one-process runs) it drains in the caller's process."""
    if app.conf.task_always_eager:
        outbox_drain()
        return
    try:
        app.send_task(OUTBOX_DRAIN_TASK, expires=300, retry=False)
    except Exception:
        logger.warning("outbox: broker unreachable, mail waits for the housekeeping job")


def mail_enqueue(
    *, to: list[str], subject: str, body: str, headers: dict[str, str] | None = None
) -> OutboxMail | None:
    """Queue one e-mail in the caller's transaction; nothing is sent before it commits.

    ``to`` is a list of addresses (empty: nothing queued, None returned). The subject is cut to
    300 characters.
    """
    addresses = [a for a in to if a]
    if not addresses:
        return None
    mail = OutboxMail.objects.create(
        to=addresses, subject=str(subject)[:300], body=str(body), headers=headers or {}
    )
    transaction.on_commit(_kick_drain)
    return mail


def _send(mail: OutboxMail) -> None:
    EmailMessage(subject=mail.subject, body=mail.body, to=mail.to, headers=mail.headers).send()


def _after_failure(mail: OutboxMail, exc: Exception, now: datetime) -> dict[str, Any]:
    if mail.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.error("outbox: mail %s given up after %s tries: %s", mail.pk, mail.attempts, exc)
        return {"state": OutboxMail.State.FAILED, "last_error": str(exc)[:2000]}
    wait = settings.OUTBOX_RETRY_SECONDS * 2 ** (mail.attempts - 1)
    return {
        "state": OutboxMail.State.PENDING,
        "next_attempt_at": now + timedelta(seconds=wait),
        "last_error": str(exc)[:2000],
    }


def outbox_drain(*, limit: int = 200, now: datetime | None = None) -> dict[str, int]:
    """Send the pending mail that is due, oldest first; returns counts sent, retried, failed.

    Each claim and each result is committed on its own, outside any transaction of the caller's
    data, so a crash mid-drain loses at most the one message being sent (never sent twice).
    """
    now = now or timezone.now()
    due = list(
        OutboxMail.objects.filter(state=OutboxMail.State.PENDING, next_attempt_at__lte=now)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "retried": 0, "failed": 0}
    for pk in due:
        # While sending, ``next_attempt_at`` is when this attempt began: the jobs panel calls a
        # message still "sending" long after it stuck (``core.jobstatus.undelivered_mail``).
        claimed = OutboxMail.objects.filter(pk=pk, state=OutboxMail.State.PENDING).update(
            state=OutboxMail.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now
        )
        if not claimed:
            continue  # another drain took it
        mail = OutboxMail.objects.get(pk=pk)
        try:
            _send(mail)
        except Exception as exc:
            update = _after_failure(mail, exc, now)
            counts["failed" if update["state"] == OutboxMail.State.FAILED else "retried"] += 1
            OutboxMail.objects.filter(pk=pk).update(**update)
            continue
        OutboxMail.objects.filter(pk=pk).update(
            state=OutboxMail.State.SENT, sent_at=timezone.now(), last_error=""
        )
        counts["sent"] += 1
    return counts
