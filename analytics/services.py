"""The programme's figures (SPEC section 7) and the writes of the analytics app.

How the dashboard stays quick: the nightly job stores the year-to-date figures with one row of
counts per month (``KpiSnapshot.figures["months"]``). A month that had ended when the latest
snapshot was taken is read from it; the months since (normally just the current one) are computed
live from the facts of those months only. Every year total is a sum of month counts (rates are
recomputed from the summed counts), so the two halves join exactly. Status history is always read
whole: it is small, and the VIP base on 1 January needs it. The nightly snapshot itself is always
computed live from scratch, so late-recorded facts reach closed months by the next morning."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from analytics import facts, kpis
from analytics.models import BudgetLineKind, KpiSnapshot
from analytics.results import (
    BreakdownRow,
    BudgetLine,
    MonthFigures,
    PlanFigures,
    RmReport,
    Targets,
    YearReport,
)
from analytics.selectors import budget_plan_for, latest_snapshot, targets_for
from core.models import Branch, User
from core.services import audit_record
from managers.models import Assignment, RelationshipManager
from managers.selectors import training_spend
from servicedesk.selectors import event_spend


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
) -> YearReport:
    """Every figure of year ``year`` as of ``today`` (default: today, Asia/Shanghai)."""
    today = today or timezone.localdate()
    now = now or _clock(today)
    as_of = min(today, date(year, 12, 31))
    changes = facts.status_changes(until=as_of)
    rows = _months_of_year(year, today, as_of, now, changes, use_snapshot=use_snapshot)
    vip_base = len(kpis.vips_on(changes, date(year, 1, 1)))
    previous_base = len(kpis.vips_on(changes, date(year - 1, 1, 1)))
    churned = sum(r.churned for r in rows)
    churn = kpis.rate(churned, vip_base)
    previous_churn = kpis.churn_rate(changes, year - 1) if previous_base else None
    targets = _targets(year)
    plan = budget_plan_for(year=year)
    actual = budget_actuals(year=year)
    budget = [
        BudgetLine(line.value, plan[line.value], actual[line.value]) for line in BudgetLineKind
    ]
    losses_avoided = kpis.churn_losses_avoided(
        vips_on_1_january=vip_base,
        baseline=targets.baseline_churn_rate,
        churned=churned,
        revenue=targets.average_annual_revenue,
    )
    total_return = kpis.expected_return(
        new_vip_count=sum(r.new_vips for r in rows),
        revenue=targets.average_annual_revenue,
        losses_avoided=losses_avoided,
    )
    return YearReport(
        year=year,
        as_of=as_of,
        months=rows,
        vips_on_1_january=vip_base,
        vip_count=rows[-1].vip_count if rows else len(kpis.vips_on(changes, as_of)),
        churn_rate=churn,
        previous_churn_rate=previous_churn,
        churn_reduction=kpis.churn_reduction(churn, previous_churn, targets.baseline_churn_rate),
        budget=budget,
        churn_losses_avoided=losses_avoided,
        expected_return=total_return,
        roi=kpis.roi(total_return, sum(plan.values(), Decimal("0.00"))),
        targets=targets,
        plan=plan_figures(year),
    )


def _months_of_year(year, today, as_of, now, changes, *, use_snapshot) -> list[MonthFigures]:
    """The months of ``year`` up to ``today``: those closed when the latest snapshot was taken
    read from it, the rest computed live from their facts."""
    months = kpis.months_of(year, today)
    snapshot_rows: list[MonthFigures] = []
    snapshot = latest_snapshot(year=year, on_or_before=as_of) if months and use_snapshot else None
    if snapshot is not None:
        snapshot_rows = [
            MonthFigures.from_json(r)
            for r in snapshot.figures.get("months", [])
            if r["month"] < snapshot.date.month
        ]
    done = {r.month for r in snapshot_rows}
    live_months = [m for m in months if m not in done]
    live_rows: list[MonthFigures] = []
    if live_months:
        start = date(year, live_months[0], 1)
        data = kpis.Facts(
            changes=changes,
            responses=facts.satisfaction_responses(start=start, end=as_of),
            callbacks=facts.callbacks(start=start, end=kpis.month_end(year, live_months[-1])),
            tickets=facts.tickets(start=start, end=as_of),
        )
        live_rows = kpis.monthly(data, year, live_months, today=as_of, now=now)
    return sorted(snapshot_rows + live_rows, key=lambda r: r.month)


def _targets(year: int) -> Targets:
    targets = targets_for(year=year)
    return Targets(
        satisfaction_rate=targets.satisfaction_target,
        churn_rate=targets.churn_rate_target,
        churn_reduction=targets.churn_reduction_target,
        new_vips=targets.new_vips_target,
        sla_rate=targets.sla_met_target,
        callback_rate=targets.callback_completion_target,
        baseline_churn_rate=targets.baseline_churn_rate,
        average_annual_revenue=targets.average_annual_revenue,
    )


@transaction.atomic
def kpi_snapshot_take(*, on: date) -> KpiSnapshot:
    """Store the year-to-date figures as of ``on``; taking it again the same day replaces it."""
    report = year_report(year=on.year, today=on, use_snapshot=False)
    snapshot, _ = KpiSnapshot.objects.update_or_create(
        date=on,
        defaults={"year": on.year, "figures": report.as_json(), "taken_at": timezone.now()},
    )
    return snapshot


def rm_report(*, rm, year: int, today: date | None = None) -> RmReport:
    """An RM's own figures: satisfaction from their call-backs, their call-back completion, their
    VIP clients now, and feedback tickets on the clients assigned to them."""
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
    return RmReport(
        year=year,
        as_of=as_of,
        months=kpis.monthly(data, year, months, today=as_of, now=timezone.now()),
        vip_count=len(kpis.vips_on(data.changes, as_of)),
        tickets=len(data.tickets),
        targets=_targets(year),
    )


def breakdown(*, year: int, by: str, today: date | None = None) -> list[BreakdownRow]:
    """The year's figures per branch (``by="branch"``) or per RM (``by="rm"``, through each
    client's current RM; call-back figures through the RM who owns the call-back)."""
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
            BreakdownRow(
                label=label,
                vip_count=sum(1 for c in in_group if c in vips_now),
                new_vips=sum(1 for c in in_group if c in new_by_client.index),
                churned=sum(1 for c in in_group if c in churn_by_client.index),
                satisfaction_rate=kpis.rate(good, total),
                satisfaction_total=total,
                callback_rate=kpis.rate(done, due),
                sla_rate=kpis.rate(met, decided),
                tickets=len(group_tickets),
            )
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
