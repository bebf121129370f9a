#!/usr/bin/env python3
"""The client table's query plans that matter, and the cost of a night's status updates: run
before and after a change of ``clients_client``'s indexes to show that no plan got worse.

    benchmarks/explain_indexes.py --database-url postgres://postgres@127.0.0.1:5432/vip_pages_bench

Needs a database filled by ``run_pages.py``. Prints the indexes, EXPLAIN (ANALYZE, BUFFERS) of
the client list's queries (every persona's page, the filters, the sorts, each kind of search),
the hotline's look-up and the nightly's VIP reads, then times 10,000 status updates (the shape
of a big night: status, dates) in ``--rounds`` transactions that are rolled back.
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

UPDATE_SQL = """
UPDATE clients_client SET status = CASE WHEN status = 'standard' THEN 'vip' ELSE 'standard' END,
       vip_since = CURRENT_DATE, status_changed_on = CURRENT_DATE
WHERE id IN (SELECT id FROM clients_client ORDER BY id LIMIT 10000)
"""


def plans(users: dict, facts: dict) -> list[tuple[str, object]]:
    """(label, queryset) of every client query whose plan an index change could alter."""
    from clients.forms import ClientFilter  # noqa: PLC0415 - Django is set up by main()
    from clients.models import Client, VipStatus  # noqa: PLC0415
    from clients.selectors import client_list  # noqa: PLC0415
    from core.phone import phone_key  # noqa: PLC0415

    def page(persona, q="", sort="", **filters):
        user = users[persona]
        base = client_list(user=user, q=q, sort=sort)
        data = {k: str(v) for k, v in filters.items()} or None
        return ClientFilter(data, user=user).filter(base)[:50]

    vip = Client.objects.filter(status=VipStatus.VIP).order_by("pk").first()
    return [
        ("list, supervisor, page 1 (client_no)", page("supervisor")),
        ("list, supervisor, page 200", page("supervisor")[9950:10000]),
        ("list, supervisor, sorted by name", page("supervisor", sort="name")),
        ("list, supervisor, sorted by assets desc", page("supervisor", sort="-assets")),
        (
            "list, supervisor, VIP + branch",
            page("supervisor", status="vip", branch=facts["branch_id"]),
        ),
        ("list, supervisor, VIP only", page("supervisor", status="vip")),
        ("list, RM, page 1", page("rm")),
        ("list, branch staff, page 1", page("branch")),
        ("list, branch staff, at risk", page("branch", status="vip_at_risk")),
        ("search, a whole name", page("supervisor", q=facts["search"])),
        ("search, a name's first 2 characters", page("supervisor", q=facts["fragment"])),
        ("search, a client number", page("supervisor", q=vip.client_no)),
        ("search, part of a client number", page("supervisor", q=vip.client_no[-6:])),
        ("search, the last 4 phone digits", page("supervisor", q=vip.phone_normalized[-4:])),
        (
            "hotline, a whole phone number",
            Client.objects.filter(phone_normalized=phone_key(vip.phone) or vip.phone_normalized),
        ),
        ("nightly: the VIPs (count)", Client.objects.vips().values("pk")),
        (
            "nightly: VIPs of a branch",
            Client.objects.vips().filter(branch_id=facts["branch_id"]).values("pk"),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/vip_pages_bench"
    )
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="pages_settings")
    import django  # noqa: PLC0415 - after the environment

    django.setup()
    import explain_pages  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415

    users, facts = explain_pages.personas()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'clients_client' ORDER BY 1"
        )
        names = [row[0] for row in cursor.fetchall()]
    print(f"clients_client: {len(names)} indexes: {', '.join(names)}\n")
    for label, qs in plans(users, facts):
        plan = qs.explain(analyze=True, buffers=True)
        print(f"### {label}\n{plan}\n")
    times = []
    for _ in range(args.rounds):
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(UPDATE_SQL)
            times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    print(
        f"10,000 status updates, {args.rounds} rounds rolled back: "
        + ", ".join(f"{t:.2f}" for t in times)
        + f" s; load {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
