"""Reads of job runs (SPEC section 8): each job's last run and last success, and whether it is
overdue. Computed when a page is read, from the records and the clock, so a dead worker or broker
(which writes nothing) still shows up: the alert never depends on the job that failed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.jobruns import CATCH_UP_GRACE
from core.models import JobRun, OutboxMail
from vipservice.schedule import JOBS, JobSpec

# A job's state on the jobs panel, most urgent first, with its badge: a job that has never run is
# a state of its own (not "on time": nothing shows it works), unless it is overdue already.
STATES: dict[str, tuple[Promise, str]] = {
    "overdue": (_("Overdue"), "danger"),
    "never_run": (_("Never run"), "secondary"),
    "late": (_("Late"), "warning"),
    "failed": (_("Last run failed"), "warning"),
    "on_time": (_("On time"), "success"),
}


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

    @property
    def never_run(self) -> bool:
        return self.last_run is None

    @property
    def state(self) -> str:
        """The first of ``STATES`` that holds (overdue, never run, late, failed, on time)."""
        holds = {
            "overdue": self.overdue,
            "never_run": self.never_run,
            "late": self.missed_since is not None,
            "failed": self.failed,
        }
        return next((state for state, held in holds.items() if held), "on_time")

    @property
    def badge(self) -> tuple[str, str]:
        """The state's label in the active language and its Bootstrap colour."""
        label, colour = STATES[self.state]
        return str(label), colour


def _next_due(spec: JobSpec, last_success: JobRun | None, first_seen: datetime) -> datetime:
    """The start of the first period that should have succeeded after the last success (or,
    for a job that never succeeded, after the jobs were first seen running)."""
    anchor = last_success.period_start if last_success else spec.period_start(first_seen)
    return anchor + spec.period


def _latest_runs() -> tuple[dict[str, JobRun], dict[str, JobRun]]:
    """Each job's latest run and latest success, in three queries whatever the history."""
    latest = dict(
        JobRun.objects.values("job").annotate(at=Max("period_start")).values_list("job", "at")
    )
    succeeded = dict(
        JobRun.objects.filter(outcome=JobRun.Outcome.SUCCEEDED)
        .values("job")
        .annotate(at=Max("period_start"))
        .values_list("job", "at")
    )
    wanted = Q(pk__in=[])
    for job, at in [*latest.items(), *succeeded.items()]:
        wanted |= Q(job=job, period_start=at)
    rows = {(r.job, r.period_start): r for r in JobRun.objects.filter(wanted)}
    return (
        {job: rows[job, at] for job, at in latest.items()},
        {job: rows[job, at] for job, at in succeeded.items()},
    )


def jobs_status(*, now: datetime | None = None) -> list[JobStatus]:
    """One entry per scheduled job, in schedule order; four queries.

    Overdue (SPEC section 8, "overdue by a period"): the period after the last success started
    more than one period ago and still has no success: a 5-minute job 10 minutes after the
    missed slot's start at the latest, a nightly job a day after its missed night.
    """
    now = now or timezone.now()
    first_seen = JobRun.objects.aggregate(first=Min("started_at"))["first"]
    if first_seen is None:
        return [JobStatus(spec, None, None, False, None) for spec in JOBS.values()]
    last_runs, last_successes = _latest_runs()
    statuses = []
    for spec in JOBS.values():
        last_success = last_successes.get(spec.name)
        due = _next_due(spec, last_success, first_seen)
        statuses.append(
            JobStatus(
                spec,
                last_runs.get(spec.name),
                last_success,
                overdue=now >= due + spec.period,
                missed_since=due if now >= due + CATCH_UP_GRACE else None,
            )
        )
    return statuses


def overdue_jobs(*, now: datetime | None = None) -> list[JobStatus]:
    return [s for s in jobs_status(now=now) if s.overdue]


# A send takes seconds: a message still "sending" this long after its attempt began was claimed
# by a worker that died during the send, and is never sent again (``core.outbox``: at most once).
MAIL_STUCK_AFTER = timedelta(minutes=10)
# Mail given up counts on the panel for this long, then only in admin ("Outgoing mail").
MAIL_FAILED_SHOWN = timedelta(days=7)


@dataclass(frozen=True)
class UndeliveredMail:
    """Outgoing mail that will not be sent on its own: given up after ``OUTBOX_MAX_ATTEMPTS``
    tries in the last ``MAIL_FAILED_SHOWN``, and stuck "sending" (``MAIL_STUCK_AFTER``)."""

    failed: int
    stuck: int

    def __bool__(self) -> bool:
        return bool(self.failed or self.stuck)


def undelivered_mail(*, now: datetime | None = None) -> UndeliveredMail:
    """The outbox's messages nobody will send (one query), computed when the page is read: the
    housekeeping job that drains the outbox succeeds whether or not a message went out, so its
    run's state never shows a client's survey or acknowledgement that was lost."""
    now = now or timezone.now()
    counts = OutboxMail.objects.aggregate(
        failed=Count(
            "pk",
            filter=Q(state=OutboxMail.State.FAILED, created_at__gte=now - MAIL_FAILED_SHOWN),
        ),
        stuck=Count(
            "pk",
            filter=Q(state=OutboxMail.State.SENDING, next_attempt_at__lt=now - MAIL_STUCK_AFTER),
        ),
    )
    return UndeliveredMail(failed=counts["failed"], stuck=counts["stuck"])
