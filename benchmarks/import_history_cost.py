#!/usr/bin/env python3
"""What the clients' change history (issue 13, ``clients/corebanking/history.py``) costs the
core-banking clients import on PostgreSQL: paired, alternating rounds of the real import with the
history written and with it switched off, on the same database and files.

    PY=/work/main/.venv/bin/python
    $PY benchmarks/import_history_cost.py --clients 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/vip_bench_history

The runner DROPS AND RECREATES the database, migrates it, creates the demo branches, generates a
clients file with ``generate_bank.py`` (seeded) and a second one with ``--changed-percent`` of the
names changed, imports the first, then per round and mode (history on / off, the order swapped
each round so a load that comes and goes hits both alike): the changed file (those rows updated),
the first file again (changed back) and the first file once more (nothing changed: the history's
join alone). Prints each import's wall seconds and CPU seconds (the PostgreSQL backend's, from
``/proc``, plus this process's: on a shared, noisy machine the CPU time is the stable measure)
and the median ratio on/off of each kind.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def files(clients: int, changed_percent: float) -> tuple[Path, Path]:
    folder = HERE / "data" / f"bank-history-{clients}"
    first = folder / "clients.csv"
    if not first.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate_bank.py"),
                "--clients",
                str(clients),
                "--trades-per-client-avg",
                "1",
                "--out",
                str(folder),
            ],
            check=True,
        )
    changed = folder / f"clients-changed-{changed_percent:g}.csv"
    every = max(1, round(100 / changed_percent))
    with first.open(encoding="utf-8") as source, changed.open("w", encoding="utf-8") as out:
        out.write(source.readline())
        for n, line in enumerate(source):
            if n % every == 0:
                number, name, rest = line.split(",", 2)
                line = f"{number},{name}改,{rest}"
            out.write(line)
    return first, changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--changed-percent", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    name = args.database_url.rsplit("/", 1)[1]
    admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipservice.settings")
    import django  # noqa: PLC0415 - after the environment names the database

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from generate_bank import BRANCH_CODES  # noqa: PLC0415

    from clients.corebanking import upsert  # noqa: PLC0415
    from clients.corebanking.importer import corebanking_import  # noqa: PLC0415
    from core.models import Branch  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    for code in BRANCH_CODES:
        Branch.objects.get_or_create(code=code, defaults={"name": code})
    first, changed = files(args.clients, args.changed_percent)
    recorded = upsert.client_changes_record

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def cpu() -> float:
        """The backend's user + system CPU seconds plus this process's."""
        fields = backend.read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return ticks / os.sysconf("SC_CLK_TCK") + time.process_time()

    def imported(path: Path, history: bool) -> tuple[float, float]:
        upsert.client_changes_record = recorded if history else (lambda *a, **k: 0)
        started, cpu_started = time.perf_counter(), cpu()
        with path.open("rb") as handle:
            report = corebanking_import(kind="clients", file=handle)
        took, cpu_took = time.perf_counter() - started, cpu() - cpu_started
        assert report.ok and report.copied, report.errors[:3]
        return took, cpu_took

    took, cpu_took = imported(first, True)
    print(f"first import of {args.clients} clients: {took:.2f} s, CPU {cpu_took:.2f} s")
    times: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    for round_ in range(args.rounds):
        for history in (True, False) if round_ % 2 == 0 else (False, True):
            for kind, path in (("changed", changed), ("back", first), ("unchanged", first)):
                took, cpu_took = imported(path, history)
                times.setdefault((kind, history), []).append((took, cpu_took))
                mode = "on " if history else "off"
                print(
                    f"round {round_ + 1} history {mode} {kind}: {took:.2f} s, CPU {cpu_took:.2f} s"
                )
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for kind in ("changed", "back", "unchanged"):
        for n, what in ((0, "wall"), (1, "CPU ")):
            on = statistics.median(t[n] for t in times[kind, True])
            off = statistics.median(t[n] for t in times[kind, False])
            print(f"{kind:9} {what}: history on {on:.2f} s, off {off:.2f} s, ratio {on / off:.2f}")


if __name__ == "__main__":
    main()
