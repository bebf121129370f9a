"""Hand-written PostgreSQL baselines that SPEC section 11's targets are measured against.

- ``copy_trades``: COPY of the trades CSV into a plain staging table (no indexes, typed columns):
  the rows/s the trades import is compared to.
- the bulk load: the three CSVs into the empty Django tables the fastest way PostgreSQL allows
  (COPY into staging tables, secondary indexes and unique constraints dropped, INSERT ... SELECT
  with foreign-key triggers off, indexes rebuilt). It fills the database for the reclassification
  benchmarks when the Django import is not measured; it is no baseline for the import, which
  must upsert into live, indexed tables.
- ``count_sql`` / ``reclassify_sql``: the best hand-written set-based SQL for section 3's rule
  (without grace and overrides): counting the qualifying clients, and updating the statuses plus
  writing one history row per change.

Everything here is plain SQL run through psycopg2 or psql; none of it is application code.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

PERSONAL_THRESHOLD = "1000000"
CORPORATE_THRESHOLD = "5000000"
MIN_TRADES = 5


def months_back(day: date, months: int) -> date:
    """``day`` minus calendar months, clamped to the month's end (SPEC section 3)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RuleParams:
    """The dates and bounds of SPEC section 3's rule for one evaluation date D."""

    as_of: date

    @property
    def since_limit(self) -> date:
        return months_back(self.as_of, 12)

    @property
    def window_start(self) -> str:
        # Local (Asia/Shanghai) calendar days [D - 3 months, D], both ends inclusive.
        return f"{months_back(self.as_of, 3).isoformat()} 00:00:00+08:00"

    @property
    def window_end(self) -> str:
        return f"{(self.as_of + timedelta(days=1)).isoformat()} 00:00:00+08:00"

    def sql_params(self) -> dict[str, object]:
        return {
            "d": self.as_of,
            "since": self.since_limit,
            "ws": self.window_start,
            "we": self.window_end,
            "personal": PERSONAL_THRESHOLD,
            "corporate": CORPORATE_THRESHOLD,
            "min_trades": MIN_TRADES,
        }


# --- Import baseline -------------------------------------------------------------------------

TRADES_STAGING_DDL = """
DROP TABLE IF EXISTS bench_trades_staging;
CREATE TABLE bench_trades_staging (
    trade_id varchar(40), client_no varchar(32), account_no varchar(40),
    executed_at timestamptz, amount numeric(18, 2)
);
"""


# --- Bulk load into the empty Django tables ----------------------------------------------------

LOAD_STAGING_DDL = """
DROP TABLE IF EXISTS bench_clients_staging, bench_balances_staging, bench_trades_staging;
CREATE TABLE bench_clients_staging (
    client_no varchar(32), name varchar(200), kind varchar(10), id_number varchar(40),
    phone varchar(40), email varchar(254), branch_code varchar(20), relationship_since date,
    good_standing boolean
);
CREATE TABLE bench_balances_staging (
    client_no varchar(32), account_no varchar(40), as_of date, balance numeric(18, 2)
);
CREATE TABLE bench_trades_staging (
    trade_id varchar(40), client_no varchar(32), account_no varchar(40),
    executed_at timestamptz, amount numeric(18, 2)
);
"""

LOAD_CLIENTS_SQL = """
INSERT INTO clients_client (
    client_no, name, kind, id_number, phone, phone_normalized, email, branch_id,
    relationship_since, good_standing, status, preferred_channel, preferred_language,
    interests, risk_level, created_at, updated_at
)
SELECT s.client_no, s.name, s.kind, s.id_number, s.phone,
       '+86' || regexp_replace(s.phone, '[^0-9]', '', 'g'), coalesce(s.email, ''), b.id,
       s.relationship_since, s.good_standing, 'standard', 'phone', 'zh-hans', '', 'R3',
       now(), now()
FROM bench_clients_staging s JOIN core_branch b ON b.code = s.branch_code
"""

LOAD_ACCOUNTS_SQL = """
INSERT INTO clients_account (account_no, client_id)
SELECT DISTINCT ON (s.account_no) s.account_no, c.id
FROM bench_balances_staging s JOIN clients_client c ON c.client_no = s.client_no
ORDER BY s.account_no
"""

LOAD_BALANCES_SQL = """
INSERT INTO clients_balance (account_id, as_of, balance)
SELECT a.id, s.as_of, s.balance
FROM bench_balances_staging s JOIN clients_account a ON a.account_no = s.account_no
"""

LOAD_TRADES_SQL = """
INSERT INTO clients_trade (trade_id, client_id, account_id, executed_at, amount)
SELECT s.trade_id, a.client_id, a.id, s.executed_at, s.amount
FROM bench_trades_staging s JOIN clients_account a ON a.account_no = s.account_no
"""

# Secondary indexes and unique constraints of a table, to drop before a bulk load and rebuild
# after it under their Django names.
SECONDARY_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'u'
WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
"""


# --- Reclassification baselines --------------------------------------------------------------

# Clients passing the cheap tests (relationship, good standing, assets), with their assets:
# one pass over clients in primary-key order, each account's latest balance read from the
# (account_id, as_of) unique index by a one-entry backward probe, and a sorted (not hashed)
# GROUP BY because the rows already arrive in client order.
_CANDIDATES = """
SELECT c.id, c.kind, c.status, SUM(l.balance) AS assets
FROM clients_client c
JOIN clients_account a ON a.client_id = c.id
CROSS JOIN LATERAL (
    SELECT b.balance FROM clients_balance b
    WHERE b.account_id = a.id AND b.as_of <= %(d)s
    ORDER BY b.as_of DESC LIMIT 1
) l
WHERE c.good_standing AND c.relationship_since <= %(since)s
GROUP BY c.id
HAVING SUM(l.balance) >= CASE WHEN c.kind = 'corporate' THEN %(corporate)s::numeric
                              ELSE %(personal)s::numeric END
"""

# "At least 5 trades in the window": at most 5 entries of the (client_id, executed_at) index,
# only for the candidates.
_TRADES_PROBE = """
(SELECT COUNT(*) FROM (
    SELECT 1 FROM clients_trade t
    WHERE t.client_id = q.id AND t.executed_at >= %(ws)s AND t.executed_at < %(we)s
    LIMIT %(min_trades)s
) x)
"""

COUNT_BEST_SQL = f"""
SELECT COUNT(*) FROM ({_CANDIDATES}) q WHERE {_TRADES_PROBE} >= %(min_trades)s
"""

# The same rule written the obvious way: aggregate everything, then join. Used to show what the
# planner's defaults (hash aggregates over a million groups) cost.
COUNT_NAIVE_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (b.account_id) b.account_id, b.balance
    FROM clients_balance b WHERE b.as_of <= %(d)s
    ORDER BY b.account_id, b.as_of DESC
), assets AS (
    SELECT a.client_id, SUM(l.balance) AS assets
    FROM clients_account a JOIN latest l ON l.account_id = a.id GROUP BY a.client_id
), trades AS (
    SELECT t.client_id, COUNT(*) AS n FROM clients_trade t
    WHERE t.executed_at >= %(ws)s AND t.executed_at < %(we)s GROUP BY t.client_id
)
SELECT COUNT(*) FROM clients_client c
JOIN assets s ON s.client_id = c.id JOIN trades t ON t.client_id = c.id
WHERE c.good_standing AND c.relationship_since <= %(since)s AND t.n >= %(min_trades)s
  AND s.assets >= CASE WHEN c.kind = 'corporate' THEN %(corporate)s::numeric
                       ELSE %(personal)s::numeric END
"""

# Update + history for the rule without grace and overrides: qualifying -> vip, a VIP that no
# longer qualifies -> standard; one history row per change with the values behind it.
RECLASSIFY_SQL = f"""
WITH qualifying AS MATERIALIZED (
    SELECT q.id, q.kind, q.status, q.assets, {_TRADES_PROBE} AS trades
    FROM ({_CANDIDATES}) q
), upgrades AS (
    SELECT id, status AS from_status, 'vip' AS to_status, kind, assets, trades
    FROM qualifying WHERE trades >= %(min_trades)s AND status <> 'vip'
), downgrades AS (
    SELECT c.id, c.status AS from_status, 'standard' AS to_status, c.kind,
           NULL::numeric AS assets, NULL::bigint AS trades
    FROM clients_client c
    WHERE c.status IN ('vip', 'vip_at_risk')
      AND NOT EXISTS (
          SELECT 1 FROM qualifying q WHERE q.id = c.id AND q.trades >= %(min_trades)s
      )
), changes AS (
    SELECT * FROM upgrades UNION ALL SELECT * FROM downgrades
), updated AS (
    UPDATE clients_client c
    SET status = ch.to_status,
        vip_since = CASE WHEN ch.to_status = 'vip' THEN %(d)s::date END,
        at_risk_since = NULL,
        status_changed_on = %(d)s,
        updated_at = now()
    FROM changes ch
    WHERE c.id = ch.id
    RETURNING c.id
)
INSERT INTO clients_statuschange
    (client_id, effective_on, from_status, to_status, reasons, created_at)
SELECT ch.id, %(d)s, ch.from_status, ch.to_status,
       jsonb_build_object(
           'assets', jsonb_build_object(
               'value', ch.assets,
               'threshold', CASE WHEN ch.kind = 'corporate' THEN %(corporate)s::numeric
                                 ELSE %(personal)s::numeric END,
               'passed', ch.assets IS NOT NULL),
           'trades', jsonb_build_object(
               'value', ch.trades, 'threshold', %(min_trades)s,
               'passed', coalesce(ch.trades >= %(min_trades)s, false)),
           'relationship', jsonb_build_object('passed', ch.assets IS NOT NULL)
       ),
       now()
FROM changes ch JOIN updated u ON u.id = ch.id
"""
