from datetime import date

from celery import shared_task

from programme.services import vip_programme_nightly


@shared_task(name="programme.tasks.reclassify_vips")
def reclassify_vips(as_of: str | None = None) -> dict:
    """Nightly VIP reclassification with auto-assignment and new VIPs' call-backs (SPEC 8)."""
    cycle = vip_programme_nightly(as_of=date.fromisoformat(as_of) if as_of else None)
    result = cycle.reclassification
    return {
        "as_of": result.as_of.isoformat(),
        "counts": result.counts,
        "changes": result.changes,
        "assignments": cycle.assignments,
        "callbacks_created": cycle.callbacks_created,
        "seconds": cycle.seconds,
    }
