"""Issue 11: the nightly reclassification SIGKILLed at random points of a generated bank, ten
times, then run again: statuses, history, assignments, call-backs and notifications equal a clean
run's, with nothing doubled. The kills and runs happen in ``kill_harness.py`` (real processes)."""

import datetime
import json
import subprocess
import sys

import pytest
from django.db import connections

from clients.models import VipStatus
from tests.clients.conftest import make_client
from tests.factories.core import BranchFactory
from tests.factories.managers import RelationshipManagerFactory
from tests.jobs.processes import ROOT, child_env, end_other_sessions

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date(2026, 5, 31)
KILLS = 10


def _generate_bank():
    """60 clients: 36 new VIPs (an RM each, this month's call-back, the RM told), 12 VIPs who no
    longer qualify (at risk), 6 at risk past the grace (downgraded, RM released), 6 who stay."""
    branch = BranchFactory()
    for _ in range(3):
        RelationshipManagerFactory(branch=branch)
    for n in range(36):
        make_client(as_of=D, branch=branch, assets=f"{1_000_000 + n * 1000}.00")
    for _ in range(12):
        make_client(
            as_of=D,
            branch=branch,
            assets="10.00",
            status=VipStatus.VIP,
            vip_since=datetime.date(2025, 1, 1),
        )
    for _ in range(6):
        make_client(
            as_of=D,
            branch=branch,
            assets="10.00",
            status=VipStatus.VIP_AT_RISK,
            vip_since=datetime.date(2024, 1, 1),
            at_risk_since=datetime.date(2025, 11, 1),
        )
    for _ in range(6):
        make_client(as_of=D, branch=branch, assets="10.00")


def test_killed_nights_rerun_to_the_clean_runs_state(tmp_path):
    _generate_bank()
    env = child_env(tmp_path)
    connections.close_all()  # PostgreSQL copies the test database as a template
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "jobs" / "kill_harness.py"),
            "--as-of",
            D.isoformat(),
            "--kills",
            str(KILLS),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    end_other_sessions()  # whatever a killed child left, the test database can be dropped
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))  # the figures for the reliability report (-s)
    runs = report["runs"]
    assert len(runs) == KILLS and report["rows_compared"] > 100
    assert [r["rerun"] for r in runs] == ["completed"] * KILLS
    assert [r["diff"] for r in runs] == [[]] * KILLS
    assert all(r["equal"] for r in runs)
    # The kills really interrupted nights part-way, not only before or after them.
    assert sum(r["ended"] == "killed" and r["partial"] for r in runs) >= 3, runs


RACES = 3


def test_two_reclassifications_at_once_for_the_same_date_one_runs_one_refuses(tmp_path):
    _generate_bank()
    env = child_env(tmp_path)
    connections.close_all()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "jobs" / "race_harness.py"),
            "--as-of",
            D.isoformat(),
            "--rounds",
            str(RACES),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    end_other_sessions()
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))
    for race in report["rounds"]:
        # One process ran the night; the other found it claimed (waiting first on SQLite's write
        # lock) and refused, saying so; the state is a clean run's, nothing doubled.
        assert sorted(o.get("ran") for o in race["outcomes"]) == [False, True], race
        assert race["night_runs"] == ["done"] and race["equal"] and race["diff"] == []
