import datetime
from decimal import Decimal

import factory

from analytics.models import BudgetLineKind, CostEntry
from clients.models import StatusChange


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    client = factory.SubFactory("tests.factories.clients.ClientFactory")
    effective_on = datetime.date(2026, 3, 1)
    from_status = "standard"
    to_status = "vip"


class CostEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostEntry

    year = 2026
    line = BudgetLineKind.SYSTEM_DEVELOPMENT
    spent_on = datetime.date(2026, 3, 15)
    amount = Decimal("12000.00")
    description = "CRM integration"
