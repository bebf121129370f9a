"""Celery tasks of the service desk (SPEC section 8)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="servicedesk.tasks.generate_callbacks")
def generate_callbacks() -> int:
    """00:30 daily: create the current month's missing call-backs (Asia/Shanghai). Running it again,
    or after an outage, creates only what the month still lacks."""
    from servicedesk.services import callbacks_generate

    return callbacks_generate(on=timezone.localdate())
