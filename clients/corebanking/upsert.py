"""The core-banking import's writes: one ``INSERT ... ON CONFLICT DO UPDATE`` per table from the
staging table (or the fast path's typed query), rewriting only rows whose values differ."""

from django.db import connection
from django.utils import timezone

from clients.corebanking.history import client_changes_record
from clients.corebanking.report import ImportReport
from clients.corebanking.stage import STAGE
from clients.models import ContactChannel, RiskLevel, VipStatus
from clients.qualification.measures import refresh_total_assets
from core.actors import Actor


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
    _upsert(
        cursor,
        f"""INSERT INTO clients_trade (trade_id, client_id, account_id, executed_at, amount)
            SELECT s.trade_id, a.client_id, a.id, s.executed_at, s.amount FROM {source} s
            JOIN clients_account a ON a.account_no = s.account_no WHERE 1 = 1
            ON CONFLICT (trade_id) DO UPDATE SET client_id = excluded.client_id,
                account_id = excluded.account_id, executed_at = excluded.executed_at,
                amount = excluded.amount
            WHERE clients_trade.account_id <> excluded.account_id
               OR clients_trade.executed_at <> excluded.executed_at
               OR clients_trade.amount <> excluded.amount""",
        [],
        report,
    )
