"""The demo bank dates what already happened in the past of its clock (issue 14: the hotline's
"recent calls" were seeded in the afternoon ahead when ``seed_demo`` ran in the morning). Every
date-time the demo writes is scanned, whatever model holds it; only deadlines and schedules may
lie ahead."""

import datetime
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from core.demo import demo_clock, demo_past
from servicedesk.models import CallLog

pytestmark = pytest.mark.django_db

# Fields whose value is a deadline, an expiry or a planned time: in the future by design.
AHEAD_BY_DESIGN = {
    ("managers.Shift", "starts_at"),
    ("managers.Shift", "ends_at"),
    ("feedback.Ticket", "first_response_due_at"),
    ("feedback.Ticket", "warn_due_at"),
    ("feedback.Survey", "expires_at"),
}


def _ahead_of(now) -> list[tuple[str, str, int]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            key = (model._meta.label, field.name)
            if not isinstance(field, models.DateTimeField) or key in AHEAD_BY_DESIGN:
                continue
            count = model._default_manager.filter(**{f"{field.name}__gt": now}).count()
            if count:
                found.append((*key, count))
    return found


# Before the working day (calls and trades are seeded from 9:00) and early on the 1st of a month
# (this month's call-backs), Asia/Shanghai.
@pytest.mark.parametrize("moment", ["2026-11-30 08:05 +08:00", "2026-12-01 00:10 +08:00"])
def test_nothing_the_demo_seeds_as_done_is_in_the_future(moment):
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        now = timezone.now()

        assert CallLog.objects.exists()
        assert _ahead_of(now) == []


def test_the_clock_is_now_today_and_the_days_end_for_another_day():
    with time_machine.travel("2026-11-30 08:05 +08:00", tick=False):
        assert demo_clock(timezone.localdate()) == timezone.now()
        end = demo_clock(datetime.date(2026, 11, 28))
        assert timezone.localtime(end).date() == datetime.date(2026, 11, 28)
        assert timezone.localtime(end).time() == datetime.time.max


def test_a_moment_after_the_clock_goes_back_whole_days():
    clock = datetime.datetime(2026, 11, 30, 8, 5, tzinfo=datetime.UTC)
    later = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)

    assert demo_past(later, clock=clock) == later - datetime.timedelta(days=1)
    assert demo_past(clock, clock=clock) == clock
