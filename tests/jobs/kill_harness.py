"""SIGKILL at random points of the nightly reclassification (rule, assignments, call-backs), then
a re-run, compared with a clean run's checksum (issue 11).

Run by ``test_kill_faults.py`` as its own process: Django is imported once here and every run is
a ``fork`` of this process (a real process, killed with a real SIGKILL mid-transaction), so ten
kills cost seconds, not ten Django start-ups. Each run works on its own copy of the generated
bank: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL.

    python tests/jobs/kill_harness.py --as-of 2026-05-31 --kills 10 --seed 7
(``DATABASE_URL`` names the generated bank.) Prints one JSON object.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sys
import time
from datetime import date
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipservice.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402

from clients.models import Client, StatusChange  # noqa: E402
from core.models import Notification  # noqa: E402
from managers.models import Assignment  # noqa: E402
from programme.services import vip_programme_nightly  # noqa: E402
from servicedesk.models import Callback  # noqa: E402

SOURCE = dict(settings.DATABASES["default"])


def _use(name: str) -> None:
    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def terminate_sessions(name: str) -> int:
    """PostgreSQL: end every session on database ``name`` but this one. A SIGKILLed client leaves
    its server process running until the statement it was in ends and it next writes to the dead
    socket; until then CREATE DATABASE ... TEMPLATE, DROP DATABASE and the test database's own
    drop refuse. Returns the number of sessions ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return cursor.fetchone()[0]


def fresh(label: str) -> str:
    """A copy of the generated bank, selected as the default database."""
    connections.close_all()
    if SOURCE["ENGINE"].endswith("sqlite3"):
        target = f"{SOURCE['NAME']}.{label}"
        shutil.copy(SOURCE["NAME"], target)
    else:
        target = f"{SOURCE['NAME']}_{label}"
        _use("postgres")
        terminate_sessions(SOURCE["NAME"])
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{SOURCE["NAME"]}"')
    _use(target)
    return target


def drop(name: str) -> None:
    connections.close_all()
    if SOURCE["ENGINE"].endswith("sqlite3"):
        Path(name).unlink(missing_ok=True)
        return
    _use("postgres")
    # WITH (FORCE) ends the sessions a killed run left behind (PostgreSQL 13+).
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connections.close_all()


def end_killed_sessions(name: str) -> None:
    """After a SIGKILL: end the dead run's server-side session at once (PostgreSQL), so what
    follows never waits on, or is refused by, a session nobody holds."""
    if SOURCE["ENGINE"].endswith("sqlite3"):
        return
    _use("postgres")
    terminate_sessions(name)
    _use(name)


def run(as_of: date, kill_after: float | None = None) -> str:
    """Fork a run of the night; SIGKILL it after ``kill_after`` seconds. Returns how it ended."""
    connections.close_all()
    pid = os.fork()
    if pid == 0:
        try:
            vip_programme_nightly(as_of=as_of)
            os._exit(0)
        except BaseException:
            os._exit(1)
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "killed"
    return "completed" if os.WEXITSTATUS(status) == 0 else "failed"


def state() -> dict:
    """What a night must leave: statuses, history, assignments, call-backs, notifications."""
    rows = {
        "statuses": sorted(
            Client.objects.values_list("client_no", "status", "vip_since", "at_risk_since")
        ),
        "history": sorted(
            StatusChange.objects.values_list(
                "client__client_no", "from_status", "to_status", "effective_on"
            )
        ),
        "assignments": sorted(
            Assignment.objects.filter(ended_at__isnull=True).values_list(
                "client__client_no", "rm__employee_no"
            )
        ),
        "callbacks": sorted(
            Callback.objects.values_list("client__client_no", "period", "due_on", "status")
        ),
        "notifications": sorted(Notification.objects.values_list("recipient_id", "title")),
    }
    connections.close_all()
    return {key: [list(map(str, row)) for row in value] for key, value in rows.items()}


def checksum(rows: dict) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    clean = fresh("clean")
    started = time.monotonic()
    assert run(args.as_of) == "completed"
    seconds = time.monotonic() - started
    expected = state()
    drop(clean)

    runs = []
    for n in range(args.kills):
        name = fresh(f"k{n}")
        delay = rng.uniform(0.0, seconds)
        ended = run(args.as_of, kill_after=delay)
        if ended == "killed":
            end_killed_sessions(name)
        after_kill = checksum(state())
        rerun = run(args.as_of)
        got = state()
        runs.append(
            {
                "kill_after": round(delay, 3),
                "ended": ended,
                "partial": after_kill != checksum(expected),
                "rerun": rerun,
                "equal": got == expected,
                "diff": [k for k in expected if expected[k] != got[k]],
            }
        )
        drop(name)
    print(
        json.dumps(
            {
                "clean_seconds": round(seconds, 3),
                "rows_compared": sum(len(v) for v in expected.values()),
                "checksum": checksum(expected),
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
