"""How a reclassification ends when it cannot finish (a step that raises: test_night_step_failures):
a stopped night whose date a later night has passed since is ended as superseded, not completed
(completing it would put statuses back in time, and "Run again" refuses it for the same reason);
and the reasons the product writes (superseded, never started, a refused set) read in the reader's
language, whatever language the worker was in."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from clients.models import Client, StatusChange, VipStatus
from clients.qualification.reclassify import vip_statuses_reclassify
from core.background import STOPPED_AFTER
from dataruns.models import IntakeOutcome, IntakeRun, NightRun, NightStatus, NightTrigger
from dataruns.services import RUN_STALE_AFTER, night_run_claim
from programme.services import nights_resume
from programme.tasks import corebanking_intake
from tests.clients.conftest import make_client
from tests.dataruns.conftest import D2, NOW, drop_set, inbox
from tests.factories.core import BranchFactory
from tests.factories.managers import RelationshipManagerFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 11, 19)
LATER = D + datetime.timedelta(days=1)
# 02:00 Asia/Shanghai on 2026-11-21, after both business dates.
AT = datetime.datetime(2026, 11, 20, 18, 0, tzinfo=datetime.UTC)


def _vips(n: int) -> None:
    branch = BranchFactory()
    RelationshipManagerFactory(branch=branch)
    for i in range(n):
        make_client(as_of=D, branch=branch, assets=f"{1_000_000 + i}.00")


def test_a_stopped_night_a_later_night_passed_is_ended_as_superseded_not_completed(
    login, supervisor
):
    _vips(3)
    with time_machine.travel(AT, tick=False):
        stopped = NightRun.objects.create(
            business_date=D,
            trigger=NightTrigger.SCHEDULED,
            status=NightStatus.RUNNING,
            started_at=AT,
            attempts=1,
        )
        NightRun.objects.create(
            business_date=LATER, trigger=NightTrigger.SCHEDULED, status=NightStatus.DONE
        )
        vip_statuses_reclassify(as_of=LATER)
    changes = StatusChange.objects.count()
    assert Client.objects.filter(status=VipStatus.VIP).count() == 3

    with time_machine.travel(AT + STOPPED_AFTER - datetime.timedelta(seconds=1), tick=False):
        assert nights_resume() == []  # not silent long enough: untouched
    stopped.refresh_from_db()
    assert stopped.status == NightStatus.RUNNING

    with time_machine.travel(AT + STOPPED_AFTER, tick=False):
        assert nights_resume() == []
        assert nights_resume() == []  # a second resume finds nothing to do

    stopped.refresh_from_db()
    assert stopped.status == NightStatus.FAILED and stopped.finished_at is not None
    assert StatusChange.objects.count() == changes  # statuses not put back to D
    with translation.override("en"):
        assert stopped.error_text == (
            "Its worker stopped, and it was not completed: 2026-11-19 is before the last run, "
            "for 2026-11-20."
        )
    with translation.override("zh-hans"):
        assert "2026-11-19" in stopped.error_text and "Its worker" not in stopped.error_text
    with time_machine.travel(AT + STOPPED_AFTER, tick=False):
        page = login(supervisor).get(reverse("dataruns:list")).text
        zh = login(supervisor, "zh-hans").get(reverse("dataruns:list")).text
    assert "Its worker stopped, and it was not completed" in page
    assert "执行该次运行的后台任务已停止，且未补完" in zh
    entry = LogEntry.objects.get(changes_text="dataruns.run_superseded")
    assert entry.additional_data["business_date"] == "2026-11-19"


def test_a_run_no_worker_started_says_so_in_the_readers_language():
    with time_machine.travel(AT, tick=False):
        run = night_run_claim(day=D, trigger=NightTrigger.COMMAND)
    with time_machine.travel(AT + RUN_STALE_AFTER + datetime.timedelta(seconds=1), tick=False):
        night_run_claim(day=D, trigger=NightTrigger.COMMAND)
    run.refresh_from_db()
    assert run.status == NightStatus.FAILED
    with translation.override("en"):
        assert run.error_text == "No worker started the run within 3 hours."
    with translation.override("zh-hans"):
        assert run.error_text != "No worker started the run within 3 hours."
        assert "3" in run.error_text


def test_a_refused_sets_reason_reads_in_the_readers_language_not_the_workers():
    drop_set(D2)
    manifest = inbox() / f"manifest_{D2:%Y%m%d}.json"
    manifest.write_text(manifest.read_text().replace(D2.isoformat(), "2026-11-17"))
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):
        corebanking_intake()
    run = IntakeRun.objects.get()
    assert run.outcome == IntakeOutcome.REJECTED
    with translation.override("en"):
        assert run.error_text == "The manifest is for 2026-11-17, its file name for 2026-11-19."
    with translation.override("zh-hans"):
        assert run.error_text == run.error  # the worker's language, as the report says it
        assert run.error_text != "The manifest is for 2026-11-17, its file name for 2026-11-19."
