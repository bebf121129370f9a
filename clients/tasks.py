"""Celery tasks of the clients app."""

from celery import shared_task

from clients.corebanking.uploads import corebanking_upload_run

# An uploaded file of up to 100 MB (CORE_BANKING_UPLOAD_MAX_BYTES) imports in minutes; the limit
# stays below the Redis visibility timeout (the longest job's limit).
UPLOAD_TIME_LIMIT = 3000


@shared_task(
    name="clients.tasks.corebanking_upload_import",
    time_limit=UPLOAD_TIME_LIMIT,
    soft_time_limit=UPLOAD_TIME_LIMIT - 60,
)
def corebanking_upload_import(upload_id: int) -> None:
    """Import a file uploaded on the import page (off the request). Returns quietly when the
    upload is gone, finished or held by a live run; a redelivery after a dead worker takes over
    once the dead run's heartbeat is stale (``core.background.stopped``)."""
    corebanking_upload_run(upload_id=upload_id)
