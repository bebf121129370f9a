"""SPEC section 3, rule by rule at its boundaries, through the nightly run."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from clients.models import Client, ClientKind, StatusChange, VipStatus
from clients.qualification.explain import qualification_explain
from clients.qualification.reclassify import vip_statuses_reclassify
from core.dates import months_before, years_before
from tests.clients.conftest import local, make_client
from tests.factories.clients import AccountFactory, BalanceFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 5, 31)


def status_after_run(client, as_of=D) -> str:
    vip_statuses_reclassify(as_of=as_of)
    client.refresh_from_db()
    return client.status


def test_assets_equal_to_personal_threshold_qualify():
    assert status_after_run(make_client(as_of=D, assets="1000000.00")) == VipStatus.VIP


def test_assets_one_cent_below_personal_threshold_fail():
    assert status_after_run(make_client(as_of=D, assets="999999.99")) == VipStatus.STANDARD


def test_corporate_needs_five_million():
    below = make_client(as_of=D, assets="4999999.99", kind=ClientKind.CORPORATE)
    equal = make_client(as_of=D, assets="5000000.00", kind=ClientKind.CORPORATE)
    vip_statuses_reclassify(as_of=D)
    below.refresh_from_db()
    equal.refresh_from_db()
    assert below.status == VipStatus.STANDARD
    assert equal.status == VipStatus.VIP


def test_assets_sum_each_accounts_latest_balance_on_or_before_the_day():
    client = make_client(as_of=D, assets="400000.00")
    second = AccountFactory(client=client)
    BalanceFactory(account=second, as_of=D - datetime.timedelta(days=30), balance=Decimal("1"))
    BalanceFactory(account=second, as_of=D, balance=Decimal("600000.00"))
    # A balance after D does not count.
    BalanceFactory(account=second, as_of=D + datetime.timedelta(days=1), balance=Decimal("0"))
    assert status_after_run(client) == VipStatus.VIP
    assert StatusChange.objects.get(client=client).reasons["assets"]["value"] == "1000000.00"


def test_five_trades_qualify_four_do_not():
    five = make_client(as_of=D, trades=5)
    four = make_client(as_of=D, trades=4)
    vip_statuses_reclassify(as_of=D)
    five.refresh_from_db()
    four.refresh_from_db()
    assert (five.status, four.status) == (VipStatus.VIP, VipStatus.STANDARD)


def test_window_start_day_is_inclusive_and_the_day_before_excluded():
    # 31 May − 3 months = 28 Feb 2026 (clamped).
    start = datetime.date(2026, 2, 28)
    inside = make_client(
        as_of=D, trade_days=[local(D - datetime.timedelta(days=3))] * 4 + [local(start, 0, 0)]
    )
    outside = make_client(
        as_of=D,
        trade_days=[local(D - datetime.timedelta(days=3))] * 4
        + [local(start - datetime.timedelta(days=1), 23, 59)],
    )
    vip_statuses_reclassify(as_of=D)
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.status, outside.status) == (VipStatus.VIP, VipStatus.STANDARD)


def test_window_end_is_the_whole_local_day_d():
    last_minute = make_client(
        as_of=D, trade_days=[local(D - datetime.timedelta(days=3))] * 4 + [local(D, 23, 59)]
    )
    next_day = make_client(
        as_of=D,
        trade_days=[local(D - datetime.timedelta(days=3))] * 4
        + [local(D + datetime.timedelta(days=1), 0, 1)],
    )
    vip_statuses_reclassify(as_of=D)
    last_minute.refresh_from_db()
    next_day.refresh_from_db()
    assert (last_minute.status, next_day.status) == (VipStatus.VIP, VipStatus.STANDARD)


def test_trade_near_midnight_counts_by_shanghai_date_not_utc():
    # 2026-02-28 00:30 in Shanghai is still 27 Feb in UTC: it is inside the window.
    instant = local(datetime.date(2026, 2, 28), 0, 30)
    assert instant.astimezone(datetime.UTC).date() == datetime.date(2026, 2, 27)
    client = make_client(
        as_of=D, trade_days=[local(D - datetime.timedelta(days=3))] * 4 + [instant]
    )
    assert status_after_run(client) == VipStatus.VIP


def test_month_arithmetic_clamps_to_month_end():
    assert months_before(datetime.date(2026, 5, 31), 3) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2028, 5, 31), 3) == datetime.date(2028, 2, 29)
    assert months_before(datetime.date(2026, 3, 15), 3) == datetime.date(2025, 12, 15)
    assert years_before(datetime.date(2028, 2, 29), 1) == datetime.date(2027, 2, 28)


def test_leap_year_window_starts_on_29_february():
    day = datetime.date(2028, 5, 31)
    inside = make_client(
        as_of=day,
        trade_days=[local(day - datetime.timedelta(days=3))] * 4
        + [local(datetime.date(2028, 2, 29), 0, 0)],
    )
    outside = make_client(
        as_of=day,
        trade_days=[local(day - datetime.timedelta(days=3))] * 4
        + [local(datetime.date(2028, 2, 28), 23, 59)],
    )
    vip_statuses_reclassify(as_of=day)
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.status, outside.status) == (VipStatus.VIP, VipStatus.STANDARD)


def test_relationship_of_exactly_one_year_qualifies_one_day_less_does_not():
    exact = make_client(as_of=D, relationship_since=datetime.date(2025, 5, 31))
    short = make_client(as_of=D, relationship_since=datetime.date(2025, 6, 1))
    vip_statuses_reclassify(as_of=D)
    exact.refresh_from_db()
    short.refresh_from_db()
    assert (exact.status, short.status) == (VipStatus.VIP, VipStatus.STANDARD)


def test_relationship_on_29_february_counts_back_to_28_february():
    day = datetime.date(2028, 2, 29)
    on_28 = make_client(as_of=day, relationship_since=datetime.date(2027, 2, 28))
    on_1_march = make_client(as_of=day, relationship_since=datetime.date(2027, 3, 1))
    vip_statuses_reclassify(as_of=day)
    on_28.refresh_from_db()
    on_1_march.refresh_from_db()
    assert (on_28.status, on_1_march.status) == (VipStatus.VIP, VipStatus.STANDARD)


def test_not_in_good_standing_fails():
    assert status_after_run(make_client(as_of=D, good_standing=False)) == VipStatus.STANDARD


def test_becoming_vip_records_history_with_reasons_and_policy():
    client = make_client(as_of=D)
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert client.vip_since == D
    change = StatusChange.objects.get(client=client)
    assert (change.from_status, change.to_status, change.effective_on) == ("standard", "vip", D)
    assert change.policy.version == "2026.1"
    assert change.reasons["assets"] == {
        "value": "1000000.00",
        "threshold": "1000000.00",
        "passed": True,
    }
    assert change.reasons["trades"]["value"] == 5
    assert change.reasons["trades"]["passed"] is True
    assert change.reasons["relationship"]["threshold"] == "2025-05-31"
    assert change.reasons["good_standing"]["passed"] is True
    assert change.reasons["policy"] == "2026.1"


def test_second_run_for_the_same_day_changes_nothing():
    make_client(as_of=D)
    make_client(as_of=D, assets="10")
    vip = make_client(
        as_of=D, assets="10", status=VipStatus.VIP, vip_since=datetime.date(2025, 1, 1)
    )
    first = vip_statuses_reclassify(as_of=D)
    snapshot = list(
        Client.objects.values_list("pk", "status", "vip_since", "at_risk_since", "total_assets")
    )
    second = vip_statuses_reclassify(as_of=D)
    assert first.changes == 2
    assert second.changes == 0
    assert StatusChange.objects.count() == 2
    assert (
        list(
            Client.objects.values_list("pk", "status", "vip_since", "at_risk_since", "total_assets")
        )
        == snapshot
    )
    vip.refresh_from_db()
    assert vip.status == VipStatus.VIP_AT_RISK


def test_result_counts_clients_by_status():
    make_client(as_of=D)
    make_client(as_of=D, assets="1")
    result = vip_statuses_reclassify(as_of=D)
    assert result.counts == {"standard": 1, "vip": 1, "vip_at_risk": 0}
    assert result.changes == 1
    assert result.transitions == {("standard", "vip"): 1}


def test_explain_gives_value_threshold_and_gap():
    client = make_client(
        as_of=D, assets="950000.00", trades=3, relationship_since=datetime.date(2025, 7, 15)
    )
    with translation.override("en"):
        criteria = {c.key: c for c in qualification_explain(client=client, as_of=D)}
    assert criteria["assets"].value == Decimal("950000.00")
    assert criteria["assets"].passed is False
    assert criteria["assets"].gap == "needs ¥50,000.00 more"
    assert criteria["trades"].gap == "needs 2 more trades"
    assert criteria["relationship"].gap == "needs 45 more days"
    assert criteria["good_standing"].passed is True


def test_history_reasons_hold_every_criterion_for_an_upgrade():
    client = make_client(
        as_of=D, assets="1234567.05", relationship_since=datetime.date(2024, 2, 29)
    )
    vip_statuses_reclassify(as_of=D)
    change = StatusChange.objects.get(client=client)
    assert change.reasons == {
        "assets": {"value": "1234567.05", "threshold": "1000000.00", "passed": True},
        "trades": {"value": 5, "threshold": 5, "passed": True, "window_from": "2026-02-28"},
        "relationship": {"value": "2024-02-29", "threshold": "2025-05-31", "passed": True},
        "good_standing": {"value": True, "threshold": True, "passed": True},
        "qualifies": True,
        "policy": "2026.1",
        "override": None,
    }


def test_history_reasons_of_a_downgrade_show_what_failed_and_the_full_trade_count():
    client = make_client(
        as_of=D,
        assets="-12.30",
        trades=7,
        kind=ClientKind.CORPORATE,
        good_standing=False,
        status=VipStatus.VIP,
        vip_since=datetime.date(2025, 1, 1),
    )
    vip_statuses_reclassify(as_of=D)
    change = StatusChange.objects.get(client=client)
    assert (change.from_status, change.to_status) == ("vip", "vip_at_risk")
    assert change.reasons["assets"] == {
        "value": "-12.30",
        "threshold": "5000000.00",
        "passed": False,
    }
    assert change.reasons["trades"]["value"] == 7
    assert change.reasons["good_standing"] == {"value": False, "threshold": True, "passed": False}
    assert change.reasons["qualifies"] is False
