import datetime
from decimal import Decimal

import factory

from servicedesk.models import (
    AnsweredBy,
    Callback,
    CallLog,
    CallTopic,
    Event,
    Invitation,
    PlanAllocation,
    Product,
    WealthPlan,
)
from tests.factories.clients import VipClientFactory
from tests.factories.core import UserFactory


class CallbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Callback

    client = factory.SubFactory(VipClientFactory)
    period = datetime.date(2026, 11, 1)
    due_on = datetime.date(2026, 11, 30)


class CallLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallLog

    phone = "13800138000"
    phone_normalized = "+8613800138000"
    client = factory.SubFactory(VipClientFactory)
    handled_by = factory.SubFactory(UserFactory)
    answered_by_kind = AnsweredBy.ON_CALL
    topic = CallTopic.ENQUIRY


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"理财产品{n}")
    risk_rating = "R3"


class WealthPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WealthPlan
        skip_postgeneration_save = True

    client = factory.SubFactory(VipClientFactory)
    goals = "退休养老规划"
    horizon_months = 60
    risk_level = "R3"

    @factory.post_generation
    def allocation(self, create, extracted, **kwargs):
        if create:
            PlanAllocation.objects.create(plan=self, asset_class="cash", percent=Decimal("100"))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"活动{n}")
    held_on = datetime.date(2026, 12, 10)
    place = "上海"
    cost = Decimal("1000.00")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    client = factory.SubFactory(VipClientFactory)
