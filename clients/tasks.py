from datetime import date

from celery import shared_task

from clients.services import vip_statuses_reclassify


@shared_task(name="clients.tasks.reclassify_vips")
def reclassify_vips(as_of: str | None = None) -> dict:
    """Nightly VIP reclassification (SPEC section 8). The lead chains auto-assignment and
    call-back generation after it; this task only runs the rule."""
    result = vip_statuses_reclassify(as_of=date.fromisoformat(as_of) if as_of else None)
    return {"as_of": result.as_of.isoformat(), "counts": result.counts, "changes": result.changes}
