"""The VIP rule of SPEC section 3 as one set-based statement for every client.

The nightly run never loops over clients: one statement (``changes_stage``) finds every client
whose status changes on D. It tests the cheap criteria first (good standing and relationship),
then assets (the policy's measure, ``measures.assets_by_client_sql``: for the latest balance,
one join of those clients and their accounts), and "at least N trades in the window" last
(``criteria.Trades.qualifies_sql``: at most N index entries, and only for clients that passed
everything else, so its cost does not grow with trade volume). The measures the history records
are computed for the changed rows only. Every test and threshold comes from ``criteria``, every
status and date from ``rule``: this module only decides the statement's shape.

The denormalised ``Client.total_assets`` (what the client list shows and sorts by) is not
written here: rewriting a million rows a night would cost more than the rule itself. It is
refreshed where balances change: by the balances import, for the clients in the file
(``measures.refresh_total_assets``).
"""

from django.db import connection

from clients.models import VipStatus
from clients.qualification.criteria import ASSETS, ON_CLIENT_ROW, TRADES, sql_params
from clients.qualification.measures import assets_by_client_sql, client_cents_sql
from clients.qualification.rule import since_sql, status_sql
from clients.qualification.window import Window

CHANGES_TABLE = "reclassify_changes"


def changes_stage(window: Window) -> None:
    """Fill the temporary table ``CHANGES_TABLE`` with every client whose status, ``vip_since``
    or ``at_risk_since`` changes on D, what it becomes, and the measures its history row records.

    One statement. Overrides come first, then the rule with its grace period (``rule``, as
    ``next_status`` for one client). The measures (assets, the full trade count) are computed
    in the projection, so only for the changed rows."""
    enough_trades = TRADES.qualifies_sql("c.id") if window.policy.min_trades > 0 else "1 = 1"
    # Assets only for the clients who pass the cheap tests, as one join of clients and accounts
    # grouped in client order (as the hand-written baseline does): a correlated subquery per
    # client costs an aggregate's start-up per client on top of the same index probes.
    # CASE evaluates its branches in order and stops: the trades probe (at most N index
    # entries) runs only for the clients whose assets pass.
    assets_pass = ASSETS.qualifies_sql("c", "s.cents")
    on_row = " AND ".join(criterion.sql_passed("c") for criterion in ON_CLIENT_ROW)
    qualifies = f"""CASE WHEN {on_row} AND {assets_pass}
        THEN CASE WHEN {enough_trades} THEN 1 ELSE 0 END
        ELSE 0 END"""
    # The latest balances are read only for the clients who pass the cheap tests.
    assets = assets_by_client_sql(
        window, only=" AND ".join(criterion.sql_passed("c1") for criterion in ON_CLIENT_ROW)
    )
    target = status_sql("e", qualifies="e.q", override_status="e.ostatus")
    # MATERIALIZED: computed once per client. Inlined, every mention of e.q below would repeat
    # the whole CASE (assets probed up to three times per client: 57 s of a 177 s run on a
    # million clients, benchmarks/REPORT.md).
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
                       AND COALESCE(NOT ({assets_pass}), TRUE))
        ), t AS (
            SELECT e.*, {target} AS target FROM e
        ), n AS (
            SELECT t.*,
                   {since_sql("t", target="t.target", column="vip_since")} AS new_vip_since,
                   {since_sql("t", target="t.target", column="at_risk_since")}
                       AS new_at_risk_since
            FROM t
        )
        SELECT n.id, n.kind, n.status AS from_status, n.target AS to_status,
               n.new_vip_since, n.new_at_risk_since, n.relationship_since, n.good_standing,
               n.q, n.oid, n.oreason,
               COALESCE(n.assets_cents, {client_cents_sql("n.id", window)}) AS assets_cents,
               {TRADES.count_sql("n.id")} AS trades,
               ROW_NUMBER() OVER (ORDER BY n.id) AS rn
        FROM n
        WHERE n.target <> n.status
           OR n.new_vip_since IS DISTINCT FROM n.vip_since
           OR n.new_at_risk_since IS DISTINCT FROM n.at_risk_since
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CHANGES_TABLE}")
        cursor.execute(sql, sql_params(window))
