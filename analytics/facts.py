"""Fact loaders: each source read once with ``.values()`` into a pandas DataFrame for kpis.py.

An app whose model is not installed yet gives an empty frame with the same columns, so the
figures degrade to "no data" rather than failing. Datetimes become local (Asia/Shanghai) dates:
every KPI counts by the bank's calendar day."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pandas as pd
from django.db.models import Q, Sum
from django.utils import timezone

from analytics.models import CostEntry
from clients.models import VIP_STATUSES, Client, StatusChange
from feedback.models import Survey, Ticket
from servicedesk.models import Callback

CHANGE_COLUMNS = ["client_id", "branch_id", "effective_on", "seq", "from_status", "to_status"]
RESPONSE_COLUMNS = ["on", "score", "source", "client_id", "branch_id", "rm_id"]
CALLBACK_COLUMNS = [
    "client_id",
    "branch_id",
    "rm_id",
    "due_on",
    "status",
    "completed_on",
    "satisfaction_score",
    "needs",
]
TICKET_COLUMNS = [
    "client_id",
    "branch_id",
    "channel",
    "category",
    "received_on",
    "first_response_due_at",
    "first_response_at",
    "status",
]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware datetimes covering local days ``start`` to ``end`` inclusive."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def status_changes(*, until: date, client_ids=None) -> pd.DataFrame:
    """Every status change effective on or before ``until``, in order (``seq`` breaks ties within
    a day). A VIP with no history at all (loaded before history was kept) counts as having become
    VIP on its ``vip_since``."""
    qs = StatusChange.objects.filter(effective_on__lte=until)
    legacy = Client.objects.filter(
        status__in=VIP_STATUSES, vip_since__isnull=False, vip_since__lte=until
    ).filter(status_changes__isnull=True)
    if client_ids is not None:
        qs = qs.filter(client_id__in=client_ids)
        legacy = legacy.filter(pk__in=client_ids)
    rows = [
        {
            "client_id": r["client_id"],
            "branch_id": r["client__branch_id"],
            "effective_on": r["effective_on"],
            "seq": r["id"],
            "from_status": r["from_status"],
            "to_status": r["to_status"],
        }
        for r in qs.values(
            "id", "client_id", "client__branch_id", "effective_on", "from_status", "to_status"
        )
    ]
    rows += [
        {
            "client_id": r["id"],
            "branch_id": r["branch_id"],
            "effective_on": r["vip_since"],
            "seq": 0,
            "from_status": "standard",
            "to_status": r["status"],
        }
        for r in legacy.values("id", "branch_id", "vip_since", "status")
    ]
    return _frame(rows, CHANGE_COLUMNS)


def satisfaction_responses(*, start: date, end: date, rm_id: int | None = None) -> pd.DataFrame:
    """Scored survey answers and scored call-backs, dated by when the client answered. With
    ``rm_id`` only that RM's call-backs (an RM's own figures)."""
    lo, hi = _bounds(start, end)
    rows: list[dict] = []
    if rm_id is None:
        for r in Survey.objects.filter(
            responded_at__gte=lo, responded_at__lt=hi, score__isnull=False
        ).values("score", "responded_at", "ticket__client_id", "ticket__client__branch_id"):
            rows.append(
                {
                    "on": _local_date(r["responded_at"]),
                    "score": r["score"],
                    "source": "survey",
                    "client_id": r["ticket__client_id"],
                    "branch_id": r["ticket__client__branch_id"],
                    "rm_id": None,
                }
            )
    qs = Callback.objects.filter(
        completed_at__gte=lo, completed_at__lt=hi, satisfaction_score__isnull=False
    )
    if rm_id is not None:
        qs = qs.filter(rm_id=rm_id)
    for r in qs.values(
        "satisfaction_score", "completed_at", "client_id", "client__branch_id", "rm_id"
    ):
        rows.append(
            {
                "on": _local_date(r["completed_at"]),
                "score": r["satisfaction_score"],
                "source": "callback",
                "client_id": r["client_id"],
                "branch_id": r["client__branch_id"],
                "rm_id": r["rm_id"],
            }
        )
    return _frame(rows, RESPONSE_COLUMNS)


def callbacks(*, start: date, end: date, rm_id: int | None = None) -> pd.DataFrame:
    """Call-backs due in [start, end]."""
    qs = Callback.objects.filter(due_on__gte=start, due_on__lte=end)
    if rm_id is not None:
        qs = qs.filter(rm_id=rm_id)
    rows = [
        {
            "client_id": r["client_id"],
            "branch_id": r["client__branch_id"],
            "rm_id": r["rm_id"],
            "due_on": r["due_on"],
            "status": r["status"],
            "completed_on": _local_date(r["completed_at"]),
            "satisfaction_score": r["satisfaction_score"],
            "needs": r["needs"] or "",
        }
        for r in qs.values(
            "client_id",
            "client__branch_id",
            "rm_id",
            "due_on",
            "status",
            "completed_at",
            "satisfaction_score",
            "needs",
        )
    ]
    return _frame(rows, CALLBACK_COLUMNS)


def tickets(*, start: date, end: date, client_ids=None) -> pd.DataFrame:
    """Feedback tickets received in [start, end]."""
    lo, hi = _bounds(start, end)
    qs = Ticket.objects.filter(received_at__gte=lo, received_at__lt=hi)
    if client_ids is not None:
        qs = qs.filter(client_id__in=client_ids)
    rows = [
        {
            "client_id": r["client_id"],
            "branch_id": r["client__branch_id"],
            "channel": r["channel"],
            "category": r["category"],
            "received_on": _local_date(r["received_at"]),
            "first_response_due_at": r["first_response_due_at"],
            "first_response_at": r["first_response_at"],
            "status": r["status"],
        }
        for r in qs.values(
            "client_id",
            "client__branch_id",
            "channel",
            "category",
            "received_at",
            "first_response_due_at",
            "first_response_at",
            "status",
        )
    ]
    return _frame(rows, TICKET_COLUMNS)


def entered_costs(*, year: int) -> dict[str, Decimal]:
    return {
        r["line"]: r["total"]
        for r in CostEntry.objects.filter(year=year)
        .values("line")
        .order_by("line")
        .annotate(total=Sum("amount"))
    }


def callback_needs(*, start: date, end: date, limit: int = 10) -> list[dict]:
    """The latest needs noted on call-backs (text, for the needs analysis)."""
    lo, hi = _bounds(start, end)
    return list(
        Callback.objects.filter(completed_at__gte=lo, completed_at__lt=hi)
        .filter(~Q(needs=""), needs__isnull=False)
        .order_by("-completed_at")
        .values("needs", "completed_at", "client__name")[:limit]
    )
