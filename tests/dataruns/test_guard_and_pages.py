"""``reclassify_vips --as-of`` cannot hurt live data (SPEC section 3, issues 11 and 17); the data
runs page and a supervisor's forced run with a reason."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from clients.models import Client, StatusChange, VipStatus
from dataruns.models import NightRun, NightStatus, NightTrigger
from dataruns.services import inbox_take, night_run_claim
from programme.services import inbox_night, night_run_execute
from tests.dataruns.conftest import D1, D2, drop_set

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("reclassify_vips", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported_d1(night):
    drop_set(D1)
    inbox_night(check_late=False)  # D1 in, reclassified for D1


def test_a_date_in_the_future_is_refused(night):
    with pytest.raises(CommandError, match="in the future"):
        _run("--as-of", "2026-11-21")
    assert not NightRun.objects.exists()


def test_a_date_after_the_newest_imported_business_date_is_refused(imported_d1):
    with pytest.raises(CommandError, match="after the newest imported business date"):
        _run("--as-of", D2.isoformat())
    assert NightRun.objects.count() == 1


def test_a_date_before_the_last_run_is_refused(imported_d1):
    with pytest.raises(CommandError, match="before the last run"):
        _run("--as-of", "2026-11-01")


def test_a_dry_run_writes_nothing_and_prints_what_would_change(night):
    drop_set(D1)
    inbox_take()  # imported, not reclassified
    out = _run("--as-of", D1.isoformat(), "--dry-run")
    assert "nothing was written" in out
    assert "C001: standard → vip" in out
    assert Client.objects.get(client_no="C001").status == VipStatus.STANDARD
    assert not StatusChange.objects.exists() and not NightRun.objects.exists()


def test_a_dry_run_of_a_refused_date_says_so_and_writes_nothing(imported_d1):
    out = _run("--as-of", "2026-11-01", "--dry-run")
    assert "would be refused" in out
    assert NightRun.objects.count() == 1


def test_the_command_runs_the_due_date_once(imported_d1):
    out = _run()
    assert "waits for the data set of a later business date" in out


def test_the_data_runs_page_is_for_supervisors(
    imported_d1, supervisor, rm_user, branch_staff, login, django_assert_max_num_queries
):
    for user in (rm_user, branch_staff):
        assert login(user).get(reverse("dataruns:list")).status_code == 404
        assert login(user).post(reverse("programme:night_force"), {}).status_code == 404
    http = login(supervisor)
    with django_assert_max_num_queries(16):
        page = http.get(reverse("dataruns:list"))
    assert page.status_code == 200
    assert "clients_20261118.csv" in page.text
    assert "waits for the data set of a later business date" in page.text


def test_a_supervisor_forces_a_late_run_with_a_reason(
    imported_d1, supervisor, login, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    http = login(supervisor)
    response = http.post(
        reverse("programme:night_force"), {"business_date": D2.isoformat(), "reason": ""}
    )
    assert response.status_code == 302 and NightRun.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        http.post(
            reverse("programme:night_force"),
            {"business_date": D2.isoformat(), "reason": "核心系统延迟"},
        )
    forced = NightRun.objects.get(business_date=D2)
    assert forced.trigger == "forced" and forced.requested_by == supervisor
    assert forced.status == NightStatus.DONE and not forced.on_imported_data
    page = http.get(reverse("dataruns:list")).text
    assert "核心系统延迟" in page
    # The forced run does not stop D2's own run when its set arrives.
    drop_set(D2)
    assert inbox_night(check_late=False)["reclassified"] == D2.isoformat()


def test_forcing_a_future_date_is_refused(imported_d1, supervisor, login):
    response = login(supervisor).post(
        reverse("programme:night_force"),
        {"business_date": "2026-12-01", "reason": "r"},
        follow=True,
    )
    assert "in the future" in response.text
    assert NightRun.objects.count() == 1


def test_a_set_arriving_after_a_later_forced_run_is_imported_without_going_back(
    imported_d1, supervisor
):
    later = datetime.date(2026, 11, 20)
    run = night_run_claim(
        day=later, trigger=NightTrigger.FORCED, requested_by=supervisor, reason="late"
    )
    night_run_execute(run_id=run.pk)
    drop_set(D2)
    result = inbox_night(check_late=False)
    assert result["imported"] == [D2.isoformat()] and result["reclassified"] is None
    assert "before the last run" in result["refused"]


def test_a_forced_run_no_worker_started_says_the_worker_may_not_be_running(
    imported_d1, supervisor, login
):
    run = NightRun.objects.create(
        business_date=D2,
        trigger=NightTrigger.FORCED,
        on_imported_data=False,
        requested_by=supervisor,
        reason="late set",
    )
    http = login(supervisor)
    assert 'data-testid="worker-not-started"' not in http.get(reverse("dataruns:list")).text
    NightRun.objects.filter(pk=run.pk).update(
        requested_at=run.requested_at - datetime.timedelta(minutes=2)
    )
    page = http.get(reverse("dataruns:list")).text
    assert 'data-testid="worker-not-started"' in page and "The run has not started." in page
