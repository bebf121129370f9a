import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from clients.models import ClientKind
from tests.factories.clients import AccountFactory, BalanceFactory, ClientFactory, TradeFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def make_client(
    *,
    as_of: datetime.date,
    assets: Decimal | str = "1000000.00",
    trades: int = 5,
    trade_days: list | None = None,
    kind: str = ClientKind.PERSONAL,
    relationship_since: datetime.date = datetime.date(2020, 1, 1),
    good_standing: bool = True,
    **fields,
):
    """A client who, by default, just qualifies on ``as_of``: assets on the threshold, 5 trades
    a week before, a long relationship, good standing."""
    client = ClientFactory(
        kind=kind,
        relationship_since=relationship_since,
        good_standing=good_standing,
        **fields,
    )
    account = AccountFactory(client=client)
    BalanceFactory(
        account=account, as_of=as_of - datetime.timedelta(days=1), balance=Decimal(assets)
    )
    instants = (
        trade_days
        if trade_days is not None
        else [local(as_of - datetime.timedelta(days=7))] * trades
    )
    for instant in instants:
        TradeFactory(account=account, client=client, executed_at=instant)
    return client


@pytest.fixture
def qualifying():
    return make_client


@pytest.fixture(autouse=True)
def _english():
    """Services and commands speak the active language (Chinese by default); tests read English."""

    with translation.override("en"):
        yield
