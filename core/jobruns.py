"""Writes of job runs (SPEC section 8): every scheduled job runs through ``job_execute``, which
records the run and makes a second run of the same period a no-op.

A run is claimed by inserting its (job, period) row: the unique constraint lets exactly one of two
beats, a retry or a duplicate delivery win. A run that failed, or whose worker died (its message
comes back with the same task id, or it has been "running" longer than the job's time limit), is
taken over by a conditional UPDATE, so it is still claimed by one run only.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from celery import shared_task
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import JobRun
from vipservice.celery import app
from vipservice.schedule import JOBS, JobSpec

logger = logging.getLogger(__name__)

Work = Callable[[datetime], dict[str, Any] | int | None]

# Run before every run of a nightly job (``JobSpec.nightly``): apps above core register here what
# must be settled first (the programme completes a night a dead worker left part-applied), so core
# never imports them.
NIGHTLY_PREAMBLE: list[Callable[[], Any]] = []


def _takeover(spec: JobSpec, period: str, task_id: str, now: datetime) -> JobRun | None:
    orphaned = Q(
        outcome=JobRun.Outcome.RUNNING, started_at__lt=now - timedelta(seconds=spec.time_limit)
    )
    if task_id:
        orphaned |= Q(outcome=JobRun.Outcome.RUNNING, task_id=task_id)
    taken = (
        JobRun.objects.filter(job=spec.name, period=period)
        .filter(Q(outcome=JobRun.Outcome.FAILED) | orphaned)
        .update(
            outcome=JobRun.Outcome.RUNNING,
            started_at=now,
            finished_at=None,
            error="",
            task_id=task_id,
            attempts=F("attempts") + 1,
        )
    )
    return JobRun.objects.get(job=spec.name, period=period) if taken else None


def job_run_claim(*, job: str, period: str, task_id: str = "", now: datetime) -> JobRun | None:
    """Claim the run of ``job`` for ``period`` (a key of ``JobSpec.key``).

    Returns the run to do, or None when the period succeeded already or another run holds it.
    Raises KeyError for an unknown job.
    """
    spec = JOBS[job]
    busy = JobRun.objects.filter(
        job=job,
        outcome=JobRun.Outcome.RUNNING,
        started_at__gte=now - timedelta(seconds=spec.time_limit),
    ).exclude(period=period)
    if busy.exists():
        # A job never overlaps itself (two mail polls would fight over the same messages); the
        # period left unrun is caught up by the housekeeping job.
        return None
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job,
                period=period,
                period_start=spec.start_of(period),
                started_at=now,
                task_id=task_id,
            )
    except IntegrityError:
        return _takeover(spec, period, task_id, now)


def job_run_finish(*, run: JobRun, counts: dict[str, Any] | None = None, error: str = "") -> None:
    """Record the end of a run: succeeded with its counts, or failed with the error text."""
    JobRun.objects.filter(pk=run.pk).update(
        outcome=JobRun.Outcome.FAILED if error else JobRun.Outcome.SUCCEEDED,
        finished_at=timezone.now(),
        counts=json.loads(DjangoJSONEncoder().encode(counts or {})),
        error=error[:4000],
    )


def _as_counts(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    return {} if result is None else {"count": result}


def job_execute(*, job: str, work: Work, period: str | None = None, task_id: str = "") -> Any:
    """Run ``work(period_start)`` once for the period (default: the latest period due now).

    Returns what the work returned, or ``{"skipped": period}`` when the period is done or held by
    another run. An exception in the work is recorded on the run and raised again.
    """
    spec = JOBS[job]
    now = timezone.now()
    key = spec.key(spec.start_of(period) if period else spec.period_start(now))
    run = job_run_claim(job=job, period=key, task_id=task_id, now=now)
    if run is None:
        logger.info("job %s period %s: already done or running, skipped", job, key)
        return {"skipped": key}
    try:
        if spec.nightly:
            for settle in NIGHTLY_PREAMBLE:
                settle()
        result = work(spec.start_of(key))
    except Exception as exc:
        job_run_finish(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    job_run_finish(run=run, counts=_as_counts(result))
    return result


def _send(task: str, **kwargs: Any) -> None:
    if app.conf.task_always_eager:
        # Tests and one-process runs: run it here, as Celery's own eager mode would.
        app.loader.import_default_modules()
        app.tasks[task].apply(kwargs=kwargs)
    else:
        app.send_task(task, kwargs=kwargs, expires=55)


def scheduled_task(job: str) -> Callable[[Callable[..., Any]], Any]:
    """Make ``work(period_start, *args, **kwargs)`` the Celery task of ``job``.

    Called as beat calls it (no arguments, or the catch-up's ``period=``), the task runs the work
    through ``job_execute``: recorded, once per period. Called with the work's own arguments (an
    operator's run for a given date), it runs the work as asked, unrecorded.
    """
    spec = JOBS[job]

    def decorator(work: Callable[..., Any]) -> Any:
        @shared_task(name=spec.task, bind=True, time_limit=spec.time_limit)
        @wraps(work)
        def task(self: Any, *args: Any, period: str | None = None, **kwargs: Any) -> Any:
            if args or kwargs:
                return work(None, *args, **kwargs)
            return job_execute(job=job, work=work, period=period, task_id=self.request.id or "")

        return task

    return decorator


# A period's own beat message gets this long to start before the housekeeping job sends it again.
CATCH_UP_GRACE = timedelta(seconds=90)


def jobs_catch_up(*, now: datetime | None = None) -> list[str]:
    """Send each job whose latest due period has no successful or live run (SPEC section 8: catch
    up after an outage from the database's state alone). Returns the "job period" pairs sent.

    Only the latest period is run: every job works from the database's state, so one run covers
    the periods missed before it. Sends that fail (broker down) are retried a minute later.
    """
    now = now or timezone.now()
    sent: list[str] = []
    for spec in JOBS.values():
        start = spec.period_start(now)
        if now - start < CATCH_UP_GRACE:
            continue
        key = spec.key(start)
        live = Q(outcome=JobRun.Outcome.SUCCEEDED) | Q(
            outcome=JobRun.Outcome.RUNNING,
            started_at__gte=now - timedelta(seconds=spec.time_limit),
        )
        if JobRun.objects.filter(live, job=spec.name, period=key).exists():
            continue
        _send(spec.task, period=key)
        sent.append(f"{spec.name} {key}")
    return sent
