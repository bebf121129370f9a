import datetime

import pytest
from django.core.exceptions import ValidationError

from core.roles import Role
from managers import selectors
from managers.models import RelationshipManager, RmSelectionPolicy, RmStatus
from managers.services.selection import (
    rm_candidate_approve,
    rm_candidate_create,
    rm_candidate_reject,
)
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


def _criteria(rm):
    policy = selectors.policy_current()
    return {c.key: c.met for c in selectors.candidate_criteria(rm=rm, policy=policy)}


def test_default_policy_is_loaded_by_the_data_migration():
    policy = selectors.policy_current(on=datetime.date(2026, 11, 28))
    assert policy.pk is not None
    assert policy.effective_from == datetime.date(2000, 1, 1)
    assert (policy.min_years_experience, policy.min_communication_score) == (3, 4)
    assert (policy.default_capacity, policy.training_valid_months) == (50, 12)


@pytest.mark.parametrize(("years", "met"), [(3, True), (2, False)])
def test_years_of_experience_criterion_at_its_boundary(candidate, years, met):
    candidate.years_experience = years
    assert _criteria(candidate)["years_experience"] is met


@pytest.mark.parametrize(("score", "met"), [(4, True), (3, False)])
def test_communication_score_criterion_at_its_boundary(candidate, score, met):
    candidate.communication_score = score
    assert _criteria(candidate)["communication_score"] is met


def test_certifications_are_shown_but_do_not_block(candidate):
    candidate.certifications = "  "
    assert _criteria(candidate)["certifications"] is False
    assert selectors.candidate_meets_policy(rm=candidate, policy=selectors.policy_current())


def test_a_later_policy_takes_over_from_its_effective_date(candidate):
    RmSelectionPolicy.objects.create(
        effective_from=datetime.date(2026, 12, 1), min_years_experience=5
    )
    old = selectors.policy_current(on=datetime.date(2026, 11, 30))
    new = selectors.policy_current(on=datetime.date(2026, 12, 1))
    assert selectors.candidate_meets_policy(rm=candidate, policy=old)
    assert not selectors.candidate_meets_policy(rm=candidate, policy=new)


def test_approving_a_candidate_activates_with_policy_capacity_and_an_rm_user(candidate, supervisor):
    RmSelectionPolicy.objects.filter(effective_from=datetime.date(2000, 1, 1)).update(
        default_capacity=40
    )
    rm = rm_candidate_approve(rm=candidate, by=supervisor)
    rm.refresh_from_db()
    assert rm.status == RmStatus.ACTIVE
    assert rm.capacity == 40
    assert rm.decided_by == supervisor and rm.decided_at is not None
    assert rm.user.username == "e90001"
    assert rm.user.role == Role.RELATIONSHIP_MANAGER
    assert rm.user.branch == candidate.branch
    assert not rm.user.has_usable_password()


def test_approving_links_an_existing_user_into_the_rm_group(candidate, supervisor):
    user = UserFactory(username="newcomer", branch=candidate.branch)
    candidate.user = user
    candidate.save()
    rm_candidate_approve(rm=candidate, by=supervisor)
    user.refresh_from_db()
    user.__dict__.pop("role", None)
    assert user.role == Role.RELATIONSHIP_MANAGER


@pytest.mark.parametrize(("years", "score"), [(2, 5), (10, 3)])
def test_a_candidate_below_the_criteria_cannot_be_approved(candidate, supervisor, years, score):
    candidate.years_experience, candidate.communication_score = years, score
    candidate.save()
    with pytest.raises(ValidationError):
        rm_candidate_approve(rm=candidate, by=supervisor)
    candidate.refresh_from_db()
    assert candidate.status == RmStatus.CANDIDATE
    assert candidate.user is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_requires_a_reason(candidate, supervisor, reason):
    with pytest.raises(ValidationError):
        rm_candidate_reject(rm=candidate, reason=reason, by=supervisor)
    candidate.refresh_from_db()
    assert candidate.status == RmStatus.CANDIDATE


def test_rejection_records_reason_and_decider(candidate, supervisor):
    rm_candidate_reject(rm=candidate, reason="面试沟通不足", by=supervisor)
    candidate.refresh_from_db()
    assert candidate.status == RmStatus.REJECTED
    assert candidate.decision_reason == "面试沟通不足"
    assert candidate.decided_by == supervisor


def test_an_active_rm_cannot_be_approved_or_rejected_again(rm, supervisor):
    with pytest.raises(ValidationError):
        rm_candidate_approve(rm=rm, by=supervisor)
    with pytest.raises(ValidationError):
        rm_candidate_reject(rm=rm, reason="x", by=supervisor)


def test_adding_a_candidate_with_a_taken_employee_number_is_refused(branch, rm):
    with pytest.raises(ValidationError):
        rm_candidate_create(
            employee_no=rm.employee_no,
            name="重复",
            branch=branch,
            years_experience=4,
            communication_score=4,
        )
    assert RelationshipManager.objects.filter(employee_no=rm.employee_no).count() == 1
