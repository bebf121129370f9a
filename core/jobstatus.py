"""Reads of job runs (SPEC section 8): each job's last run and last success, and whether it is
overdue. Computed when a page is read, from the records and the clock, so a dead worker or broker
(which writes nothing) still shows up: the alert never depends on the job that failed."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min
from django.utils import timezone

from core.jobruns import CATCH_UP_GRACE
from core.models import JobRun
from vipservice.schedule import JOBS, JobSpec


@dataclass(frozen=True)
class JobStatus:
    spec: JobSpec
    last_run: JobRun | None
    last_success: JobRun | None
    overdue: bool
    # The period that should have run by now and has not succeeded (None: up to date).
    missed_since: datetime | None

    @property
    def failed(self) -> bool:
        return self.last_run is not None and self.last_run.outcome == JobRun.Outcome.FAILED


def _next_due(spec: JobSpec, last_success: JobRun | None, first_seen: datetime) -> datetime:
    """The start of the first period that should have succeeded after the last success (or,
    for a job that never succeeded, after the jobs were first seen running)."""
    anchor = last_success.period_start if last_success else spec.period_start(first_seen)
    return anchor + spec.period


def jobs_status(*, now: datetime | None = None) -> list[JobStatus]:
    """One entry per scheduled job, in schedule order; two indexed queries per job.

    Overdue (SPEC section 8, "overdue by a period"): the period after the last success started
    more than one period ago and still has no success: a 5-minute job 10 minutes after the
    missed slot's start at the latest, a nightly job a day after its missed night.
    """
    now = now or timezone.now()
    first_seen = JobRun.objects.aggregate(first=Min("started_at"))["first"]
    statuses = []
    for spec in JOBS.values():
        runs = JobRun.objects.filter(job=spec.name).order_by("-period_start")
        last_run = runs.first()
        last_success = runs.filter(outcome=JobRun.Outcome.SUCCEEDED).first()
        if first_seen is None:
            statuses.append(JobStatus(spec, None, None, False, None))
            continue
        due = _next_due(spec, last_success, first_seen)
        statuses.append(
            JobStatus(
                spec,
                last_run,
                last_success,
                overdue=now >= due + spec.period,
                missed_since=due if now >= due + CATCH_UP_GRACE else None,
            )
        )
    return statuses


def overdue_jobs(*, now: datetime | None = None) -> list[JobStatus]:
    return [s for s in jobs_status(now=now) if s.overdue]
