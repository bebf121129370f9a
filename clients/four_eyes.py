"""What the clients app puts under four eyes (SPEC section 4): a status override and a new VIP
policy version, each proposed by one supervisor and made when a second approves (the handlers
``approvals`` calls). Policies are effective-dated, so a change is a new version from a day on,
never an edit of the rule that judged past days."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import ApprovalKind, Proposal
from approvals.services import change_propose
from clients.forms import VipPolicyForm
from clients.models import Client, VipPolicy, VipStatus
from clients.qualification.overrides import status_override_create
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
    """The proposal's fields as the approver reads them: each label, and a choice's label
    ("Latest balance", "最新余额") rather than the value stored (``latest``)."""
    form = VipPolicyForm()
    return [
        (form.fields[name].label, _shown(form.fields[name], payload.get(name, "")))
        for name in VipPolicyForm.Meta.fields
        if name in payload
    ]


def _shown(field, value):
    choices = getattr(field, "choices", None)
    if not choices:
        return value
    return {str(key): label for key, label in choices}.get(str(value), value)


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


# --- status overrides ----------------------------------------------------------------------------


def _override_parts(payload: dict) -> tuple[Client, date]:
    client = Client.objects.filter(pk=payload.get("client_id") or 0).first()
    if client is None:
        raise ValidationError(_("The client no longer exists."))
    try:
        ends_on = date.fromisoformat(str(payload.get("ends_on")))
    except ValueError:
        raise ValidationError(_("The end date is not a date.")) from None
    return client, ends_on


def status_override_check(payload: dict) -> None:
    """Raises ``ValidationError`` for an unknown status or an end date already past."""
    _client, ends_on = _override_parts(payload)
    if payload.get("status") not in VipStatus.values:
        raise ValidationError(_("Unknown status."))
    if ends_on < timezone.localdate():
        raise ValidationError(_("The end date cannot be in the past."))


def status_override_apply(payload: dict, *, proposed_by: User, approved_by: User | None) -> None:
    """Make the approved override from today: the override names the proposer, the status
    history's actor the approver (``approved_by``; None when four eyes is off: the proposer)."""
    client, ends_on = _override_parts(payload)
    status_override_create(
        client=client,
        status=payload["status"],
        reason=payload["reason"],
        ends_on=ends_on,
        created_by=proposed_by,
        applied_by=approved_by,
    )


def status_override_describe(payload: dict) -> list[tuple]:
    client = Client.objects.filter(pk=payload.get("client_id") or 0).first()
    labels = dict(VipStatus.choices)
    return [
        (_("Client"), f"{client.name} ({client.client_no})" if client else "—"),
        (_("Current status"), labels.get(client.status, "") if client else "—"),
        (_("New status"), labels.get(str(payload.get("status", "")), payload.get("status", ""))),
        (_("Until"), payload.get("ends_on", "")),
    ]


def status_override_request(
    *, client: Client, status: str, reason: str, ends_on: date, by: User
) -> Proposal | None:
    """Propose an override for a second supervisor's approval, or make it at once when four eyes
    is off for overrides (then None). Raises ``ValidationError`` before anything is proposed."""
    return change_propose(
        kind=ApprovalKind.STATUS_OVERRIDE,
        payload={
            "client_id": client.pk,
            "status": status,
            "reason": (reason or "").strip(),
            "ends_on": ends_on.isoformat(),
        },
        subject=f"{client.name} ({client.client_no})",
        subject_url=client.get_absolute_url(),
        reason=reason,
        by=by,
    )
