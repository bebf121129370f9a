"""Selecting relationship managers (SPEC section 4): a candidate proposed, approved against the
selection policy (their staff user made), or rejected."""

from datetime import date

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Branch, User
from core.roles import Role
from core.services import user_create
from managers import selectors
from managers.models import RelationshipManager, RmStatus


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
