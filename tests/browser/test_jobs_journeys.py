"""Issue 11 in the browser: a supervisor sees on the jobs panel, and on the home page, that the
SLA sweep stopped running once its worker died, within one period of the missed run."""

import datetime as dt

import pytest
import time_machine

from core.demo import DEMO_PASSWORD
from core.roles import Role
from feedback import tasks as feedback_tasks
from tests.browser.conftest import screenshot
from tests.factories.core import UserFactory
from vipservice.schedule import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_RUN = dt.datetime(2026, 6, 1, 10, 0, 20, tzinfo=SHANGHAI)


def test_a_dead_workers_job_shows_overdue_within_one_period(live_server, page, sign_in):
    boss = UserFactory(username="boss_jobs", role=Role.SUPERVISOR, language="en")
    boss.set_password(DEMO_PASSWORD)
    boss.save()
    with time_machine.travel(LAST_RUN) as clock:
        feedback_tasks.sla_sweep()  # the worker's last run (period 10:00); then it is killed
        sign_in("boss_jobs")
        sweep = page.locator('tr[data-job="feedback-sla-sweep"]')

        clock.move_to(LAST_RUN + dt.timedelta(minutes=4))
        page.goto(f"{live_server.url}/jobs/")
        assert "On time" in sweep.inner_text()

        # 10:06:50: the 10:05 run is missing: late, not yet an alert.
        clock.move_to(LAST_RUN + dt.timedelta(minutes=6, seconds=30))
        page.goto(f"{live_server.url}/jobs/")
        assert "Late" in sweep.inner_text()

        # 10:10:20: one period after the missed run, the panel and the home raise the alert.
        clock.move_to(LAST_RUN + dt.timedelta(minutes=10))
        page.goto(f"{live_server.url}/jobs/")
        assert "Overdue" in sweep.inner_text()
        assert (
            "SLA warning and escalation"
            in page.locator('[data-testid="jobs-overdue"]').inner_text()
        )
        screenshot(page, "jobs-overdue")
        page.goto(f"{live_server.url}/")
        assert page.locator('[data-testid="home-jobs-overdue"]').count() == 1
        screenshot(page, "home-jobs-overdue")
