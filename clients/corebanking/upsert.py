"""The core-banking import's writes from the staging table (or the fast path's typed query),
rewriting only rows whose values differ: one ``INSERT ... ON CONFLICT DO UPDATE`` per table, except
PostgreSQL's trades (an UPDATE of the known ones, then a plain INSERT: ``_trades_write``)."""

from django.db import connection
from django.utils import timezone

from clients.corebanking.history import client_changes_record
from clients.corebanking.report import ImportReport
from clients.corebanking.stage import STAGE
from clients.models import ContactChannel, RiskLevel, VipStatus
from clients.qualification.measures import refresh_total_assets
from core.actors import Actor

# A trade is rewritten only when its account, instant or amount differ (its client follows its
# account).
_TRADE_CHANGED = (
    "{t}.account_id <> {n}.account_id OR {t}.executed_at <> {n}.executed_at"
    " OR {t}.amount <> {n}.amount"
)
# The file's trades the table already holds (``_trades_write``).
_KNOWN_TRADES = "corebanking_known_trades"


def _upsert(cursor, sql: str, params: list, report: ImportReport) -> None:
    """Run an ``INSERT ... ON CONFLICT DO UPDATE ... WHERE <changed>``. On PostgreSQL its own
    output gives the counts (a row inserted has xmax 0, one updated the lock's xid; unchanged
    rows are not returned), so no extra joins count them beforehand."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    cursor.execute(
        f"""WITH w AS ({sql} RETURNING (xmax = 0) AS created)
            SELECT COUNT(*) FILTER (WHERE created), COUNT(*) FROM w""",
        params,
    )
    created, written = cursor.fetchone()
    report.created, report.updated = created, written - created
    report.unchanged = report.rows - written


def stage_write(kind: str, report: ImportReport, source: str, actor: Actor) -> None:
    """Upsert from ``source``: the staging table, or a query over the COPY fast path's text table
    giving the same columns and types. Clients' changed fields are first recorded in their history
    with ``actor`` (``history.client_changes_record``)."""
    with connection.cursor() as cursor:
        if kind == "clients":
            report.changes_recorded = client_changes_record(cursor, source=source, actor=actor)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            changed = " OR ".join(
                f"clients_client.{c} <> excluded.{c}"
                for c in (
                    "name",
                    "kind",
                    "id_number",
                    "phone",
                    "email",
                    "branch_id",
                    "relationship_since",
                    "good_standing",
                )
            )
            _upsert(
                cursor,
                f"""INSERT INTO clients_client (client_no, name, kind, id_number, phone,
                        phone_normalized, email, branch_id, relationship_since, good_standing,
                        status, total_assets, preferred_channel, preferred_language, interests,
                        risk_level, created_at, updated_at)
                    SELECT s.client_no, s.name, s.kind, s.id_number, s.phone, s.phone_normalized,
                           s.email, b.id, s.relationship_since, s.good_standing, %s, 0, %s, %s,
                           '', %s, %s, %s
                    FROM {source} s JOIN core_branch b ON b.code = s.branch_code WHERE 1 = 1
                    ON CONFLICT (client_no) DO UPDATE SET name = excluded.name,
                        kind = excluded.kind, id_number = excluded.id_number,
                        phone = excluded.phone, phone_normalized = excluded.phone_normalized,
                        email = excluded.email, branch_id = excluded.branch_id,
                        relationship_since = excluded.relationship_since,
                        good_standing = excluded.good_standing, updated_at = excluded.updated_at
                    WHERE {changed}""",
                [
                    VipStatus.STANDARD,
                    ContactChannel.PHONE,
                    "zh-hans",
                    RiskLevel.R3,
                    now,
                    now,
                ],
                report,
            )
            return
        cursor.execute(
            f"""INSERT INTO clients_account (account_no, client_id)
                SELECT s.account_no, MIN(c.id) FROM {STAGE} s
                JOIN clients_client c ON c.client_no = s.client_no WHERE 1 = 1
                GROUP BY s.account_no
                ON CONFLICT (account_no) DO NOTHING"""
        )
        report.accounts_created = max(cursor.rowcount, 0)
        rows_upsert(cursor, kind, source, report, clients_in=STAGE)


def rows_upsert(cursor, kind: str, source: str, report: ImportReport, *, clients_in: str) -> None:
    """Balances or trades, once their accounts exist. ``clients_in``: the table whose
    ``client_no`` column names the clients whose total assets to refresh."""
    if kind == "balances":
        _upsert(
            cursor,
            f"""INSERT INTO clients_balance (account_id, as_of, balance)
                SELECT a.id, s.as_of, s.balance FROM {source} s
                JOIN clients_account a ON a.account_no = s.account_no WHERE 1 = 1
                ON CONFLICT (account_id, as_of) DO UPDATE SET balance = excluded.balance
                WHERE clients_balance.balance <> excluded.balance""",
            [],
            report,
        )
        # ``source`` may be a query: the client numbers are the same in the table under it.
        refresh_total_assets(as_of=timezone.localdate(), only_in=clients_in)
        return
    if connection.vendor == "postgresql":
        _trades_write(cursor, source, report)
        return
    _upsert(
        cursor,
        f"""INSERT INTO clients_trade (trade_id, client_id, account_id, executed_at, amount)
            SELECT s.trade_id, a.client_id, a.id, s.executed_at, s.amount FROM {source} s
            JOIN clients_account a ON a.account_no = s.account_no WHERE 1 = 1
            ON CONFLICT (trade_id) DO UPDATE SET client_id = excluded.client_id,
                account_id = excluded.account_id, executed_at = excluded.executed_at,
                amount = excluded.amount
            WHERE {_TRADE_CHANGED.format(t="clients_trade", n="excluded")}""",
        [],
        report,
    )


def _trades_write(cursor, source: str, report: ImportReport) -> None:
    """PostgreSQL: the trades of ``source`` the table holds are UPDATEd where changed, the rest
    INSERTed plainly; ``report``'s created / updated / unchanged counts set.

    Not ``INSERT ... ON CONFLICT``: its speculative insertion probes the unique index twice and
    writes a second WAL record per row (34.1 s against 29.4 s for 3M new trades on a quiet
    machine, benchmarks/REPORT.md). The table is locked against other writers (SHARE ROW
    EXCLUSIVE: readers go on) so no trade can arrive between finding the known ones and inserting
    the rest. The known keys go to their own table first so that no statement reads the table it
    fills: ``NOT EXISTS`` against ``clients_trade`` itself was planned on an empty table as a
    nested loop that rescans every row inserted so far (the call-backs' quadratic night,
    ``4a3c1ee``).

    A trade id twice in ``source`` raises ``IntegrityError``: a known one on the known keys'
    primary key, a new one on ``clients_trade``'s unique constraint. The COPY fast path relies on
    it instead of a duplicate check of its own."""
    cursor.execute("LOCK TABLE clients_trade IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(f"DROP TABLE IF EXISTS {_KNOWN_TRADES}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_KNOWN_TRADES} (trade_id text PRIMARY KEY) ON COMMIT DROP"
    )
    cursor.execute(
        f"""INSERT INTO {_KNOWN_TRADES} SELECT s.trade_id FROM {source} s
            JOIN clients_trade t ON t.trade_id = s.trade_id"""
    )
    known = cursor.rowcount
    rows = f"""SELECT s.trade_id, a.client_id, a.id AS account_id, s.executed_at, s.amount
        FROM {source} s JOIN clients_account a ON a.account_no = s.account_no"""
    report.updated = 0
    new_only = ""
    if known:
        cursor.execute(f"ANALYZE {_KNOWN_TRADES}")
        cursor.execute(
            f"""UPDATE clients_trade t SET client_id = n.client_id, account_id = n.account_id,
                    executed_at = n.executed_at, amount = n.amount
                FROM ({rows} JOIN {_KNOWN_TRADES} k ON k.trade_id = s.trade_id) n
                WHERE t.trade_id = n.trade_id AND ({_TRADE_CHANGED.format(t="t", n="n")})"""
        )
        report.updated = cursor.rowcount
        new_only = (
            f" WHERE NOT EXISTS (SELECT FROM {_KNOWN_TRADES} k WHERE k.trade_id = s.trade_id)"
        )
    cursor.execute(
        f"""INSERT INTO clients_trade (trade_id, client_id, account_id, executed_at, amount)
            {rows}{new_only}"""
    )
    report.created = cursor.rowcount
    report.unchanged = report.rows - report.created - report.updated
