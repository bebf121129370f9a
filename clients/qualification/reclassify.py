"""The nightly reclassification (SPEC section 3 and 8): every client's status for day D, set-based
and in SQL from end to end."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from clients.models import Client, VipPolicy, VipStatus
from clients.qualification import dialect
from clients.qualification.criteria import sql_params
from clients.qualification.explain import reasons_sql
from clients.qualification.sql import CHANGES_TABLE, changes_stage
from clients.qualification.window import Window
from core.actors import Actor

# Changes written per transaction: a few seconds of locks on a big night, no more.
RECLASSIFY_BATCH = 50_000
# From this many changes in a night the clients' statistics are refreshed at once, not left to
# autovacuum (which waits for a tenth of the table to change).
RECLASSIFY_ANALYZE_FROM = 10_000
# The client columns a night writes (``_changes_apply``).
NIGHTLY_COLUMNS = ("status", "vip_since", "at_risk_since", "status_changed_on")
# Who the nightly's history rows name (issue 13): the job, the same whether beat, the intake, a
# supervisor's forced run (recorded on its ``dataruns.NightRun``) or the command started it.
NIGHTLY_ACTOR = Actor.system("reclassify_vips")
# pg_advisory_lock key shared by every reclassification run ("VIPRECLS" as a number).
RECLASSIFY_LOCK_KEY = 0x5649505245434C53


@dataclass
class ReclassificationResult:
    as_of: date
    policy_version: str
    counts: dict[str, int] = field(default_factory=dict)
    changes: int = 0
    transitions: dict[tuple[str, str], int] = field(default_factory=dict)


@contextmanager
def _reclassification_lock() -> Iterator[None]:
    """One run at a time. PostgreSQL: a session advisory lock (a second run waits, then finds
    nothing left to change). SQLite: the run is one IMMEDIATE transaction, which serialises
    writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [RECLASSIFY_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RECLASSIFY_LOCK_KEY])
    else:
        with transaction.atomic():
            yield


def _planner_settings() -> None:
    """For the night's transaction on PostgreSQL; nothing on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Sorted, index-ordered plans beat hash aggregates with a million groups.
            cursor.execute("SET LOCAL enable_hashagg = off")
            # One big query a night: JIT compilation costs more than it saves here.
            cursor.execute("SET LOCAL jit = off")


def vip_statuses_reclassify(
    *, as_of: date | None = None, actor: Actor = NIGHTLY_ACTOR
) -> ReclassificationResult:
    """Apply SPEC section 3 to every client for day D (default today, Asia/Shanghai). Every
    history row names ``actor`` (the job: ``system:reclassify_vips`` unless the caller is another
    job, e.g. ``seed_demo``; issue 13).

    Set-based and in SQL from end to end: one statement finds every change and the measures
    behind it (``changes_stage``), then each batch of changes is one UPDATE of the statuses and
    one INSERT of the history rows (reasons built by the database), in its own transaction. No
    row travels through Python, so the number of queries does not depend on the number of
    clients, and the run costs about what the hand-written SQL costs (benchmarks/REPORT.md).
    Running it again for the same D finds no change."""
    day = as_of or timezone.localdate()
    policy = VipPolicy.in_force_on(day)
    window = Window.for_day(day, policy)
    with _reclassification_lock():
        try:
            with transaction.atomic():
                _planner_settings()
                changes_stage(window)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT from_status, to_status, COUNT(*) FROM {CHANGES_TABLE} "
                        "GROUP BY from_status, to_status"
                    )
                    transitions = {(old, new): n for old, new, n in cursor.fetchall()}
            total = sum(transitions.values())
            for start in range(0, total, RECLASSIFY_BATCH):
                _changes_apply(
                    window=window, first=start + 1, last=start + RECLASSIFY_BATCH, actor=actor
                )
            if total >= RECLASSIFY_ANALYZE_FROM and connection.vendor == "postgresql":
                # The night's next steps select the VIPs; with statistics from before a go-live
                # the planner expects none and picks nested loops that go quadratic (call-backs
                # for 100k new VIPs: 52-70 s instead of 2 s, benchmarks/REPORT.md).
                # Only the columns the night changed: a full ANALYZE also samples the wide
                # table's other columns and rebuilds its expression indexes' statistics (the
                # search's trigram and prefix indexes), none of which a night moves.
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE clients_client ({', '.join(NIGHTLY_COLUMNS)})")
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {CHANGES_TABLE}")
        # COUNT(*), not COUNT(id): the (status, client_no) index then answers it without
        # reading the million rows of the wide table.
        counts = dict(
            Client.objects.order_by()
            .values("status")
            .annotate(n=Count("*"))
            .values_list("status", "n")
        )
    return ReclassificationResult(
        as_of=day,
        policy_version=policy.version,
        counts={status: counts.get(status, 0) for status in VipStatus.values},
        changes=total,
        transitions=transitions,
    )


@transaction.atomic
def _changes_apply(*, window: Window, first: int, last: int, actor: Actor) -> None:
    """Write changes ``first``..``last`` of ``CHANGES_TABLE``: statuses, then history rows whose
    reasons (``reasons_sql``) the database builds."""
    params = {
        **sql_params(window),
        "first": first,
        "last": last,
        "policy": window.policy.version,
        "policy_id": window.policy.pk,
        "now": dialect.datetime_param(timezone.now()),
        "actor": actor.label,
        "actor_id": actor.user_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE clients_client AS c SET status = ch.to_status,
                    vip_since = ch.new_vip_since, at_risk_since = ch.new_at_risk_since,
                    status_changed_on = %(as_of)s
                FROM {CHANGES_TABLE} ch
                WHERE c.id = ch.id AND ch.rn BETWEEN %(first)s AND %(last)s""",
            params,
        )
        cursor.execute(
            f"""INSERT INTO clients_statuschange (client_id, effective_on, from_status,
                    to_status, reasons, policy_id, override_id, created_at, actor,
                    changed_by_id)
                SELECT ch.id, %(as_of)s, ch.from_status, ch.to_status, {reasons_sql("ch")},
                       %(policy_id)s, ch.oid, %(now)s, %(actor)s, %(actor_id)s
                FROM {CHANGES_TABLE} ch
                WHERE ch.rn BETWEEN %(first)s AND %(last)s
                ORDER BY ch.rn""",
            params,
        )
