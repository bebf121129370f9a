"""The demo seeder: realistic service history, idempotent."""

import datetime
import random

import pytest

from clients.models import VipStatus
from servicedesk.demo import seed
from servicedesk.models import (
    AnsweredBy,
    Callback,
    CallLog,
    Event,
    Invitation,
    PlanStatus,
    Product,
    WealthPlan,
)
from tests.factories.clients import VipClientFactory
from tests.factories.core import UserFactory
from tests.factories.managers import AssignmentFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def _counts():
    return [m.objects.count() for m in (Product, Callback, WealthPlan, Event, Invitation, CallLog)]


def test_demo_seeds_history_and_a_second_run_changes_nothing(rm, branch):
    UserFactory(username="rm")
    for n in range(20):
        client = VipClientFactory(
            branch=branch,
            risk_level=["R1", "R2", "R3", "R4", "R5"][n % 5],
            status=VipStatus.VIP if n % 4 else VipStatus.VIP_AT_RISK,
        )
        AssignmentFactory(client=client, rm=rm)
    seed(rng=random.Random(7), today=TODAY)
    first = _counts()
    assert Product.objects.values("risk_rating").distinct().count() == 5
    assert Callback.objects.count() == 20 * 6
    assert Callback.objects.completed().filter(satisfaction_score__gte=3).exists()
    assert Callback.objects.overdue(today=TODAY).exists()
    assert Callback.objects.filter(outcome="not_reached").exists()
    assert set(WealthPlan.objects.values_list("status", flat=True)) == set(PlanStatus.values)
    assert CallLog.objects.filter(answered_by_kind=AnsweredBy.UNCOVERED).count() == 1
    assert Event.objects.count() == 3
    assert Invitation.objects.filter(attended=True, event__held_on__lt=TODAY).exists()
    for plan in WealthPlan.objects.prefetch_related("products"):
        assert sum(a.percent for a in plan.allocations.all()) == 100
        for product in plan.products.all():
            assert product.risk_rating <= plan.client.risk_level
    seed(rng=random.Random(8), today=TODAY)
    assert _counts() == first


def test_demo_with_no_clients_still_seeds_catalogue_and_events(db):
    seed(rng=random.Random(1), today=TODAY)
    assert Product.objects.count() == 10
    assert Event.objects.count() == 3
    assert not CallLog.objects.exists()  # calls come with the clients, on a later run
