"""Training rules the server enforces whatever the form shows (issue 14): a course's hours and
cost are not negative; attendance is recorded only for a course that has been held."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from managers.models import TrainingCourse, TrainingRecord, TrainingResult
from managers.services.training import training_course_create, training_record_set
from tests.factories.training import TrainingCourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("field", "value"), [("hours", "-1"), ("cost_per_attendee", "-0.01")])
def test_a_course_with_a_negative_figure_is_a_field_error(login, supervisor, field, value):
    data = {"title": "合规", "held_on": "2026-11-01", "hours": "8", "cost_per_attendee": "100"}

    response = login(supervisor).post(reverse("managers:course_add"), {**data, field: value})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TrainingCourse.objects.exists()


def test_the_service_refuses_a_negative_cost_too():
    with pytest.raises(ValidationError) as error:
        training_course_create(
            title="合规",
            held_on=datetime.date(2026, 11, 1),
            hours=Decimal("2"),
            cost_per_attendee=Decimal("-5"),
        )

    assert "cost_per_attendee" in error.value.message_dict
    assert not TrainingCourse.objects.exists()


def test_the_database_refuses_negative_hours():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingCourse.objects.create(
            title="x", held_on=datetime.date(2026, 11, 1), hours=Decimal("-1")
        )


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("result", [TrainingResult.PASSED, TrainingResult.ABSENT])
def test_attendance_for_a_course_still_to_come_is_refused(rm, result):
    course = TrainingCourseFactory(held_on=datetime.date(2026, 12, 1))

    with pytest.raises(ValidationError) as error:
        training_record_set(course=course, rm=rm, result=result)

    assert "result" in error.value.message_dict
    assert not TrainingRecord.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_an_rm_may_be_enrolled_before_and_passed_on_the_day(rm):
    upcoming = TrainingCourseFactory(held_on=datetime.date(2026, 12, 1))
    today = TrainingCourseFactory(held_on=datetime.date(2026, 11, 28))

    training_record_set(course=upcoming, rm=rm, result=TrainingResult.ENROLLED)
    training_record_set(course=today, rm=rm, result=TrainingResult.PASSED, score=90)

    assert TrainingRecord.objects.count() == 2


@time_machine.travel(TODAY, tick=False)
def test_the_course_page_shows_the_refusal_next_to_the_result(login, supervisor, rm):
    course = TrainingCourseFactory(held_on=datetime.date(2026, 12, 1))

    response = login(supervisor).post(
        reverse("managers:course_detail", args=[course.pk]), {"rm": rm.pk, "result": "passed"}
    )

    assert response.status_code == 200
    assert "result" in response.context["form"].errors


def test_an_rm_who_never_passed_a_course_is_not_yet_trained_not_lapsed(login, supervisor, rm):
    page = login(supervisor).get(reverse("managers:training")).content.decode()

    assert "Not yet trained" in page
    assert "Training lapsed" not in page


def test_an_rm_whose_training_is_old_is_lapsed(login, supervisor, rm):
    TrainingRecordFactory(rm=rm, course__held_on=datetime.date(2020, 1, 1))

    page = login(supervisor).get(reverse("managers:training")).content.decode()

    assert "Training lapsed" in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pagination_partial_prints_no_comment(login, supervisor, language):
    page = login(supervisor, language=language).get(reverse("clients:list")).content.decode()

    assert "Expects page_obj" not in page
