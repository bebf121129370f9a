"""The SLA state of a ticket, decided in one place (SPEC section 6): the queue's badges and
counts, its "SLA" filter, the supervisor's breached list, the 5-minute sweep, the CSV export and
the analytics figures all read it from here, in Python (``state_of``) or in SQL (``state_q``),
and a parity test holds the two together at the boundaries.

For a ticket received at R with deadline D = R + response hours and warning W = R + warn % of it:

- answered (``first_response_at`` set): ``met`` when answered at or before D, else ``late``;
- not answered and still waiting for a first response (new, in progress): ``on_time`` before W,
  ``warned`` from W, ``breached`` from D (both boundaries inclusive: at exactly 48 h it is breached);
- not answered and no longer waiting (closed as spam or a duplicate): ``not_needed``; such a ticket
  is never escalated and counts in no SLA figure.

A ticket is *decided* (counts in the met rate) once it is met, late or breached.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from feedback.models import AWAITING, AWAITING_RESPONSE, SlaState, Ticket

DECIDED = frozenset({SlaState.MET, SlaState.LATE, SlaState.BREACHED})
# Badge colours by state (static/css/app.css).
CSS = {
    SlaState.ON_TIME: "badge-sla-ok",
    SlaState.MET: "badge-sla-ok",
    SlaState.WARNED: "badge-sla-warned",
    SlaState.BREACHED: "badge-sla-breached",
    SlaState.LATE: "badge-sla-breached",
    SlaState.NOT_NEEDED: "badge-standard",
}


def state_from(
    *,
    first_response_at: datetime | None,
    first_response_due_at: datetime,
    warn_due_at: datetime | None,
    status: str,
    now: datetime,
) -> SlaState:
    """The state of one ticket's values at ``now`` (aware datetimes). ``warn_due_at`` may be
    ``None`` where only the decided states matter (analytics)."""
    if first_response_at is not None:
        return SlaState.MET if first_response_at <= first_response_due_at else SlaState.LATE
    if status not in AWAITING_RESPONSE:
        return SlaState.NOT_NEEDED
    if now >= first_response_due_at:
        return SlaState.BREACHED
    if warn_due_at is not None and now >= warn_due_at:
        return SlaState.WARNED
    return SlaState.ON_TIME


def state_of(ticket: Ticket, now: datetime | None = None) -> SlaState:
    """The state of ``ticket`` at ``now`` (default: the current time)."""
    return state_from(
        first_response_at=ticket.first_response_at,
        first_response_due_at=ticket.first_response_due_at,
        warn_due_at=ticket.warn_due_at,
        status=ticket.status,
        now=now or timezone.now(),
    )


def time_left(ticket: Ticket, now: datetime | None = None) -> timedelta | None:
    """Until the first response is due (negative when overdue); ``None`` when no response is
    awaited (answered, or closed without one)."""
    if ticket.first_response_at is not None or ticket.status not in AWAITING_RESPONSE:
        return None
    return ticket.first_response_due_at - (now or timezone.now())


def badge(ticket: Ticket, now: datetime | None = None) -> dict[str, Any]:
    """What the SLA badge shows: ``state``, translated ``label``, ``css`` class and
    ``time_left`` (a timedelta while a response is awaited, else ``None``)."""
    now = now or timezone.now()
    state = state_of(ticket, now)
    return {
        "state": state,
        "label": state.label,
        "css": CSS[state],
        "time_left": time_left(ticket, now),
    }


def state_q(state: SlaState | str, now: datetime) -> Q:
    """The SQL filter of tickets in ``state`` at ``now``: the same rule as ``state_from``."""
    state = SlaState(state)
    if state == SlaState.MET:
        return Q(first_response_at__isnull=False, first_response_at__lte=F("first_response_due_at"))
    if state == SlaState.LATE:
        return Q(first_response_at__isnull=False, first_response_at__gt=F("first_response_due_at"))
    if state == SlaState.NOT_NEEDED:
        return Q(first_response_at__isnull=True) & ~Q(status__in=AWAITING_RESPONSE)
    return AWAITING & clock_q(state, now)


def clock_q(state: SlaState | str, now: datetime) -> Q:
    """Among tickets waiting for a first response (``AWAITING``), those whose clock is in
    ``state`` (on time, warned or breached) at ``now``: the deadlines alone, so a count over the
    waiting tickets reads them from the ``ticket_awaiting_clock`` index without the table."""
    state = SlaState(state)
    if state == SlaState.BREACHED:
        return Q(first_response_due_at__lte=now)
    if state == SlaState.WARNED:
        return Q(warn_due_at__lte=now, first_response_due_at__gt=now)
    if state == SlaState.ON_TIME:
        return Q(warn_due_at__gt=now)
    raise ValueError(f"{state} is not a state of a running SLA clock")


def warning_reached_q(now: datetime) -> Q:
    """Waiting tickets at or past their warning time (warned or breached): those the sweep warns."""
    return state_q(SlaState.WARNED, now) | state_q(SlaState.BREACHED, now)


def queue_counts(qs: QuerySet[Ticket], *, now: datetime | None = None) -> dict[str, int]:
    """``{"waiting", "breached", "warned"}``: tickets waiting for a first response, and of those
    the breached and the warned ones, in one query."""
    now = now or timezone.now()
    return qs.filter(AWAITING).aggregate(
        waiting=Count("pk"),
        breached=Count("pk", filter=clock_q(SlaState.BREACHED, now)),
        warned=Count("pk", filter=clock_q(SlaState.WARNED, now)),
    )


def met_and_decided(states: Iterable[SlaState]) -> tuple[int, int]:
    """``(met, decided)`` over ticket states: the SLA met rate is met / decided."""
    met = decided = 0
    for state in states:
        met += state == SlaState.MET
        decided += state in DECIDED
    return met, decided
