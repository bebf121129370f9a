"""Reads of the data runs: the newest imported business date, the last reclassification, the
guard on a reclassification's date (SPEC section 3), and the page's rows."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from clients.models import StatusChange
from clients.qualification.reclassify import NIGHTLY_ACTOR
from core.messages import Text
from core.messages import neutral as _
from dataruns.models import (  # noqa: F401 - night_lock: read here by the callers
    IntakeFile,
    IntakeOutcome,
    IntakeRun,
    NightRun,
    NightStatus,
    night_lock,
)


def newest_imported_date() -> date | None:
    """The business date of the newest set taken in from the inbox (None: never used)."""
    return IntakeRun.objects.filter(outcome=IntakeOutcome.IMPORTED).aggregate(
        d=Max("business_date")
    )["d"]


def last_run_date() -> date | None:
    """The business date of the latest completed reclassification."""
    return NightRun.objects.filter(status=NightStatus.DONE).aggregate(d=Max("business_date"))["d"]


def run_date_refusal(*, day: date, forced: bool = False) -> Text | None:
    """Why a reclassification for ``day`` would damage live data, or None when it may run. The
    reason is language-neutral (``str()`` gives the reader's language; a run records it).

    Refused (SPEC section 3): a day after today (Asia/Shanghai); a day after the newest imported
    business date (the rule would judge days without their data; a supervisor's forced run for a
    late set passes this check); a day before the last completed run (statuses would go back in
    time and the next run would not restore them). A dry run is never refused: it writes nothing.
    """
    today = timezone.localdate()
    if day > today:
        return _("%(day)s is in the future (today is %(today)s).") % {
            "day": day.isoformat(),
            "today": today.isoformat(),
        }
    newest = newest_imported_date()
    if not forced and newest is not None and day > newest:
        return _(
            "%(day)s is after the newest imported business date %(newest)s: its data is not in."
        ) % {"day": day.isoformat(), "newest": newest.isoformat()}
    last = last_run_date()
    if last is not None and day < last:
        return _("%(day)s is before the last run, for %(last)s.") % {
            "day": day.isoformat(),
            "last": last.isoformat(),
        }
    return None


def dead_night_runs() -> list[NightRun]:
    """Runs still "running" whose worker died, by the rule the data runs page shows as
    "Stopped" (``NightRun.stopped``: nobody holds the run's lock and it has been silent for
    ``core.background.STOPPED_AFTER``). Oldest first."""
    running = NightRun.objects.filter(status=NightStatus.RUNNING).order_by("business_date", "pk")
    return [run for run in running if run.stopped]


def due_run_date() -> date:
    """The business date the night's reclassification is for: the newest imported set's; with
    no set ever taken from the inbox (files uploaded by hand), today."""
    return newest_imported_date() or timezone.localdate()


def run_done_on_data(*, day: date) -> bool:
    return NightRun.objects.filter(
        business_date=day, on_imported_data=True, status=NightStatus.DONE
    ).exists()


def night_changes_written(run: NightRun) -> int:
    """The status changes for the run's date the night's job wrote since this claim of the run
    started: what a run that stopped had written (the rule writes in batches, each committed)."""
    if run.started_at is None:
        return 0
    return StatusChange.objects.filter(
        effective_on=run.business_date,
        actor=NIGHTLY_ACTOR.label,
        created_at__gte=run.started_at,
    ).count()


@dataclass(frozen=True)
class DayRow:
    business_date: date
    intakes: list[IntakeRun]
    nights: list[NightRun]


def intake_runs() -> QuerySet[IntakeRun]:
    return IntakeRun.objects.prefetch_related(
        Prefetch("files", queryset=IntakeFile.objects.order_by("pk"))
    )


def night_runs() -> QuerySet[NightRun]:
    return NightRun.objects.select_related("requested_by")


def days(*, limit: int = 30) -> list[DayRow]:
    """The latest ``limit`` business dates with their intake attempts and reclassifications:
    three queries whatever the number of files."""
    dates = sorted(
        set(IntakeRun.objects.values_list("business_date", flat=True).distinct()[:limit])
        | set(NightRun.objects.values_list("business_date", flat=True).distinct()[:limit]),
        reverse=True,
    )[:limit]
    if not dates:
        return []
    intakes: dict[date, list[IntakeRun]] = {d: [] for d in dates}
    nights: dict[date, list[NightRun]] = {d: [] for d in dates}
    for run in intake_runs().filter(business_date__in=dates):
        intakes[run.business_date].append(run)
    for night in night_runs().filter(business_date__in=dates):
        # A run whose worker stopped: what it had written (None for every other run).
        night.changes_written = night_changes_written(night) if night.stopped else None
        nights[night.business_date].append(night)
    return [DayRow(d, intakes[d], nights[d]) for d in dates]
