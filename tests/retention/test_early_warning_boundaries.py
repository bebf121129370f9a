"""The early warning's boundaries (SPEC section 4, issue 17), pinned before and after it became
set-based: a fall of exactly the policy's percentage raises nothing, a cent more does; assets
exactly on the threshold are near it, exactly on the margin are not; trades exactly at the
minimum on the horizon are kept. One open task per client and reason; the measure is the
policy's (latest balance or average daily assets), the same the dossier shows; the number of
queries does not grow with the number of VIPs."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import AssetMeasure, Client, ClientKind, VipPolicy
from clients.qualification.measures import clients_measure
from clients.qualification.window import Window
from retention.models import RetentionTask, WarningReason
from retention.services import warnings_raise
from tests.clients.conftest import local
from tests.factories.clients import AccountFactory, BalanceFactory, TradeFactory, VipClientFactory
from tests.factories.managers import AssignmentFactory

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 11, 19)
STEADY = [5, 10, 15, 20, 25, 30]  # six recent trades: no trade warning
# The horizon is D + 14 days = 3 December; three months before it, the window starts on
# 3 September: a trade from that local midnight on is still in the window on the horizon.
KEPT_FROM = datetime.date(2026, 9, 3)


def _vip(rm=None, *, before="5000000.00", now="5000000.00", trades=None, kind=ClientKind.PERSONAL):
    """A VIP (of ``rm``, or without an RM) with a balance 30 days before D and on D, and trades
    at the given local instants (default: six recent ones)."""
    client = VipClientFactory(kind=kind, **({"branch": rm.branch} if rm else {}))
    if rm:
        AssignmentFactory(client=client, rm=rm)
    account = AccountFactory(client=client)
    BalanceFactory(account=account, as_of=D - datetime.timedelta(days=30), balance=Decimal(before))
    BalanceFactory(account=account, as_of=D, balance=Decimal(now))
    for instant in trades or [local(D - datetime.timedelta(days=n)) for n in STEADY]:
        TradeFactory(account=account, client=client, executed_at=instant)
    return client


def _raised() -> set[tuple[int, str]]:
    return set(RetentionTask.objects.values_list("client_id", "reason"))


def test_a_fall_of_exactly_the_percentage_raises_nothing_a_cent_more_does(rm):
    exactly = _vip(rm, before="3000000.00", now="2400000.00")  # −20.000%
    over = _vip(rm, before="3000000.00", now="2399999.99")  # −20.0000003%
    assert warnings_raise(as_of=D) == 1
    assert _raised() == {(over.pk, WarningReason.ASSETS_FELL)}
    task = RetentionTask.objects.get()
    assert task.figures == {
        "before": "3000000.00",
        "now": "2399999.99",
        "percent": "20.0",
        "days": 30,
    }
    assert exactly.pk not in {pk for pk, _ in _raised()}


def test_no_fall_is_measured_without_assets_before(rm):
    _vip(rm, before="0.00", now="2000000.00")
    assert warnings_raise(as_of=D) == 0


def test_near_means_from_the_threshold_itself_up_to_the_margin_excluded(rm):
    on_threshold = _vip(rm, before="1000000.00", now="1000000.00")
    below = _vip(rm, before="999999.99", now="999999.99")
    on_margin = _vip(rm, before="1100000.00", now="1100000.00")
    corporate = _vip(rm, before="5499999.99", now="5499999.99", kind=ClientKind.CORPORATE)
    assert warnings_raise(as_of=D) == 2
    assert _raised() == {
        (on_threshold.pk, WarningReason.NEAR_THRESHOLD),
        (corporate.pk, WarningReason.NEAR_THRESHOLD),
    }
    assert {below.pk, on_margin.pk}.isdisjoint(pk for pk, _ in _raised())
    figures = RetentionTask.objects.get(client=corporate).figures
    assert figures == {"now": "5499999.99", "threshold": "5000000.00", "gap": "499999.99"}


def test_trades_lapse_when_fewer_than_the_minimum_are_left_on_the_horizon(rm):
    recent = [local(D - datetime.timedelta(days=n)) for n in (1, 2, 3, 4)]
    edge = local(KEPT_FROM, 0, 0)  # still in the window on the horizon
    just_out = local(KEPT_FROM - datetime.timedelta(days=1), 23, 59)
    kept = _vip(rm, trades=[edge, *recent])  # five trades, five kept: the minimum
    lapsing = _vip(rm, trades=[just_out, *recent])  # five trades, four kept
    already_below = _vip(rm, trades=recent)  # four trades: no longer a VIP's trades to keep
    assert warnings_raise(as_of=D) == 1
    assert _raised() == {(lapsing.pk, WarningReason.TRADES_LAPSE)}
    figures = RetentionTask.objects.get().figures
    assert figures == {"now": 5, "kept": 4, "minimum": 5, "days": 14}
    assert {kept.pk, already_below.pk}.isdisjoint(pk for pk, _ in _raised())


def test_an_open_task_is_not_raised_again_a_closed_one_allows_a_new_one(rm):
    client = _vip(rm, before="3000000.00", now="1000500.00")  # fell, and near the threshold
    assert warnings_raise(as_of=D) == 2
    assert warnings_raise(as_of=D) == 0  # the same night again
    RetentionTask.objects.filter(reason=WarningReason.ASSETS_FELL).update(
        closed_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC), outcome="retained"
    )
    later = D + datetime.timedelta(days=1)
    assert warnings_raise(as_of=later) == 1
    assert list(
        RetentionTask.objects.filter(client=client, closed_at__isnull=True)
        .order_by("reason")
        .values_list("reason", "raised_on")
    ) == [(WarningReason.ASSETS_FELL, later), (WarningReason.NEAR_THRESHOLD, D)]


def test_a_vip_without_an_rm_gets_a_task_without_one(rm):
    orphan = _vip(before="3000000.00", now="1500000.00")
    assert warnings_raise(as_of=D) == 1
    task = RetentionTask.objects.get()
    assert (task.client, task.rm, task.reason) == (orphan, None, WarningReason.ASSETS_FELL)


def _figures_now(client) -> str:
    """The client's assets on D as the dossier measures them."""
    window = Window.for_day(D, VipPolicy.in_force_on(D))
    return f"{clients_measure(client_ids=[client.pk], window=window)[client.pk].assets:.2f}"


def test_the_latest_balance_is_summed_over_accounts_as_the_dossier_measures(rm):
    client = _vip(rm, before="600000.00", now="600000.00")
    BalanceFactory(account=AccountFactory(client=client), as_of=D, balance=Decimal("450000.01"))
    warnings_raise(as_of=D)
    task = RetentionTask.objects.get()
    assert task.reason == WarningReason.NEAR_THRESHOLD
    assert task.figures["now"] == "1050000.01" == _figures_now(client)


def test_under_average_daily_assets_the_warning_measures_the_average(rm):
    VipPolicy.objects.update(asset_measure=AssetMeasure.LAST_DAYS, average_days=30)
    # 1,000,000 carried in for 29 days, 1,150,000 on D: average 1,005,000, near the threshold;
    # the latest balance (1,150,000) is past the margin.
    client = _vip(rm, before="1000000.00", now="1150000.00")
    warnings_raise(as_of=D)
    task = RetentionTask.objects.get()
    assert task.reason == WarningReason.NEAR_THRESHOLD
    assert task.figures["now"] == "1005000.00" == _figures_now(client)


def test_the_number_of_queries_does_not_grow_with_the_vips(rm):
    def queries_for(vips: int) -> int:
        while Client.objects.count() < vips:
            _vip(rm, before="1050000.00", now="1050000.00")  # near the threshold
        RetentionTask.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            assert warnings_raise(as_of=D) == vips
        return len(captured.captured_queries)

    assert queries_for(10) == queries_for(200)
