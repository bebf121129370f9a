"""The scheduled jobs, defined once (SPEC section 8): the beat schedule, the period each run covers
and when a job counts as overdue are all derived from ``JOBS``.

Plain Python (no models), so the settings module can build the beat schedule from it.

A period is the interval between two scheduled times: the run due at 02:00 on 3 May covers the
period starting 2026-05-03 02:00 (Asia/Shanghai). Its key (``2026-05-03T02:00``) is what makes a
second run of the same period a no-op, however many beats or deliveries there are.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: ``every`` minutes (dividing the hour or the day), or daily ``at``."""

    name: str
    task: str
    label: Any
    every_minutes: int = 0
    at: time | None = None
    # Seconds a worker may spend on one run before Celery kills it (task_time_limit).
    time_limit: int = 600
    # A step of the night: before it runs, a night a dead worker left part-applied is completed
    # (``core.jobruns.NIGHTLY_PREAMBLE``).
    nightly: bool = False

    @property
    def when(self) -> str:
        if self.every_minutes:
            return _("every %(n)d minutes") % {"n": self.every_minutes}
        assert self.at is not None
        return _("daily at %(time)s") % {"time": self.at.strftime("%H:%M")}

    @property
    def period(self) -> timedelta:
        return timedelta(minutes=self.every_minutes) if self.every_minutes else timedelta(days=1)

    def crontab(self) -> crontab:
        if self.every_minutes:
            return crontab(minute=f"*/{self.every_minutes}")
        assert self.at is not None
        return crontab(hour=self.at.hour, minute=self.at.minute)

    def period_start(self, now: datetime) -> datetime:
        """The start of the latest period due at ``now`` (aware), in Asia/Shanghai."""
        local = now.astimezone(SHANGHAI)
        if self.every_minutes:
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            slots = int((local - midnight).total_seconds() // 60) // self.every_minutes
            return midnight + timedelta(minutes=slots * self.every_minutes)
        assert self.at is not None
        today = datetime.combine(local.date(), self.at, tzinfo=SHANGHAI)
        return today if local >= today else today - timedelta(days=1)

    def key(self, start: datetime) -> str:
        return start.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    def start_of(self, key: str) -> datetime:
        """The period a key names; a daily job also takes a plain date (that day's run).
        Raises ValueError for anything else."""
        if self.at is not None and len(key) == len("2026-05-03"):
            return datetime.combine(date.fromisoformat(key), self.at, tzinfo=SHANGHAI)
        return datetime.strptime(key, "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        JobSpec(
            "vip-reclassification",
            "programme.tasks.reclassify_vips",
            gettext_lazy("VIP reclassification and auto-assignment"),
            at=time(2, 0),
            time_limit=3600,
            nightly=True,
        ),
        JobSpec(
            # The core bank's inbox (SPEC section 2): sets are taken as soon as they are complete,
            # whenever they land; from 06:00 a missing set of the previous day raises "data late".
            "corebanking-intake",
            "programme.tasks.corebanking_intake",
            gettext_lazy("Core-banking intake"),
            every_minutes=15,
            time_limit=3600,
            nightly=True,
        ),
        JobSpec(
            "feedback-sla-sweep",
            "feedback.tasks.sla_sweep",
            gettext_lazy("SLA warning and escalation"),
            every_minutes=5,
        ),
        JobSpec(
            "callback-generation",
            "servicedesk.tasks.generate_callbacks",
            gettext_lazy("Call-back generation"),
            at=time(0, 30),
            time_limit=1800,
            nightly=True,
        ),
        JobSpec(
            "mail-intake",
            "feedback.tasks.poll_mailbox",
            gettext_lazy("Mail intake"),
            every_minutes=2,
        ),
        JobSpec(
            "kpi-snapshot",
            "analytics.tasks.snapshot_kpis",
            gettext_lazy("KPI snapshot"),
            at=time(3, 0),
            time_limit=1800,
            nightly=True,
        ),
    )
}

# Not a business job: delivers the mail outbox and re-sends the periods missed while the workers
# or the broker were down. Runs every minute; its own runs are not recorded.
HOUSEKEEPING_TASK = "core.tasks.jobs_housekeeping"

# The longest any job may run; Redis's visibility timeout is sized above it so a message is never
# handed to a second worker while the first is still working on it, and every countdown stays
# below it.
LONGEST_JOB_SECONDS = max(spec.time_limit for spec in JOBS.values())


def beat_schedule() -> dict:
    """Celery beat's schedule. A message not started within its period expires: a later one (or
    the housekeeping's catch-up) does the same work, so a queue that filled while the workers were
    down does not replay every missed slot."""
    schedule = {
        name: {
            "task": spec.task,
            "schedule": spec.crontab(),
            "options": {"expires": int(spec.period.total_seconds())},
        }
        for name, spec in JOBS.items()
    }
    schedule["jobs-housekeeping"] = {
        "task": HOUSEKEEPING_TASK,
        "schedule": crontab(),
        "options": {"expires": 50},
    }
    return schedule


def job_for_task(task: str) -> JobSpec:
    (spec,) = [s for s in JOBS.values() if s.task == task]
    return spec
