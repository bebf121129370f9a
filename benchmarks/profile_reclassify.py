#!/usr/bin/env python3
"""Profile one ``reclassify_vips`` run on an already loaded benchmark database: cProfile of the
command (where Python spends its time, and how long it waits on PostgreSQL) and, through
auto_explain, the EXPLAIN ANALYZE plan of every statement slower than ``--min-duration``.

    benchmarks/profile_reclassify.py --as-of 2026-11-27 --reset

``--reset`` first puts every client back to ``standard`` with no history (the state right after
an import), so the profiled run is a first run with all its changes.
auto_explain is switched on for the benchmark database only (ALTER DATABASE ... SET) and off
again afterwards; the plans are read from the PostgreSQL server log.
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parent.parent
SERVER_LOG = Path("/var/log/postgresql/postgresql-15-main.log")

RESET_SQL = """
DELETE FROM clients_statuschange;
UPDATE clients_client SET status = 'standard', vip_since = NULL, at_risk_since = NULL,
    status_changed_on = NULL
WHERE status <> 'standard' OR vip_since IS NOT NULL;
"""


def execute(dsn: str, *statements: str) -> None:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vip_bench"),
    )
    parser.add_argument("--python", default="/work/main/.venv/bin/python")
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--min-duration", default="500ms")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "data" / "profile")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.database_url.rsplit("/", 1)[1]

    if args.reset:
        started = time.perf_counter()
        execute(args.database_url, RESET_SQL, "VACUUM ANALYZE clients_client, clients_statuschange")
        print(f"reset to the post-import state in {time.perf_counter() - started:.1f} s")

    execute(
        args.database_url,
        f"ALTER DATABASE {db} SET session_preload_libraries = 'auto_explain'",
        f"ALTER DATABASE {db} SET auto_explain.log_min_duration = '{args.min_duration}'",
        f"ALTER DATABASE {db} SET auto_explain.log_analyze = on",
        f"ALTER DATABASE {db} SET auto_explain.log_buffers = on",
        f"ALTER DATABASE {db} SET auto_explain.log_nested_statements = on",
    )
    log_start = SERVER_LOG.stat().st_size if SERVER_LOG.exists() else 0
    profile = args.out / "reclassify.prof"
    try:
        started = time.perf_counter()
        subprocess.run(
            [
                "nice",
                "-n",
                "10",
                args.python,
                "-m",
                "cProfile",
                "-o",
                str(profile),
                "manage.py",
                "reclassify_vips",
                "--as-of",
                args.as_of.isoformat(),
            ],
            cwd=REPO,
            env=dict(os.environ, DATABASE_URL=args.database_url),
            check=True,
        )
        print(f"profiled run: {time.perf_counter() - started:.1f} s (auto_explain and cProfile on)")
    finally:
        execute(args.database_url, f"ALTER DATABASE {db} RESET ALL")

    text = io.StringIO()
    stats = pstats.Stats(str(profile), stream=text)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    (args.out / "reclassify-cprofile.txt").write_text(text.getvalue())
    print(text.getvalue())
    if SERVER_LOG.exists():
        with SERVER_LOG.open("rb") as log:
            log.seek(log_start)
            plans = log.read().decode("utf-8", "replace")
        (args.out / "reclassify-plans.txt").write_text(plans)
        print(plans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
