"""Work handed to the background worker (Celery) that a page follows: an uploaded import, a forced
reclassification. Without a worker (``runserver`` alone, the worker down) the work waits for ever;
after ``NOT_STARTED_AFTER`` its page says plainly that it has not started and that the worker may
not be running (``templates/partials/worker_not_started.html``), instead of waiting at 0 %."""

from datetime import datetime, timedelta

from django.utils import timezone

# A worker takes queued work within seconds; a minute without a start means none is taking it.
NOT_STARTED_AFTER = timedelta(minutes=1)


def not_started(requested_at: datetime, *, now: datetime | None = None) -> bool:
    """Whether work requested at ``requested_at`` and still not started has waited too long."""
    return requested_at <= (now or timezone.now()) - NOT_STARTED_AFTER
