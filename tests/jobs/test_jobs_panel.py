"""SPEC section 8 / issue 11: supervisors and administrators see each job's last success, and a
job overdue by more than one period raises an alert on the jobs panel and the supervisor's home,
computed when the page is read (a dead worker writes nothing, yet the alert appears)."""

import datetime as dt
import re

import pytest
import time_machine

from core.jobstatus import jobs_status
from core.models import JobRun
from vipservice.schedule import JOBS, SHANGHAI

pytestmark = pytest.mark.django_db

SWEEP = JOBS["feedback-sla-sweep"]
LAST = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def every_job_ran_at_ten():
    for spec in JOBS.values():
        start = spec.period_start(LAST)
        JobRun.objects.create(
            job=spec.name,
            period=spec.key(start),
            period_start=start,
            started_at=LAST,
            finished_at=LAST,
            outcome="succeeded",
        )


def _state(now):
    return {s.spec.name: (s.overdue, s.missed_since is not None) for s in jobs_status(now=now)}


def test_a_job_is_late_after_its_next_period_and_overdue_a_period_later(every_job_ran_at_ten):
    assert _state(LAST + dt.timedelta(minutes=6))["feedback-sla-sweep"] == (False, False)
    assert _state(LAST + dt.timedelta(minutes=7))["feedback-sla-sweep"] == (False, True)
    assert _state(LAST + dt.timedelta(minutes=9, seconds=59))["feedback-sla-sweep"] == (False, True)
    assert _state(LAST + dt.timedelta(minutes=10))["feedback-sla-sweep"] == (True, True)
    # The nightly job that ran for 1 June 02:00 is due again on 2 June, overdue on 3 June 02:00.
    assert _state(LAST + dt.timedelta(hours=30))["vip-reclassification"] == (False, True)
    assert _state(dt.datetime(2026, 6, 3, 2, 0, tzinfo=SHANGHAI))["vip-reclassification"][0]


def test_no_alert_before_any_job_ever_ran():
    assert not any(s.overdue for s in jobs_status(now=LAST))


def test_the_panel_and_the_supervisors_home_alert_an_overdue_job(
    every_job_ran_at_ten, supervisor, login, django_assert_max_num_queries
):
    http = login(supervisor)
    with time_machine.travel(LAST + dt.timedelta(minutes=11), tick=False):
        with django_assert_max_num_queries(30):
            panel = http.get("/jobs/")
        home = http.get("/")
    assert panel.status_code == 200
    text = panel.content.decode()
    assert 'data-testid="jobs-overdue"' in text and "SLA warning and escalation" in text
    assert "2026-06-01 10:00" in text  # the last success
    assert 'data-testid="home-jobs-overdue"' in home.content.decode()


def test_no_alert_when_every_job_is_on_time(every_job_ran_at_ten, admin_user, login):
    http = login(admin_user)
    with time_machine.travel(LAST + dt.timedelta(minutes=1), tick=False):
        panel = http.get("/jobs/")
        home = http.get("/")
    assert panel.status_code == 200 and 'data-testid="jobs-overdue"' not in panel.content.decode()
    assert 'data-testid="home-jobs-overdue"' not in home.content.decode()


@pytest.mark.parametrize("persona", ["rm_user", "branch_staff", "feedback_user"])
def test_other_roles_do_not_see_the_jobs_panel(persona, request, login):
    assert login(request.getfixturevalue(persona)).get("/jobs/").status_code == 404


def _page_states(html: str) -> dict[str, list[str]]:
    """Each job row's state badges on the panel (``data-job-state``)."""
    rows = re.findall(r'<tr data-job="([^"]+)">(.*?)</tr>', html, flags=re.S)
    return {job: re.findall(r'data-job-state="([^"]+)"', row) for job, row in rows}


def test_before_any_job_ran_every_job_shows_never_run(supervisor, login):
    assert {s.state for s in jobs_status(now=LAST)} == {"never_run"}
    panel = login(supervisor, "en").get("/jobs/").content.decode()
    assert set(_page_states(panel)) == set(JOBS)
    assert all(states == ["never_run"] for states in _page_states(panel).values())
    assert "On time" not in panel and "Never run" in panel


def test_a_job_that_never_ran_among_jobs_that_did_shows_never_run_not_on_time(
    every_job_ran_at_ten, supervisor, login
):
    JobRun.objects.filter(job="mail-intake").delete()
    with time_machine.travel(LAST + dt.timedelta(minutes=1), tick=False):
        states = {s.spec.name: s.state for s in jobs_status()}
        panel = login(supervisor, "zh-hans").get("/jobs/").content.decode()
    assert states["mail-intake"] == "never_run"
    assert states["feedback-sla-sweep"] == "on_time"
    assert _page_states(panel)["mail-intake"] == ["never_run"]
    assert _page_states(panel)["feedback-sla-sweep"] == ["on_time"]
    assert "从未运行" in panel


def test_a_never_run_job_that_is_overdue_shows_both(every_job_ran_at_ten):
    JobRun.objects.filter(job="mail-intake").delete()
    later = {s.spec.name: s for s in jobs_status(now=LAST + dt.timedelta(hours=1))}
    assert later["mail-intake"].state == "overdue"
    assert later["mail-intake"].never_run
