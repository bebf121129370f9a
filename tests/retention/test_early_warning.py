"""Keeping clients before they slip (SPEC section 4, issue 17): a VIP whose assets fell more than
20% over 30 days, who stands within 10% above a threshold, or whose 3-month trades will fall
below the minimum within 14 days gets a retention task for their RM with the reason and figures;
the RM closes it with an outcome; analytics counts warnings, tasks done and clients who stayed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clients.models import StatusChange, VipStatus
from retention.models import RetentionTask, TaskOutcome, WarningReason
from retention.selectors import warning_figures
from retention.services import retention_task_close, warnings_raise
from tests.clients.conftest import local
from tests.factories.clients import AccountFactory, BalanceFactory, TradeFactory, VipClientFactory
from tests.factories.managers import AssignmentFactory

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 11, 19)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _vip(rm, *, before: str, now: str, trade_days: list[int]):
    """A VIP of ``rm`` with a balance 30 days before D and on D, and trades ``n`` days before D."""
    client = VipClientFactory(branch=rm.branch)
    AssignmentFactory(client=client, rm=rm)
    account = AccountFactory(client=client)
    BalanceFactory(account=account, as_of=D - datetime.timedelta(days=30), balance=Decimal(before))
    BalanceFactory(account=account, as_of=D, balance=Decimal(now))
    for days in trade_days:
        TradeFactory(
            account=account, client=client, executed_at=local(D - datetime.timedelta(days=days))
        )
    return client


STEADY = [5, 10, 15, 20, 25, 30]  # six recent trades: no trade warning


def test_a_sharp_fall_raises_a_task_with_the_figures(rm):
    fell = _vip(rm, before="3000000.00", now="2300000.00", trade_days=STEADY)  # −23.3%
    _vip(rm, before="3000000.00", now="2400000.00", trade_days=STEADY)  # −20%: not more than 20
    assert warnings_raise(as_of=D) == 1
    task = RetentionTask.objects.get()
    assert (task.client, task.rm, task.reason) == (fell, rm, WarningReason.ASSETS_FELL)
    assert task.figures["before"] == "3000000.00" and task.figures["percent"] == "23.3"


def test_near_the_threshold_means_within_ten_percent_above_it(rm):
    near = _vip(rm, before="1099999.99", now="1099999.99", trade_days=STEADY)
    _vip(rm, before="1100000.00", now="1100000.00", trade_days=STEADY)
    warnings_raise(as_of=D)
    task = RetentionTask.objects.get()
    assert (task.client, task.reason) == (near, WarningReason.NEAR_THRESHOLD)
    assert task.figures["gap"] == "99999.99"


def test_trades_that_will_age_out_within_fourteen_days_raise_a_task(rm):
    # Five trades, two of them older than (D + 14 days) − 3 months: three would be left.
    lapsing = _vip(rm, before="5000000.00", now="5000000.00", trade_days=[80, 85, 5, 6, 7])
    _vip(rm, before="5000000.00", now="5000000.00", trade_days=[60, 61, 5, 6, 7])
    warnings_raise(as_of=D)
    task = RetentionTask.objects.get()
    assert (task.client, task.reason) == (lapsing, WarningReason.TRADES_LAPSE)
    assert (task.figures["now"], task.figures["kept"], task.figures["minimum"]) == (5, 3, 5)


def test_a_persisting_warning_raises_one_task_until_it_is_closed(rm, rm_user):
    _vip(rm, before="3000000.00", now="1500000.00", trade_days=STEADY)
    warnings_raise(as_of=D)
    assert warnings_raise(as_of=D + datetime.timedelta(days=1)) == 0
    task = RetentionTask.objects.get()
    retention_task_close(task_id=task.pk, outcome=TaskOutcome.PLAN_AGREED, note="n", by=rm_user)
    assert warnings_raise(as_of=D + datetime.timedelta(days=2)) == 1


def test_the_rm_sees_the_task_on_their_home_and_closes_it(rm, rm_user, colleague_rm, login):
    client = _vip(rm, before="3000000.00", now="1500000.00", trade_days=STEADY)
    warnings_raise(as_of=D)
    task = RetentionTask.objects.get()
    home = login(rm_user).get("/").text
    assert 'data-testid="widget-retention"' in home and client.name in home
    assert "Assets fell sharply" in home and "(−50.0%)" in home
    other = login(colleague_rm.user)
    assert client.name not in other.get("/").text
    assert (
        other.post(reverse("retention:close", args=[task.pk]), {"outcome": "retained"}).status_code
        == 404
    )
    http = login(rm_user)
    http.post(reverse("retention:close", args=[task.pk]), {"outcome": "bogus"})
    task.refresh_from_db()
    assert task.is_open
    http.post(reverse("retention:close", args=[task.pk]), {"outcome": "retained", "note": "已沟通"})
    task.refresh_from_db()
    assert (task.outcome, task.note, task.closed_by) == ("retained", "已沟通", rm_user)


def test_analytics_counts_warnings_tasks_done_and_clients_who_stayed(
    rm, rm_user, supervisor, login
):
    stayed = _vip(rm, before="3000000.00", now="1500000.00", trade_days=STEADY)
    left = _vip(rm, before="3000000.00", now="100.00", trade_days=STEADY)
    warnings_raise(as_of=D)
    retention_task_close(
        task_id=RetentionTask.objects.get(client=stayed).pk, outcome="retained", note="", by=rm_user
    )
    StatusChange.objects.create(
        client=left,
        effective_on=D + datetime.timedelta(days=40),
        from_status=VipStatus.VIP_AT_RISK,
        to_status=VipStatus.STANDARD,
    )
    figures = warning_figures(first=datetime.date(2026, 1, 1), last=datetime.date(2026, 12, 31))
    assert (figures.raised, figures.done, figures.stayed_vip) == (2, 1, 1)
    page = login(supervisor).get(reverse("analytics:dashboard") + "?year=2026")
    assert 'data-testid="early-warning"' in page.text
