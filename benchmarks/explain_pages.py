#!/usr/bin/env python3
"""The queries behind each page of the page benchmark, with their time and, for the slow ones,
PostgreSQL's EXPLAIN ANALYZE: what to read when a page misses its target.

    benchmarks/explain_pages.py --database-url postgres://postgres@127.0.0.1:5432/vip_pages_bench \\
        [--only "client list"] [--min-ms 5]

Needs a database filled by ``run_pages.py`` (its personas are reused: ``bench_supervisor_1``,
the first RM of the first branch, ``bench_branch_<code>_1``, ``bench_feedback_1``). Each page is
requested twice through Django's test client; the second request's queries are reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))


def personas() -> tuple[dict, dict]:
    """``(users by persona, the scenarios' facts)`` on a database filled by run_pages.py: one
    dossier of each kind, the first branch, a whole name and a 2-character fragment."""
    from clients.models import Client
    from core.models import Branch, User
    from managers.models import Assignment, RelationshipManager

    branch = Branch.objects.order_by("code").first()
    rm = (
        RelationshipManager.objects.filter(branch=branch, user__username__startswith="bench_rm_")
        .order_by("pk")
        .first()
    )
    users = {
        "supervisor": User.objects.get(username="bench_supervisor_1"),
        "rm": rm.user,
        "branch": User.objects.get(username=f"bench_branch_{branch.code}_1"),
        "feedback": User.objects.get(username="bench_feedback_1"),
    }
    vip = Client.objects.filter(status="vip").order_by("pk").values_list("pk", flat=True)[5000]
    facts = {
        "dossier_ids": [vip],
        "rm_dossier_ids": list(
            Assignment.objects.filter(rm=rm, ended_at__isnull=True).values_list(
                "client_id", flat=True
            )[:1]
        ),
        "branch_id": branch.pk,
        "search": Client.objects.order_by("pk").values_list("name", flat=True)[12345],
        "fragment": Client.objects.order_by("pk").values_list("name", flat=True)[12345][:2],
    }
    return users, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/vip_pages_bench"
    )
    parser.add_argument("--only", help="only the scenarios whose name contains this")
    parser.add_argument("--min-ms", type=float, default=5.0, help="EXPLAIN queries slower than")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "pages_settings"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

    import django

    django.setup()
    import run_pages
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    users, facts = personas()
    for scenario in run_pages.scenarios(facts):
        if scenario.persona is None or (args.only and args.only not in scenario.name):
            continue
        http = HttpClient()
        http.force_login(users[scenario.persona])
        url = scenario.urls[0]
        http.get(url)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = http.get(url)
            total = (time.perf_counter() - started) * 1000
        queries = captured.captured_queries
        db_ms = sum(float(q["time"]) * 1000 for q in queries)
        print(
            f"\n=== {scenario.name}: {url} -> {response.status_code}, {total:.1f} ms, "
            f"{len(queries)} queries, {db_ms:.1f} ms in the database"
        )
        for q in queries:
            ms = float(q["time"]) * 1000
            print(f"  {ms:7.1f} ms  {q['sql'][:220]}")
            if ms >= args.min_ms and q["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    print("      " + "\n      ".join(row[0] for row in cur.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
