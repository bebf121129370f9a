"""Which RM looks after which client: the nightly sync (new VIPs assigned, downgraded ones
released, the unassigned announced), a first assignment and a reassignment with handover."""

import heapq
from collections import defaultdict
from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clients.models import VIP_STATUSES, Client, VipStatus
from core.models import Notification, User
from core.selectors import supervisors
from core.services import notification_create
from managers import selectors
from managers.models import Assignment, RelationshipManager, RmStatus

# Codes stored in Assignment.reason / end_reason by the system (shown translated, see
# Assignment.reason_label); people's own reasons are stored as typed.
AUTO_REASON = "auto"
DOWNGRADED = "downgraded"
REASSIGNED = "reassigned"


def _create_assignments(rows: list[Assignment]) -> tuple[list[Assignment], int]:
    """Insert open assignments; the one-open-per-client constraint is the guard against a
    concurrent run, so a row that collides is skipped (each retried in its own savepoint)."""
    if not rows:
        return [], 0
    try:
        with transaction.atomic():
            return Assignment.objects.bulk_create(rows, batch_size=1000), 0
    except IntegrityError:
        # A concurrent run assigned some of these clients first: fall back to one row at a time.
        pass
    created, skipped = [], 0
    for row in rows:
        try:
            with transaction.atomic():
                row.pk = None
                row.save(force_insert=True)
            created.append(row)
        except IntegrityError:
            skipped += 1
    return created, skipped


# Above this many newly unassigned VIPs in one night (a go-live, a branch's RMs all leaving),
# supervisors get one summary instead of an alert per client: a bell with thousands of alerts
# helps no one, and writing them would take the night.
UNASSIGNED_ALERTS_EACH_UP_TO = 20


def _unassigned_title(client: str) -> str:
    return _("VIP client %(client)s has no relationship manager") % {"client": client}


def _notify_unassigned(clients: list[tuple[int, str, str]], *, as_of: date) -> int:
    recipients = list(supervisors())
    if not recipients:
        return 0
    url = reverse("managers:board") + "#unassigned"
    keys = {pk: f"managers.unassigned.{pk}" for pk, _no, _name in clients}
    # Skip, in one query, the alerts already sent on earlier nights; the dedupe key still guards
    # against a concurrent run.
    already = set(
        Notification.objects.filter(dedupe_key__in=keys.values()).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    fresh = [
        (pk, client_no, name)
        for pk, client_no, name in clients
        if any((r.pk, keys[pk]) not in already for r in recipients)
    ]
    if len(fresh) > UNASSIGNED_ALERTS_EACH_UP_TO:
        return len(
            notification_create(
                recipients=recipients,
                title=lambda: (
                    ngettext(
                        "%(n)d VIP client has no relationship manager",
                        "%(n)d VIP clients have no relationship manager",
                        len(clients),
                    )
                    % {"n": len(clients)}
                ),
                body=_("The RMs of their branches are at capacity. Assign them on the board."),
                url=url,
                level=Notification.Level.WARNING,
                dedupe_key=f"managers.unassigned.summary.{as_of.isoformat()}",
            )
        )
    sent = 0
    for pk, client_no, name in fresh:
        pending = [r for r in recipients if (r.pk, keys[pk]) not in already]
        sent += len(
            notification_create(
                recipients=pending,
                title=partial(_unassigned_title, f"{name} ({client_no})"),
                body=_("Every RM of the client's branch is at capacity. Assign one on the board."),
                url=url,
                level=Notification.Level.WARNING,
                dedupe_key=keys[pk],
            )
        )
    return sent


def assignments_sync(*, as_of: date) -> dict:
    """Bring assignments in line with VIP statuses (run nightly after reclassification).

    - Open assignments of clients now ``standard`` end ("downgraded").
    - Each VIP (incl. at risk) without an open assignment goes to the active RM of the client's
      branch with the most free capacity (capacity − open assignments; ties by employee number),
      never beyond capacity. The RMs and their loads are read in one query and the choice is made
      in memory; the rest wait in the unassigned queue and supervisors are alerted once per client.
    """
    now = timezone.now()
    ended = Assignment.objects.filter(
        ended_at__isnull=True, client__status=VipStatus.STANDARD
    ).update(ended_at=now, end_reason=DOWNGRADED)

    waiting = list(
        Client.objects.filter(status__in=VIP_STATUSES)
        .exclude(selectors.open_assignment_exists())
        .order_by("client_no")
        .values_list("pk", "branch_id", "client_no", "name")
    )
    branch_ids = {branch_id for _pk, branch_id, _no, _name in waiting}
    heaps: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    if branch_ids:
        for rm in selectors.rms_with_load().filter(
            status=RmStatus.ACTIVE, branch_id__in=branch_ids
        ):
            free = rm.capacity - rm.open_count  # type: ignore[attr-defined]  # rms_with_load()
            if free > 0:
                heaps[rm.branch_id].append((-free, rm.employee_no, rm.pk))
        for heap in heaps.values():
            heapq.heapify(heap)

    rows, unassigned = [], []
    for pk, branch_id, client_no, name in waiting:
        heap = heaps.get(branch_id, [])
        if not heap:
            unassigned.append((pk, client_no, name))
            continue
        neg_free, employee_no, rm_pk = heapq.heappop(heap)
        rows.append(Assignment(client_id=pk, rm_id=rm_pk, started_at=now, reason=AUTO_REASON))
        if neg_free + 1 < 0:
            heapq.heappush(heap, (neg_free + 1, employee_no, rm_pk))

    created, skipped = _create_assignments(rows)
    notified = _notify_unassigned(unassigned, as_of=as_of)
    return {
        "as_of": as_of.isoformat(),
        "ended": ended,
        "assigned": len(created),
        "skipped": skipped,
        "unassigned": len(unassigned),
        "notified": notified,
    }


def require_active(rm: RelationshipManager) -> None:
    if rm.status != RmStatus.ACTIVE:
        raise ValidationError({"to_rm": _("Choose an active relationship manager.")})


def _notify_new_rm(*, rm: RelationshipManager, client: Client, handover_note: str) -> None:
    user = rm.user if rm.user_id else None
    if user is None:
        return
    notification_create(
        recipients=[user],
        title=lambda: (
            _("You are now the relationship manager of %(client)s")
            % {"client": f"{client.name} ({client.client_no})"}
        ),
        body=handover_note,
        url=reverse("managers:history", args=[client.pk]),
    )


@transaction.atomic
def assignment_start(
    *, client: Client, rm: RelationshipManager, by: User | None, reason: str = ""
) -> Assignment:
    """Give a client without an RM (the unassigned queue) an RM. A supervisor may go beyond the
    RM's capacity on purpose; the board then flags the RM."""
    require_active(rm)
    if not client.is_vip:
        raise ValidationError(_("Only VIP clients get a dedicated relationship manager."))
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                client=client,
                rm=rm,
                started_at=timezone.now(),
                reason=reason.strip() or AUTO_REASON,
                assigned_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("This client already has a relationship manager: use reassignment.")
        ) from None
    _notify_new_rm(rm=rm, client=client, handover_note="")
    return assignment


@transaction.atomic
def assignment_reassign(
    *,
    client: Client,
    to_rm: RelationshipManager,
    reason: str,
    handover_note: str,
    by: User,
) -> Assignment:
    """End the client's current assignment and start one with ``to_rm``, recording who, when,
    why and the handover note; the new RM is notified."""
    reason, handover_note = (reason or "").strip(), (handover_note or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for the reassignment.")
    if not handover_note:
        errors["handover_note"] = _("Write a handover note for the new relationship manager.")
    if errors:
        raise ValidationError(errors)
    require_active(to_rm)
    now = timezone.now()
    current = (
        Assignment.objects.select_for_update().filter(client=client, ended_at__isnull=True).first()
    )
    if current is not None:
        if current.rm_id == to_rm.pk:
            raise ValidationError({"to_rm": _("This RM already looks after the client.")})
        current.ended_at = now
        current.end_reason = REASSIGNED
        current.save(update_fields=["ended_at", "end_reason"])
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                client=client,
                rm=to_rm,
                started_at=now,
                reason=reason,
                handover_note=handover_note,
                assigned_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("Someone else changed this client's RM just now. Reload and try again.")
        ) from None
    _notify_new_rm(rm=to_rm, client=client, handover_note=handover_note)
    return assignment
