"""Reads of the programme's plan: the targets and budget in force for a year."""

from decimal import Decimal

from django.db.models import QuerySet

from analytics.models import (
    DEFAULT_BUDGET,
    BudgetLine,
    BudgetLineKind,
    KpiSnapshot,
    Milestone,
    ProgrammeTargets,
)


def targets_for(*, year: int) -> ProgrammeTargets:
    """The year's own targets, else the latest earlier year's, else the defaults (unsaved)."""
    found = ProgrammeTargets.objects.filter(year__lte=year).order_by("-year").first()
    if found is None:
        return ProgrammeTargets(year=year)
    return found


def budget_plan_for(*, year: int) -> dict[str, Decimal]:
    """line → planned amount; a line without a row for ``year`` uses the default plan."""
    plan: dict[str, Decimal] = {str(line): amount for line, amount in DEFAULT_BUDGET.items()}
    for row in BudgetLine.objects.filter(year=year).values("line", "planned_amount"):
        plan[row["line"]] = row["planned_amount"]
    return {line.value: plan[line] for line in BudgetLineKind}


def latest_snapshot(*, year: int, on_or_before) -> KpiSnapshot | None:
    return KpiSnapshot.objects.filter(year=year, date__lte=on_or_before).order_by("-date").first()


def milestones_for(*, year: int) -> QuerySet[Milestone]:
    """The rollout plan of ``year``; a year without its own uses the most recent plan."""
    chosen = (
        Milestone.objects.filter(year__lte=year)
        .order_by("-year")
        .values_list("year", flat=True)[:1]
    )
    return Milestone.objects.filter(year__in=chosen).order_by("order")
