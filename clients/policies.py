"""Writes of VIP policy versions: a change proposed by one supervisor takes effect when a second
approves (SPEC section 4); policies are effective-dated, so a change is a new version from a day
on, never an edit of the rule that judged past days."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from approvals.models import ApprovalKind, Proposal
from approvals.services import change_propose
from clients.forms import VipPolicyForm
from clients.models import VipPolicy
from core.models import User


def _form(payload: dict) -> VipPolicyForm:
    form = VipPolicyForm(data=payload)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form


def vip_policy_check(payload: dict) -> None:
    """Raises ``ValidationError`` with the form's errors when the version cannot be created."""
    _form(payload)


@transaction.atomic
def vip_policy_apply(payload: dict, *, proposed_by: User, approved_by: User | None) -> VipPolicy:
    """Create the proposed version (audited by django-auditlog, actor from the request)."""
    return _form(payload).save()


def vip_policy_describe(payload: dict) -> list[tuple]:
    form = VipPolicyForm()
    return [
        (form.fields[name].label, payload.get(name, ""))
        for name in VipPolicyForm.Meta.fields
        if name in payload
    ]


def vip_policy_change_request(*, data: dict, reason: str, by: User) -> Proposal | None:
    """Propose a new policy version (form data as strings), or create it at once when four eyes
    is off for policy changes. Raises ``ValidationError`` (the form's errors, or a blank reason)."""
    form = _form(data)
    payload = {name: form.data.get(name, "") for name in VipPolicyForm.Meta.fields}
    return change_propose(
        kind=ApprovalKind.POLICY_CHANGE,
        payload=payload,
        subject=str(_("VIP policy %(version)s from %(day)s"))
        % {"version": payload["version"], "day": payload["effective_from"]},
        subject_url=reverse("clients:policy"),
        reason=reason,
        by=by,
    )
