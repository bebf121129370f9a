"""The programme's figures (SPEC section 7) and the writes of the analytics app.

How the dashboard stays quick: the nightly job stores the year-to-date figures with one row of
counts per month (``KpiSnapshot.figures["months"]``). A month that had ended when the latest
snapshot was taken is read from it; the months since (normally just the current one) are computed
live from the facts of those months only. Every year total is a sum of month counts (rates are
recomputed from the summed counts), so the two halves join exactly. Status history is always read
whole: it is small, and the VIP base on 1 January needs it. The nightly snapshot itself is always
computed live from scratch, so late-recorded facts reach closed months by the next morning."""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from analytics import facts, kpis
from analytics.models import BudgetLineKind, KpiSnapshot
from analytics.selectors import budget_plan_for, latest_snapshot, targets_for
from core.models import User
from core.services import audit_record
from managers.selectors import training_spend
from servicedesk.selectors import event_spend

COUNT_KEYS = (
    "satisfaction_good",
    "satisfaction_total",
    "new_vips",
    "churned",
    "sla_met",
    "sla_total",
    "callbacks_completed",
    "callbacks_total",
    "callback_needs",
)


@dataclass(frozen=True)
class PlanFigures:
    """The plan's own arithmetic: what the programme expects if every target is met."""

    year: int
    budget_total: Decimal
    new_vips: int
    new_vip_revenue: Decimal
    churn_losses_avoided: Decimal
    expected_return: Decimal
    roi: Decimal | None


def plan_figures(year: int) -> PlanFigures:
    targets = targets_for(year=year)
    budget_total = sum(budget_plan_for(year=year).values(), Decimal("0.00"))
    losses_avoided = targets.planned_churn_losses_avoided
    total = kpis.expected_return(
        new_vip_count=targets.new_vips_target,
        revenue=targets.average_annual_revenue,
        losses_avoided=losses_avoided,
    )
    return PlanFigures(
        year=year,
        budget_total=budget_total,
        new_vips=targets.new_vips_target,
        new_vip_revenue=(targets.average_annual_revenue * targets.new_vips_target),
        churn_losses_avoided=losses_avoided,
        expected_return=total,
        roi=kpis.roi(total, budget_total),
    )


def budget_actuals(*, year: int) -> dict[str, Decimal]:
    """line → actual spend: training from the managers' training records, other costs from VIP
    events, plus whatever was entered by hand on any line."""
    actual = {line.value: Decimal("0.00") for line in BudgetLineKind}
    for line, amount in facts.entered_costs(year=year).items():
        actual[line] += amount
    actual[BudgetLineKind.TRAINING] += training_spend(year=year)
    actual[BudgetLineKind.OTHER_COSTS] += event_spend(year=year)
    # SQLite's SUM comes back with float-like digits; money is shown and exported to the cent.
    return {line: amount.quantize(kpis.CENT) for line, amount in actual.items()}


def with_rates(row: dict) -> dict:
    row = dict(row)
    row["satisfaction_rate"] = kpis.rate(row["satisfaction_good"], row["satisfaction_total"])
    row["sla_rate"] = kpis.rate(row["sla_met"], row["sla_total"])
    row["callback_rate"] = kpis.rate(row["callbacks_completed"], row["callbacks_total"])
    return row


def _month_rows(data: kpis.Facts, year: int, months: list[int], *, today, now) -> list[dict]:
    rows = kpis.monthly(data, year, months, today=today, now=now)
    for row in rows:
        in_month = kpis._in_month(data.tickets["received_on"], year, row["month"])
        month_tickets = data.tickets[in_month]
        row["by_category"] = kpis.needs_by(month_tickets, "category")
        row["by_channel"] = kpis.needs_by(month_tickets, "channel")
        cbs = data.callbacks[kpis._in_month(data.callbacks["due_on"], year, row["month"])]
        row["callback_needs"] = int((cbs["needs"].astype(str).str.strip() != "").sum())
    return rows


def _sum_counts(rows: list[dict], key: str) -> int:
    return sum(int(r[key]) for r in rows)


def _merge(rows: list[dict], key: str) -> dict[str, int]:
    total: dict[str, int] = {}
    for row in rows:
        for name, count in row[key].items():
            total[name] = total.get(name, 0) + int(count)
    return dict(sorted(total.items()))


def _clock(today: date) -> datetime:
    """The moment the figures are "as of": now for today, else the end of that day."""
    if today == timezone.localdate():
        return timezone.now()
    return datetime.combine(
        today + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


def year_report(
    *,
    year: int,
    today: date | None = None,
    now: datetime | None = None,
    use_snapshot: bool = True,
) -> dict[str, Any]:
    """Every figure of year ``year`` as of ``today`` (default: today, Asia/Shanghai)."""
    today = today or timezone.localdate()
    now = now or _clock(today)
    as_of = min(today, date(year, 12, 31))
    targets = targets_for(year=year)
    months = kpis.months_of(year, today)

    snapshot_rows: list[dict] = []
    if use_snapshot and months:
        snapshot = latest_snapshot(year=year, on_or_before=as_of)
        if snapshot is not None:
            snapshot_rows = [
                r for r in snapshot.figures.get("months", []) if r["month"] < snapshot.date.month
            ]
    done = {r["month"] for r in snapshot_rows}
    live_months = [m for m in months if m not in done]

    changes = facts.status_changes(until=as_of)
    if live_months:
        start = date(year, live_months[0], 1)
        data = kpis.Facts(
            changes=changes,
            responses=facts.satisfaction_responses(start=start, end=as_of),
            callbacks=facts.callbacks(start=start, end=kpis.month_end(year, live_months[-1])),
            tickets=facts.tickets(start=start, end=as_of),
        )
        live_rows = _month_rows(data, year, live_months, today=as_of, now=now)
    else:
        live_rows = []
    rows = sorted([with_rates(r) for r in snapshot_rows + live_rows], key=lambda r: r["month"])

    vip_base = len(kpis.vips_on(changes, date(year, 1, 1)))
    previous_base = len(kpis.vips_on(changes, date(year - 1, 1, 1)))
    churned = _sum_counts(rows, "churned")
    churn = kpis.rate(churned, vip_base)
    previous_churn = kpis.churn_rate(changes, year - 1) if previous_base else None
    new_vip_count = _sum_counts(rows, "new_vips")

    plan = budget_plan_for(year=year)
    actual = budget_actuals(year=year)
    budget_total = sum(plan.values(), Decimal("0.00"))
    actual_spend = sum(actual.values(), Decimal("0.00"))
    losses_avoided = kpis.churn_losses_avoided(
        vips_on_1_january=vip_base,
        baseline=targets.baseline_churn_rate,
        churn=churn,
        revenue=targets.average_annual_revenue,
    )
    total_return = kpis.expected_return(
        new_vip_count=new_vip_count,
        revenue=targets.average_annual_revenue,
        losses_avoided=losses_avoided,
    )
    good, responses = (
        _sum_counts(rows, "satisfaction_good"),
        _sum_counts(rows, "satisfaction_total"),
    )
    sla_met, sla_total = _sum_counts(rows, "sla_met"), _sum_counts(rows, "sla_total")
    cb_done, cb_total = (
        _sum_counts(rows, "callbacks_completed"),
        _sum_counts(rows, "callbacks_total"),
    )
    return {
        "year": year,
        "as_of": as_of,
        "months": rows,
        "satisfaction_good": good,
        "satisfaction_total": responses,
        "satisfaction_rate": kpis.rate(good, responses),
        "vips_on_1_january": vip_base,
        "vip_count": rows[-1]["vip_count"] if rows else len(kpis.vips_on(changes, as_of)),
        "churned": churned,
        "churn_rate": churn,
        "previous_churn_rate": previous_churn,
        "baseline_used": previous_churn is None,
        "churn_reduction": kpis.churn_reduction(churn, previous_churn, targets.baseline_churn_rate),
        "new_vips": new_vip_count,
        "sla_met": sla_met,
        "sla_total": sla_total,
        "sla_rate": kpis.rate(sla_met, sla_total),
        "callbacks_completed": cb_done,
        "callbacks_total": cb_total,
        "callback_rate": kpis.rate(cb_done, cb_total),
        "budget": [
            {"line": line.value, "planned": plan[line.value], "actual": actual[line.value]}
            for line in BudgetLineKind
        ],
        "budget_total": budget_total,
        "actual_spend": actual_spend,
        "churn_losses_avoided": losses_avoided,
        "expected_return": total_return,
        "roi": kpis.roi(total_return, budget_total),
        "needs_by_category": _merge(rows, "by_category"),
        "needs_by_channel": _merge(rows, "by_channel"),
        "callback_needs": _sum_counts(rows, "callback_needs"),
        "targets": {
            "satisfaction_rate": targets.satisfaction_target,
            "churn_rate": targets.churn_rate_target,
            "churn_reduction": targets.churn_reduction_target,
            "new_vips": targets.new_vips_target,
            "sla_rate": targets.sla_met_target,
            "callback_rate": targets.callback_completion_target,
            "baseline_churn_rate": targets.baseline_churn_rate,
            "average_annual_revenue": targets.average_annual_revenue,
        },
        "plan": asdict(plan_figures(year)),
    }


def jsonable(value: Any) -> Any:
    """Decimal → string (keeps its precision), date → ISO string, recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@transaction.atomic
def kpi_snapshot_take(*, on: date) -> KpiSnapshot:
    """Store the year-to-date figures as of ``on``; taking it again the same day replaces it."""
    report = year_report(year=on.year, today=on, use_snapshot=False)
    snapshot, _ = KpiSnapshot.objects.update_or_create(
        date=on,
        defaults={"year": on.year, "figures": jsonable(report), "taken_at": timezone.now()},
    )
    return snapshot


def rm_report(*, rm, year: int, today: date | None = None) -> dict[str, Any]:
    """An RM's own figures: satisfaction from their call-backs, their call-back completion, their
    VIP clients now, and feedback tickets on the clients assigned to them."""
    from managers.models import Assignment

    today = today or timezone.localdate()
    as_of = min(today, date(year, 12, 31))
    months = kpis.months_of(year, today)
    client_ids = list(
        Assignment.objects.filter(rm=rm, ended_at__isnull=True).values_list("client_id", flat=True)
    )
    start = date(year, 1, 1)
    data = kpis.Facts(
        changes=facts.status_changes(until=as_of, client_ids=client_ids),
        responses=facts.satisfaction_responses(start=start, end=as_of, rm_id=rm.pk),
        callbacks=facts.callbacks(start=start, end=date(year, 12, 31), rm_id=rm.pk),
        tickets=facts.tickets(start=start, end=as_of, client_ids=client_ids),
    )
    rows = _month_rows(data, year, months, today=as_of, now=timezone.now()) if months else []
    good, total = _sum_counts(rows, "satisfaction_good"), _sum_counts(rows, "satisfaction_total")
    done, due = _sum_counts(rows, "callbacks_completed"), _sum_counts(rows, "callbacks_total")
    targets = targets_for(year=year)
    return {
        "year": year,
        "as_of": as_of,
        "months": rows,
        "satisfaction_good": good,
        "satisfaction_total": total,
        "satisfaction_rate": kpis.rate(good, total),
        "callbacks_completed": done,
        "callbacks_total": due,
        "callback_rate": kpis.rate(done, due),
        "vip_count": len(kpis.vips_on(data.changes, as_of)),
        "tickets": len(data.tickets),
        "needs_by_category": _merge(rows, "by_category"),
        "targets": {
            "satisfaction_rate": targets.satisfaction_target,
            "callback_rate": targets.callback_completion_target,
        },
    }


def breakdown(*, year: int, by: str, today: date | None = None) -> list[dict[str, Any]]:
    """The year's figures per branch (``by="branch"``) or per RM (``by="rm"``, through each
    client's current RM; call-back figures through the RM who owns the call-back)."""
    from core.models import Branch
    from managers.models import Assignment, RelationshipManager

    today = today or timezone.localdate()
    as_of = min(today, date(year, 12, 31))
    now = _clock(today)
    start = date(year, 1, 1)
    changes = facts.status_changes(until=as_of)
    responses = facts.satisfaction_responses(start=start, end=as_of)
    callbacks = facts.callbacks(start=start, end=date(year, 12, 31))
    tickets = facts.tickets(start=start, end=as_of)
    if by == "rm":
        owner = dict(
            Assignment.objects.filter(ended_at__isnull=True).values_list("client_id", "rm_id")
        )
        labels = {
            rm.pk: f"{rm.name} ({rm.employee_no})"
            for rm in RelationshipManager.objects.filter(pk__in=set(owner.values()))
        }

        def group_of(frame):
            return frame["client_id"].map(owner)

        callback_group = callbacks["rm_id"]
        response_group = responses["rm_id"].where(
            responses["source"] == "callback", responses["client_id"].map(owner)
        )
    else:
        labels = {b.pk: b.name for b in Branch.objects.all()}

        def group_of(frame):
            return frame["branch_id"]

        callback_group = callbacks["branch_id"]
        response_group = responses["branch_id"]
    vips_now = kpis.vips_on(changes, as_of)
    new_by_client = kpis.new_vips(changes, year)
    churn_by_client = kpis.churned(changes, year)
    client_group = dict(zip(changes["client_id"], group_of(changes), strict=True))
    rows = []
    for key, label in labels.items():
        in_group = [c for c, g in client_group.items() if g == key]
        good, total = kpis.satisfaction_counts(responses[response_group == key])
        done, due = kpis.callback_counts(callbacks[callback_group == key], as_of)
        group_tickets = tickets[group_of(tickets) == key]
        met, decided = kpis.sla_counts(group_tickets, now)
        rows.append(
            {
                "label": label,
                "vip_count": sum(1 for c in in_group if c in vips_now),
                "new_vips": sum(1 for c in in_group if c in new_by_client.index),
                "churned": sum(1 for c in in_group if c in churn_by_client.index),
                "satisfaction_rate": kpis.rate(good, total),
                "satisfaction_total": total,
                "callback_rate": kpis.rate(done, due),
                "sla_rate": kpis.rate(met, decided),
                "tickets": len(group_tickets),
            }
        )
    return rows


def kpi_export_record(*, user: User, year: int, month: int, fmt: str, table: str) -> None:
    """Audit: ``user`` exported the KPI figures of ``year`` up to ``month`` as ``fmt`` (xlsx: every
    table; csv: ``table``)."""
    audit_record(
        actor=user,
        event="analytics.export",
        detail={"year": year, "month": month, "format": fmt, "table": table},
    )
