import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.utils import translation

from analytics.models import KpiSnapshot
from analytics.services import kpi_snapshot_take, year_report
from analytics.tasks import snapshot_kpis
from managers.models import TrainingCourse, TrainingRecord
from tests.factories.analytics import CostEntryFactory
from tests.factories.managers import RelationshipManagerFactory


@pytest.fixture
def vips(history):
    base = [history([("2025-03-01", "standard", "vip")]) for _ in range(5)]
    base[0].status_changes.create(
        effective_on=datetime.date(2026, 4, 2), from_status="vip", to_status="standard"
    )
    history([("2026-02-02", "standard", "vip")])
    return base


def run_json(*args):
    out = StringIO()
    call_command("kpi_report", *args, stdout=out)
    return json.loads(out.getvalue())


@time_machine.travel(datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC))
def test_kpi_report_json_has_every_key_with_targets_and_exact_decimals(vips):
    data = run_json("--year", "2026", "--json")

    assert {
        "satisfaction_rate",
        "churn_rate",
        "churn_reduction",
        "new_vips",
        "budget_total",
        "actual_spend",
        "expected_return",
        "roi",
    } <= data.keys()
    # 1 of 5 lost = 20% = baseline → reduction 0; 1 new VIP.
    assert data["churn_rate"] == "0.2000"
    assert data["churn_reduction"] == "0.0000"
    assert data["new_vips"] == 1
    assert data["satisfaction_rate"] is None
    assert data["budget_total"] == "110000.00"
    # 1 × 30,000 + 5 × (0.20 − 0.20) × 30,000 = 30,000; / 110,000 = 0.27
    assert data["expected_return"] == "30000.00"
    assert data["roi"] == "0.27"
    assert data["satisfaction_rate_target"] == "0.9000"
    assert data["churn_reduction_target"] == "0.2000"
    assert data["new_vips_target"] == 20
    assert data["roi_target"] == "6.55"
    assert data["expected_return_target"] == "720000.00"
    assert "budget_total_target" not in data


@pytest.mark.parametrize("year", ["26", "abcd", "1999", "2999", ""])
def test_kpi_report_refuses_a_bad_year(db, year):
    with translation.override("en"), pytest.raises(CommandError, match="four-digit year"):
        call_command("kpi_report", "--year", year, stdout=StringIO())


def test_kpi_report_bad_year_exits_1_with_the_message_on_stderr(db, capsys):
    with translation.override("zh-hans"), pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "kpi_report", "--year", "20x6", "--json"])

    assert exit_info.value.code == 1
    assert "四位数字" in capsys.readouterr().err


def test_budget_actuals_come_from_training_records_events_and_entries(db):
    rm_a, rm_b = RelationshipManagerFactory(), RelationshipManagerFactory()
    course = TrainingCourse.objects.create(
        title="VIP service", held_on=datetime.date(2026, 3, 1), hours=8
    )
    TrainingRecord.objects.create(course=course, rm=rm_a)
    TrainingRecord.objects.create(course=course, rm=rm_b)
    TrainingRecord.objects.create(course=course, rm=RelationshipManagerFactory(), result="absent")
    old = TrainingCourse.objects.create(title="Old", held_on=datetime.date(2025, 3, 1), hours=8)
    TrainingRecord.objects.create(course=old, rm=rm_a)
    CostEntryFactory(amount=Decimal("12000.00"))
    CostEntryFactory(line="market_research", amount=Decimal("8000.50"))
    CostEntryFactory(line="other_costs", amount=Decimal("500.00"))
    CostEntryFactory(year=2025, spent_on=datetime.date(2025, 5, 1), amount=Decimal("99999.00"))

    figures = year_report(year=2026, today=datetime.date(2026, 11, 28))

    actual = {row.line: row.actual for row in figures.budget}
    # 2 attendees × 3,000 in 2026; a no-show is not charged.
    assert actual["training"] == Decimal("6000.00")
    assert actual["system_development"] == Decimal("12000.00")
    assert actual["market_research"] == Decimal("8000.50")
    assert actual["other_costs"] == Decimal("500.00")
    assert figures.actual_spend == Decimal("26500.50")


def test_snapshot_twice_on_one_day_keeps_one_row_with_the_latest_figures(vips, history):
    day = datetime.date(2026, 11, 28)
    first = kpi_snapshot_take(on=day)
    history([("2026-11-20", "standard", "vip")])

    second = kpi_snapshot_take(on=day)

    assert KpiSnapshot.objects.count() == 1
    assert first.pk == second.pk
    second.refresh_from_db()
    assert second.figures["new_vips"] == 2
    assert second.figures["roi"] == str(year_report(year=2026, today=day).roi)


def test_snapshot_task_takes_todays_snapshot(vips):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 19, 30, tzinfo=datetime.UTC)):
        snapshot_kpis()
        snapshot_kpis()

    # 19:30 UTC is 03:30 on 2 June in Shanghai.
    assert list(KpiSnapshot.objects.values_list("date", flat=True)) == [datetime.date(2026, 6, 2)]


def test_dashboard_figures_from_a_snapshot_match_a_full_live_computation(vips, history):
    kpi_snapshot_take(on=datetime.date(2026, 11, 3))
    history([("2026-11-20", "standard", "vip")])
    today = datetime.date(2026, 11, 28)

    quick = year_report(year=2026, today=today)
    live = year_report(year=2026, today=today, use_snapshot=False)

    for key in ("new_vips", "churned", "churn_rate", "roi", "vip_count", "satisfaction_rate"):
        assert getattr(quick, key) == getattr(live, key), key
    assert quick.months == live.months
