"""Writes of the data runs: the records of each reclassification run (SPEC sections 3 and 8):
its claim, its steps, its result, running a stopped one again."""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.background import silent_filter
from core.messages import Text
from core.models import User
from core.runlock import run_lock_held
from core.services import audit_record
from dataruns.models import (
    NightRun,
    NightStatus,
    NightTrigger,
)
from dataruns.selectors import newest_imported_date, night_lock, run_date_refusal

logger = logging.getLogger(__name__)

# A run requested (a supervisor's forced run) but not started by a worker after this long is given
# up, so the date may be run again. A started run holds its lock instead (``night_lock``): its
# death is known at once.
RUN_STALE_AFTER = timedelta(hours=3)


class RunRefused(Exception):
    """The run may not happen (the message says why, in the active language)."""


def night_run_claim(
    *,
    day: date,
    trigger: str,
    requested_by: User | None = None,
    reason: str = "",
) -> NightRun | None:
    """Record (and claim) the reclassification for ``day``. Returns None when a run for that date
    (on the same data) is done or under way: the job is once per business date. Raises
    ``RunRefused`` when the date would damage live data (``run_date_refusal``) or a forced run
    lacks a reason."""
    forced = trigger == NightTrigger.FORCED
    if forced and not (reason or "").strip():
        raise RunRefused(_("Give the reason for forcing the run."))
    refusal = run_date_refusal(day=day, forced=forced)
    if refusal:
        raise RunRefused(refusal)
    newest = newest_imported_date()
    on_data = newest is None or day <= newest
    never_started = Text(
        gettext_noop("No worker started the run within %(hours)d hours."),
        {"hours": RUN_STALE_AFTER // timedelta(hours=1)},
    )
    NightRun.objects.filter(
        status=NightStatus.REQUESTED, requested_at__lt=timezone.now() - RUN_STALE_AFTER
    ).update(
        status=NightStatus.FAILED,
        error=str(never_started),
        error_message=never_started.to_json(),
        finished_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            run = NightRun.objects.create(
                business_date=day,
                trigger=trigger,
                on_imported_data=on_data,
                requested_by=requested_by,
                reason=(reason or "").strip(),
            )
    except IntegrityError:
        if forced:
            raise RunRefused(
                _("The reclassification for %(day)s has run or is running already.")
                % {"day": day.isoformat()}
            ) from None
        return None
    if requested_by is not None:
        audit_record(
            actor=requested_by,
            event="dataruns.run_forced" if forced else "dataruns.run_requested",
            instance=run,
            detail={"business_date": day.isoformat(), "reason": run.reason},
        )
    return run


def night_run_start(*, run_id: int) -> NightRun | None:
    """Claim a run for this worker, which holds the run's lock (``night_lock``): a requested
    run, or a running one whose worker died (it held the lock until then). None when the run is
    finished or gone. ``attempts`` counts the claims and is this claim's token: only the claim
    still current records its steps and its result."""
    claimed = NightRun.objects.filter(
        pk=run_id, status__in=[NightStatus.REQUESTED, NightStatus.RUNNING]
    ).update(
        status=NightStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=None,
        steps_done=[],
        attempts=F("attempts") + 1,
    )
    return NightRun.objects.get(pk=run_id) if claimed else None


def _current(run: NightRun):
    """The run while this worker's claim is still its claim (running, same ``attempts``)."""
    return NightRun.objects.filter(pk=run.pk, status=NightStatus.RUNNING, attempts=run.attempts)


def night_run_beat(*, run: NightRun, step: str) -> bool:
    """Record that the run finished ``step`` (``NIGHT_STEPS``): its sign of life, and what a run
    that stops later had done. Only while this claim is current; returns whether it was."""
    run.steps_done = [*run.steps_done, step]
    run.heartbeat_at = timezone.now()
    return bool(_current(run).update(steps_done=run.steps_done, heartbeat_at=run.heartbeat_at))


def night_run_finish(
    *, run: NightRun, changes: int = 0, summary: dict | None = None, error: str = ""
) -> bool:
    """Record the run's result, only while this claim is still the run's: a worker taken for
    dead that ends after a supervisor ran the night again writes nothing over the new run's
    state. Returns whether the result was recorded."""
    run.status = NightStatus.FAILED if error else NightStatus.DONE
    run.finished_at = timezone.now()
    run.changes = changes
    run.summary = summary or {}
    run.error = error
    recorded = _current(run).update(
        status=run.status,
        finished_at=run.finished_at,
        changes=run.changes,
        summary=run.summary,
        error=run.error,
    )
    if not recorded:
        logger.warning(
            "night run %s: attempt %s ended after it was run again", run.pk, run.attempts
        )
    return bool(recorded)


def _while_stopped(run_id: int) -> QuerySet[NightRun] | None:
    """The run for a conditional UPDATE that holds only while it is stopped (``NightRun.stopped``
    in SQL: still "running" and silent for ``STOPPED_AFTER``); None while a worker holds its
    lock. The one claim of a dead run that "Run again" and the nightly supersede share."""
    if run_lock_held(night_lock(run_id)):
        return None
    return NightRun.objects.filter(pk=run_id, status=NightStatus.RUNNING).filter(
        silent_filter(heartbeat="heartbeat_at", started="started_at")
    )


@transaction.atomic
def night_run_supersede(*, run: NightRun, reason: Text) -> bool:
    """End a stopped run without running it: "failed", with ``reason`` (language-neutral) as its
    error, audited "dataruns.run_superseded". For a run whose date ``run_date_refusal`` now
    refuses (a later date's run finished after it stopped: completing it would put statuses back
    in time). The same conditional UPDATE as ``night_run_retry``: only while the run is still
    "running", silent and unlocked. Returns whether it was ended."""
    stopped = _while_stopped(run.pk)
    if stopped is None:
        return False
    ended = stopped.update(
        status=NightStatus.FAILED,
        error=str(reason),
        error_message=reason.to_json(),
        finished_at=timezone.now(),
    )
    if ended:
        audit_record(
            actor=None,
            event="dataruns.run_superseded",
            instance=run,
            detail={"business_date": run.business_date.isoformat(), "reason": str(reason)},
        )
    return bool(ended)


def night_run_retry(*, run_id: int, actor: User) -> NightRun | None:
    """Queue a stopped reclassification again (``NightRun.stopped``: its worker is gone); the
    caller enqueues ``programme.tasks.night_run_execute`` after commit, and the worker's steps
    do only what is still missing (each is idempotent). Audited "dataruns.run_retried".

    A conditional UPDATE claims it back from the dead run: it holds only while the run is still
    "running", silent for ``STOPPED_AFTER`` and nobody holds its lock, so a run that finished
    meanwhile keeps its result, a live one is never queued twice, and two supervisors clicking
    at once queue it once. Returns the run, or None when it was not stopped. Raises
    ``RunRefused`` when its date is refused as a forced run's would be (``run_date_refusal``: a
    later date's run finished meanwhile, and running this one would put statuses back in time).
    """
    stopped = _while_stopped(run_id)
    if stopped is None:
        return None
    day = NightRun.objects.filter(pk=run_id).values_list("business_date", flat=True).first()
    if day is None:
        return None
    refusal = run_date_refusal(day=day, forced=True)
    if refusal:
        raise RunRefused(refusal)
    with transaction.atomic():
        queued = stopped.update(
            status=NightStatus.REQUESTED,
            requested_at=timezone.now(),
            started_at=None,
            heartbeat_at=None,
            steps_done=[],
        )
        if not queued:
            return None
        run = NightRun.objects.get(pk=run_id)
        audit_record(
            actor=actor,
            event="dataruns.run_retried",
            instance=run,
            detail={"business_date": run.business_date.isoformat(), "attempts": run.attempts},
        )
    return run
