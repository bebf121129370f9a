"""SPEC section 8: the one beat schedule, in Asia/Shanghai."""

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
    assert _entry("clients.tasks.reclassify_vips") == crontab(hour=2, minute=0)


def test_sla_sweep_every_five_minutes():
    assert _entry("feedback.tasks.sla_sweep") == crontab(minute="*/5")


def test_callback_generation_at_half_past_midnight():
    assert _entry("servicedesk.tasks.generate_callbacks") == crontab(hour=0, minute=30)


def test_mail_intake_every_two_minutes():
    assert _entry("feedback.tasks.poll_mailbox") == crontab(minute="*/2")


def test_kpi_snapshot_at_three():
    assert _entry("analytics.tasks.snapshot_kpis") == crontab(hour=3, minute=0)
