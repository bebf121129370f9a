"""SPEC section 4, four eyes: a reassignment of a VIP and a policy change proposed by one
supervisor take effect only when a second approves; nobody approves their own; rejections carry a
reason; pending proposals show on both supervisors' homes with their age; all audited; an
administrator chooses which kinds need approval."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.models import ApprovalKind, ApprovalSetting, Proposal, ProposalStatus
from clients.four_eyes import status_override_request
from clients.models import VipPolicy
from core.models import Notification
from core.roles import Role
from managers.models import Assignment
from managers.services.reassignment import assignment_reassign_request
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_supervisor(db):
    return UserFactory(username="boss2", branch=None, role=Role.SUPERVISOR)


@pytest.fixture
def proposal(client_of_rm, colleague_rm, supervisor):
    return assignment_reassign_request(
        client=client_of_rm,
        to_rm=colleague_rm,
        reason="客户搬家",
        handover_note="偏好上午联系",
        by=supervisor,
    )


def _current_rm(client):
    return Assignment.objects.get(client=client, ended_at__isnull=True).rm


def test_a_proposed_reassignment_changes_nothing_until_a_second_supervisor_approves(
    proposal, client_of_rm, rm, colleague_rm, second_supervisor, django_capture_on_commit_callbacks
):
    assert proposal.status == ProposalStatus.PENDING
    assert _current_rm(client_of_rm) == rm
    services.proposal_approve(proposal_id=proposal.pk, by=second_supervisor)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert proposal.decided_by == second_supervisor
    assert _current_rm(client_of_rm) == colleague_rm
    new = Assignment.objects.get(client=client_of_rm, ended_at__isnull=True)
    assert new.reason == "客户搬家" and new.handover_note == "偏好上午联系"


def test_the_proposer_cannot_approve_or_reject_their_own(proposal, supervisor, client_of_rm, rm):
    with pytest.raises(ValidationError, match="own proposal"):
        services.proposal_approve(proposal_id=proposal.pk, by=supervisor)
    with pytest.raises(ValidationError, match="own proposal"):
        services.proposal_reject(proposal_id=proposal.pk, by=supervisor, note="no")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert _current_rm(client_of_rm) == rm


def test_a_rejection_needs_a_reason_and_tells_the_proposer(
    proposal, supervisor, second_supervisor, client_of_rm, rm, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.proposal_reject(proposal_id=proposal.pk, by=second_supervisor, note="  ")
    proposal.proposed_by.language = "en"  # told in their own language
    proposal.proposed_by.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_reject(
            proposal_id=proposal.pk, by=second_supervisor, note="客户未同意更换"
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.decision_note == "客户未同意更换"
    assert _current_rm(client_of_rm) == rm
    assert Notification.objects.filter(recipient=supervisor, title__startswith="Rejected").exists()


def test_a_decided_proposal_cannot_be_decided_again(proposal, second_supervisor, admin_user):
    services.proposal_approve(proposal_id=proposal.pk, by=second_supervisor)
    with pytest.raises(ValidationError, match="already"):
        services.proposal_approve(proposal_id=proposal.pk, by=admin_user)
    assert Assignment.objects.filter(client_id=proposal.payload["client_id"]).count() == 2


def test_approval_rechecks_the_change(proposal, second_supervisor, colleague_rm, client_of_rm):
    colleague_rm.status = "inactive"
    colleague_rm.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        services.proposal_approve(proposal_id=proposal.pk, by=second_supervisor)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_the_other_supervisors_are_asked_and_every_step_is_audited(
    client_of_rm, colleague_rm, supervisor, second_supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = assignment_reassign_request(
            client=client_of_rm, to_rm=colleague_rm, reason="r", handover_note="n", by=supervisor
        )
    assert Notification.objects.filter(recipient=second_supervisor).count() == 1
    assert not Notification.objects.filter(recipient=supervisor).exists()
    services.proposal_approve(proposal_id=proposal.pk, by=second_supervisor)
    events = set(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS).values_list(
            "changes_text", flat=True
        )
    )
    assert {"approvals.propose", "approvals.approve"} <= events


def test_an_administrator_can_switch_four_eyes_off_per_kind(client_of_rm, colleague_rm, supervisor):
    ApprovalSetting.objects.create(kind=ApprovalKind.RM_REASSIGNMENT, requires_approval=False)
    result = assignment_reassign_request(
        client=client_of_rm, to_rm=colleague_rm, reason="r", handover_note="n", by=supervisor
    )
    assert result is None
    assert not Proposal.objects.exists()
    assert _current_rm(client_of_rm) == colleague_rm


def test_the_proposer_may_withdraw_and_nobody_else(proposal, supervisor, second_supervisor):
    with pytest.raises(ValidationError):
        services.proposal_withdraw(proposal_id=proposal.pk, by=second_supervisor)
    services.proposal_withdraw(proposal_id=proposal.pk, by=supervisor)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN


def _policy_form(*, version: str, review_dates: str) -> dict[str, str]:
    """The policy page's form for a policy from tomorrow with the demo's other figures."""
    return {
        "version": version,
        "effective_from": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "personal_asset_threshold": "2000000.00",
        "corporate_asset_threshold": "6000000.00",
        "min_trades": "5",
        "activity_months": "3",
        "min_relationship_years": "1",
        "grace_days": "90",
        "asset_measure": "avg_previous_month",
        "average_days": "30",
        "review_dates": review_dates,
        "warning_drop_percent": "20",
        "warning_drop_days": "30",
        "warning_near_percent": "10",
        "warning_trades_days": "14",
        "reason": "年度调整",
    }


def test_a_policy_change_takes_effect_on_approval(supervisor, second_supervisor, login):
    http = login(supervisor)
    page = http.get(reverse("clients:policy"))
    assert page.status_code == 200
    data = _policy_form(version="2027-A", review_dates="06-30,12-31")
    response = http.post(reverse("clients:policy"), data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:detail", args=[proposal.pk])
    assert not VipPolicy.objects.filter(version="2027-A").exists()
    login(second_supervisor).post(reverse("approvals:approve", args=[proposal.pk]))
    policy = VipPolicy.objects.get(version="2027-A")
    assert policy.personal_asset_threshold == 2_000_000
    assert policy.review_days() == [(6, 30), (12, 31)]


def test_a_policy_for_a_past_day_or_bad_review_dates_is_refused(supervisor, login):
    response = login(supervisor).post(
        reverse("clients:policy"),
        {
            "version": "old",
            "effective_from": "2020-01-01",
            "review_dates": "02-30",
            "reason": "r",
        },
    )
    assert response.status_code == 200
    assert "today or later" in response.text
    assert "02-30 is not a day of the year" in response.text
    assert not Proposal.objects.exists()


def test_both_supervisors_see_the_pending_proposal_on_their_home_with_age(
    client_of_rm, colleague_rm, supervisor, second_supervisor, login
):
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=5)):
        assignment_reassign_request(
            client=client_of_rm, to_rm=colleague_rm, reason="r", handover_note="n", by=supervisor
        )
    mine = login(supervisor).get("/").text
    theirs = login(second_supervisor).get("/").text
    assert 'data-testid="widget-approvals"' in mine and client_of_rm.name in mine
    assert "mine, waiting for a second supervisor" in mine
    assert client_of_rm.name in theirs and "5\xa0hours" in theirs


def test_pages_are_for_supervisors_only(proposal, rm_user, branch_staff, feedback_user, login):
    for user in (rm_user, branch_staff, feedback_user):
        http = login(user)
        assert http.get(reverse("approvals:list")).status_code == 404
        assert http.get(reverse("approvals:detail", args=[proposal.pk])).status_code == 404
        assert http.post(reverse("approvals:approve", args=[proposal.pk])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_pages_answer_in_both_languages_and_approve_by_post(
    proposal, second_supervisor, login, django_assert_max_num_queries
):
    http = login(second_supervisor, language="zh-hans")
    with django_assert_max_num_queries(12):
        page = http.get(reverse("approvals:list"))
    assert page.status_code == 200 and "待审批" in page.text
    detail = http.get(reverse("approvals:detail", args=[proposal.pk]))
    assert "偏好上午联系" in detail.text
    http.post(reverse("approvals:reject", args=[proposal.pk]), {"note": ""})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    response = http.post(reverse("approvals:approve", args=[proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


def test_a_status_override_waits_for_a_second_supervisor(
    client_elsewhere, supervisor, second_supervisor
):
    ends = timezone.localdate() + datetime.timedelta(days=30)
    proposal = status_override_request(
        client=client_elsewhere, status="vip", reason="战略客户", ends_on=ends, by=supervisor
    )
    client_elsewhere.refresh_from_db()
    assert client_elsewhere.status == "standard" and not client_elsewhere.overrides.exists()
    services.proposal_approve(proposal_id=proposal.pk, by=second_supervisor)
    client_elsewhere.refresh_from_db()
    assert client_elsewhere.status == "vip"
    override = client_elsewhere.overrides.get()
    assert (override.created_by, override.ends_on, override.reason) == (
        supervisor,
        ends,
        "战略客户",
    )


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("zh-hans", "日均资产（上一自然月）"),
        ("en", "Average daily assets, previous calendar month"),
    ],
)
def test_the_approver_reads_a_policys_choices_by_their_labels(
    supervisor, second_supervisor, login, language, shown
):
    """The proposal page names the asset measure as the policy page does, in the reader's
    language, not the value stored in the proposal ("avg_previous_month")."""
    data = _policy_form(version="2027-B", review_dates="")
    login(supervisor).post(reverse("clients:policy"), data)
    proposal = Proposal.objects.get()

    page = login(second_supervisor, language=language).get(
        reverse("approvals:detail", args=[proposal.pk])
    )

    text = page.content.decode()
    assert shown in text
    assert "avg_previous_month" not in text
