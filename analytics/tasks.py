from datetime import datetime

from django.utils import timezone

from analytics.services import kpi_snapshot_take
from core.jobruns import scheduled_task


@scheduled_task("kpi-snapshot")
def snapshot_kpis(period_start: datetime) -> dict:
    """03:00 daily: the period's year-to-date figures. Idempotent (one snapshot per day,
    replaced)."""
    return {"date": str(kpi_snapshot_take(on=timezone.localdate(period_start)).date)}
