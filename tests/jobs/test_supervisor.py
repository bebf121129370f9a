"""Issue 11: ``./dev run`` supervises its processes: one that exits is restarted, the restart is
logged and counted, and one that keeps dying stops everything loudly."""

import json
import os
import signal
import subprocess
import sys

from tests.jobs.processes import ROOT, wait_for

SUPERVISE = [sys.executable, str(ROOT / "scripts" / "supervise.py")]


def _counts(log_dir):
    path = log_dir / "supervisor.json"
    return json.loads(path.read_text()) if path.exists() else {}


def test_a_killed_process_is_restarted_logged_and_counted(tmp_path):
    supervisor = subprocess.Popen(
        [*SUPERVISE, "--log-dir", str(tmp_path), "worker=sleep 60", "beat=sleep 60"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(lambda: "beat" in _counts(tmp_path), timeout=10)
        first = _counts(tmp_path)["worker"]["pid"]
        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: _counts(tmp_path)["worker"]["restarts"] == 1, timeout=10)
        assert _counts(tmp_path)["worker"]["pid"] != first
        assert _counts(tmp_path)["beat"]["restarts"] == 0
    finally:
        supervisor.send_signal(signal.SIGTERM)
        _, stderr = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0
    assert "worker exited with status -9; restart #1" in stderr
    assert "restart #1" in (tmp_path / "supervisor.log").read_text()


def test_a_process_that_keeps_dying_stops_everything_loudly(tmp_path):
    result = subprocess.run(
        [
            *SUPERVISE,
            "--log-dir",
            str(tmp_path),
            "--max-restarts",
            "2",
            "--window",
            "60",
            "worker=sh -c 'exit 3'",
            "web=sleep 60",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "FATAL: worker exited 3 times in 60 s; stopping everything" in result.stderr
    assert _counts(tmp_path)["worker"]["restarts"] == 2
