"""A VIP's reassignment under four eyes (SPEC section 4): the proposal and what the approvals
app asks of it (check, apply, describe)."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from approvals.models import ApprovalKind, Proposal
from approvals.services import change_propose
from clients.models import Client
from core.models import User
from managers.models import Assignment, RelationshipManager
from managers.services.assignments import assignment_reassign, require_active


def _reassignment_parts(payload: dict) -> tuple[Client, RelationshipManager]:
    client = Client.objects.filter(pk=payload.get("client_id") or 0).first()
    to_rm = RelationshipManager.objects.filter(pk=payload.get("to_rm_id") or 0).first()
    if client is None or to_rm is None:
        raise ValidationError(_("The client or the relationship manager no longer exists."))
    return client, to_rm


def reassignment_check(payload: dict) -> None:
    """Whether the proposed reassignment can still be made: a VIP, an active RM who is not
    already the client's. Raises ``ValidationError``."""
    client, to_rm = _reassignment_parts(payload)
    if not client.is_vip:
        raise ValidationError(_("Only VIP clients get a dedicated relationship manager."))
    require_active(to_rm)
    if Assignment.objects.filter(client=client, rm=to_rm, ended_at__isnull=True).exists():
        raise ValidationError({"to_rm": _("This RM already looks after the client.")})


def reassignment_apply(payload: dict, *, proposed_by: User, approved_by: User | None) -> None:
    """Make an approved reassignment; the history records the proposer as who reassigned."""
    client, to_rm = _reassignment_parts(payload)
    assignment_reassign(
        client=client,
        to_rm=to_rm,
        reason=payload["reason"],
        handover_note=payload["handover_note"],
        by=proposed_by,
    )


def reassignment_describe(payload: dict) -> list[tuple]:
    client = Client.objects.filter(pk=payload.get("client_id") or 0).first()
    to_rm = RelationshipManager.objects.filter(pk=payload.get("to_rm_id") or 0).first()
    current = (
        Assignment.objects.filter(client=client, ended_at__isnull=True).select_related("rm").first()
    )
    return [
        (_("Client"), f"{client.name} ({client.client_no})" if client else "—"),
        (_("Current RM"), f"{current.rm.name} ({current.rm.employee_no})" if current else "—"),
        (_("New relationship manager"), f"{to_rm.name} ({to_rm.employee_no})" if to_rm else "—"),
        (_("Handover note"), payload.get("handover_note", "")),
    ]


def assignment_reassign_request(
    *,
    client: Client,
    to_rm: RelationshipManager,
    reason: str,
    handover_note: str,
    by: User,
) -> Proposal | None:
    """A supervisor's reassignment of a VIP: proposed for a second supervisor's approval, or made
    at once when the administrator switched four eyes off for reassignments (then None).
    Raises ``ValidationError`` as ``assignment_reassign`` does, before anything is proposed."""
    reason, handover_note = (reason or "").strip(), (handover_note or "").strip()
    if not handover_note:
        raise ValidationError(
            {"handover_note": _("Write a handover note for the new relationship manager.")}
        )
    return change_propose(
        kind=ApprovalKind.RM_REASSIGNMENT,
        payload={
            "client_id": client.pk,
            "to_rm_id": to_rm.pk,
            "reason": reason,
            "handover_note": handover_note,
        },
        subject=f"{client.name} ({client.client_no})",
        subject_url=reverse("managers:history", args=[client.pk]),
        reason=reason,
        by=by,
    )
