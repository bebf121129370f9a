"""Two reclassifications for the same date at once (issue 11), as two real processes: each is a
``fork`` of this process released at the same instant, running what ``reclassify_vips --as-of``
runs (``programme.services.night_run``). Compared with a clean run on a copy of the same bank.

    python tests/jobs/race_harness.py --as-of 2026-05-31 [--rounds 3]
(``DATABASE_URL`` names the generated bank.) Prints one JSON object.
"""

import argparse
import json
import os
import sys
import traceback
from datetime import date
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipservice.settings")
django.setup()

from django.db import connections  # noqa: E402

from dataruns.models import NightRun, NightTrigger  # noqa: E402
from programme.services import night_run  # noqa: E402
from tests.jobs.kill_harness import drop, fresh, state  # noqa: E402


def _racer(gate: int, out: int, as_of: date) -> None:
    os.read(gate, 1)  # released together with the other
    try:
        outcome = night_run(trigger=NightTrigger.COMMAND, day=as_of)
        result = {"ran": outcome.ran, "message": str(outcome.message)}
    except Exception as exc:  # reported, and the test fails on it
        result = {"error": f"{type(exc).__name__}: {exc}", "where": traceback.format_exc()[-2500:]}
    os.write(out, (json.dumps(result) + "\n").encode())
    os._exit(0)


def race(as_of: date) -> list[dict]:
    connections.close_all()
    gate_read, gate_write = os.pipe()
    out_read, out_write = os.pipe()
    pids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            _racer(gate_read, out_write, as_of)
        pids.append(pid)
    os.write(gate_write, b"gg")
    for pid in pids:
        os.waitpid(pid, 0)
    os.close(out_write)
    with os.fdopen(out_read) as results:
        return [json.loads(line) for line in results]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    clean = fresh("clean")
    assert night_run(trigger=NightTrigger.COMMAND, day=args.as_of).ran
    expected = state()
    drop(clean)
    rounds = []
    for n in range(args.rounds):
        name = fresh(f"r{n}")
        outcomes = race(args.as_of)
        runs = list(NightRun.objects.values_list("status", flat=True))
        got = state()
        rounds.append(
            {
                "outcomes": outcomes,
                "night_runs": runs,
                "equal": got == expected,
                "diff": [k for k in expected if expected[k] != got[k]],
            }
        )
        drop(name)
    print(json.dumps({"rows_compared": sum(len(v) for v in expected.values()), "rounds": rounds}))


if __name__ == "__main__":
    main()
