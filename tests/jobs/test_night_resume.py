"""Issue 11: a night a dead worker left part-applied (statuses committed, RM assignments and
call-backs not) is completed by the next run of any nightly step, not the next night; and a run's
death is seen at once, because the run holds a lock for its life (``core.runlock``), not after the
3 hours a "running" record used to count as alive."""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connections

from analytics.tasks import snapshot_kpis
from clients.models import Client, VipStatus
from clients.qualification.reclassify import vip_statuses_reclassify
from core.runlock import run_lock, run_lock_held
from dataruns.models import NightRun, NightStatus, NightTrigger
from dataruns.selectors import dead_night_runs, night_lock
from managers.models import Assignment
from programme.tasks import corebanking_intake, reclassify_vips
from servicedesk.models import Callback
from servicedesk.tasks import generate_callbacks
from tests.clients.conftest import make_client
from tests.factories.core import BranchFactory
from tests.factories.managers import RelationshipManagerFactory
from tests.jobs.processes import ROOT, child_env, end_other_sessions, wait_for

D = dt.date(2026, 5, 31)
# 03:05 on D (Asia/Shanghai): after every nightly job's time of day, so each is due.
AT = dt.datetime(2026, 5, 31, 3, 5, tzinfo=dt.UTC) - dt.timedelta(hours=8)


def _part_applied_night() -> NightRun:
    """Six new VIPs whose statuses the dead worker committed; their RMs and call-backs it did
    not."""
    branch = BranchFactory()
    RelationshipManagerFactory(branch=branch)
    for n in range(6):
        make_client(as_of=D, branch=branch, assets=f"{1_000_000 + n}.00")
    vip_statuses_reclassify(as_of=D)
    return NightRun.objects.create(
        business_date=D, trigger=NightTrigger.SCHEDULED, status=NightStatus.RUNNING
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "step", [reclassify_vips, corebanking_intake, generate_callbacks, snapshot_kpis]
)
def test_a_part_applied_night_is_completed_by_the_next_run_of_any_nightly_step(step, settings):
    settings.COREBANKING_INBOX = str(settings.VAR_DIR / "test-empty-inbox")
    with time_machine.travel(AT, tick=False):
        run = _part_applied_night()
        assert Client.objects.filter(status=VipStatus.VIP).count() == 6
        assert not Assignment.objects.exists() and not Callback.objects.exists()

        step()  # as beat sends it

    run.refresh_from_db()
    assert run.status == NightStatus.DONE
    vips = Client.objects.filter(status=VipStatus.VIP)
    assert Assignment.objects.filter(client__in=vips, ended_at__isnull=True).count() == 6
    assert Callback.objects.filter(client__in=vips).count() == 6
    assert NightRun.objects.count() == 1  # completed, not run again under a new record


# A live worker holding a run's lock: a process of its own, started fresh. Not a fork of the
# test run: forking a process with threads (the browser tests' driver, the live server) can leave
# the child stuck on a lock another thread held, and a child that raised would go on running the
# rest of the suite as a second pytest (both seen in CI on PostgreSQL at 51a5726).
HOLDER = """
import sys, time
import django
django.setup()
from core.runlock import run_lock
with run_lock(sys.argv[1]) as taken:
    print("1" if taken else "0", flush=True)
    time.sleep(120)
"""


def _hold_in_child(name: str, tmp_path: Path) -> subprocess.Popen:
    """Start a process that takes the lock ``name`` and sleeps with it: a live worker."""
    connections.close_all()
    # The same lock folder as this process (SQLite's locks are files under VAR_DIR).
    env = child_env(tmp_path, VIPSERVICE_VAR_DIR=str(settings.VAR_DIR))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, name], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "1"
    return holder


@pytest.mark.django_db(transaction=True)
def test_a_killed_runs_death_is_seen_at_once_not_after_three_hours(tmp_path):
    run = NightRun.objects.create(
        business_date=D, trigger=NightTrigger.SCHEDULED, status=NightStatus.RUNNING
    )
    holder = _hold_in_child(night_lock(run.pk), tmp_path)
    try:
        assert run_lock_held(night_lock(run.pk))
        assert dead_night_runs() == []  # alive: nobody else may take it
        with run_lock(night_lock(run.pk)) as taken:
            assert taken is False
    finally:
        holder.kill()  # SIGKILL
        holder.wait(timeout=30)
    # The kernel (SQLite's file lock) or the server (PostgreSQL's advisory lock, when the dead
    # session's socket closes) releases it: seen within a second, not after RUN_STALE_AFTER.
    started = time.monotonic()
    assert wait_for(lambda: not run_lock_held(night_lock(run.pk)), timeout=5)
    print(f"the dead holder was seen in {time.monotonic() - started:.3f} s")
    assert dead_night_runs() == [run]
    end_other_sessions()
