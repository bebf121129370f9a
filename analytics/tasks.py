from celery import shared_task
from django.utils import timezone

from analytics.services import kpi_snapshot_take


@shared_task(name="analytics.tasks.snapshot_kpis")
def snapshot_kpis() -> str:
    """03:00 daily: today's year-to-date figures. Idempotent (one snapshot per day, replaced)."""
    return str(kpi_snapshot_take(on=timezone.localdate()).date)
