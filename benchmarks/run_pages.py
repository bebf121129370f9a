#!/usr/bin/env python3
"""Serve the client list, the dossier and the feedback queue of a 1M-client bank under gunicorn
and measure requests/s and latency beside a minimal one-query view, in the same run (SPEC 11).

    benchmarks/run_pages.py --data benchmarks/data/bank-1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/vip_pages_bench

Steps:
 1. (unless --keep-database) recreate the database and bulk load the generated bank with
    run_import_reclassify.py's bulk loader; ``--trades N`` loads only the file's last N trades
    (the most recent: the file is in time order);
 2. (unless --keep-database) give it the scale of the other pages, set-based: total assets and
    VIP statuses (the rule's asset, relationship and standing tests), status history, RMs
    (one per ``--vips-per-rm`` VIPs of a branch) with users and assignments, branch staff, a
    feedback team, ``--tickets`` feedback tickets in every status, channel and SLA state, this
    month's call-backs (the product's own ``callbacks_generate``); VACUUM ANALYZE;
 3. sessions in the database for the personas (supervisor, an RM, branch staff, feedback team);
 4. gunicorn (``--workers`` sync workers) on loopback with the product's production settings
    (DEBUG off, persistent connections as the settings module gives) plus the baseline views of
    benchmarks/pages_urls.py;
 5. for each page: ``--rounds`` rounds (6) that alternate with the one-query view (B P, P B,
    ...), each side ``--warmup`` + ``--duration`` seconds of ``--connections`` (8) closed-loop
    clients (a small asyncio HTTP/1.1 client in this process); a request counts when it ends in
    the window. Per round: requests/s, latencies, and the CPU seconds gunicorn (master and
    workers) and PostgreSQL (postmaster and backends: use a private cluster, or other users'
    queries count too) spent in the window, from /proc. The verdict is the median of the
    paired rate ratios (SPEC section 11); the CPU ratio (baseline CPU per request / page CPU per
    request) says what the same pair would do on an idle machine. The client shares the CPUs
    with the server: that is why every page is compared with the baseline measured seconds
    before or after it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_import_reclassify as rir  # noqa: E402

REPO = rir.REPO
BENCH = rir.BENCH

# --- 1. load ---------------------------------------------------------------------------------


class Loader(rir.Runner):
    """The bulk loader of run_import_reclassify.py, optionally with the newest N trades only."""

    def psql_copy(self, table: str, path: Path) -> tuple[float, float]:
        if table != "bench_trades_staging" or not self.args.trades:
            return super().psql_copy(table, path)
        seconds, peak, _, _ = self.run(
            [
                "psql",
                self.dsn,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f"\\copy {table} FROM PROGRAM 'tail -n {int(self.args.trades)} {path}' "
                "WITH (FORMAT csv)",
            ]
        )
        return seconds, peak


# --- 2. the other pages' scale ------------------------------------------------------------------

# Assets as of D (each account's latest balance), and the statuses the rule's asset, relationship
# and standing tests give (the activity test is left out: with --trades only part of the year is
# loaded). One in ten of them is a VIP at risk. One UPDATE: every row is written once.
STATUSES_SQL = """
WITH assets AS (
    SELECT a.client_id, SUM(l.balance) AS total
    FROM clients_account a
    CROSS JOIN LATERAL (
        SELECT b.balance FROM clients_balance b
        WHERE b.account_id = a.id AND b.as_of <= %(d)s ORDER BY b.as_of DESC LIMIT 1
    ) l
    GROUP BY a.client_id
), ruled AS (
    SELECT c.id, s.total,
           c.good_standing AND c.relationship_since <= %(since)s
           AND s.total >= CASE WHEN c.kind = 'corporate' THEN 5000000 ELSE 1000000 END AS vip
    FROM clients_client c JOIN assets s ON s.client_id = c.id
)
UPDATE clients_client c
SET total_assets = r.total,
    status = CASE WHEN NOT r.vip THEN 'standard' WHEN c.id %% 10 = 0 THEN 'vip_at_risk'
                  ELSE 'vip' END,
    vip_since = CASE WHEN r.vip THEN %(d)s::date - (c.id %% 700)::int END,
    at_risk_since = CASE WHEN r.vip AND c.id %% 10 = 0 THEN %(d)s::date - (c.id %% 80)::int END,
    status_changed_on = CASE WHEN r.vip THEN %(d)s::date - (c.id %% 700)::int END
FROM ruled r
WHERE c.id = r.id
"""

HISTORY_SQL = """
INSERT INTO clients_statuschange (client_id, effective_on, from_status, to_status, reasons,
                                  created_at)
SELECT id, vip_since, 'standard', 'vip', '{"bench": true}'::jsonb, now()
FROM clients_client WHERE status IN ('vip', 'vip_at_risk')
UNION ALL
SELECT id, at_risk_since, 'vip', 'vip_at_risk', '{"bench": true}'::jsonb, now()
FROM clients_client WHERE status = 'vip_at_risk'
"""

USER_COLUMNS = (
    "password, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
    "date_joined, branch_id, language, phone"
)

# Users of a role: (username, branch_id) rows -> core_user + the role's group.
USERS_SQL = """
WITH new AS (
    INSERT INTO core_user ({columns})
    SELECT '!bench', false, u.username, '员工', u.username, '', false, true, now(), u.branch_id,
           'zh-hans', ''
    FROM ({rows}) u(username, branch_id)
    RETURNING id
)
INSERT INTO core_user_groups (user_id, group_id)
SELECT new.id, g.id FROM new, auth_group g WHERE g.name = %(role)s
"""

RM_ROWS = """
SELECT 'bench_rm_' || b.code || '_' || lpad(n::text, 4, '0'), b.id
FROM core_branch b
CROSS JOIN LATERAL generate_series(1, GREATEST(1, ceil((
    SELECT count(*) FROM clients_client c
    WHERE c.branch_id = b.id AND c.status IN ('vip', 'vip_at_risk')
) / %(per_rm)s::numeric)::int)) n
"""

BRANCH_STAFF_ROWS = """
SELECT 'bench_branch_' || b.code || '_' || n, b.id FROM core_branch b, generate_series(1, 5) n
"""

TEAM_ROWS = "SELECT 'bench_feedback_' || n, NULL::bigint FROM generate_series(1, 10) n"
SUPERVISOR_ROWS = "SELECT 'bench_supervisor_' || n, NULL::bigint FROM generate_series(1, 2) n"

RMS_SQL = """
INSERT INTO managers_relationshipmanager (
    user_id, employee_no, name, branch_id, phone, years_experience, certifications,
    communication_score, status, capacity, decision_reason, decided_at, created_at
)
SELECT u.id, 'E' || substr(u.username, 10), u.last_name, u.branch_id, '', 5, 'AFP', 4, 'active',
       %(capacity)s, '', now(), now()
FROM core_user u WHERE u.username LIKE 'bench\\_rm\\_%%'
"""

# Every VIP to an RM of its branch, round robin.
ASSIGNMENTS_SQL = """
WITH v AS (
    SELECT id, branch_id, row_number() OVER (PARTITION BY branch_id ORDER BY id) - 1 AS n
    FROM clients_client WHERE status IN ('vip', 'vip_at_risk')
), r AS (
    SELECT id, branch_id, row_number() OVER (PARTITION BY branch_id ORDER BY id) - 1 AS n,
           count(*) OVER (PARTITION BY branch_id) AS k
    FROM managers_relationshipmanager WHERE status = 'active'
)
INSERT INTO managers_assignment (client_id, rm_id, started_at, reason, handover_note, end_reason)
SELECT v.id, r.id, now() - interval '30 days', 'auto', '', ''
FROM v JOIN r ON r.branch_id = v.branch_id AND r.n = v.n %% r.k
"""

# Tickets: 4 in 5 on VIPs, the rest on any client; channels and categories in rotation; statuses
# 10% new, 10% in progress, 10% responded, 40% resolved, 30% closed. Tickets awaiting a first
# response were received in the last 72 hours, so their SLA states mix on time, warned and
# breached; the others over the past year, answered within 0-60 hours (some late).
TICKETS_SQL = """
WITH team AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM core_user WHERE username LIKE 'bench\\_feedback\\_%%'
), staff AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM core_user WHERE username LIKE 'bench\\_branch\\_%%'
), vips AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM clients_client
    WHERE status IN ('vip', 'vip_at_risk')
), bounds AS (
    SELECT min(id) AS lo, count(*) AS n FROM clients_client
), g AS (
    SELECT n,
           (ARRAY['new', 'new', 'in_progress', 'in_progress', 'responded', 'responded',
                  'resolved', 'resolved', 'resolved', 'resolved', 'resolved', 'resolved',
                  'resolved', 'resolved', 'closed', 'closed', 'closed', 'closed', 'closed',
                  'closed'])[1 + n %% 20] AS status
    FROM generate_series(1, %(tickets)s) n
), t AS (
    SELECT g.n, g.status,
           CASE WHEN g.n %% 5 = 0 THEN b.lo + (g.n::bigint * 7919) %% b.n
                ELSE v.ids[1 + (g.n::bigint * 104729) %% cardinality(v.ids)] END AS client_id,
           (ARRAY['phone', 'branch', 'email', 'app', 'web'])[1 + g.n %% 5] AS channel,
           (ARRAY['complaint', 'inquiry', 'suggestion', 'praise', 'service_request'])
               [1 + (g.n / 5) %% 5] AS category,
           CASE WHEN g.status IN ('new', 'in_progress')
                THEN now() - make_interval(mins => (g.n * 37) %% 4320)
                ELSE now() - make_interval(hours => 72 + (g.n * 13) %% 8700) END AS received_at,
           team.ids AS team, staff.ids AS staff
    FROM g, team, staff, vips v, bounds b
)
INSERT INTO feedback_ticket (
    reference, client_id, channel, category, subject, description, status, handler_id,
    received_at, first_response_due_at, warn_due_at, first_response_at, warned_at, breached_at,
    escalated_at, resolved_at, closed_at, created_by_id, sender_email, source_message_id,
    access_hash, sender_name, sender_phone, sender_phone_typed
)
SELECT 'FB-B-' || lpad(t.n::text, 7, '0'), t.client_id, t.channel, t.category,
       '关于服务的反馈 #' || t.n, '客户反馈内容：希望改进服务。', t.status,
       CASE WHEN t.status = 'new' AND t.n %% 3 = 0 THEN NULL
            ELSE t.team[1 + t.n %% cardinality(t.team)] END,
       t.received_at, t.received_at + interval '48 hours', t.received_at + interval '36 hours',
       CASE WHEN t.status NOT IN ('new', 'in_progress')
            THEN t.received_at + make_interval(mins => (t.n * 53) %% 3600) END,
       CASE WHEN t.status IN ('new', 'in_progress') AND now() >= t.received_at + interval '36 hours'
            THEN t.received_at + interval '36 hours' END,
       CASE WHEN t.status IN ('new', 'in_progress') AND now() >= t.received_at + interval '48 hours'
            THEN t.received_at + interval '48 hours' END,
       CASE WHEN t.status IN ('new', 'in_progress') AND now() >= t.received_at + interval '48 hours'
            THEN t.received_at + interval '48 hours' END,
       CASE WHEN t.status IN ('resolved', 'closed') THEN t.received_at + interval '70 hours' END,
       CASE WHEN t.status = 'closed' THEN t.received_at + interval '71 hours' END,
       CASE WHEN t.channel IN ('phone', 'branch') THEN t.staff[1 + t.n %% cardinality(t.staff)] END,
       CASE WHEN t.channel = 'email' THEN 'client' || t.n || '@example.cn' ELSE '' END,
       '', '', '', '', ''
FROM t
"""

CALLBACKS_PY = """
from django.utils import timezone
from servicedesk.services import callbacks_generate
print(callbacks_generate(on=timezone.localdate()))
"""


def enrich(loader: Loader, args: argparse.Namespace) -> dict:
    """Give the loaded bank the scale of the other pages; returns the row counts."""
    params = {
        "d": args.as_of,
        "since": rir.baselines.months_back(args.as_of, 12),
        "per_rm": args.vips_per_rm,
        "capacity": args.vips_per_rm + 50,
        "tickets": args.tickets,
    }
    conn = loader.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET work_mem = '256MB'")
            for label, sql, extra in [
                ("total assets + VIP statuses", STATUSES_SQL, {}),
                ("status history", HISTORY_SQL, {}),
                (
                    "RM users",
                    USERS_SQL.format(columns=USER_COLUMNS, rows=RM_ROWS),
                    {"role": "relationship_manager"},
                ),
                (
                    "branch staff",
                    USERS_SQL.format(columns=USER_COLUMNS, rows=BRANCH_STAFF_ROWS),
                    {"role": "branch_staff"},
                ),
                (
                    "feedback team",
                    USERS_SQL.format(columns=USER_COLUMNS, rows=TEAM_ROWS),
                    {"role": "feedback_team"},
                ),
                (
                    "supervisors",
                    USERS_SQL.format(columns=USER_COLUMNS, rows=SUPERVISOR_ROWS),
                    {"role": "supervisor"},
                ),
                ("relationship managers", RMS_SQL, {}),
                ("assignments", ASSIGNMENTS_SQL, {}),
                ("feedback tickets", TICKETS_SQL, {}),
            ]:
                started = time.perf_counter()
                cur.execute(sql, params | extra)
                loader.add(
                    rir.Step(f"scale: {label}", time.perf_counter() - started, rows=cur.rowcount)
                )
            # Statistics for the call-backs' statement and the pages. (The 3-minute
            # callbacks_generate once blamed on missing statistics was its anti-join re-reading
            # the table it filled; it reads a set difference since.)
            cur.execute("ANALYZE")
    finally:
        conn.close()
    seconds, _, out, _ = loader.run(loader.manage("shell", "-c", CALLBACKS_PY))
    loader.add(
        rir.Step("scale: call-backs (callbacks_generate)", seconds, rows=int(out.split()[-1]))
    )
    loader.vacuum()
    return counts(loader)


def counts(loader: Loader) -> dict:
    conn = loader.connect()
    try:
        with conn.cursor() as cur:
            result = {}
            for table in (
                "clients_client",
                "clients_account",
                "clients_balance",
                "clients_trade",
                "clients_statuschange",
                "managers_relationshipmanager",
                "managers_assignment",
                "feedback_ticket",
                "servicedesk_callback",
                "core_user",
            ):
                cur.execute(f"SELECT count(*) FROM {table}")
                result[table] = cur.fetchone()[0]
            cur.execute("SELECT status, count(*) FROM clients_client GROUP BY 1 ORDER BY 1")
            result["clients by status"] = dict(cur.fetchall())
            cur.execute("SELECT status, count(*) FROM feedback_ticket GROUP BY 1 ORDER BY 1")
            result["tickets by status"] = dict(cur.fetchall())
            return result
    finally:
        conn.close()


# --- 3. personas and scenarios -----------------------------------------------------------------

# Run inside the served settings (sessions are signed with its secret key): one session per
# persona, and the ids the scenarios need.
PERSONAS_PY = r"""
import json, random
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from django.conf import settings
from clients.models import Client
from core.models import Branch, User
from managers.models import Assignment, RelationshipManager

def session(username):
    user = User.objects.get(username=username)
    # The product's session engine (cached_db with Redis: the cache is filled as the app would).
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

def search_name():
    # A whole three-character name several clients share (one match would open the dossier, a
    # redirect; three characters take the trigram path, shorter ones match name prefixes).
    from django.db.models import Count
    from django.db.models.functions import Length
    return (
        Client.objects.filter(pk__lte=Client.objects.order_by("pk").values_list("pk", flat=True)[20000])
        .annotate(length=Length("name")).filter(length=3)
        .values("name").annotate(n=Count("pk")).filter(n__gte=2).order_by("name")
        .values_list("name", flat=True).first()
    )

rng = random.Random(11)
first_branch = Branch.objects.order_by("code").first()
rm = RelationshipManager.objects.filter(branch=first_branch, user__username__startswith="bench_rm_").order_by("pk").first()
vip_ids = list(Client.objects.filter(status__in=["vip", "vip_at_risk"]).values_list("pk", flat=True)[:200000])
clients_of_rm = list(Assignment.objects.filter(rm=rm, ended_at__isnull=True).values_list("client_id", flat=True))
print(json.dumps({
    "sessions": {
        "supervisor": session("bench_supervisor_1"),
        "rm": session(rm.user.username),
        "branch": session(f"bench_branch_{first_branch.code}_1"),
        "feedback": session("bench_feedback_1"),
    },
    "rm_clients": len(clients_of_rm),
    "branch_id": first_branch.pk,
    "rm_id": rm.pk,
    "dossier_ids": rng.sample(vip_ids, min(500, len(vip_ids))),
    "rm_dossier_ids": clients_of_rm[:500],
    "search": search_name(),
    "fragment": Client.objects.order_by("pk").values_list("name", flat=True)[12345][:2],
}))
"""


@dataclass
class Scenario:
    name: str
    persona: str | None
    urls: list[str]
    is_baseline: bool = False


def scenarios(facts: dict) -> list[Scenario]:
    ids = facts["dossier_ids"]
    return [
        Scenario("baseline: minimal view, no query", None, ["/bench/hello/"], True),
        Scenario("baseline: one-query view, 50 clients", None, ["/bench/clients/"], True),
        # Not a target: the product's layout, session and login around an empty list, to show
        # how much of a page's budget the frame alone takes.
        Scenario("reference: notifications (empty), supervisor", "supervisor", ["/notifications/"]),
        Scenario("client list, supervisor, page 1", "supervisor", ["/clients/"]),
        Scenario(
            "client list, supervisor, page 200 (the deepest offered)",
            "supervisor",
            ["/clients/?page=200"],
        ),
        Scenario(
            "client list, supervisor, search (a whole name)",
            "supervisor",
            [f"/clients/?q={quote(facts['search'])}"],
        ),
        Scenario(
            "client list, supervisor, search (a name's first 2 characters)",
            "supervisor",
            [f"/clients/?q={quote(facts['fragment'])}"],
        ),
        Scenario(
            "client list, supervisor, filter VIP + branch",
            "supervisor",
            [f"/clients/?status=vip&branch={facts['branch_id']}"],
        ),
        Scenario("client list, RM, page 1", "rm", ["/clients/"]),
        Scenario("client list, branch staff, page 1", "branch", ["/clients/"]),
        Scenario(
            "client list, branch staff, filter at risk",
            "branch",
            ["/clients/?status=vip_at_risk"],
        ),
        Scenario(
            "dossier, supervisor (random VIPs)", "supervisor", [f"/clients/{i}/" for i in ids]
        ),
        Scenario(
            "dossier, RM (own clients)",
            "rm",
            [f"/clients/{i}/" for i in facts["rm_dossier_ids"]],
        ),
        # Below the dossier's first screen: each panel is a request of its own when it scrolls
        # into view (clients/static/clients/dossier_panels.js).
        Scenario(
            "dossier panel: transactions, supervisor",
            "supervisor",
            [f"/clients/{i}/panel/clients.trades/" for i in ids],
        ),
        Scenario(
            "dossier panel: feedback, supervisor",
            "supervisor",
            [f"/clients/{i}/panel/feedback/" for i in ids],
        ),
        Scenario("ticket queue, feedback team", "feedback", ["/feedback/"]),
        Scenario("ticket queue, supervisor, page 5", "supervisor", ["/feedback/?page=5"]),
        Scenario("ticket queue, RM", "rm", ["/feedback/"]),
    ]


# --- 4. the load generator -------------------------------------------------------------------


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    load: float
    statuses: dict
    is_baseline: bool = False
    # CPU seconds used in the measured window by gunicorn (master + workers) and by PostgreSQL
    # (postmaster + backends), from /proc: what a request costs, whatever else the machine runs.
    cpu_app_s: float = float("nan")
    cpu_db_s: float = float("nan")
    latencies: list = field(default_factory=list, repr=False)

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * (self.cpu_app_s + self.cpu_db_s) / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def fetch(host: str, port: int, request: bytes, conn: list) -> int:
    """One GET over a kept-alive connection when the server keeps it (gunicorn's sync workers
    never do: they close after every response); returns the status code."""
    if not conn:
        conn.extend(await asyncio.open_connection(host, port))
    reader, writer = conn
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()
    if headers.get("connection") == "close" or "content-length" not in headers:
        writer.close()
        conn.clear()
    return status


async def drive(
    host: str,
    port: int,
    scenario: Scenario,
    cookie: str,
    connections: int,
    warmup: float,
    duration: float,
    cpu=None,
) -> tuple[list[float], dict[int, int], float, tuple]:
    """``connections`` closed-loop clients for ``warmup`` + ``duration`` seconds. A request
    counts when it ENDS inside the measured window, whenever it started: counting only those
    that start and end inside it would drop the slow requests in flight at either edge (up to
    one per connection), which favours fast pages. ``cpu`` (optional) is called at the window's
    start and end; its two readings are returned."""
    rng = random.Random(7)
    cookie_line = f"Cookie: sessionid={cookie}\r\n" if cookie else ""
    requests = [
        (
            f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: vip-bench\r\n"
            f"Accept-Language: zh-hans\r\nX-Fragment: 1\r\n{cookie_line}\r\n"
        ).encode()
        for url in scenario.urls
    ]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    measure_from = started + warmup
    stop = measure_from + duration
    readings: list = []

    async def worker() -> None:
        conn: list = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                status = await fetch(host, port, rng.choice(requests), conn)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status = 0
                conn.clear()
            t1 = time.perf_counter()
            if measure_from <= t1 < stop:
                latencies.append(t1 - t0)
                statuses[status] = statuses.get(status, 0) + 1
        if conn:
            conn[1].close()

    async def clock() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        readings.append(cpu() if cpu else None)
        await asyncio.sleep(max(0.0, stop - time.perf_counter()))
        readings.append(cpu() if cpu else None)

    await asyncio.gather(clock(), *(worker() for _ in range(connections)))
    return latencies, statuses, duration, tuple(readings)


# --- CPU time from /proc ------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    return raw[raw.rindex(")") + 2 :].split()


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of ``root`` (its own and its reaped children's) plus its live children's: a
    gunicorn master and its workers, or a postmaster and its backends."""
    own = _stat(root)
    if own is None:
        return float("nan")
    # After the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based.
    total = sum(int(own[i]) for i in (11, 12, 13, 14))
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[1] == str(root):
                total += int(fields[11]) + int(fields[12])
    return total / TICK


def postmaster_pid(dsn: str) -> int | None:
    """The local PostgreSQL server's postmaster (the parent of our backend), if it runs here."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    conn.close()
    fields = _stat(backend)
    return int(fields[1]) if fields else None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def measure(
    args,
    scenario: Scenario,
    cookie: str,
    *,
    connections: int,
    warmup: float,
    duration: float,
    cpu=None,
) -> Result:
    latencies, statuses, seconds, readings = asyncio.run(
        drive("127.0.0.1", args.port, scenario, cookie, connections, warmup, duration, cpu)
    )
    ok = statuses.get(200, 0)
    app_s = db_s = float("nan")
    if cpu and len(readings) == 2:
        (app0, db0), (app1, db1) = readings
        app_s, db_s = app1 - app0, db1 - db0
    return Result(
        name=scenario.name,
        requests=ok,
        errors=sum(n for s, n in statuses.items() if s != 200),
        seconds=seconds,
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies) * 1000 if latencies else float("nan"),
        load=os.getloadavg()[0],
        statuses={str(k): v for k, v in sorted(statuses.items())},
        is_baseline=scenario.is_baseline,
        cpu_app_s=app_s,
        cpu_db_s=db_s,
        latencies=latencies,
    )


@dataclass
class Paired:
    """A page measured in ``rounds`` that alternate with the one-query baseline (B P, P B, ...):
    each round's ratio compares two measurements taken seconds apart, so a load that comes
    and goes hits both; the verdict is the median of those ratios (SPEC section 11)."""

    name: str
    pages: list[Result]
    baselines: list[Result]

    @property
    def rate_ratios(self) -> list[float]:
        return [
            p.rps / b.rps if b.rps else 0.0 for p, b in zip(self.pages, self.baselines, strict=True)
        ]

    @property
    def cpu_ratios(self) -> list[float]:
        """Baseline CPU per request / page CPU per request (app + database), per round: the
        rate the page would reach beside the baseline on an otherwise idle machine."""
        return [
            b.cpu_ms_per_request / p.cpu_ms_per_request if p.cpu_ms_per_request else 0.0
            for p, b in zip(self.pages, self.baselines, strict=True)
        ]

    def pooled(self, which: str, q: float) -> float:
        results = self.pages if which == "page" else self.baselines
        return percentile([x for r in results for x in r.latencies], q)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.pages)

    @property
    def loads(self) -> list[float]:
        return [r.load for r in self.pages + self.baselines]


def measure_paired(args, page: Scenario, baseline: Scenario, cookie: str, cpu) -> Paired:
    paired = Paired(page.name, [], [])
    for round_no in range(args.rounds):
        order = [(baseline, ""), (page, cookie)]
        if round_no % 2:
            order.reverse()
        for scenario, who in order:
            result = measure(
                args,
                scenario,
                who,
                connections=args.connections,
                warmup=args.warmup,
                duration=args.duration,
                cpu=cpu,
            )
            (paired.baselines if scenario is baseline else paired.pages).append(result)
    return paired


def paired_table(rows: list[Paired], connections: int) -> str:
    lines = [
        "| page | rate vs one-query view: median of paired ratios (min–max) | CPU ratio: median "
        f"| page req/s (median) | page CPU ms/request (app + db) | p50 / p99 ms at {connections} "
        "conn. (pooled) | baseline p99 ms | errors | load | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        rates, cpus = row.rate_ratios, row.cpu_ratios
        target = 0.25 if row.name.startswith("dossier,") else 0.5
        p99 = row.pooled("page", 0.99)
        if row.name.startswith(("reference:", "dossier panel")):
            verdict = "reference"
        else:
            missed = [
                what
                for what, ok in (
                    (f"rate < {target}x", statistics.median(rates) >= target),
                    ("p99", p99 < 100),
                    ("errors", not row.errors),
                )
                if not ok
            ]
            verdict = "**met**" if not missed else "**missed**: " + ", ".join(missed)
        app = statistics.median(r.cpu_app_s * 1000 / r.requests for r in row.pages if r.requests)
        db = statistics.median(r.cpu_db_s * 1000 / r.requests for r in row.pages if r.requests)
        lines.append(
            f"| {row.name} | **{statistics.median(rates):.2f}x** ({min(rates):.2f}–"
            f"{max(rates):.2f}) | {statistics.median(cpus):.2f}x | "
            f"{statistics.median(r.rps for r in row.pages):,.0f} | {app:.1f} + {db:.1f} | "
            f"{row.pooled('page', 0.5):.1f} / {p99:.1f} | {row.pooled('base', 0.99):.1f} | "
            f"{row.errors} | {min(row.loads):.1f}–{max(row.loads):.1f} | {verdict} |"
        )
    return "\n".join(lines)


# --- 5. the server -----------------------------------------------------------------------------


def served_env(args) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        DJANGO_SETTINGS_MODULE="pages_settings",
        PYTHONPATH=str(BENCH),
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="page-benchmark-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # Plain HTTP on loopback: no redirect to HTTPS (the cookie flags do not matter here).
        DJANGO_SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )


def start_gunicorn(args, env: dict) -> subprocess.Popen:
    # Inherits this process's nice level: server and load generator compete on equal terms.
    cmd = [
        args.python, "-m", "gunicorn", "vipservice.wsgi:application",
        "--workers", str(args.workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{args.port}", "--backlog", "2048", "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status = asyncio.run(
                asyncio.wait_for(
                    fetch(
                        "127.0.0.1",
                        args.port,
                        b"GET /bench/hello/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                        [],
                    ),
                    5,
                )
            )
            if status == 200:
                return proc
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            pass  # not listening yet (workers still importing Django): ask again below
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


# --- report --------------------------------------------------------------------------------------


def _brief(result: Result) -> dict:
    return {k: v for k, v in asdict(result).items() if k != "latencies"} | {
        "rps": result.rps,
        "cpu_ms_per_request": result.cpu_ms_per_request,
    }


SETTINGS_SHOWN = (
    "shared_buffers",
    "work_mem",
    "max_wal_size",
    "random_page_cost",
    "effective_cache_size",
    "synchronous_commit",
)


def server_settings(dsn: str) -> str:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(SETTINGS_SHOWN)],
        )
        values = dict(cursor.fetchall())
    conn.close()
    return ", ".join(f"{name} {values.get(name)}" for name in SETTINGS_SHOWN)


def git_commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
    )
    return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="CSV folder (default benchmarks/data/bank-N)")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/vip_pages_bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--python", default=rir.DEFAULT_PYTHON)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument(
        "--trades", type=int, default=0, help="load only the newest N trades (0: all)"
    )
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--vips-per-rm", type=int, default=200)
    parser.add_argument("--keep-database", action="store_true", help="skip drop/create/load")
    parser.add_argument("--load-only", action="store_true", help="stop after loading")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--connections", type=int, default=8, help="SPEC 11: p99 at 8 connections on 2 workers"
    )
    parser.add_argument(
        "--rounds", type=int, default=6, help="rounds per page, alternating with the baseline"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each round")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round and side")
    parser.add_argument(
        "--only", help="run only the scenarios whose name contains this (A|B: either)"
    )
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument("--results", type=Path, help="JSON results file")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    args.data = args.data or BENCH / "data" / f"bank-{args.clients}"
    # What run_import_reclassify's Runner reads.
    args.trades_per_client_avg = 30.0
    os.nice(args.nice)

    loader = Loader(args)
    facts = loader.generate()
    if args.trades:
        facts = facts | {"trades": min(args.trades, facts["trades"])}
    if not args.keep_database:
        loader.recreate_database()
        loader.bulk_load(facts)
        tables = enrich(loader, args)
    else:
        loader.run(loader.manage("migrate", "-v", "0"))
        tables = counts(loader)
    loader.log(f"tables: {tables}")
    if args.load_only:
        return 0

    env = served_env(args)
    loader.env = env
    loader.run(loader.manage("collectstatic", "--noinput", "-v", "0"))
    _, _, out, _ = loader.run(loader.manage("shell", "-c", PERSONAS_PY))
    personas = json.loads(out.strip().splitlines()[-1])
    loader.log(
        f"personas: RM with {personas['rm_clients']} clients, branch {personas['branch_id']}, "
        f"search {personas['search']!r}"
    )

    planned = [s for s in scenarios(personas) if not s.is_baseline]
    wanted = args.only.split("|") if args.only else []
    planned = [s for s in planned if not wanted or any(w in s.name for w in wanted)]
    baseline = next(s for s in scenarios(personas) if s.name.startswith("baseline: one-query"))
    server = start_gunicorn(args, env)
    postmaster = postmaster_pid(args.database_url)

    def cpu() -> tuple[float, float]:
        db = tree_cpu_seconds(postmaster) if postmaster else float("nan")
        return tree_cpu_seconds(server.pid), db

    rows: list[Paired] = []
    try:
        for scenario in planned:
            row = measure_paired(
                args, scenario, baseline, personas["sessions"][scenario.persona], cpu
            )
            rows.append(row)
            loader.log(
                f"{row.name}: paired ratios "
                + ", ".join(f"{x:.2f}" for x in row.rate_ratios)
                + "; CPU ratios "
                + ", ".join(f"{x:.2f}" for x in row.cpu_ratios)
                + f"; p99 {row.pooled('page', 0.99):.1f} ms; errors {row.errors}; "
                f"load {max(row.loads):.1f}"
            )
    finally:
        stop_gunicorn(server)

    print()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, commit {git_commit()}, "
        f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}; gunicorn "
        f"{args.workers} sync workers, {args.connections} connections; {args.rounds} rounds "
        f"per page alternating with the one-query view, {args.duration:.0f} s each after "
        f"{args.warmup:.0f} s warm-up; PostgreSQL: {server_settings(args.database_url)}"
    )
    print(f"Tables: {tables}")
    print()
    print(paired_table(rows, args.connections))
    out_file = args.results or BENCH / "data" / f"results-pages-{int(time.time())}.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(
        json.dumps(
            {
                "commit": git_commit(),
                "tables": tables,
                "args": {k: str(v) for k, v in vars(args).items()},
                "postgresql": server_settings(args.database_url),
                "pages": [
                    {
                        "name": row.name,
                        "rate_ratios": row.rate_ratios,
                        "cpu_ratios": row.cpu_ratios,
                        "page_p50_ms": row.pooled("page", 0.5),
                        "page_p99_ms": row.pooled("page", 0.99),
                        "baseline_p99_ms": row.pooled("base", 0.99),
                        "pages": [_brief(r) for r in row.pages],
                        "baselines": [_brief(r) for r in row.baselines],
                    }
                    for row in rows
                ],
                "load_steps": [asdict(s) for s in loader.steps],
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nresults: {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
