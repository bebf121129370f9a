"""The embedded default's SQLite file is opened by web, worker and beat processes at once
(issue 11): a new connection never fails with "database is locked" because another process
opened one at the same instant."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 10
OPENERS = 6

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own behaviour")

# Run in a fresh process with the site's settings (DATABASE_URL names a copy of the file): it
# forks OPENERS children released together, each opening a connection as the site does and
# reading, ROUNDS times on a fresh copy each; prints how many could not. Forked there, not here:
# a fork of the test run, which has threads, can stick on a lock another thread held.
OPEN_TOGETHER = """
import os, shutil, sys
import django
django.setup()
from django.conf import settings
from django.db import connection

source, rounds, openers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
failures = 0
for _ in range(rounds):
    connection.close()
    shutil.copy(source, settings.DATABASES["default"]["NAME"])
    gate_read, gate_write = os.pipe()
    pids = []
    for _ in range(openers):
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.read(gate_read, 1)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM sqlite_master")
                status = 0
            finally:
                os._exit(status)
        pids.append(pid)
    os.write(gate_write, b"g" * openers)
    failures += sum(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 for pid in pids)
    os.close(gate_read)
    os.close(gate_write)
print(failures)
"""


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
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'copy.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-c", OPEN_TOGETHER, str(source), str(ROUNDS), str(OPENERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.split()[-1] == "0"


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
