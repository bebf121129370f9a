"""A reclassification whose worker died mid-run (SIGKILL, out of memory) used to read "Running" on
the data runs page until the next nightly step happened to complete it, and for ever with the
workers down. Once its worker is gone (nobody holds its lock) and it has shown no sign of life for
``core.background.STOPPED_AFTER`` (the rule the uploads use), the page says it stopped, when it
last showed life, what it had written and what running it again does, and offers supervisors to
run it again; a worker taken for dead that finishes late writes nothing over the new run
(``attempts`` is the claim's token), and "Run again" never touches a finished or live run."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from clients.models import StatusChange, VipStatus
from clients.qualification.reclassify import vip_statuses_reclassify
from core.background import STOPPED_AFTER
from core.runlock import run_lock
from dataruns.models import NightRun, NightStatus, NightTrigger, night_lock
from dataruns.services import night_run_retry
from dataruns.services import nights as dataruns_services
from managers.models import Assignment
from programme import services as programme_services
from programme.services import night_run_execute
from tests.clients.conftest import make_client
from tests.factories.core import BranchFactory
from tests.factories.managers import RelationshipManagerFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 11, 19)
# 02:00 Asia/Shanghai on 2026-11-20: the worker claimed D's run, applied the rule, then died.
CLAIMED = datetime.datetime(2026, 11, 19, 18, 0, tzinfo=datetime.UTC)
STOPPED = CLAIMED + STOPPED_AFTER + datetime.timedelta(seconds=1)


@pytest.fixture
def run(db):
    """D's run: its worker claimed it at ``CLAIMED``, wrote two clients' new statuses (its last
    sign of life: the end of the rule's step), and died before their RMs were assigned."""
    branch = BranchFactory()
    RelationshipManagerFactory(branch=branch)
    with time_machine.travel(CLAIMED, tick=False):
        for n in range(2):
            make_client(as_of=D, branch=branch, assets=f"{1_000_000 + n}.00")
        record = NightRun.objects.create(
            business_date=D,
            trigger=NightTrigger.SCHEDULED,
            status=NightStatus.RUNNING,
            started_at=CLAIMED,
            heartbeat_at=CLAIMED,
            attempts=1,
            steps_done=["rule"],
        )
        vip_statuses_reclassify(as_of=D)
    assert StatusChange.objects.filter(to_status=VipStatus.VIP).count() == 2
    return record


def test_a_silent_run_whose_worker_is_gone_reads_stopped_with_what_it_wrote(run, login, supervisor):
    http = login(supervisor)
    page_url = reverse("dataruns:list")
    with time_machine.travel(STOPPED - datetime.timedelta(seconds=2), tick=False):
        assert 'data-testid="night-stopped"' not in http.get(page_url).text  # between two beats
    with time_machine.travel(STOPPED, tick=False):
        page = http.get(page_url).text
        assert 'data-testid="night-stopped"' in page and "The run stopped." in page
        assert "it last showed life at 2026-11-20 02:00" in page
        assert "written 2 status changes for 2026-11-19" in page
        assert "finished these steps: statuses." in page
        assert "does only what is still missing" in page
        assert reverse("programme:night_again", args=[run.pk]) in page
        zh = login(supervisor, "zh-hans").get(page_url).text
        assert "该次运行已中断" in zh and "重新运行" in zh and "状态变更 2 条" in zh


def test_a_live_worker_in_a_long_silent_step_is_not_called_stopped(run, login, supervisor):
    """The rule is one long statement that writes no sign of life: its lock says it lives."""
    with (
        time_machine.travel(STOPPED + datetime.timedelta(hours=1), tick=False),
        run_lock(night_lock(run.pk)) as held,
    ):
        assert held
        page = login(supervisor).get(reverse("dataruns:list")).text
        assert 'data-testid="night-stopped"' not in page
        assert night_run_retry(run_id=run.pk, actor=supervisor) is None


def test_run_again_queues_it_once_and_the_worker_completes_what_was_missing(run, login, supervisor):
    http = login(supervisor)
    again = reverse("programme:night_again", args=[run.pk])
    with time_machine.travel(STOPPED, tick=False):
        with TestCase.captureOnCommitCallbacks(execute=False) as queued:
            assert http.post(again).status_code == 302
            http.post(again)  # a double click: queued already, not stopped
        assert len(queued) == 1
        run.refresh_from_db()
        assert (run.status, run.requested_at, run.started_at) == (
            NightStatus.REQUESTED,
            STOPPED,
            None,
        )
        queued[0]()  # the task, on a worker
    run.refresh_from_db()
    assert (run.status, run.attempts) == (NightStatus.DONE, 2)
    assert run.steps_done == ["rule", "assignments", "callbacks", "warnings"]
    assert Assignment.objects.filter(ended_at__isnull=True).count() == 2
    assert StatusChange.objects.count() == 2  # nothing written twice


def test_run_again_leaves_a_run_that_finished_meanwhile_alone(run, supervisor):
    NightRun.objects.filter(pk=run.pk).update(status=NightStatus.DONE, changes=2)
    with time_machine.travel(STOPPED, tick=False):
        assert night_run_retry(run_id=run.pk, actor=supervisor) is None
    run.refresh_from_db()
    assert (run.status, run.changes) == (NightStatus.DONE, 2)


def test_a_worker_taken_for_dead_that_finishes_late_writes_nothing_over_the_new_run(
    run, supervisor, monkeypatch
):
    """The first worker's lock was not seen (e.g. its database session was cut and it went on);
    while it finishes, a supervisor ran the night again."""
    nightly = programme_services.vip_programme_nightly

    def slow_nightly(**kwargs):
        result = nightly(**kwargs)
        with time_machine.travel(STOPPED, tick=False):
            assert night_run_retry(run_id=run.pk, actor=supervisor) is not None
        return result

    NightRun.objects.filter(pk=run.pk).update(status=NightStatus.REQUESTED)
    monkeypatch.setattr(programme_services, "vip_programme_nightly", slow_nightly)
    monkeypatch.setattr(dataruns_services, "run_lock_held", lambda name: False)
    with time_machine.travel(CLAIMED, tick=False):
        assert night_run_execute(run_id=run.pk) is None

    run.refresh_from_db()
    # Still queued for the new run: not "done" by the late worker.
    assert (run.status, run.finished_at, run.steps_done) == (NightStatus.REQUESTED, None, [])


def test_another_role_cannot_run_a_night_again(run, login, rm_user):
    with time_machine.travel(STOPPED, tick=False):
        response = login(rm_user).post(reverse("programme:night_again", args=[run.pk]))
    assert response.status_code == 404
    run.refresh_from_db()
    assert run.status == NightStatus.RUNNING


def test_the_command_line_data_runs_say_a_stopped_run_stopped_and_what_it_wrote(run):
    """``corebanking_runs`` is the data runs page on the command line: a stopped run reads
    stopped there too, not "Running" with 0 changes, in the operator's language."""
    with time_machine.travel(STOPPED, tick=False):
        out = StringIO()
        with translation.override("en"):
            call_command("corebanking_runs", stdout=out)
        zh = StringIO()
        with translation.override("zh-hans"):
            call_command("corebanking_runs", stdout=zh)
    text = out.getvalue()
    assert "reclassification: Stopped (Schedule), changes: 2" in text
    assert "Running" not in text
    assert "last showed life at 2026-11-20 02:00" in text and "statuses" in text
    assert "重新评级：已中断（计划），变更 2" in zh.getvalue()
    assert "最后一次活动时间为 2026-11-20 02:00" in zh.getvalue()


def test_the_stopped_run_names_the_jobs_panel_as_the_menu_does_in_chinese(run, login, supervisor):
    """The jobs page is 作业 in the menu and its heading: the notice and its link say 作业面板."""
    with time_machine.travel(STOPPED, tick=False):
        page = login(supervisor, "zh-hans").get(reverse("dataruns:list")).text
    assert "作业面板可查看后台任务是否在运行" in page and "打开作业面板" in page
    assert "任务面板" not in page


def test_run_again_refuses_a_date_before_the_last_completed_run(run, login, supervisor):
    """A later date's run finished while this one was stopped: running D again would put the
    statuses back in time (the date guard of a forced run, SPEC section 3), so Run again refuses
    and says why, and the run is left as it is."""
    NightRun.objects.create(
        business_date=D + datetime.timedelta(days=1),
        trigger=NightTrigger.SCHEDULED,
        status=NightStatus.DONE,
    )
    with (
        time_machine.travel(STOPPED, tick=False),
        TestCase.captureOnCommitCallbacks(execute=False) as queued,
    ):
        response = login(supervisor).post(
            reverse("programme:night_again", args=[run.pk]), follow=True
        )
    assert queued == []
    assert "2026-11-19 is before the last run, for 2026-11-20." in response.text
    run.refresh_from_db()
    assert run.status == NightStatus.RUNNING
