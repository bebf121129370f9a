import datetime
from decimal import Decimal

import pytest
import time_machine

from core.dates import months_before
from managers import selectors
from managers.models import RmSelectionPolicy, RmStatus, TrainingCourse, TrainingResult
from tests.factories.managers import RelationshipManagerFactory
from tests.factories.training import TrainingCourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db

NOON = datetime.time(12, 0)


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, NOON, tzinfo=datetime.UTC), tick=False
    )


@pytest.mark.parametrize(
    ("today", "lapsed"),
    [
        (datetime.date(2026, 11, 28), False),  # the course is exactly 12 months old: still counts
        (datetime.date(2026, 11, 29), True),  # one day later it no longer does
    ],
)
def test_training_flag_at_the_twelve_month_boundary(rm, today, lapsed):
    TrainingRecordFactory(rm=rm, course__held_on=datetime.date(2025, 11, 28))
    with _at(today):
        assert (rm.pk in selectors.training_lapsed_rm_ids(as_of=today)) is lapsed
        flagged = {row.rm.pk for row in selectors.rms_needing_attention(as_of=today)}
        assert (rm.pk in flagged) is lapsed


@pytest.mark.parametrize(
    "result", [TrainingResult.FAILED, TrainingResult.ABSENT, TrainingResult.ENROLLED]
)
def test_only_a_passed_course_keeps_training_valid(rm, result):
    today = datetime.date(2026, 11, 28)
    TrainingRecordFactory(rm=rm, course__held_on=datetime.date(2026, 10, 1), result=result)
    assert rm.pk in selectors.training_lapsed_rm_ids(as_of=today)


def test_an_rm_who_never_trained_is_flagged_but_candidates_are_not(rm, candidate):
    ids = selectors.training_lapsed_rm_ids(as_of=datetime.date(2026, 11, 28))
    assert rm.pk in ids
    assert candidate.pk not in ids


def test_the_validity_window_follows_the_policy(rm):

    RmSelectionPolicy.objects.update(training_valid_months=24)
    TrainingRecordFactory(rm=rm, course__held_on=datetime.date(2025, 1, 10))
    assert rm.pk not in selectors.training_lapsed_rm_ids(as_of=datetime.date(2026, 11, 28))


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(datetime.date(2024, 2, 29), 12) == datetime.date(2023, 2, 28)
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 12) == datetime.date(2025, 1, 15)


def test_training_spend_counts_every_seat_but_absences_for_courses_held_that_year(branch):
    rms = RelationshipManagerFactory.create_batch(4, branch=branch)
    course = TrainingCourseFactory(held_on=datetime.date(2026, 3, 1))
    dear = TrainingCourseFactory(held_on=datetime.date(2026, 12, 31), cost_per_attendee=5000)
    last_year = TrainingCourseFactory(held_on=datetime.date(2025, 12, 31))
    for rm, result in zip(
        rms,
        [
            TrainingResult.PASSED,
            TrainingResult.FAILED,
            TrainingResult.ENROLLED,
            TrainingResult.ABSENT,
        ],
        strict=True,
    ):
        TrainingRecordFactory(course=course, rm=rm, result=result)
    TrainingRecordFactory(course=dear, rm=rms[0])
    TrainingRecordFactory(course=last_year, rm=rms[0])
    spend = selectors.training_spend(year=2026)
    assert spend == Decimal("14000.00")
    assert isinstance(spend, Decimal)
    assert selectors.training_spend(year=2025) == Decimal("3000.00")


def test_training_spend_of_a_year_without_courses_is_zero(db):
    assert selectors.training_spend(year=2020) == Decimal("0.00")


def test_the_default_course_cost_is_3000():

    assert TrainingCourse(title="x").cost_per_attendee == Decimal("3000.00")


def test_inactive_rms_are_not_flagged(rm):
    rm.status = RmStatus.INACTIVE
    rm.save()
    assert rm.pk not in selectors.training_lapsed_rm_ids(as_of=datetime.date(2026, 11, 28))
