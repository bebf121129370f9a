"""Reads of the approvals app."""

from django.db.models import QuerySet

from approvals.models import ApprovalSetting, Proposal, ProposalStatus
from core.models import User


def approval_required(kind: str) -> bool:
    """Whether ``kind`` needs a second supervisor (SPEC section 4). No setting row: it does."""
    setting = ApprovalSetting.objects.filter(kind=kind).values_list("requires_approval").first()
    return True if setting is None else setting[0]


def proposals_for(*, user: User) -> QuerySet[Proposal]:
    """Every proposal the user may see: supervisors and administrators see all, others none."""
    if not user.is_service_wide:
        return Proposal.objects.none()
    return Proposal.objects.select_related("proposed_by", "decided_by")


def proposal_for(*, user: User, pk: int) -> Proposal:
    """One proposal in the user's scope; ``Proposal.DoesNotExist`` otherwise (the view's 404)."""
    return proposals_for(user=user).get(pk=pk)


def pending_for_home(*, user: User, limit: int = 10) -> tuple[list[Proposal], list[Proposal]]:
    """(others' proposals awaiting the user's approval, the user's own still pending), oldest
    first, so the longest wait is on top."""
    pending = proposals_for(user=user).filter(status=ProposalStatus.PENDING).order_by("proposed_at")
    return (
        list(pending.exclude(proposed_by=user)[:limit]),
        list(pending.filter(proposed_by=user)[:limit]),
    )
