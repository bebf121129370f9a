"""Celery tasks of the service desk (SPEC section 8)."""

from datetime import datetime

from django.utils import timezone

from core.jobruns import scheduled_task
from servicedesk.services import callbacks_generate


@scheduled_task("callback-generation")
def generate_callbacks(period_start: datetime) -> int:
    """00:30 daily: create the period's month's missing call-backs (Asia/Shanghai). Running it
    again, or after an outage, creates only what the month still lacks."""
    return callbacks_generate(on=timezone.localdate(period_start))
