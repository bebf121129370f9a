"""Reads of relationship managers, assignments and the rota."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from clients.models import Client
from managers.models import Assignment, RelationshipManager, RmStatus, Shift


def active_assignment_for(*, client: Client) -> Assignment | None:
    return (
        Assignment.objects.select_related("rm", "rm__user")
        .filter(client=client, ended_at__isnull=True)
        .first()
    )


def rm_of_client(*, client: Client) -> RelationshipManager | None:
    assignment = active_assignment_for(client=client)
    return assignment.rm if assignment else None


def rms_on_shift(*, at: datetime):
    return (
        RelationshipManager.objects.filter(
            status=RmStatus.ACTIVE,
            shifts__starts_at__lte=at,
            shifts__ends_at__gt=at,
        )
        .select_related("user", "branch")
        .distinct()
    )


@dataclass(frozen=True)
class Responder:
    """Who answers a hotline call: ``kind`` is ``own_rm``, ``on_call`` or ``uncovered``."""

    rm: RelationshipManager | None
    kind: str

    @property
    def covered(self) -> bool:
        return self.rm is not None


def who_answers(*, client: Client | None, at: datetime) -> Responder:
    """The client's RM if on shift at ``at``, else an on-call RM (the one whose shift started
    first, so a hand-over goes to whoever has been on longest), else nobody: uncovered."""
    on_shift = rms_on_shift(at=at)
    if client is not None:
        own = rm_of_client(client=client)
        if own is not None and on_shift.filter(pk=own.pk).exists():
            return Responder(rm=own, kind="own_rm")
    shift = (
        Shift.objects.filter(Q(starts_at__lte=at) & Q(ends_at__gt=at), rm__status=RmStatus.ACTIVE)
        .select_related("rm", "rm__user", "rm__branch")
        .order_by("starts_at", "pk")
        .first()
    )
    if shift is not None:
        return Responder(rm=shift.rm, kind="on_call")
    return Responder(rm=None, kind="uncovered")
