import datetime
import random

from analytics.demo import seed
from analytics.models import CostEntry, KpiSnapshot, Milestone, MilestoneStatus


def test_demo_seed_is_idempotent_and_sets_milestones_by_date(db):
    today = datetime.date(2026, 4, 10)
    seed(rng=random.Random(1), today=today)
    before = (
        list(CostEntry.objects.values_list("pk", "amount", "spent_on")),
        list(KpiSnapshot.objects.values_list("pk", "date", "taken_at")),
        list(Milestone.objects.values_list("pk", "status")),
    )

    seed(rng=random.Random(1), today=today)

    after = (
        list(CostEntry.objects.values_list("pk", "amount", "spent_on")),
        list(KpiSnapshot.objects.values_list("pk", "date", "taken_at")),
        list(Milestone.objects.values_list("pk", "status")),
    )
    assert after == before
    # Only costs already incurred by 10 April; a week of snapshots.
    assert CostEntry.objects.filter(spent_on__gt=today).count() == 0
    assert CostEntry.objects.count() == 2  # 20 February and 25 January
    assert KpiSnapshot.objects.count() == 7
    status = dict(Milestone.objects.filter(year=2026).values_list("phase", "status"))
    assert status["rm_selection"] == MilestoneStatus.DONE  # months 2–3
    assert status["service_process"] == MilestoneStatus.IN_PROGRESS  # months 3–4
    assert status["analysis"] == MilestoneStatus.PLANNED  # from month 5
