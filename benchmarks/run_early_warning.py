#!/usr/bin/env python3
"""The nightly early warning (``retention.services.warnings_raise``) of this checkout against a
reference checkout's, in alternating paired rounds on one loaded bank.

    benchmarks/run_early_warning.py --reference-repo benchmarks/data/ref-9222f0b \\
        --database-url postgres://postgres@127.0.0.1:5499/vip_warn_bench --rounds 6

The database is one ``run_import_reclassify.py --keep-database`` left: a reclassified bank (its
VIPs are the clients the early warning measures). Every leg runs in a new process of its
checkout (``--leg``): it deletes the tasks raised on D and VACUUMs their table (untimed, so
every leg raises the same tasks into the same table), then times one ``warnings_raise(as_of=D)``:
wall clock, the process's CPU, the PostgreSQL backend's CPU with its parallel workers'
(``/proc``), each query's time, and a digest of the tasks raised (client, RM, reason, figures),
which must be the same in both legs. The order alternates every round, so a load that comes and goes hits both alike; the
verdict is the median of the per-round ratios (reference wall / this checkout's wall).
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) so far of the PostgreSQL backend ``pid`` and of the children
    its postmaster reaped: a parallel query's workers exit when the query ends, and their time
    is the postmaster's then (so is any other backend's that ends meanwhile: on a private
    cluster, none)."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    parent = Path(f"/proc/{stat[1]}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(stat[11]) + int(stat[12]) + int(parent[13]) + int(parent[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def leg(repo: Path, as_of: date) -> dict:
    """One timed ``warnings_raise`` of the checkout ``repo`` (in this process)."""
    sys.path.insert(0, str(repo))
    os.chdir(repo)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipservice.settings")
    import django

    django.setup()
    from django.db import connection

    from retention.models import RetentionTask
    from retention.services import warnings_raise

    RetentionTask.objects.filter(raised_on=as_of).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE retention_retentiontask")
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, " ".join(sql.split())[:120]))

    load = os.getloadavg()[0]
    db_cpu, cpu, wall = backend_cpu(pid), time.process_time(), time.perf_counter()
    with connection.execute_wrapper(timed):
        raised = warnings_raise(as_of=as_of)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db_cpu = backend_cpu(pid) - db_cpu
    tasks = RetentionTask.objects.filter(raised_on=as_of).order_by("client_id", "reason")
    digest = hashlib.sha256(
        json.dumps(
            list(tasks.values_list("client_id", "rm_id", "reason", "figures")), sort_keys=True
        ).encode()
    ).hexdigest()[:16]
    return {
        "wall": wall,
        "cpu": cpu,
        "db_cpu": db_cpu,
        "raised": raised,
        "digest": digest,
        "queries": len(queries),
        "query_seconds": sum(seconds for seconds, _ in queries),
        "slowest": sorted(queries, reverse=True)[:3],
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def run_leg(args: argparse.Namespace, repo: Path) -> dict:
    env = dict(os.environ, DATABASE_URL=args.database_url)
    done = subprocess.run(
        [args.python, __file__, "--leg", str(repo), "--as-of", args.as_of.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(rounds: list[dict]) -> str:
    """Each round's legs, then the median (min-max) of the per-round ratios."""
    lines = [
        "| round | order | leg | wall s | app CPU s | db CPU s | queries | raised | load |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rounds:
        for name, m in r["legs"].items():
            lines.append(
                f"| {r['round']} | {r['order']} | {name} | {m['wall']:.2f} | {m['cpu']:.2f} |"
                f" {m['db_cpu']:.2f} | {m['queries']} | {m['raised']} |"
                f" {m['load_before']:.2f}–{m['load_after']:.2f} |"
            )
    lines.append("")
    for label, key in (("wall", "wall"), ("app CPU", "cpu"), ("db CPU", "db_cpu")):
        ratios = [r["legs"]["R"][key] / max(r["legs"]["N"][key], 1e-6) for r in rounds]
        lines.append(
            f"- R/N {label}: median {statistics.median(ratios):.2f}x (min {min(ratios):.2f},"
            f" max {max(ratios):.2f}; rounds: {', '.join(f'{x:.2f}' for x in ratios)})"
        )
    for name in ("N", "R"):
        walls = [r["legs"][name]["wall"] for r in rounds]
        lines.append(f"- {name} wall: median {statistics.median(walls):.2f} s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--reference-repo", type=Path, help="checkout of the code before")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--results", type=Path, help="JSON results file")
    parser.add_argument("--leg", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.leg:
        print(json.dumps(leg(args.leg.resolve(), args.as_of)))
        return 0
    if not args.database_url or not args.reference_repo:
        parser.error("--database-url and --reference-repo are required")
    repos = {"N": REPO, "R": args.reference_repo.resolve()}
    rounds = []
    for number in range(1, args.rounds + 1):
        order = "NR" if number % 2 else "RN"
        legs = {name: run_leg(args, repos[name]) for name in order}
        rounds.append({"round": number, "order": order, "legs": legs})
        print(
            f"round {number} {order}: "
            + ", ".join(
                f"{name} {m['wall']:.2f} s (cpu {m['cpu']:.2f}, db {m['db_cpu']:.2f},"
                f" load {m['load_before']:.2f}, raised {m['raised']}, {m['digest']})"
                for name, m in legs.items()
            ),
            flush=True,
        )
        if legs["N"]["digest"] != legs["R"]["digest"]:
            print("DIFFERENT TASKS raised by the two checkouts", flush=True)
            return 1
    print(summary(rounds))
    for name in ("N", "R"):
        print(f"slowest queries {name} (last round):")
        for seconds, sql in rounds[-1]["legs"][name]["slowest"]:
            print(f"  {seconds:.3f} s  {sql}")
    if args.results:
        args.results.write_text(json.dumps(rounds, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
