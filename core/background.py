"""Work handed to the background worker (Celery) that a page follows: an uploaded import, a forced
reclassification. Without a worker (``runserver`` alone, the worker down) the work waits for ever;
after ``NOT_STARTED_AFTER`` its page says plainly that it has not started and that the worker may
not be running (``templates/partials/worker_not_started.html``), instead of waiting at 0 %.

Work a worker took and then died in (SIGKILL, out of memory, the machine lost) would read
"running" for ever: ``stopped`` tells it from work still under way, and its page says it stopped
and offers to run it again."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.runlock import run_lock_held

# A worker takes queued work within seconds; a minute without a start means none is taking it.
NOT_STARTED_AFTER = timedelta(minutes=1)

# Running work shows a sign of life (its progress, with a heartbeat) every few seconds while it
# reads; two minutes without one is a couple of dozen missed beats.
STOPPED_AFTER = timedelta(minutes=2)


def not_started(requested_at: datetime, *, now: datetime | None = None) -> bool:
    """Whether work requested at ``requested_at`` and still not started has waited too long."""
    return requested_at <= (now or timezone.now()) - NOT_STARTED_AFTER


def stopped(last_sign_of_life: datetime | None, *, lock: str, now: datetime | None = None) -> bool:
    """Whether work recorded as running has stopped: its worker is gone.

    Both must hold. Nobody holds the run's lock (``core.runlock``, taken by the worker before it
    claims the work and held for the work's life): a worker that dies releases it with its
    process, so a dead one is never mistaken for a live one, and a live one in a long step that
    writes no progress (the import's final checks and upsert, in one transaction) holds it and is
    never called stopped, however long the step. And its last sign of life (the heartbeat, else
    the claim) is older than ``STOPPED_AFTER``: a worker that claimed the work without the lock
    (a worker of the release before, during a deploy) counts as alive while it still reports
    progress. The heartbeat alone could not tell a silent step from a dead worker; the lock alone
    would call that older worker's run stopped at once."""
    now = now or timezone.now()
    silent = last_sign_of_life is None or last_sign_of_life <= now - STOPPED_AFTER
    return silent and not run_lock_held(lock)


def silent_filter(*, heartbeat: str, started: str, now: datetime | None = None) -> Q:
    """The silence of ``stopped`` as a query, for the conditional UPDATE that claims stopped work
    back ("Import again", "Run again"): its last sign of life (the field ``heartbeat``, else
    ``started``) is none or at least ``STOPPED_AFTER`` old. The same bound as ``stopped``, at the
    boundary too, so what a page offers as stopped its button takes."""
    since = (now or timezone.now()) - STOPPED_AFTER
    return (
        Q(**{f"{heartbeat}__lte": since})
        | Q(**{f"{heartbeat}__isnull": True, f"{started}__lte": since})
        | Q(**{f"{heartbeat}__isnull": True, f"{started}__isnull": True})
    )
