"""The VIP rule of SPEC section 3 as set-based SQL, plus the calendar arithmetic it needs.

The nightly run never loops over clients with queries, and reads before it writes: one query
selects only the clients whose status must change on D, testing the cheap criteria first
(good standing and relationship, then assets: for each account its latest balance with
``as_of <= D``, one backward index seek on (account, as_of)), and "at least N trades in the
window" last, as ``EXISTS (... ORDER BY executed_at LIMIT 1 OFFSET N-1)`` on the
(client, executed_at) index: it reads at most N index entries, and only for clients that passed
everything else, so its cost does not grow with trade volume. Assets are recomputed in the outer
query for the (few) returned rows only.

The denormalised ``Client.total_assets`` (what the client list shows and sorts by) is not
written here: rewriting a million rows a night would cost more than the rule itself. It is
refreshed where balances change: by the balances import, for the clients in the file
(``refresh_total_assets``).

Amounts are compared in integer cents: SQLite keeps decimals as floating point, and the rule's
boundary ("equal to the threshold qualifies", 0.01 below fails) must hold on both databases.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from clients.models import VipPolicy, VipStatus


def months_before(day: date, months: int) -> date:
    """``day`` minus calendar months, clamped to the month's end (31 May − 3 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def years_before(day: date, years: int) -> date:
    """``day`` minus years; 29 Feb − 1 year = 28 Feb."""
    return months_before(day, 12 * years)


@dataclass(frozen=True)
class Window:
    """The dates and instants the rule uses for a day D under a policy."""

    as_of: date
    policy: VipPolicy
    trades_from: date  # first local day of the activity window (inclusive)
    relationship_cutoff: date  # relationship_since must be on or before this day
    grace_cutoff: date  # at risk since this day or earlier: downgraded

    @classmethod
    def for_day(cls, as_of: date, policy: VipPolicy) -> "Window":
        return cls(
            as_of=as_of,
            policy=policy,
            trades_from=months_before(as_of, policy.activity_months),
            relationship_cutoff=years_before(as_of, policy.min_relationship_years),
            grace_cutoff=as_of - timedelta(days=policy.grace_days),
        )

    @property
    def starts_at(self) -> datetime:
        """Local midnight (Asia/Shanghai) of the window's first day, as an aware instant."""
        return timezone.make_aware(datetime.combine(self.trades_from, time.min))

    @property
    def ends_before(self) -> datetime:
        """Local midnight after D: trades strictly before it count."""
        return timezone.make_aware(datetime.combine(self.as_of + timedelta(days=1), time.min))


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


def _assets_cents_sql(client_ref: str) -> str:
    """Total assets of ``client_ref`` on %(as_of)s in integer cents (exact on both databases)."""
    latest = _latest_balance_sql()
    if connection.vendor == "postgresql":
        return (
            f"(SELECT COALESCE(SUM({latest}), 0) * 100 FROM clients_account a "
            f"WHERE a.client_id = {client_ref})"
        )
    return (
        f"(SELECT COALESCE(SUM(CAST(ROUND({latest} * 100) AS INTEGER)), 0) "
        f"FROM clients_account a WHERE a.client_id = {client_ref})"
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


@dataclass(frozen=True)
class Candidate:
    """A client whose status the rule (or an override) changes on D."""

    client_id: int
    kind: str
    status: str
    vip_since: date | None
    at_risk_since: date | None
    total_assets: Decimal
    relationship_since: date
    good_standing: bool
    qualifies: bool
    override_id: int | None
    override_status: str | None


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_decimal(value) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    return Decimal(str(value)).quantize(Decimal("0.01"))


def status_candidates(window: Window) -> list[Candidate]:
    """Clients whose status differs from what the rule (or an active override) says for D."""
    policy = window.policy
    if policy.min_trades > 0:
        enough_trades = (
            "EXISTS (SELECT 1 FROM clients_trade t WHERE t.client_id = c.id "
            "AND t.executed_at >= %(starts_at)s AND t.executed_at < %(ends_before)s "
            "ORDER BY t.executed_at LIMIT 1 OFFSET %(skip)s)"
        )
    else:
        enough_trades = "1 = 1"
    # CASE evaluates its branches in order and stops: each test runs only for the clients that
    # passed the cheaper ones before it.
    qualifies = f"""CASE
        WHEN NOT (c.good_standing AND c.relationship_since <= %(rel_cutoff)s) THEN 0
        WHEN {_assets_cents_sql("c.id")} < CASE WHEN c.kind = 'corporate'
             THEN %(corporate_cents)s ELSE %(personal_cents)s END THEN 0
        WHEN {enough_trades} THEN 1
        ELSE 0 END"""
    # MATERIALIZED keeps PostgreSQL from inlining the subquery into the WHERE below, where each
    # mention of e.q would repeat the whole CASE (assets probed up to three times per client;
    # measured 57 s of a 177 s run on a million clients, benchmarks/REPORT.md).
    sql = f"""
        WITH e AS MATERIALIZED (
            SELECT c.id, c.kind, c.status, c.vip_since, c.at_risk_since,
                   c.relationship_since, c.good_standing,
                   {qualifies} AS q,
                   o.id AS oid, o.status AS ostatus
            FROM clients_client c
            LEFT JOIN (SELECT client_id, MAX(id) AS oid FROM clients_statusoverride
                       WHERE revoked_at IS NULL AND starts_on <= %(as_of)s
                         AND ends_on >= %(as_of)s
                       GROUP BY client_id) AS active ON active.client_id = c.id
            LEFT JOIN clients_statusoverride o ON o.id = active.oid
        )
        SELECT e.id, e.kind, e.status, e.vip_since, e.at_risk_since,
               {_assets_cents_sql("e.id")},
               e.relationship_since, e.good_standing, e.q, e.oid, e.ostatus
        FROM e
        WHERE (e.ostatus IS NOT NULL AND (e.ostatus <> e.status
                 OR (e.ostatus = 'vip_at_risk' AND e.at_risk_since IS NULL)))
           OR (e.ostatus IS NULL AND (
                 (e.q = 1 AND e.status <> 'vip')
              OR (e.q = 0 AND e.status = 'vip')
              OR (e.q = 0 AND e.status = 'vip_at_risk'
                  AND (e.at_risk_since IS NULL OR e.at_risk_since <= %(grace_cutoff)s))))
        ORDER BY e.id
    """
    params = {
        "as_of": _date_param(window.as_of),
        "rel_cutoff": _date_param(window.relationship_cutoff),
        "grace_cutoff": _date_param(window.grace_cutoff),
        "starts_at": _datetime_param(window.starts_at),
        "ends_before": _datetime_param(window.ends_before),
        "skip": max(policy.min_trades - 1, 0),
        "personal_cents": _cents(policy.personal_asset_threshold),
        "corporate_cents": _cents(policy.corporate_asset_threshold),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Candidate(
            client_id=row[0],
            kind=row[1],
            status=row[2],
            vip_since=_as_date(row[3]),
            at_risk_since=_as_date(row[4]),
            total_assets=(Decimal(str(row[5])) / 100).quantize(Decimal("0.01")),
            relationship_since=_as_date(row[6]),
            good_standing=bool(row[7]),
            qualifies=bool(row[8]),
            override_id=row[9],
            override_status=row[10],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Transition:
    status: str
    vip_since: date | None
    at_risk_since: date | None


def next_status(candidate: Candidate, window: Window) -> Transition:
    """Where a candidate goes on D: override first, then the rule with its grace period."""
    day = window.as_of
    target = candidate.override_status
    if target is None:
        if candidate.qualifies:
            target = VipStatus.VIP
        elif candidate.status == VipStatus.VIP:
            target = VipStatus.VIP_AT_RISK
        elif candidate.status == VipStatus.VIP_AT_RISK:
            since = candidate.at_risk_since or day
            if (day - since).days >= window.policy.grace_days:
                target = VipStatus.STANDARD
            else:
                target = VipStatus.VIP_AT_RISK
        else:
            target = VipStatus.STANDARD
    if target == VipStatus.VIP:
        was_vip = candidate.status in (VipStatus.VIP, VipStatus.VIP_AT_RISK)
        return Transition(target, candidate.vip_since if was_vip else day, None)
    if target == VipStatus.VIP_AT_RISK:
        return Transition(target, candidate.vip_since or day, candidate.at_risk_since or day)
    return Transition(VipStatus.STANDARD, None, None)
