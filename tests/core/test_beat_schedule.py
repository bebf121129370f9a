"""SPEC section 8: the one beat schedule, in Asia/Shanghai."""

import pytest
from celery.schedules import crontab
from django.conf import settings

from vipservice.celery import app


def _entry(task_name):
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task_name]
    return entry["schedule"]


def test_schedule_runs_in_shanghai_time():
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.enable_utc is False


def test_reclassification_at_two():
    assert _entry("programme.tasks.reclassify_vips") == crontab(hour=2, minute=0)


def test_sla_sweep_every_five_minutes():
    assert _entry("feedback.tasks.sla_sweep") == crontab(minute="*/5")


def test_callback_generation_at_half_past_midnight():
    assert _entry("servicedesk.tasks.generate_callbacks") == crontab(hour=0, minute=30)


def test_mail_intake_every_two_minutes():
    assert _entry("feedback.tasks.poll_mailbox") == crontab(minute="*/2")


def test_kpi_snapshot_at_three():
    assert _entry("analytics.tasks.snapshot_kpis") == crontab(hour=3, minute=0)


@pytest.mark.django_db  # Celery's Django fix-up touches the connection while importing tasks
def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
