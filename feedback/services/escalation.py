"""The SLA sweep (SPEC section 6): warn at 75% and escalate at 100% of the response window, once
per ticket, with a backlog summarised once per recipient."""

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Notification, User
from core.selectors import supervisors
from core.services import notification_create
from feedback import sla
from feedback.models import SlaState, Ticket
from feedback.selectors import team_leads
from feedback.services.notices import handler_list, ticket_url


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
            recipients=leads + handler_list(ticket),
            title=partial(_warning_title, ticket, now),
            body=ticket.subject,
            url=ticket_url(ticket),
            level=Notification.Level.WARNING,
            dedupe_key=f"feedback:{pk}:warned",
            email=True,
        )
        return True


def _breach_title(ticket: Ticket, now: datetime) -> str:
    return _("SLA breached: %(reference)s has had no response for %(hours)s hours") % {
        "reference": ticket.reference,
        "hours": int((now - ticket.received_at).total_seconds() // 3600),
    }


def _breach(pk: int, now: datetime, bosses: list[User]) -> bool:
    with transaction.atomic():
        if not _claimed(pk, "breached_at", now, escalated_at=now):
            return False
        ticket = Ticket.objects.select_related("handler").get(pk=pk)
        notification_create(
            recipients=bosses + handler_list(ticket),
            title=partial(_breach_title, ticket, now),
            body=ticket.subject,
            url=ticket_url(ticket),
            level=Notification.Level.DANGER,
            dedupe_key=f"feedback:{pk}:breached",
            email=True,
        )
        return True


BACKLOG_LISTED = 30


def _backlog_title(warned: list[Ticket], breached: list[Ticket]) -> str:
    return _(
        "SLA backlog: %(breached)d tickets past their response deadline, %(warned)d past their "
        "warning point"
    ) % {"breached": len(breached), "warned": len(warned)}


def _backlog_body(warned: list[Ticket], breached: list[Ticket]) -> str:
    lines = []
    for label, tickets in (
        (_("Response deadline missed, escalated"), breached),
        # The warning point is each ticket's policy's (``SlaPolicy.warn_percent``), not one figure.
        (_("Past the warning point of the response window"), warned),
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
        # One summary per recipient (their own tickets), in their language like every notice.
        notification_create(
            recipients=[user],
            title=partial(_backlog_title, to_warn, to_breach),
            body=partial(_backlog_body, to_warn, to_breach),
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
