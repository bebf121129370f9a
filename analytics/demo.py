"""Demo data for the programme's figures: the year's plan, entered costs, milestone statuses as
of today, and a week of nightly snapshots. Idempotent (natural keys, update_or_create)."""

from datetime import date, timedelta
from decimal import Decimal

from analytics.models import (
    DEFAULT_BUDGET,
    DEFAULT_MILESTONES,
    BudgetLine,
    CostEntry,
    KpiSnapshot,
    Milestone,
    ProgrammeTargets,
)
from analytics.services import kpi_snapshot_take
from core.registry import register_demo_seeder

COSTS = [
    # line, month, day, amount, description
    ("system_development", 2, 20, Decimal("18000.00"), "VIP identification module"),
    ("system_development", 4, 15, Decimal("22500.00"), "Feedback channels and SLA clock"),
    ("system_development", 8, 5, Decimal("6800.00"), "KPI dashboard"),
    ("market_research", 1, 25, Decimal("12000.00"), "VIP needs survey"),
    ("market_research", 6, 10, Decimal("5600.00"), "Competitor service benchmark"),
    ("other_costs", 9, 1, Decimal("1500.00"), "Printed VIP welcome packs"),
]
SNAPSHOT_DAYS = 7


def seed(*, rng, today: date, stdout=None) -> None:

    year = today.year
    ProgrammeTargets.objects.get_or_create(year=year)
    for line, amount in DEFAULT_BUDGET.items():
        BudgetLine.objects.get_or_create(year=year, line=line, defaults={"planned_amount": amount})
    for line, month, day, amount, description in COSTS:
        spent_on = date(year, month, day)
        if spent_on > today:
            continue
        CostEntry.objects.update_or_create(
            year=year,
            line=line,
            description=description,
            defaults={"spent_on": spent_on, "amount": amount},
        )
    for order, (phase, start, end) in enumerate(DEFAULT_MILESTONES, start=1):
        milestone, _ = Milestone.objects.get_or_create(
            year=year,
            phase=phase,
            defaults={"start_month": start, "end_month": end, "order": order},
        )
        expected = milestone.expected_status(today)
        if milestone.status != expected:
            milestone.status = expected
            milestone.save(update_fields=["status"])
    for back in range(SNAPSHOT_DAYS, 0, -1):
        day = today - timedelta(days=back)
        # A snapshot is history: a second run keeps the one already taken.
        if day.year == year and not KpiSnapshot.objects.filter(date=day).exists():
            kpi_snapshot_take(on=day)
    if stdout is not None:
        stdout.write(f"analytics: plan {year}, {len(COSTS)} cost entries, snapshots\n")


def register() -> None:
    register_demo_seeder(key="analytics", order=50, seed=seed)
