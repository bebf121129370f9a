import datetime
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core import demo as core_demo
from core.models import Branch, User
from managers import demo, selectors
from managers.models import (
    Assignment,
    RelationshipManager,
    RmStatus,
    Shift,
    TrainingCourse,
    TrainingRecord,
)
from tests.factories.clients import VipClientFactory

pytestmark = pytest.mark.django_db


def _seed(today):
    rng = random.Random(2026)
    core_demo.seed(rng=rng, today=today)
    demo.seed(rng=rng, today=today)


def _snapshot():
    return {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in (RelationshipManager, TrainingCourse, TrainingRecord, Shift, Assignment, User)
    }


# The rota rotates through every RM, so whether the demo RM has a shift still ahead depends on the
# hour; a fixed morning keeps the test from failing every evening.
@time_machine.travel(
    datetime.datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
def test_demo_seeds_rms_candidates_training_rota_and_assigns_vips_idempotently():
    today = timezone.localdate()
    core_demo.seed(rng=random.Random(1), today=today)
    vips = [VipClientFactory(branch=b) for b in Branch.objects.all() for _i in range(3)]
    demo.seed(rng=random.Random(2026), today=today)

    rm = RelationshipManager.objects.get(employee_no="E10001")
    assert rm.user.username == "rm" and rm.status == RmStatus.ACTIVE and rm.branch.code == "SH001"
    for branch in Branch.objects.all():
        assert 3 <= branch.rms.filter(status=RmStatus.ACTIVE).count() <= 4
    other = RelationshipManager.objects.get(employee_no="E11001").user
    assert other.check_password(core_demo.DEMO_PASSWORD)

    policy = selectors.policy_current()
    candidates = list(selectors.candidates())
    verdicts = {selectors.candidate_meets_policy(rm=c, policy=policy) for c in candidates}
    assert verdicts == {True, False}

    assert TrainingCourse.objects.filter(held_on__lt=today - datetime.timedelta(days=365)).exists()
    lapsed = selectors.training_lapsed_rm_ids(as_of=today)
    assert lapsed == {RelationshipManager.objects.get(employee_no=demo.LAPSED_EMPLOYEE_NO).pk}

    start, end = selectors.next_week_window()
    gaps = selectors.coverage_gaps(start=start, end=end)
    assert len(gaps) == 1
    gap_from, gap_to = (timezone.localtime(t) for t in gaps[0])
    assert (gap_from.hour, gap_to.hour) == (23, 3)
    assert gap_to.date() == gap_from.date() + datetime.timedelta(days=1)
    past = timezone.now() - datetime.timedelta(days=29)
    assert selectors.coverage_gaps(start=past, end=past + datetime.timedelta(days=7)) == []

    assert all(selectors.rm_of_client(client=c) is not None for c in vips)
    assert selectors.next_shifts_of(rm=rm, now=timezone.now())

    before = _snapshot()
    demo.seed(rng=random.Random(2026), today=today)
    assert _snapshot() == before


def test_demo_without_clients_assigns_nobody():
    _seed(timezone.localdate())
    assert not Assignment.objects.exists()
