"""The VIP rule of SPEC section 3 as set-based SQL, plus the calendar arithmetic it needs.

The nightly run never loops over clients: one statement (``changes_stage``) finds every client
whose status changes on D. It tests the cheap criteria first (good standing and relationship),
then assets (one join of those clients and their accounts, each account's latest balance with
``as_of <= D`` read by one backward seek on (account, as_of)), and "at least N trades in the
window" last, as ``EXISTS (... ORDER BY executed_at LIMIT 1 OFFSET N-1)`` on the
(client, executed_at) index: it reads at most N index entries, and only for clients that passed
everything else, so its cost does not grow with trade volume. The measures the history records
are computed for the changed rows only.

The denormalised ``Client.total_assets`` (what the client list shows and sorts by) is not
written here: rewriting a million rows a night would cost more than the rule itself. It is
refreshed where balances change: by the balances import, for the clients in the file
(``refresh_total_assets``).

Amounts are compared in integer cents: SQLite keeps decimals as floating point, and the rule's
boundary ("equal to the threshold qualifies", 0.01 below fails) must hold on both databases.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from clients.models import VipStatus
from clients.qualification.assets import asset_period, average_by_client_sql, period_params
from clients.qualification.window import Window


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _date_param(day: date):
    return connection.ops.adapt_datefield_value(day)


def _datetime_param(instant: datetime):
    return connection.ops.adapt_datetimefield_value(instant)


def _latest_balance_sql() -> str:
    return (
        "(SELECT b.balance FROM clients_balance b WHERE b.account_id = a.id "
        "AND b.as_of <= %(as_of)s ORDER BY b.as_of DESC LIMIT 1)"
    )


def _latest_cents_sql() -> str:
    """The latest balance on %(as_of)s of account ``a`` in integer cents (exact on both)."""
    latest = _latest_balance_sql()
    if connection.vendor == "postgresql":
        return f"{latest} * 100"
    return f"CAST(ROUND({latest} * 100) AS INTEGER)"


def _assets_cents_sql(client_ref: str) -> str:
    """Total assets of ``client_ref`` on %(as_of)s in integer cents."""
    return (
        f"(SELECT COALESCE(SUM({_latest_cents_sql()}), 0) FROM clients_account a "
        f"WHERE a.client_id = {client_ref})"
    )


def refresh_total_assets(*, as_of: date, only_in: str | None = None) -> int:
    """Store each client's assets on ``as_of`` in ``Client.total_assets`` (rows that differ).
    ``only_in``: a table with a ``client_no`` column (the import's staging table) to limit the
    refresh to the clients it names."""
    cents = _assets_cents_sql("clients_client.id")
    scope = f" AND clients_client.client_no IN (SELECT client_no FROM {only_in})" if only_in else ""
    if connection.vendor == "postgresql":
        value = f"{cents} / 100"
        changed = f"clients_client.total_assets IS DISTINCT FROM {value}"
    else:
        value = f"{cents} / 100.0"
        changed = f"CAST(ROUND(clients_client.total_assets * 100) AS INTEGER) <> {cents}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE clients_client SET total_assets = {value} WHERE {changed}{scope}",
            {"as_of": _date_param(as_of)},
        )
        return cursor.rowcount


CHANGES_TABLE = "reclassify_changes"


def _enough_trades_sql(client_ref: str) -> str:
    """At least N trades in the window: reads at most N entries of the (client, executed_at) index."""
    return (
        f"EXISTS (SELECT 1 FROM clients_trade t WHERE t.client_id = {client_ref} "
        "AND t.executed_at >= %(starts_at)s AND t.executed_at < %(ends_before)s "
        "ORDER BY t.executed_at LIMIT 1 OFFSET %(skip)s)"
    )


def _trades_count_sql(client_ref: str) -> str:
    return (
        f"(SELECT COUNT(*) FROM clients_trade t WHERE t.client_id = {client_ref} "
        "AND t.executed_at >= %(starts_at)s AND t.executed_at < %(ends_before)s)"
    )


def rule_params(window: Window) -> dict:
    """The SQL parameters of the rule for D (dates adapted for the database in use)."""
    policy = window.policy
    period = asset_period(policy, window.as_of)
    return {
        **(period_params(period) if period else {}),
        "as_of": _date_param(window.as_of),
        "rel_cutoff": _date_param(window.relationship_cutoff),
        "grace_cutoff": _date_param(window.grace_cutoff),
        "starts_at": _datetime_param(window.starts_at),
        "ends_before": _datetime_param(window.ends_before),
        "skip": max(policy.min_trades - 1, 0),
        "personal_cents": _cents(policy.personal_asset_threshold),
        "corporate_cents": _cents(policy.corporate_asset_threshold),
    }


def changes_stage(window: Window) -> None:
    """Fill the temporary table ``CHANGES_TABLE`` with every client whose status, ``vip_since``
    or ``at_risk_since`` changes on D, what it becomes, and the measures its history row records.

    One statement. Overrides come first, then the rule with its grace period (the same outcome
    as ``next_status`` for one client). The measures (assets, the full trade count) are computed
    in the projection, so only for the changed rows."""
    enough_trades = _enough_trades_sql("c.id") if window.policy.min_trades > 0 else "1 = 1"
    # Assets only for the clients who pass the cheap tests, as one join of clients and accounts
    # grouped in client order (as the hand-written baseline does): a correlated subquery per
    # client costs an aggregate's start-up per client on top of the same index probes.
    # CASE evaluates its branches in order and stops: the trades probe (at most N index
    # entries) runs only for the clients whose assets pass.
    threshold = (
        "CASE WHEN c.kind = 'corporate' THEN %(corporate_cents)s ELSE %(personal_cents)s END"
    )
    qualifies = f"""CASE WHEN s.cents >= {threshold}
        THEN CASE WHEN {enough_trades} THEN 1 ELSE 0 END
        ELSE 0 END"""
    target = f"""CASE
        WHEN e.ostatus IS NOT NULL THEN e.ostatus
        WHEN e.q = 1 THEN '{VipStatus.VIP}'
        WHEN e.status = '{VipStatus.VIP}' THEN '{VipStatus.VIP_AT_RISK}'
        WHEN e.status = '{VipStatus.VIP_AT_RISK}'
             AND COALESCE(e.at_risk_since, %(as_of)s) > %(grace_cutoff)s
             THEN '{VipStatus.VIP_AT_RISK}'
        ELSE '{VipStatus.STANDARD}' END"""
    was_vip = f"t.status IN ('{VipStatus.VIP}', '{VipStatus.VIP_AT_RISK}')"
    # MATERIALIZED: computed once per client. Inlined, every mention of e.q below would repeat
    # the whole CASE (assets probed up to three times per client: 57 s of a 177 s run on a
    # million clients, benchmarks/REPORT.md).
    # The asset measure is the policy version's (``assets``): latest balances for the clients
    # who pass the cheap tests, or every client's average daily assets over the period.
    averaged = asset_period(window.policy, window.as_of) is not None
    assets = (
        average_by_client_sql()
        if averaged
        else f"""(SELECT a.client_id, SUM({_latest_cents_sql()}) AS cents
                       FROM clients_client c1 JOIN clients_account a ON a.client_id = c1.id
                       WHERE c1.good_standing AND c1.relationship_since <= %(rel_cutoff)s
                       GROUP BY a.client_id)"""
    )
    assets_fallback = "0" if averaged else _assets_cents_sql("n.id")
    sql = f"""
        CREATE TEMPORARY TABLE {CHANGES_TABLE} AS
        WITH e AS MATERIALIZED (
            SELECT c.id, c.kind, c.status, c.vip_since, c.at_risk_since,
                   c.relationship_since, c.good_standing, s.cents AS assets_cents,
                   {qualifies} AS q, o.id AS oid, o.status AS ostatus, o.reason AS oreason
            FROM clients_client c
            LEFT JOIN {assets} AS s ON s.client_id = c.id
            LEFT JOIN (SELECT client_id, MAX(id) AS oid FROM clients_statusoverride
                       WHERE revoked_at IS NULL AND starts_on <= %(as_of)s
                         AND ends_on >= %(as_of)s
                       GROUP BY client_id) AS active ON active.client_id = c.id
            LEFT JOIN clients_statusoverride o ON o.id = active.oid
            -- A standard client without an override whose assets fail cannot change: most
            -- clients stop here, before the trades probe and the materialisation.
            WHERE NOT (c.status = '{VipStatus.STANDARD}' AND o.id IS NULL
                       AND COALESCE(s.cents < {threshold}, TRUE))
        ), t AS (
            SELECT e.*, {target} AS target FROM e
        ), n AS (
            SELECT t.*,
                   CASE WHEN t.target = '{VipStatus.VIP}'
                             THEN CASE WHEN {was_vip} THEN t.vip_since ELSE %(as_of)s END
                        WHEN t.target = '{VipStatus.VIP_AT_RISK}'
                             THEN COALESCE(t.vip_since, %(as_of)s) END AS new_vip_since,
                   CASE WHEN t.target = '{VipStatus.VIP_AT_RISK}'
                        THEN COALESCE(t.at_risk_since, %(as_of)s) END AS new_at_risk_since
            FROM t
        )
        SELECT n.id, n.kind, n.status AS from_status, n.target AS to_status,
               n.new_vip_since, n.new_at_risk_since, n.relationship_since, n.good_standing,
               n.q, n.oid, n.oreason,
               COALESCE(n.assets_cents, {assets_fallback}) AS assets_cents,
               {_trades_count_sql("n.id")} AS trades,
               ROW_NUMBER() OVER (ORDER BY n.id) AS rn
        FROM n
        WHERE n.target <> n.status
           OR n.new_vip_since IS DISTINCT FROM n.vip_since
           OR n.new_at_risk_since IS DISTINCT FROM n.at_risk_since
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CHANGES_TABLE}")
        cursor.execute(sql, rule_params(window))
