"""Reads of the retention app: the RM's open tasks, and the early warning's figures for
analytics (SPEC section 7's needs analysis)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from clients.models import StatusChange, VipStatus
from core.models import User
from retention.models import RetentionTask


def tasks_for(*, user: User) -> QuerySet[RetentionTask]:
    """The retention tasks a user may see: an RM their own, supervisors and administrators all."""
    tasks = RetentionTask.objects.select_related("client", "rm")
    if user.is_service_wide:
        return tasks
    return tasks.filter(rm__user=user)


def open_tasks_for(*, user: User, limit: int = 10) -> list[RetentionTask]:
    return list(tasks_for(user=user).filter(closed_at__isnull=True)[:limit])


@dataclass(frozen=True)
class WarningFigures:
    raised: int
    done: int
    stayed_vip: int


def warning_figures(*, first: date, last: date) -> WarningFigures:
    """Warnings raised between ``first`` and ``last`` (inclusive), the tasks among them done, and
    the clients warned who were not downgraded to standard after the warning: one query."""
    downgraded = StatusChange.objects.filter(
        client_id=OuterRef("client_id"),
        to_status=VipStatus.STANDARD,
        effective_on__gte=OuterRef("raised_on"),
    )
    counts = RetentionTask.objects.filter(raised_on__gte=first, raised_on__lte=last).aggregate(
        raised=Count("id"),
        done=Count("id", filter=Q(closed_at__isnull=False)),
        stayed=Count("client_id", distinct=True, filter=~Exists(downgraded)),
    )
    return WarningFigures(counts["raised"], counts["done"], counts["stayed"])
