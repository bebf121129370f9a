"""Jobs of the managers app. The nightly reclassification (programme.tasks.reclassify_vips) calls
``assignments_sync`` itself; this task lets operations re-run the assignment on its own
(e.g. after approving RMs), and is safe to run twice: the sync only acts on what is missing."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from managers.services.assignments import assignments_sync


@shared_task(name="managers.tasks.sync_assignments")
def sync_assignments(as_of: str | None = None) -> dict:
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return assignments_sync(as_of=day)
