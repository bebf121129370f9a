"""Files uploaded on the import page, imported by a worker off the request (SPEC section 2,
issue 11): the upload is recorded with its file, a worker runs the same all-or-nothing import as
the command line, and the page follows the record's row counts until the result is in."""

import logging
import time
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q
from django.utils import timezone

from clients.corebanking.importer import corebanking_import
from clients.corebanking.report import ImportReport
from clients.models import CorebankingUpload, UploadStatus, upload_lock
from core.background import silent_filter
from core.models import User
from core.runlock import run_lock, run_lock_held
from core.services import audit_record

logger = logging.getLogger(__name__)

# Bad rows kept on the record and shown on the page (the command line lists them all).
ERRORS_KEPT = 500
# A running import writes its heartbeat at least this often (with its progress).
HEARTBEAT_EVERY = timedelta(seconds=5)


def corebanking_upload_create(
    *, kind: str, file: UploadedFile, encoding: str, actor: User
) -> CorebankingUpload:
    """Record an uploaded file for import (the caller enqueues ``corebanking_upload_run`` after
    commit). Counts the file's line breaks for the progress bar; raises nothing on bad content:
    the import judges it."""
    lines = sum(chunk.count(b"\n") for chunk in file.chunks())
    file.seek(0)
    with transaction.atomic():
        return CorebankingUpload.objects.create(
            kind=kind,
            encoding=encoding,
            file=file,
            name=(file.name or "")[:200],
            size=file.size or 0,
            lines=lines + 1,
            requested_by=actor,
        )


def _claim(upload_id: int) -> CorebankingUpload | None:
    """Queued, or running with a stopped heartbeat (its worker died): this worker's now. A
    conditional UPDATE, so two deliveries of the task never both run it. The caller holds the
    upload's lock already. ``attempts`` counts the claims and is this claim's token: only the
    claim still current records a result (``_finish``)."""
    now = timezone.now()
    claimed = (
        CorebankingUpload.objects.filter(pk=upload_id)
        .filter(
            Q(status=UploadStatus.QUEUED)
            | (
                Q(status=UploadStatus.RUNNING)
                & silent_filter(heartbeat="heartbeat_at", started="started_at", now=now)
            )
        )
        .update(
            status=UploadStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            rows_read=0,
            attempts=F("attempts") + 1,
        )
    )
    return CorebankingUpload.objects.filter(pk=upload_id).first() if claimed else None


class _Progress:
    """The import's progress callback: rows read and the heartbeat on the upload's row, at most
    every ``HEARTBEAT_EVERY``. Inside the import's transaction (PostgreSQL) the write goes through
    a connection of its own, so the page sees it before the import commits; outside one (SQLite,
    whose import stages outside the write lock) through the import's connection."""

    def __init__(self, upload_id: int):
        self.upload_id = upload_id
        self.written_at = 0.0
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, rows: int, seconds: float) -> None:
        if time.monotonic() - self.written_at < HEARTBEAT_EVERY.total_seconds():
            return
        self.written_at = time.monotonic()
        now = timezone.now()
        if not connection.in_atomic_block:
            CorebankingUpload.objects.filter(pk=self.upload_id).update(
                rows_read=rows, heartbeat_at=now
            )
            return
        if connection.vendor != "postgresql":
            return  # SQLite in a caller's transaction: a second connection would wait for it
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:  # autocommit: visible at once
            cursor.execute(
                f"UPDATE {CorebankingUpload._meta.db_table} SET rows_read = %s,"
                " heartbeat_at = %s WHERE id = %s",
                [rows, now, self.upload_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _record(upload: CorebankingUpload, report: ImportReport) -> None:
    upload.status = UploadStatus.IMPORTED if report.ok else UploadStatus.REJECTED
    upload.rows = upload.rows_read = report.rows
    upload.created, upload.updated = report.created, report.updated
    upload.unchanged = report.unchanged
    upload.encoding_used = report.encoding
    # Language-neutral (``core.messages.Text``): the page renders them in its reader's language.
    upload.errors = [[e.line, e.column, e.message.to_json()] for e in report.errors[:ERRORS_KEPT]]
    upload.errors_total = report.error_count
    upload.bad_rows = report.bad_rows


def corebanking_upload_run(*, upload_id: int) -> CorebankingUpload | None:
    """Import an uploaded file (the worker's task): claim it, run ``corebanking_import`` with
    the uploader as the audit actor, record the counts or the bad rows, delete the stored file.

    Returns the finished record, or None when the upload is gone, finished, held by a live run
    (its lock, ``upload_lock``, taken before the claim and held for the run's life), or was run
    again after this run was taken for dead (then the newer run records its result). The reasons
    of bad rows are kept language-neutral (message id and parameters), shown in the language of
    whoever reads the page (issue 14). An unexpected error is recorded as "failed" (nothing
    written: the import is all or nothing) and raised again."""
    with run_lock(upload_lock(upload_id)) as mine:
        if not mine:
            return None  # a live worker imports it
        upload = _claim(upload_id)
        if upload is None:
            return None
        return _run(upload)


def _run(upload: CorebankingUpload) -> CorebankingUpload | None:
    progress = _Progress(upload.pk)
    try:
        with upload.file.open("rb") as handle:
            report = corebanking_import(
                kind=upload.kind,
                file=handle,
                encoding=upload.encoding or None,
                progress=progress,
                actor=upload.requested_by,
            )
    except Exception as exc:
        upload.status = UploadStatus.FAILED
        upload.error = f"{type(exc).__name__}: {exc}"[:4000]
        _finish(upload)
        raise
    finally:
        progress.close()
    _record(upload, report)
    return upload if _finish(upload) else None


_RESULT_FIELDS = [
    "status",
    "rows",
    "rows_read",
    "created",
    "updated",
    "unchanged",
    "encoding_used",
    "errors",
    "errors_total",
    "bad_rows",
    "error",
    "finished_at",
]


def _finish(upload: CorebankingUpload) -> bool:
    """Record the result, only while this run's claim is still the upload's (running, same
    ``attempts``): a worker that was taken for dead and finished after someone ran the file
    again writes nothing over the new run's state, and leaves it its file. Returns whether the
    result was recorded."""
    upload.finished_at = timezone.now()
    recorded = CorebankingUpload.objects.filter(
        pk=upload.pk, status=UploadStatus.RUNNING, attempts=upload.attempts
    ).update(file="", **{name: getattr(upload, name) for name in _RESULT_FIELDS})
    if not recorded:
        logger.warning(
            "upload %s: attempt %s ended after it was run again", upload.pk, upload.attempts
        )
        return False
    upload.file.delete(save=False)
    return True


def corebanking_upload_retry(*, upload_id: int, actor: User) -> CorebankingUpload | None:
    """Queue a stopped import again (``CorebankingUpload.stopped``: its worker is gone), on the
    file kept for it; the caller enqueues ``corebanking_upload_run`` after commit. Audited
    "clients.import_retried".

    A conditional UPDATE claims it back from the dead run: it holds only while the run is still
    "running", silent for ``core.background.STOPPED_AFTER`` and nobody holds its lock, so a run
    that finished meanwhile keeps its result, a live one is never queued twice, and two
    supervisors clicking at once queue it once. Returns the upload, or None when it was not
    stopped."""
    if run_lock_held(upload_lock(upload_id)):
        return None
    now = timezone.now()
    with transaction.atomic():
        queued = (
            CorebankingUpload.objects.filter(pk=upload_id, status=UploadStatus.RUNNING)
            .filter(silent_filter(heartbeat="heartbeat_at", started="started_at", now=now))
            .update(
                status=UploadStatus.QUEUED,
                requested_at=now,
                started_at=None,
                heartbeat_at=None,
                rows_read=0,
            )
        )
        if not queued:
            return None
        upload = CorebankingUpload.objects.get(pk=upload_id)
        audit_record(
            actor=actor,
            event="clients.import_retried",
            instance=upload,
            detail={"kind": upload.kind, "attempts": upload.attempts},
        )
    return upload
