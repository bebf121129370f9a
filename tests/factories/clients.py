import datetime
from decimal import Decimal

import factory

from clients.models import Account, Balance, Client, ClientKind, Trade, VipStatus
from tests.factories.core import BranchFactory


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    client_no = factory.Sequence(lambda n: f"C{n:08d}")
    name = factory.Faker("name", locale="zh_CN")
    kind = ClientKind.PERSONAL
    id_number = factory.Sequence(lambda n: f"310101198001{n:06d}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.LazyAttribute(lambda c: f"{c.client_no.lower()}@mail.example")
    branch = factory.SubFactory(BranchFactory)
    relationship_since = datetime.date(2020, 1, 1)
    good_standing = True
    status = VipStatus.STANDARD


class VipClientFactory(ClientFactory):
    status = VipStatus.VIP
    vip_since = datetime.date(2026, 1, 1)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    account_no = factory.Sequence(lambda n: f"6222{n:012d}")
    client = factory.SubFactory(ClientFactory)


class BalanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Balance

    account = factory.SubFactory(AccountFactory)
    as_of = datetime.date(2026, 11, 1)
    balance = Decimal("1000000.00")


class TradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trade

    trade_id = factory.Sequence(lambda n: f"T{n:010d}")
    account = factory.SubFactory(AccountFactory)
    client = factory.LazyAttribute(lambda t: t.account.client)
    executed_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 11, 1, 10, 0, tzinfo=datetime.UTC)
    )
    amount = Decimal("10000.00")
