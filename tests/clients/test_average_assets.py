"""Tiers as banks set them (SPEC section 3, issue 17): average daily assets (日均资产) over the
previous calendar month or the last N days, each day's balance carried forward, days before an
account's first balance counted as zero; the nightly SQL and the dossier's explanation agree."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import AssetMeasure, Client, StatusChange, VipPolicy, VipStatus
from clients.qualification.explain import qualification_explain
from clients.qualification.reclassify import vip_statuses_reclassify
from tests.clients.conftest import local
from tests.factories.clients import AccountFactory, BalanceFactory, ClientFactory, TradeFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def monthly(db):
    VipPolicy.objects.all().delete()
    return VipPolicy.objects.create(
        version="ADB-M",
        effective_from=D(2000, 1, 1),
        personal_asset_threshold=Decimal("1500000.00"),
        asset_measure=AssetMeasure.PREVIOUS_MONTH,
    )


def _client(balances: dict, *, day: D, accounts: int = 1):
    """A client passing every criterion but assets, with ``{as_of: balance}`` per account."""
    client = ClientFactory(relationship_since=D(2010, 1, 1), good_standing=True)
    for n in range(accounts):
        account = AccountFactory(client=client)
        for as_of, balance in balances.items():
            BalanceFactory(account=account, as_of=as_of, balance=Decimal(balance))
        if n == 0:
            for _ in range(5):
                TradeFactory(
                    account=account,
                    client=client,
                    executed_at=local(day - datetime.timedelta(days=3)),
                )
    return client


def _assets(client, day):
    return next(c for c in qualification_explain(client=client, as_of=day) if c.key == "assets")


@pytest.mark.parametrize(
    ("day", "days"),
    [(D(2026, 3, 15), 28), (D(2024, 3, 10), 29), (D(2026, 5, 1), 30), (D(2026, 8, 20), 31)],
)
def test_the_previous_month_has_its_own_number_of_days(monthly, day, days):
    client = _client({D(2020, 1, 1): "1500000.00"}, day=day)
    assets = _assets(client, day)
    assert assets.value == Decimal("1500000.00") and assets.passed
    assert f"({days} days; a balance known on {days} of them" in assets.label


def test_an_account_opened_mid_month_counts_zero_before_its_first_balance(monthly):
    day = D(2026, 8, 20)  # July: 31 days; a balance from 17 July covers 15 of them
    on_threshold = _client({D(2026, 7, 17): "3100000.00"}, day=day)
    a_cent_short = _client({D(2026, 7, 17): "3099999.99"}, day=day)
    assert _assets(on_threshold, day).value == Decimal("1500000.00")
    assert _assets(on_threshold, day).passed
    assert "a balance known on 15 of them" in _assets(on_threshold, day).label
    assert not _assets(a_cent_short, day).passed
    vip_statuses_reclassify(as_of=day)
    assert Client.objects.get(pk=on_threshold.pk).status == VipStatus.VIP
    assert Client.objects.get(pk=a_cent_short.pk).status == VipStatus.STANDARD


def test_each_day_carries_the_last_known_balance_forward(monthly):
    day = D(2026, 8, 1)
    client = _client(
        {D(2026, 6, 30): "1000000.00", D(2026, 7, 11): "2000000.00", D(2026, 8, 1): "9.00"},
        day=day,
        accounts=2,
    )
    # Per account: 10 days at 1M and 21 at 2M over 31 days; two such accounts.
    expected = (Decimal(10 * 1_000_000 + 21 * 2_000_000) * 2 / 31).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )
    assert _assets(client, day).value == expected
    vip_statuses_reclassify(as_of=day)
    change = StatusChange.objects.get(client=client)
    assert change.reasons["assets"]["value"] == f"{expected:.2f}"


def test_the_last_n_days_end_on_the_business_date(db):
    VipPolicy.objects.all().delete()
    VipPolicy.objects.create(
        version="ADB-10",
        effective_from=D(2000, 1, 1),
        asset_measure=AssetMeasure.LAST_DAYS,
        average_days=10,
    )
    day = D(2026, 11, 19)  # 10 to 19 November
    client = _client({D(2026, 10, 1): "500000.00", D(2026, 11, 15): "1700000.00"}, day=day)
    # 5 days at 500k (10–14), 5 at 1.7M (15–19): exactly the 1M threshold.
    assert _assets(client, day).value == Decimal("1100000.00")
    assert _assets(client, day).passed


def test_the_nightly_rule_and_the_explanation_agree_around_the_boundary(monthly):
    day = D(2026, 3, 15)  # February 2026, 28 days
    clients = [
        _client({D(2026, 2, 1) + datetime.timedelta(days=offset): amount}, day=day)
        for offset in (0, 7, 14)
        for amount in ("1500000.00", "3000000.00", "6000000.00")
    ]
    vip_statuses_reclassify(as_of=day)
    for client in clients:
        client.refresh_from_db()
        assert (client.status == VipStatus.VIP) == _assets(client, day).passed, client


def test_the_latest_balance_rule_is_unchanged_by_default(db):
    day = D(2026, 11, 19)
    client = _client({D(2026, 11, 18): "1000000.00"}, day=day)
    assert _assets(client, day).label == "Total assets" and _assets(client, day).passed


def test_the_dossier_explains_the_average_with_the_days_counted(monthly, supervisor, login):
    day = datetime.date.today()
    client = _client({day - datetime.timedelta(days=400): "2000000.00"}, day=day)
    page = login(supervisor).get(reverse("clients:detail", args=[client.pk]))
    assert "Average daily assets" in page.text and "days; a balance known on" in page.text
