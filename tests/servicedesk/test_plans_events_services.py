"""Wealth plans (allocation sums to exactly 100, suitability in the service, status flow) and
events (invitations by filter, event spend)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from clients.models import Client, VipStatus
from servicedesk.models import Invitation, PlanStatus, Rsvp, WealthPlan
from servicedesk.selectors import event_spend
from servicedesk.services import (
    event_create,
    event_invite,
    invitation_update,
    wealth_plan_create,
    wealth_plan_set_status,
    wealth_plan_update,
)
from tests.factories.clients import ClientFactory, VipClientFactory
from tests.factories.servicedesk import (
    EventFactory,
    InvitationFactory,
    ProductFactory,
    WealthPlanFactory,
)

pytestmark = pytest.mark.django_db


def _alloc(*percents):
    classes = ["cash", "fixed_income", "equity", "alternatives"]
    return [(classes[i], Decimal(p)) for i, p in enumerate(percents)]


@pytest.fixture
def r3_client(client_of_rm):
    Client.objects.filter(pk=client_of_rm.pk).update(risk_level="R3")
    client_of_rm.refresh_from_db()
    return client_of_rm


def _create(client, by, **kwargs):
    values = {
        "goals": "养老",
        "horizon_months": 60,
        "allocations": _alloc("40", "60"),
    } | kwargs
    return wealth_plan_create(client=client, by=by, **values)


def test_plan_defaults_to_client_risk_level_and_rm(r3_client, rm, rm_user):
    plan = _create(r3_client, rm_user)
    assert plan.risk_level == "R3"
    assert plan.rm == rm
    assert plan.status == PlanStatus.DRAFT
    assert sorted(plan.allocations.values_list("percent", flat=True)) == [
        Decimal("40"),
        Decimal("60"),
    ]


@pytest.mark.parametrize("percents", [("40", "59.99"), ("40", "60.01"), ("100", "0.01")])
def test_allocation_not_summing_to_exactly_100_is_refused(r3_client, rm_user, percents):
    with pytest.raises(ValidationError) as excinfo:
        _create(r3_client, rm_user, allocations=_alloc(*percents))
    assert "allocations" in excinfo.value.message_dict
    assert not WealthPlan.objects.exists()


def test_allocation_of_exactly_100_in_cents_is_accepted(r3_client, rm_user):
    plan = _create(r3_client, rm_user, allocations=_alloc("33.33", "33.33", "33.34"))
    assert plan.allocations.count() == 3


def test_repeated_asset_class_is_refused(r3_client, rm_user):
    with pytest.raises(ValidationError):
        _create(r3_client, rm_user, allocations=[("cash", Decimal("50")), ("cash", Decimal("50"))])


def test_product_at_client_risk_level_is_suitable(r3_client, rm_user):
    product = ProductFactory(code="MIX-1", risk_rating="R3")
    plan = _create(r3_client, rm_user, products=[product])
    assert list(plan.products.all()) == [product]


def test_product_one_level_above_client_is_refused_with_the_reason(r3_client, rm_user):
    product = ProductFactory(code="EQ-1", risk_rating="R4")
    with pytest.raises(ValidationError) as excinfo:
        _create(r3_client, rm_user, products=[product])
    (reason,) = excinfo.value.message_dict["products"]
    assert "R4" in reason and "R3" in reason
    assert not WealthPlan.objects.exists()


def test_suitability_reason_reads_in_chinese(r3_client, rm_user):

    product = ProductFactory(code="EQ-1", risk_rating="R4")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        _create(r3_client, rm_user, products=[product])
    assert "产品风险等级R4高于客户风险等级R3" in excinfo.value.message_dict["products"][0]


def test_plan_risk_level_above_client_is_refused(r3_client, rm_user):
    with pytest.raises(ValidationError) as excinfo:
        _create(r3_client, rm_user, risk_level="R4")
    assert "risk_level" in excinfo.value.message_dict


def test_update_enforces_suitability_too(r3_client, rm_user):
    plan = _create(r3_client, rm_user)
    with pytest.raises(ValidationError):
        wealth_plan_update(
            plan=plan,
            goals="x",
            horizon_months=12,
            risk_level="R3",
            allocations=_alloc("100"),
            products=[ProductFactory(code="PE-1", risk_rating="R5")],
        )
    plan.refresh_from_db()
    assert plan.goals == "养老"


def test_status_flow_draft_presented_accepted(r3_client, rm_user):
    plan = _create(r3_client, rm_user)
    plan = wealth_plan_set_status(plan=plan, status=PlanStatus.PRESENTED, by=rm_user)
    plan = wealth_plan_set_status(plan=plan, status=PlanStatus.ACCEPTED, by=rm_user)
    assert plan.status == PlanStatus.ACCEPTED
    for target in (PlanStatus.DRAFT, PlanStatus.DECLINED, PlanStatus.PRESENTED):
        with pytest.raises(ValidationError):
            wealth_plan_set_status(plan=plan, status=target, by=rm_user)
    with pytest.raises(ValidationError):
        wealth_plan_update(
            plan=plan, goals="x", horizon_months=1, risk_level="R1", allocations=_alloc("100")
        )


@pytest.mark.parametrize("target", [PlanStatus.ACCEPTED, PlanStatus.DECLINED, "archived"])
def test_draft_cannot_skip_presentation(r3_client, rm_user, target):
    plan = _create(r3_client, rm_user)
    with pytest.raises(ValidationError):
        wealth_plan_set_status(plan=plan, status=target, by=rm_user)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_presenting_rechecks_suitability_after_client_risk_level_drops(r3_client, rm_user):
    plan = _create(r3_client, rm_user, products=[ProductFactory(code="M", risk_rating="R3")])
    Client.objects.filter(pk=r3_client.pk).update(risk_level="R2")
    with pytest.raises(ValidationError):
        wealth_plan_set_status(plan=plan, status=PlanStatus.PRESENTED, by=rm_user)


def test_declined_plan_can_be_reworked(r3_client, rm_user):
    plan = WealthPlanFactory(client=r3_client, status=PlanStatus.PRESENTED)
    plan = wealth_plan_set_status(plan=plan, status=PlanStatus.DECLINED, by=rm_user)
    plan = wealth_plan_set_status(plan=plan, status=PlanStatus.DRAFT, by=rm_user)
    assert plan.status == PlanStatus.DRAFT


def test_invitations_by_filter_only_reach_matching_vips(branch, other_branch):
    golfer = VipClientFactory(branch=branch, interests="高尔夫, 红酒")
    VipClientFactory(branch=branch, interests="旅游")
    VipClientFactory(branch=other_branch, interests="高尔夫")
    ClientFactory(branch=branch, interests="高尔夫")  # not a VIP
    at_risk = VipClientFactory(branch=branch, interests="高尔夫", status=VipStatus.VIP_AT_RISK)
    event = EventFactory()
    added = event_invite(
        event=event, clients=Client.objects.all(), branch_id=branch.pk, interests="高尔夫"
    )
    assert added == 2
    assert set(event.invitations.values_list("client", flat=True)) == {golfer.pk, at_risk.pk}
    assert event_invite(event=event, clients=Client.objects.all(), interests="高尔夫") == 1
    assert (
        event_invite(
            event=event, clients=Client.objects.all(), interests="高尔夫", status=VipStatus.VIP
        )
        == 0
    )


def test_rsvp_and_attendance(client_of_rm):
    event = EventFactory(held_on=datetime.date(2026, 11, 1))
    event_invite(event=event, clients=Client.objects.all())
    invitation = Invitation.objects.get()
    invitation_update(invitation=invitation, rsvp=Rsvp.ACCEPTED, attended=True)
    invitation.refresh_from_db()
    assert (invitation.rsvp, invitation.attended) == (Rsvp.ACCEPTED, True)
    with pytest.raises(ValidationError):
        invitation_update(invitation=invitation, rsvp=Rsvp.DECLINED, attended=True)
    with pytest.raises(ValidationError):
        invitation_update(invitation=invitation, rsvp="maybe", attended=False)


def test_event_spend_sums_the_year(db):
    assert event_spend(year=2026) == Decimal("0.00")
    EventFactory(held_on=datetime.date(2026, 1, 1), cost=Decimal("1000.10"))
    EventFactory(held_on=datetime.date(2026, 12, 31), cost=Decimal("2500.05"))
    EventFactory(held_on=datetime.date(2025, 12, 31), cost=Decimal("9999.00"))
    EventFactory(held_on=datetime.date(2027, 1, 1), cost=Decimal("9999.00"))
    assert event_spend(year=2026) == Decimal("3500.15")


def test_event_cost_cannot_be_negative(db):
    with pytest.raises(ValidationError):
        event_create(title="x", held_on=datetime.date(2026, 1, 1), place="y", cost=Decimal("-1"))


@time_machine.travel(datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_attendance_is_refused_for_an_event_still_to_come(client_of_rm):
    invitation = InvitationFactory(
        client=client_of_rm, event=EventFactory(held_on=datetime.date(2026, 11, 29))
    )

    with pytest.raises(ValidationError) as error:
        invitation_update(invitation=invitation, rsvp=Rsvp.ACCEPTED, attended=True)

    assert "attended" in error.value.message_dict
    invitation.refresh_from_db()
    assert not invitation.attended
    invitation_update(invitation=invitation, rsvp=Rsvp.ACCEPTED, attended=False)
