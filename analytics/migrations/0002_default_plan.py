"""The programme's default plan for 2026: targets, the 110,000 CNY budget and the rollout phases."""

from decimal import Decimal

from django.db import migrations

YEAR = 2026
BUDGET = {
    "training": Decimal("30000.00"),
    "system_development": Decimal("50000.00"),
    "market_research": Decimal("20000.00"),
    "other_costs": Decimal("10000.00"),
}
MILESTONES = [
    ("preparation", 1, 1),
    ("vip_identification", 2, 2),
    ("rm_selection", 2, 3),
    ("service_process", 3, 4),
    ("feedback_channels", 4, 4),
    ("analysis", 5, 12),
]


def forwards(apps, schema_editor):
    ProgrammeTargets = apps.get_model("analytics", "ProgrammeTargets")
    BudgetLine = apps.get_model("analytics", "BudgetLine")
    Milestone = apps.get_model("analytics", "Milestone")
    ProgrammeTargets.objects.get_or_create(year=YEAR)
    for line, amount in BUDGET.items():
        BudgetLine.objects.get_or_create(year=YEAR, line=line, defaults={"planned_amount": amount})
    for order, (phase, start, end) in enumerate(MILESTONES, start=1):
        Milestone.objects.get_or_create(
            year=YEAR,
            phase=phase,
            defaults={"start_month": start, "end_month": end, "order": order},
        )


def backwards(apps, schema_editor):
    for name in ("ProgrammeTargets", "BudgetLine", "Milestone"):
        apps.get_model("analytics", name).objects.filter(year=YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
