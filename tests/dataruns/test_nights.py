"""Whole nights of the unattended intake (SPEC sections 2, 3 and 8): sets arriving in order, out
of order, late, incomplete, corrupt and duplicated, and the reclassification that follows the
data: once per business date, never before its set is in."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.models import Balance, Client, StatusChange, Trade, VipStatus
from core.background import STOPPED_AFTER
from core.models import Notification, User
from core.roles import Role
from dataruns.demo import demo_set_write
from dataruns.inbox import inbox_lock
from dataruns.models import IntakeOutcome, IntakeRun, NightRun, NightStatus
from programme.services import inbox_night
from programme.tasks import corebanking_intake, reclassify_vips
from tests.dataruns.conftest import D1, D2, NOW, drop_set, inbox
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return (
        UserFactory(username="sup", branch=None, role=Role.SUPERVISOR),
        UserFactory(username="adm", branch=None, role=Role.ADMINISTRATOR),
        UserFactory(username="rm1", role=Role.RELATIONSHIP_MANAGER),
    )


def _data_counts():
    return (Client.objects.count(), Balance.objects.count(), Trade.objects.count())


def test_sets_in_order_are_imported_in_order_archived_and_reclassified_once(night):
    drop_set(D1)
    drop_set(D2, balance="1300000.00")
    result = inbox_night(check_late=False)
    assert result["imported"] == [D1.isoformat(), D2.isoformat()]
    assert result["reclassified"] == D2.isoformat()
    assert Balance.objects.get(account__account_no="A001", as_of=D2).balance == 1_300_000
    assert Client.objects.get(client_no="C001").status == VipStatus.VIP
    assert StatusChange.objects.get().effective_on == D2
    run = NightRun.objects.get()
    assert (run.business_date, run.status, run.trigger) == (D2, NightStatus.DONE, "intake")
    assert not [p for p in inbox().iterdir() if p.is_file() and p.suffix in (".csv", ".json")]
    assert (inbox() / "archive" / "20261119" / "trades_20261119.csv").exists()
    files = IntakeRun.objects.get(business_date=D2).files.order_by("pk")
    assert [(f.kind, f.rows, f.rows_expected, f.ok) for f in files] == [
        ("clients", 2, 2, True),
        ("balances", 2, 2, True),
        ("trades", 5, 5, True),
    ]


def test_a_later_set_waits_behind_an_incomplete_earlier_one(night):
    drop_set(D1, only=("clients",))
    drop_set(D2)
    result = inbox_night(check_late=False)
    assert result["waiting"] == [D1.isoformat()] and result["imported"] == []
    assert _data_counts() == (0, 0, 0)
    drop_set(D1)  # the rest of D1 arrives
    assert inbox_night(check_late=False)["imported"] == [D1.isoformat(), D2.isoformat()]


def test_a_set_older_than_the_newest_imported_is_rejected(night, staff):
    drop_set(D2)
    inbox_night(check_late=False)
    before = _data_counts()
    drop_set(D1)
    result = inbox_night(check_late=False)
    assert result["rejected"] == [D1.isoformat()]
    assert _data_counts() == before
    assert "older than the newest imported" in IntakeRun.objects.get(business_date=D1).error


def test_an_incomplete_set_without_its_manifest_waits_and_changes_nothing(night):
    drop_set(D2, manifest=False)
    assert inbox_night(check_late=False)["waiting"] == [D2.isoformat()]
    assert _data_counts() == (0, 0, 0)
    assert not IntakeRun.objects.exists()


def test_a_corrupt_file_rejects_the_whole_set_with_a_report_and_an_alert(
    night, staff, django_capture_on_commit_callbacks
):
    drop_set(D2, corrupt="balances")
    with django_capture_on_commit_callbacks(execute=True):
        result = inbox_night(check_late=False)
    assert result["rejected"] == [D2.isoformat()] and result["reclassified"] is None
    assert _data_counts() == (0, 0, 0)
    run = IntakeRun.objects.get()
    assert run.outcome == IntakeOutcome.REJECTED and "SHA-256" in run.error
    folder = inbox() / run.moved_to
    assert (folder / "balances_20261119.csv").exists()
    assert "SHA-256" in (folder / "report.txt").read_text(encoding="utf-8")
    supervisor, admin, rm = staff
    alerted = set(Notification.objects.values_list("recipient__username", flat=True))
    assert alerted == {supervisor.username, admin.username}


def test_a_bad_row_in_the_last_file_leaves_the_first_files_unwritten(
    night, django_capture_on_commit_callbacks
):
    drop_set(D2, bad_trade=True)
    with django_capture_on_commit_callbacks(execute=True):
        inbox_night(check_late=False)
    assert _data_counts() == (0, 0, 0)
    run = IntakeRun.objects.get()
    trades = run.files.get(kind="trades")
    assert not trades.ok and "executed_at" in trades.errors
    assert "trades_20261119.csv" in (inbox() / run.moved_to / "report.txt").read_text()


def test_a_row_count_other_than_the_manifests_rejects_the_set(night):
    drop_set(D2, rows_off=1)
    inbox_night(check_late=False)
    assert _data_counts() == (0, 0, 0)
    assert "manifest announced 6" in IntakeRun.objects.get().files.get(kind="trades").errors


def test_the_same_set_twice_changes_nothing(night):
    drop_set(D2)
    inbox_night(check_late=False)
    before = (_data_counts(), StatusChange.objects.count(), NightRun.objects.count())
    drop_set(D2)
    result = inbox_night(check_late=False)
    assert result["duplicates"] == [D2.isoformat()] and result["reclassified"] is None
    assert (_data_counts(), StatusChange.objects.count(), NightRun.objects.count()) == before
    assert IntakeRun.objects.filter(outcome=IntakeOutcome.DUPLICATE).count() == 1


def test_the_reclassification_runs_once_per_business_date_and_then_waits_saying_so(night):
    drop_set(D2)
    inbox_night(check_late=False)
    outcome = reclassify_vips()
    assert outcome["ran"] is False
    assert "waits for the data set of a later business date" in outcome["message"]
    assert NightRun.objects.count() == 1


def test_the_two_oclock_run_waits_for_a_late_set_and_runs_when_it_comes(night):
    drop_set(D1)
    inbox_night(check_late=False)  # D1 in and reclassified
    night.move_to(NOW + datetime.timedelta(hours=1))  # 02:00, D2 not in
    assert reclassify_vips()["ran"] is False
    night.move_to(NOW + datetime.timedelta(hours=3))
    drop_set(D2)
    assert inbox_night(check_late=False)["reclassified"] == D2.isoformat()
    assert list(
        NightRun.objects.order_by("business_date").values_list("business_date", flat=True)
    ) == [D1, D2]


def test_a_set_missing_at_six_raises_data_late_once(night, staff):
    User.objects.update(language=User.Language.ENGLISH)  # each is told in their own language
    drop_set(D1)
    inbox_night(check_late=False)
    drop_set(D2, only=("clients",), manifest=False)
    night.move_to(NOW + datetime.timedelta(hours=5))  # 06:00
    corebanking_intake()
    corebanking_intake()  # a second beat: no second alert
    late = Notification.objects.filter(title__startswith="Data late")
    assert late.count() == 2  # the supervisor and the administrator, once each
    assert "balances_20261119.csv" in late.first().body


def test_two_intakes_at_once_do_not_both_take_the_inbox(night):
    drop_set(D2)
    with inbox_lock(inbox()):
        assert inbox_night(check_late=False)["busy"] is True
    assert _data_counts() == (0, 0, 0)


def test_a_set_for_a_business_date_still_to_come_waits_for_its_day(night):
    drop_set(datetime.date(2026, 11, 21))
    assert inbox_night(check_late=False)["waiting"] == ["2026-11-21"]
    assert _data_counts() == (0, 0, 0)
    night.move_to(NOW + datetime.timedelta(days=1))  # 01:00 on the 21st
    assert inbox_night(check_late=False)["imported"] == ["2026-11-21"]


def test_the_demo_set_is_taken_in_on_its_business_date(night):
    drop_set(D1)
    inbox_night(check_late=False)  # a bank to copy
    assert demo_set_write(inbox=inbox(), day=D2) is True
    assert demo_set_write(inbox=inbox(), day=D2) is False
    result = inbox_night(check_late=False)
    assert result["imported"] == [D2.isoformat()] and result["reclassified"] == D2.isoformat()


def test_the_runs_command_lists_files_rows_and_outcomes(night, capsys):
    drop_set(D2)
    drop_set(D1)
    inbox_night(check_late=False)
    call_command("corebanking_runs")
    out = capsys.readouterr().out
    assert "2026-11-19" in out and "trades_20261119.csv: 5/5" in out


def test_a_killed_run_is_completed_by_the_next_run_once_it_reads_stopped(night):
    drop_set(D2)
    inbox_night(check_late=False)
    # Its worker died mid-run: "running", and nobody holds its lock.
    NightRun.objects.update(status=NightStatus.RUNNING, heartbeat_at=timezone.now())
    # Silent for less than STOPPED_AFTER: it may be a worker of the release before (no lock).
    night.shift(STOPPED_AFTER - datetime.timedelta(seconds=5))
    assert reclassify_vips()["ran"] is False  # D2 has run: the next waits for a later set
    assert list(NightRun.objects.values_list("status", flat=True)) == [NightStatus.RUNNING]
    night.shift(datetime.timedelta(seconds=10))  # the data runs page says "Stopped" now
    corebanking_intake()  # the next nightly step, whichever it is
    assert list(NightRun.objects.values_list("status", flat=True)) == [NightStatus.DONE]


@pytest.mark.parametrize(
    "manifest",
    ['{"business_date": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000],
    ids=["huge-integer", "nested-too-deep"],
)
def test_a_manifest_json_cannot_hand_over_rejects_the_set_and_the_intake_goes_on(night, manifest):
    """Hostile JSON (an integer beyond Python's conversion limit, nesting beyond the recursion
    limit) is an unreadable manifest like any other, not a crash of the intake job."""
    paths = drop_set(D2)
    paths["manifest"].write_text(manifest, encoding="utf-8")

    result = inbox_night(check_late=False)

    assert result["rejected"] == [D2.isoformat()]
    run = IntakeRun.objects.get()
    assert run.outcome == IntakeOutcome.REJECTED and "manifest" in run.error.lower()
    assert _data_counts() == (0, 0, 0)
