"""Writes of the retention app: the nightly early warning and closing a task (SPEC section 4)."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import VIP_STATUSES, Client, Trade, VipPolicy
from clients.qualification.measures import clients_measure
from clients.qualification.window import Window
from core.models import User
from core.services import audit_record
from managers.models import Assignment
from retention.models import RetentionTask, TaskOutcome, WarningReason

CHUNK = 5_000


def _kept_trades(client_ids: list[int], window: Window, horizon: date) -> dict[int, int]:
    """Trades of the current window that are still in the window on ``horizon``."""
    future = Window.for_day(horizon, window.policy)
    return dict(
        Trade.objects.filter(
            client_id__in=client_ids,
            executed_at__gte=future.starts_at,
            executed_at__lt=window.ends_before,
        )
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
        .order_by()
    )


def _warnings(client: Client, now, before, kept: int, policy: VipPolicy) -> list[tuple]:
    """``[(reason, figures), ...]`` for one VIP, from the policy's early-warning numbers."""
    found = []
    threshold = policy.asset_threshold_for(client.kind)
    if before.assets > 0:
        fall = (before.assets - now.assets) / before.assets * 100
        if fall > policy.warning_drop_percent:
            found.append(
                (
                    WarningReason.ASSETS_FELL,
                    {
                        "before": f"{before.assets:.2f}",
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
    """The early warning for business date D (a step of the night after the reclassification):
    every VIP whose assets fell more than the policy's percentage over its days, who stands within
    its percentage above a threshold, or whose trades in the activity window will fall below the
    minimum within its days if they stop trading, gets a retention task for their RM with the
    reason and the figures. A reason already open for the client raises nothing new. Returns the
    number of tasks raised. Measures are the rule's own (the policy's asset measure)."""
    policy = VipPolicy.in_force_on(as_of)
    window = Window.for_day(as_of, policy)
    earlier = Window.for_day(as_of - timedelta(days=policy.warning_drop_days), policy)
    horizon = as_of + timedelta(days=policy.warning_trades_days)
    vips = Client.objects.filter(status__in=VIP_STATUSES).order_by("pk")
    ids = list(vips.values_list("pk", flat=True))
    already = RetentionTask.objects.filter(raised_on=as_of).count()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        now = clients_measure(client_ids=chunk, window=window)
        before = clients_measure(client_ids=chunk, window=earlier)
        kept = _kept_trades(chunk, window, horizon)
        rms = dict(
            Assignment.objects.filter(client_id__in=chunk, ended_at__isnull=True).values_list(
                "client_id", "rm_id"
            )
        )
        tasks = [
            RetentionTask(
                client=client,
                rm_id=rms.get(client.pk),
                reason=reason,
                figures=figures,
                raised_on=as_of,
            )
            for client in vips.filter(pk__in=chunk).only("pk", "kind")
            for reason, figures in _warnings(
                client, now[client.pk], before[client.pk], kept.get(client.pk, 0), policy
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
