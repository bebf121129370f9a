"""Celery tasks of core: the mail outbox and the job housekeeping (SPEC section 8)."""

from celery import shared_task
from django.db import OperationalError

from core.jobruns import jobs_catch_up
from core.outbox import OUTBOX_DRAIN_TASK
from core.outbox import outbox_drain as outbox_drain_service
from vipservice.schedule import HOUSEKEEPING_TASK


@shared_task(
    name=OUTBOX_DRAIN_TASK,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=60,
    time_limit=300,
    soft_time_limit=270,
)
def outbox_drain() -> dict:
    """After a commit that queued mail, and every minute: send what the outbox holds."""
    return outbox_drain_service()


@shared_task(name=HOUSEKEEPING_TASK, time_limit=300, soft_time_limit=270)
def jobs_housekeeping() -> dict:
    """Every minute: send the mail the outbox holds, and the job periods missed while workers or
    the broker were down (each runs once: the job-run record refuses a second run)."""
    return {"caught_up": jobs_catch_up(), "mail": outbox_drain_service()}
