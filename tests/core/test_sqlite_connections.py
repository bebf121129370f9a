"""The embedded default's SQLite file is opened by web, worker and beat processes at once
(issue 11): a new connection never fails with "database is locked" because another process
opened one at the same instant."""

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 10
OPENERS = 6

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own behaviour")


def _open_and_read(name: str) -> None:
    """A child: open a connection with the site's options and read; exit 0 or 1."""
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": name}, alias="probe")
    try:
        # Below the test run's database blocker: what every new connection of the site runs.
        raw = wrapper.get_new_connection(wrapper.get_connection_params())
        raw.execute("SELECT count(*) FROM sqlite_master")
        status = 0
    except Exception:
        status = 1
    os._exit(status)


@pytest.mark.parametrize("mode", ["wal", "delete"])
def test_processes_opening_a_closed_database_at_the_same_instant_all_get_a_connection(
    tmp_path, mode
):
    """Nobody has the file open as they arrive. "delete": a file not (yet) in WAL, e.g. one
    restored with SQLite's backup API, which a per-connection pragma raced to convert."""
    source = tmp_path / "bank.sqlite3"
    with closing(sqlite3.connect(source)) as db:
        db.execute(f"PRAGMA journal_mode={mode}")
        db.execute("CREATE TABLE t (x)")
        db.commit()
    failures = 0
    for n in range(ROUNDS):
        name = tmp_path / f"copy{n}.sqlite3"
        shutil.copy(source, name)
        failures += _open_together(str(name))
    assert failures == 0


def _open_together(name: str) -> int:
    """``OPENERS`` processes released together; how many could not open a connection."""
    gate_read, gate_write = os.pipe()
    pids = []
    for _ in range(OPENERS):
        pid = os.fork()
        if pid == 0:
            os.read(gate_read, 1)
            _open_and_read(name)
        pids.append(pid)
    os.write(gate_write, b"g" * OPENERS)
    failures = sum(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 for pid in pids)
    os.close(gate_read)
    os.close(gate_write)
    return failures


def test_migrate_leaves_a_new_database_file_in_wal_mode(tmp_path):
    name = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{name}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    with closing(sqlite3.connect(name)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
