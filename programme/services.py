"""The VIP programme across the apps: the 02:00 job (rule, RM assignment, call-backs) and the VIP
export with each VIP's RM.

They sit above the apps they combine (clients, managers, servicedesk), so those apps never import
a later one: the rule stays in ``clients``, the assignment in ``managers``, the call-backs in
``servicedesk``, and only this module knows the order in which they run."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clients.models import VIP_STATUSES, Client, StatusChange, Trade, VipPolicy
from clients.qualification.reclassify import ReclassificationResult, vip_statuses_reclassify
from clients.qualification.window import Window
from core.exports import csv_write
from core.messages import Text
from core.models import User
from core.runlock import run_lock
from core.services import audit_record
from dataruns.models import NightRun, NightTrigger
from dataruns.selectors import dead_night_runs, due_run_date, night_lock, run_date_refusal
from dataruns.services import (
    RunRefused,
    data_late_check,
    inbox_take,
    night_run_beat,
    night_run_claim,
    night_run_finish,
    night_run_start,
    night_run_supersede,
)
from managers.models import Assignment
from managers.services.assignments import assignments_sync
from retention.services import warnings_raise
from servicedesk.services import callbacks_generate

EXPORT_COLUMNS = [
    "client_no",
    "kind",
    "status",
    "vip_since",
    "assets",
    "trades_3m",
    "relationship_since",
    "rm_employee_no",
]


def vips_export(*, out: IO[str], actor: User | None, as_of: date | None = None) -> int:
    """CSV of every VIP and VIP at risk (SPEC section 9), one query streamed in chunks."""
    day = as_of or timezone.localdate()
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    trades = (
        Trade.objects.filter(
            client=OuterRef("pk"),
            executed_at__gte=window.starts_at,
            executed_at__lt=window.ends_before,
        )
        .order_by()
        .values("client")
        .annotate(n=Count("id"))
        .values("n")
    )
    rm_no = Assignment.objects.filter(client=OuterRef("pk"), ended_at__isnull=True).values(
        "rm__employee_no"
    )[:1]
    rows = (
        Client.objects.filter(status__in=VIP_STATUSES)
        .annotate(trades_3m=Subquery(trades), rm_employee_no=Subquery(rm_no))
        .order_by("client_no")
        .values_list(
            "client_no",
            "kind",
            "status",
            "vip_since",
            "total_assets",
            "trades_3m",
            "relationship_since",
            "rm_employee_no",
        )
    )
    count = csv_write(
        out,
        EXPORT_COLUMNS,
        (
            (client_no, kind, status, vip_since, assets, n or 0, since, rm)
            for client_no, kind, status, vip_since, assets, n, since, rm in rows.iterator(
                chunk_size=2000
            )
        ),
    )
    # The log entry needs an object: the policy the export was made under (commands have no user).
    audit_record(
        actor=actor,
        event="clients.export_vips",
        instance=window.policy if window.policy.pk else actor,
        detail={"rows": count, "as_of": day.isoformat()},
    )
    return count


@dataclass
class NightlyCycleResult:
    reclassification: ReclassificationResult
    assignments: dict
    callbacks_created: int
    # Wall-clock seconds of each step, for the operations log and the benchmarks.
    seconds: dict[str, float] = field(default_factory=dict)


def vip_programme_nightly(
    *, as_of: date | None = None, on_step: Callable[[str], object] | None = None
) -> NightlyCycleResult:
    """The 02:00 job (SPEC section 8): apply the rule, give every new VIP an RM (and release the
    downgraded), then create the month's call-back for new VIPs the same day (SPEC section 5).
    Each step is idempotent and works from the database's state alone, so a re-run or a run after
    an outage only does what is still missing; the steps keep their own transactions so one long
    run does not hold every lock at once. ``on_step`` is told the name of each step as it ends
    (``dataruns.models.NIGHT_STEPS``): a recorded run's sign of life."""
    done = on_step or (lambda step: None)
    started = time.monotonic()
    result = vip_statuses_reclassify(as_of=as_of)
    done("rule")
    ruled = time.monotonic()
    assignments = assignments_sync(as_of=result.as_of)
    done("assignments")
    assigned = time.monotonic()
    created = callbacks_generate(on=result.as_of)
    done("callbacks")
    return NightlyCycleResult(
        reclassification=result,
        assignments=assignments,
        callbacks_created=created,
        seconds={
            "rule": ruled - started,
            "assignments": assigned - ruled,
            "callbacks": time.monotonic() - assigned,
        },
    )


# --- the night, gated by the data (SPEC sections 3 and 8) --------------------------------------

logger = logging.getLogger(__name__)


@dataclass
class NightOutcome:
    business_date: date
    ran: bool
    message: str
    cycle: NightlyCycleResult | None = None


def night_run_execute(*, run_id: int) -> NightOutcome | None:
    """Run a recorded reclassification (``dataruns.NightRun``): take its lock, claim it, run the
    night's steps for its business date, record the outcome. The lock is held for the run's life,
    so a worker that dies leaves a run anyone can see is dead (``nights_resume``). None when a
    live worker holds it, or it is finished."""
    with run_lock(night_lock(run_id)) as mine:
        if not mine:
            return None  # a live worker runs it
        run = night_run_start(run_id=run_id)
        if run is None:
            return None
        return _night_steps(run)


def _night_steps(run: NightRun) -> NightOutcome | None:
    """The night's steps for ``run``, each recorded as it ends; the result recorded only while
    this worker's claim is current (None when the run was run again meanwhile)."""
    try:
        cycle = vip_programme_nightly(
            as_of=run.business_date, on_step=lambda step: night_run_beat(run=run, step=step)
        )
        warnings = warnings_raise(as_of=run.business_date)
        night_run_beat(run=run, step="warnings")
    except Exception as exc:
        # Any step, the early warning too: its error fails the run with the reason, never
        # leaves it "running" for the page to call stopped.
        night_run_finish(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    result = cycle.reclassification
    recorded = night_run_finish(
        run=run,
        changes=result.changes,
        summary={
            "policy": result.policy_version,
            "counts": result.counts,
            "transitions": {f"{a}→{b}": n for (a, b), n in sorted(result.transitions.items())},
            "assignments": cycle.assignments,
            "callbacks_created": cycle.callbacks_created,
            "retention_tasks": warnings,
            "seconds": {k: round(v, 2) for k, v in cycle.seconds.items()},
        },
    )
    return NightOutcome(run.business_date, True, "", cycle) if recorded else None


def nights_resume() -> list[date]:
    """Complete the nights a dead worker left part-applied (statuses committed, assignments,
    call-backs or early warnings not): their run reads "Stopped" (``dataruns.selectors.
    dead_night_runs``). A night whose date is now refused (``run_date_refusal``: a later date's
    run finished since) is ended as superseded instead, as "Run again" would refuse it. Every
    step is idempotent, so running them all again does only what is missing. Called before every
    nightly step (the reclassification, the inbox job, call-back generation, the KPI snapshot:
    ``JobSpec.nightly``), so the next of them completes the night, not the next night. Returns the
    business dates completed."""
    completed = []
    for run in dead_night_runs():
        refusal = run_date_refusal(day=run.business_date, forced=True)
        if refusal is not None:
            logger.warning("night run %s (%s) was left by a dead worker: %s", run.pk, run, refusal)
            night_run_supersede(
                run=run,
                reason=Text(
                    gettext_noop("Its worker stopped, and it was not completed: %(reason)s"),
                    {"reason": refusal},
                ),
            )
            continue
        logger.warning("night run %s (%s) was left by a dead worker: completing it", run.pk, run)
        if night_run_execute(run_id=run.pk) is not None:
            completed.append(run.business_date)
    return completed


def night_run(*, trigger: str, day: date | None = None) -> NightOutcome:
    """The night's reclassification, for the business date of the newest imported set (or
    ``day``), once per business date. When that date has run already it waits for a newer set and
    says so in the outcome's message. Raises ``dataruns.services.RunRefused`` for a date that
    would damage live data (SPEC section 3)."""
    nights_resume()
    day = day or due_run_date()
    run = night_run_claim(day=day, trigger=trigger)
    if run is None:
        message = _(
            "The reclassification for %(day)s has run; the next one waits for the data set of a "
            "later business date."
        ) % {"day": day.isoformat()}
        logger.info("%s", message)
        return NightOutcome(day, False, message)
    outcome = night_run_execute(run_id=run.pk)
    return outcome or NightOutcome(day, False, _("Another worker runs it."))


@dataclass
class Preview:
    business_date: date
    transitions: dict[tuple[str, str], int]
    changes: list[tuple[str, str, str]]  # (client_no, from, to), the first PREVIEW_ROWS


PREVIEW_ROWS = 200


def reclassification_preview(*, day: date) -> Preview:
    """What the rule would change on ``day``, computed by the real run inside a transaction that
    is rolled back: nothing is written (``reclassify_vips --dry-run``)."""
    started = timezone.now()
    with transaction.atomic():
        result = vip_statuses_reclassify(as_of=day)
        changes = list(
            StatusChange.objects.filter(effective_on=day, created_at__gte=started)
            .order_by("client__client_no")
            .values_list("client__client_no", "from_status", "to_status")[:PREVIEW_ROWS]
        )
        transaction.set_rollback(True)
    return Preview(day, result.transitions, changes)


def inbox_night(*, check_late: bool) -> dict:
    """The inbox job (01:00 to 06:00 every 15 minutes): take the complete sets, then reclassify
    for the newest if a set came in; from 06:00 alert when the previous day's set is still
    missing. Returns what happened, for the job's log."""
    taken = inbox_take()
    night, refused = None, ""
    if taken.imported:
        try:
            night = night_run(trigger=NightTrigger.INTAKE)
        except RunRefused as exc:
            # E.g. a supervisor forced a later date already: the imported data stays, and that
            # date's own set brings the next run.
            refused = str(exc)
    late = data_late_check() if check_late else None
    return {
        "imported": [d.isoformat() for d in taken.imported],
        "rejected": [d.isoformat() for d in taken.rejected],
        "duplicates": [d.isoformat() for d in taken.duplicates],
        "waiting": [d.isoformat() for d in taken.waiting],
        "busy": taken.busy,
        "reclassified": night.business_date.isoformat() if night and night.ran else None,
        "late": late.isoformat() if late else None,
        "refused": refused,
    }
