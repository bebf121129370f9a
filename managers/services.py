"""Writes of the managers app: selection, training, assignments, the on-call rota."""

import heapq
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from approvals.models import ApprovalKind, Proposal
from approvals.services import change_propose
from clients.models import VIP_STATUSES, Client, VipStatus
from core.models import Branch, Notification, User
from core.roles import Role
from core.selectors import supervisors
from core.services import notification_create, user_create
from managers import selectors
from managers.models import (
    Assignment,
    RelationshipManager,
    RmStatus,
    Shift,
    TrainingCourse,
    TrainingRecord,
    TrainingResult,
)

# Codes stored in Assignment.reason / end_reason by the system (shown translated, see
# Assignment.reason_label); people's own reasons are stored as typed.
AUTO_REASON = "auto"
DOWNGRADED = "downgraded"
REASSIGNED = "reassigned"


# --- Selection --------------------------------------------------------------------------------


@transaction.atomic
def rm_candidate_create(
    *,
    employee_no: str,
    name: str,
    branch: Branch,
    years_experience: int,
    communication_score: int,
    certifications: str = "",
    phone: str = "",
) -> RelationshipManager:
    if RelationshipManager.objects.filter(employee_no=employee_no).exists():
        raise ValidationError(
            {"employee_no": _("An RM or candidate with this employee number already exists.")}
        )
    return RelationshipManager.objects.create(
        employee_no=employee_no,
        name=name,
        branch=branch,
        years_experience=years_experience,
        communication_score=communication_score,
        certifications=certifications,
        phone=phone,
        status=RmStatus.CANDIDATE,
    )


def _locked_candidate(rm: RelationshipManager) -> RelationshipManager:
    locked = RelationshipManager.objects.select_for_update().get(pk=rm.pk)
    if locked.status != RmStatus.CANDIDATE:
        raise ValidationError(_("This person is no longer a candidate."))
    return locked


@transaction.atomic
def rm_candidate_approve(
    *, rm: RelationshipManager, by: User, as_of: date | None = None
) -> RelationshipManager:
    """Approve a candidate who meets the policy into an active RM with the policy's capacity.
    The RM gets a user in the RM group: their own if linked, else a new one (username = employee
    number, no usable password until an administrator sets one)."""
    rm = _locked_candidate(rm)
    policy = selectors.policy_current(on=as_of)
    if not selectors.candidate_meets_policy(rm=rm, policy=policy):
        raise ValidationError(_("The candidate does not meet the selection criteria."))
    group, _created = Group.objects.get_or_create(name=Role.RELATIONSHIP_MANAGER.value)
    if rm.user is None:
        username = rm.employee_no.lower()
        if User.objects.filter(username=username).exists():
            raise ValidationError(
                _("A user named %(username)s already exists: link it to the candidate in admin.")
                % {"username": username}
            )
        user = user_create(
            username=username,
            password=None,
            role=Role.RELATIONSHIP_MANAGER,
            branch=rm.branch,
            first_name=rm.name,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        rm.user = user
    else:
        rm.user.groups.add(group)
    rm.status = RmStatus.ACTIVE
    rm.capacity = policy.default_capacity
    rm.decided_by = by
    rm.decided_at = timezone.now()
    rm.decision_reason = ""
    rm.save()
    return rm


@transaction.atomic
def rm_candidate_reject(*, rm: RelationshipManager, reason: str, by: User) -> RelationshipManager:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    rm = _locked_candidate(rm)
    rm.status = RmStatus.REJECTED
    rm.decision_reason = reason
    rm.decided_by = by
    rm.decided_at = timezone.now()
    rm.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    return rm


# --- Training ---------------------------------------------------------------------------------


@transaction.atomic
def training_course_create(
    *,
    title: str,
    held_on: date,
    hours: Decimal,
    cost_per_attendee: Decimal = Decimal("3000.00"),
) -> TrainingCourse:
    """A training course. ``hours`` and ``cost_per_attendee`` (yuan) are >= 0; raises
    ``ValidationError`` keyed by field otherwise (issue 14: the rule is the server's, not only the
    form's)."""
    course = TrainingCourse(
        title=title, held_on=held_on, hours=hours, cost_per_attendee=cost_per_attendee
    )
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def training_record_set(
    *,
    course: TrainingCourse,
    rm: RelationshipManager,
    result: str,
    score: int | None = None,
) -> TrainingRecord:
    """Record (or correct) one RM's attendance and result for a course. Only "enrolled" may be
    recorded before the course is held: attendance is a fact about a day that has come.
    Raises ``ValidationError`` keyed by field."""
    if result not in TrainingResult.values:
        raise ValidationError({"result": _("Unknown result.")})
    if result != TrainingResult.ENROLLED and course.held_on > timezone.localdate():
        raise ValidationError(
            {"result": _("The course has not been held yet: record the RM as enrolled.")}
        )
    record, _created = TrainingRecord.objects.update_or_create(
        course=course, rm=rm, defaults={"result": result, "score": score}
    )
    return record


# --- Assignments ------------------------------------------------------------------------------


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
                title=ngettext(
                    "%(n)d VIP client has no relationship manager",
                    "%(n)d VIP clients have no relationship manager",
                    len(clients),
                )
                % {"n": len(clients)},
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
                title=_("VIP client %(client)s has no relationship manager")
                % {"client": f"{name} ({client_no})"},
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


def _require_active(rm: RelationshipManager) -> None:
    if rm.status != RmStatus.ACTIVE:
        raise ValidationError({"to_rm": _("Choose an active relationship manager.")})


def _notify_new_rm(*, rm: RelationshipManager, client: Client, handover_note: str) -> None:
    user = rm.user if rm.user_id else None
    if user is None:
        return
    notification_create(
        recipients=[user],
        title=_("You are now the relationship manager of %(client)s")
        % {"client": f"{client.name} ({client.client_no})"},
        body=handover_note,
        url=reverse("managers:history", args=[client.pk]),
    )


@transaction.atomic
def assignment_start(
    *, client: Client, rm: RelationshipManager, by: User | None, reason: str = ""
) -> Assignment:
    """Give a client without an RM (the unassigned queue) an RM. A supervisor may go beyond the
    RM's capacity on purpose; the board then flags the RM."""
    _require_active(rm)
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
    _require_active(to_rm)
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


# --- Reassignment under four eyes (SPEC section 4) -------------------------------------------


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
    _require_active(to_rm)
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


# --- Rota -------------------------------------------------------------------------------------


@transaction.atomic
def shift_create(*, rm: RelationshipManager, starts_at: datetime, ends_at: datetime) -> Shift:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})
    if rm.status != RmStatus.ACTIVE:
        raise ValidationError({"rm": _("Choose an active relationship manager.")})
    return Shift.objects.create(rm=rm, starts_at=starts_at, ends_at=ends_at)


@transaction.atomic
def shift_delete(*, shift: Shift) -> None:
    shift.delete()
