"""Supervisors' status overrides: create (applied at once, kept by the nightly run) and revoke."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, StatusChange, StatusOverride, VipPolicy, VipStatus
from clients.qualification.explain import client_outcome
from clients.qualification.measures import clients_measure
from clients.qualification.window import Window
from core.actors import Actor
from core.models import User
from core.services import audit_record


class OverrideError(ValueError):
    """An override the rules refuse (its message is shown to the supervisor)."""


@transaction.atomic
def status_override_create(
    *,
    client: Client,
    status: str,
    reason: str,
    ends_on: date,
    created_by: User,
    starts_on: date | None = None,
    applied_by: User | None = None,
) -> StatusOverride:
    """A supervisor's manual status until ``ends_on``: applied now and kept by the nightly run.
    The status change is recorded in the history with the override and, as its actor,
    ``applied_by``: the supervisor who approved it under four eyes (SPEC section 4), else
    ``created_by``. Raises ``OverrideError`` (a message for the supervisor)."""
    today = timezone.localdate()
    starts_on = starts_on or today
    if status not in VipStatus.values:
        raise OverrideError(_("Unknown status."))
    if not reason.strip():
        raise OverrideError(_("Give a reason for the override."))
    if ends_on < starts_on:
        raise OverrideError(_("The end date must be on or after the start date."))
    override = StatusOverride.objects.create(
        client=client,
        status=status,
        reason=reason.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=created_by,
    )
    if override.is_active_on(today):
        _override_apply(client=client, override=override, day=today, actor=applied_by or created_by)
    return override


def _override_apply(*, client: Client, override: StatusOverride, day: date, actor: User) -> None:
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status == override.status and (
        override.status != VipStatus.VIP_AT_RISK or client.at_risk_since
    ):
        return
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    measures = clients_measure(client_ids=[client.pk], window=window)[client.pk]
    outcome = client_outcome(client=client, measures=measures, window=window, override=override)
    move = outcome.transition
    StatusChange.objects.create(
        client=client,
        effective_on=day,
        from_status=client.status,
        to_status=move.status,
        reasons=outcome.reasons,
        policy=window.policy if window.policy.pk else None,
        override=override,
        actor=Actor.of_user(actor).label,
        changed_by=actor,
    )
    client.status, client.vip_since, client.at_risk_since = (
        move.status,
        move.vip_since,
        move.at_risk_since,
    )
    client.status_changed_on = day
    client.save(update_fields=["status", "vip_since", "at_risk_since", "status_changed_on"])


@transaction.atomic
def status_override_revoke(*, override: StatusOverride, revoked_by: User) -> StatusOverride:
    """End an override now; the next nightly run applies the rule again."""
    if override.revoked_at is None:
        override.revoked_at = timezone.now()
        override.save(update_fields=["revoked_at"])
        audit_record(
            actor=revoked_by,
            event="status_override.revoke",
            instance=override.client,
            detail={"override": override.pk},
        )
    return override
