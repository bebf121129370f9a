"""Writes of the retention app: the nightly early warning and closing a task (SPEC section 4)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import VIP_STATUSES, Client, VipPolicy
from clients.qualification import dialect
from clients.qualification.assets import cents_amount
from clients.qualification.criteria import TRADES
from clients.qualification.measures import Measures, assets_of_sql, assets_params
from clients.qualification.window import Window
from core.models import User
from core.services import audit_record
from managers.models import Assignment
from retention.models import RetentionTask, TaskOutcome, WarningReason

# The early warning's clients, as a condition on a client row.
VIP_ROW = "{row}.status IN (" + ", ".join(f"'{status}'" for status in VIP_STATUSES) + ")"


def _vips_now_sql(window: Window) -> str:
    """``(id, kind, cents, trades, kept, rm_id)`` of every VIP on D in id order: the assets
    (``measures.assets_of_sql``, the policy's measure), the trades in the activity window, those
    still in it on the horizon (``%(kept_from)s``), and the RM of the open assignment."""
    assets = assets_of_sql(window, only=VIP_ROW.format(row="c1"))
    # The counts are correlated: per VIP, a range of the (client, executed_at) index alone, not
    # a pass over every client's trades. Id order: a day's tasks list (raised_on, pk) in client
    # order, as before.
    return f"""
        SELECT c.id, c.kind, s.cents, {TRADES.count_sql("c.id")},
               {TRADES.count_sql("c.id", starts="%(kept_from)s")}, asg.rm_id
        FROM clients_client c
        LEFT JOIN {assets} AS s ON s.client_id = c.id
        LEFT JOIN managers_assignment asg ON asg.client_id = c.id AND asg.ended_at IS NULL
        WHERE {VIP_ROW.format(row="c")}
        ORDER BY c.id"""


def _vips_measured(window: Window, horizon: date) -> list[tuple]:
    """``[(client_id, kind, now, kept, rm_id), ...]`` of every VIP (``now``: ``Measures`` on D):
    one statement, whatever the number of VIPs."""
    future = Window.for_day(horizon, window.policy)
    params = {
        **assets_params(window),
        "starts_at": dialect.datetime_param(window.starts_at),
        "ends_before": dialect.datetime_param(window.ends_before),
        "kept_from": dialect.datetime_param(future.starts_at),
    }
    with connection.cursor() as cursor:
        cursor.execute(_vips_now_sql(window), params)
        return [
            (pk, kind, Measures(cents_amount(cents or 0), trades), kept, rm_id)
            for pk, kind, cents, trades, kept, rm_id in cursor.fetchall()
        ]


def _vips_assets(window: Window) -> dict[int, Decimal]:
    """Every VIP's assets on the window's day (the policy's measure) by client id; a VIP
    missing from it has zero."""
    assets = assets_of_sql(window, only=VIP_ROW.format(row="c1"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.client_id, s.cents FROM {assets} AS s", assets_params(window))
        return {pk: cents_amount(cents or 0) for pk, cents in cursor.fetchall()}


def _warnings(kind: str, now: Measures, before: Decimal, kept: int, policy: VipPolicy) -> list:
    """``[(reason, figures), ...]`` for one VIP of ``kind`` from its measures on D, its assets
    ``before`` (the policy's days earlier) and its trades ``kept`` on the horizon: the policy's
    early-warning numbers, the one place the three rules are defined."""
    found = []
    threshold = policy.asset_threshold_for(kind)
    if before > 0:
        fall = (before - now.assets) / before * 100
        if fall > policy.warning_drop_percent:
            found.append(
                (
                    WarningReason.ASSETS_FELL,
                    {
                        "before": f"{before:.2f}",
                        "now": f"{now.assets:.2f}",
                        "percent": f"{fall:.1f}",
                        "days": policy.warning_drop_days,
                    },
                )
            )
    margin = threshold * (100 + policy.warning_near_percent) / 100
    if threshold <= now.assets < margin:
        found.append(
            (
                WarningReason.NEAR_THRESHOLD,
                {
                    "now": f"{now.assets:.2f}",
                    "threshold": f"{threshold:.2f}",
                    "gap": f"{now.assets - threshold:.2f}",
                },
            )
        )
    if now.trades >= policy.min_trades > kept:
        found.append(
            (
                WarningReason.TRADES_LAPSE,
                {
                    "now": now.trades,
                    "kept": kept,
                    "minimum": policy.min_trades,
                    "days": policy.warning_trades_days,
                },
            )
        )
    return found


def warnings_raise(*, as_of: date) -> int:
    """The early warning for business date D (SPEC section 4; a step of the night after the
    reclassification): every VIP whose assets fell more than the policy's percentage over its
    days, who stands within its percentage above a threshold, or whose trades in the activity
    window will fall below the minimum within its days if they stop trading, gets a retention
    task for their RM (none without an open assignment) with the reason and the figures. A reason
    already open for the client raises nothing new. Returns the number of tasks raised.

    Measures are the rule's own (``measures.assets_of_sql``: the policy's asset measure). Two
    statements measure every VIP at once and one inserts the tasks, in one transaction: the
    number of queries does not grow with the number of VIPs (it was five per 5,000 VIPs, with
    long ``IN`` lists)."""
    policy = VipPolicy.in_force_on(as_of)
    window = Window.for_day(as_of, policy)
    horizon = as_of + timedelta(days=policy.warning_trades_days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Index probes estimated at millions of rows: compiling them cost ~2 s of ~5 s
                # at 1M clients (EXPLAIN ANALYZE, benchmarks/REPORT.md) and sped up nothing.
                cursor.execute("SET LOCAL jit = off")
        earlier = _vips_assets(
            Window.for_day(as_of - timedelta(days=policy.warning_drop_days), policy)
        )
        already = RetentionTask.objects.filter(raised_on=as_of).count()
        tasks = [
            RetentionTask(
                client_id=pk, rm_id=rm_id, reason=reason, figures=figures, raised_on=as_of
            )
            for pk, kind, now, kept, rm_id in _vips_measured(window, horizon)
            for reason, figures in _warnings(
                kind, now, earlier.get(pk, Decimal("0.00")), kept, policy
            )
        ]
        # The partial unique constraint keeps one open task per client and reason.
        RetentionTask.objects.bulk_create(tasks, ignore_conflicts=True)
        return RetentionTask.objects.filter(raised_on=as_of).count() - already


@transaction.atomic
def retention_task_close(*, task_id: int, outcome: str, note: str, by: User) -> RetentionTask:
    """The RM (or a supervisor) closes a task with an outcome. Raises ``ValidationError`` for an
    unknown outcome or a task already closed; ``PermissionDenied`` for an RM not the task's."""
    task = (
        RetentionTask.objects.select_for_update(of=("self",)).select_related("rm").get(pk=task_id)
    )
    if not by.is_service_wide and (task.rm is None or task.rm.user_id != by.pk):
        raise PermissionDenied
    if outcome not in TaskOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    if not task.is_open:
        raise ValidationError(_("This task was closed already."))
    task.outcome = outcome
    task.note = (note or "").strip()
    task.closed_at = timezone.now()
    task.closed_by = by
    task.save(update_fields=["outcome", "note", "closed_at", "closed_by"])
    audit_record(
        actor=by,
        event="retention.task_close",
        instance=task.client,
        detail={"task": task.pk, "outcome": outcome},
    )
    return task


def follow_up_open(*, client: Client, figures: dict[str, str | int]) -> RetentionTask:
    """The follow-up of an unhappy client (issue 14: a survey or call-back score of 1 or 2): a
    task of reason ``UNHAPPY`` for the client's current RM, shown on their home until closed with
    an outcome. ``figures`` says what was scored (``{"score": 2, "source": "survey",
    "reference": "FB-2026-000123"}``). One open follow-up per client: a second low score while
    one is open returns that one with the newest figures."""
    rm = (
        Assignment.objects.filter(client=client, ended_at__isnull=True)
        .values_list("rm_id", flat=True)
        .first()
    )
    open_task = RetentionTask.objects.filter(
        client=client, reason=WarningReason.UNHAPPY, closed_at__isnull=True
    )
    if open_task.update(figures=figures):
        return open_task.get()
    try:
        with transaction.atomic():
            return RetentionTask.objects.create(
                client=client,
                rm_id=rm,
                reason=WarningReason.UNHAPPY,
                figures=figures,
                raised_on=timezone.localdate(),
            )
    except IntegrityError:
        # Opened by a concurrent answer in the meantime (the one-open-task constraint).
        return open_task.get()
