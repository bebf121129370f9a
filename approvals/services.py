"""Writes of the approvals app: propose a change, approve, reject or withdraw it (SPEC section 4,
four eyes). The change itself is made by the handler its app registered (``approvals.registry``)."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Proposal, ProposalStatus
from approvals.registry import handler_for
from approvals.selectors import approval_required
from core.messages import Message
from core.models import Notification, User
from core.roles import Role
from core.selectors import users_with_role
from core.services import audit_record, notification_create


def _approvers_except(user: User) -> list[User]:
    return list(users_with_role(Role.SUPERVISOR).exclude(pk=user.pk))


def _notify(*, recipients: list[User], title: Message, body: str, url: str, key: str) -> None:
    notification_create(
        recipients=recipients,
        title=title,
        body=body,
        url=url,
        level=Notification.Level.WARNING,
        dedupe_key=key,
    )


@transaction.atomic
def change_propose(
    *, kind: str, payload: dict, subject: str, subject_url: str, reason: str, by: User
) -> Proposal | None:
    """Propose a change of ``kind``. When the administrator set ``kind`` to need no second
    supervisor, the change is made at once and None is returned; otherwise a pending proposal is
    returned and the other supervisors are told after commit.

    Raises ``ValidationError`` (nothing written) when the reason is blank or the handler's check
    refuses the change; ``PermissionDenied`` for a user who is not a supervisor or administrator."""
    if not by.is_service_wide:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the change.")})
    handler = handler_for(kind)
    handler.check(payload)
    if not approval_required(kind):
        handler.apply(payload, proposed_by=by, approved_by=None)
        audit_record(
            actor=by,
            event="approvals.applied_without_approval",
            instance=by,
            detail={"kind": kind, "subject": subject},
        )
        return None
    proposal = Proposal.objects.create(
        kind=kind,
        payload=payload,
        subject=subject[:200],
        subject_url=subject_url,
        reason=reason,
        proposed_by=by,
    )
    audit_record(actor=by, event="approvals.propose", instance=proposal, detail={"kind": kind})
    url = reverse("approvals:detail", args=[proposal.pk])
    transaction.on_commit(
        partial(
            _notify,
            recipients=_approvers_except(by),
            title=lambda: (
                _("Approval needed: %(kind)s, %(subject)s")
                % {"kind": proposal.get_kind_display(), "subject": proposal.subject}
            ),
            body=reason,
            url=url,
            key=f"approvals:{proposal.pk}:proposed",
        )
    )
    return proposal


def _locked_pending(proposal_id: int) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    if not proposal.is_pending:
        raise ValidationError(
            _("This proposal was already %(status)s.")
            % {"status": proposal.get_status_display().lower()}
        )
    return proposal


def _decide(proposal: Proposal, *, status: str, by: User | None, note: str) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


def _tell_proposer(proposal: Proposal, title: Message) -> None:
    transaction.on_commit(
        partial(
            _notify,
            recipients=[proposal.proposed_by],
            title=title,
            body=proposal.decision_note,
            url=reverse("approvals:detail", args=[proposal.pk]),
            key=f"approvals:{proposal.pk}:{proposal.status}",
        )
    )


@transaction.atomic
def proposal_approve(*, proposal_id: int, by: User) -> Proposal:
    """A second supervisor approves: the change is made in the same transaction. Raises
    ``ValidationError`` when the proposer approves their own, the proposal is no longer pending,
    or the change can no longer be made (then it stays pending: reject it with a reason)."""
    if not by.is_service_wide:
        raise PermissionDenied
    proposal = _locked_pending(proposal_id)
    if proposal.proposed_by_id == by.pk:
        raise ValidationError(_("You cannot approve your own proposal: a second supervisor must."))
    handler = handler_for(proposal.kind)
    handler.check(proposal.payload)
    handler.apply(proposal.payload, proposed_by=proposal.proposed_by, approved_by=by)
    _decide(proposal, status=ProposalStatus.APPROVED, by=by, note="")
    audit_record(actor=by, event="approvals.approve", instance=proposal, detail={})
    _tell_proposer(
        proposal,
        lambda: (
            _("Approved: %(kind)s, %(subject)s")
            % {"kind": proposal.get_kind_display(), "subject": proposal.subject}
        ),
    )
    return proposal


@transaction.atomic
def proposal_reject(*, proposal_id: int, by: User, note: str) -> Proposal:
    """A second supervisor rejects, with a reason. Raises ``ValidationError`` for a blank reason,
    one's own proposal (withdraw it instead) or a proposal no longer pending."""
    if not by.is_service_wide:
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Give the reason for the rejection.")})
    proposal = _locked_pending(proposal_id)
    if proposal.proposed_by_id == by.pk:
        raise ValidationError(_("You cannot reject your own proposal: withdraw it."))
    _decide(proposal, status=ProposalStatus.REJECTED, by=by, note=note)
    audit_record(actor=by, event="approvals.reject", instance=proposal, detail={"note": note})
    _tell_proposer(
        proposal,
        lambda: (
            _("Rejected: %(kind)s, %(subject)s")
            % {"kind": proposal.get_kind_display(), "subject": proposal.subject}
        ),
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal_id: int, by: User) -> Proposal:
    """The proposer takes back a pending proposal. Raises ``ValidationError`` for anyone else or
    a proposal no longer pending."""
    proposal = _locked_pending(proposal_id)
    if proposal.proposed_by_id != by.pk:
        raise ValidationError(_("Only the supervisor who proposed it can withdraw it."))
    _decide(proposal, status=ProposalStatus.WITHDRAWN, by=None, note="")
    audit_record(actor=by, event="approvals.withdraw", instance=proposal, detail={})
    return proposal
