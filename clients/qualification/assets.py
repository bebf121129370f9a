"""The asset criterion's measure under a policy version (SPEC section 3): the latest balance, or
average daily assets (日均资产) over the previous calendar month or the last N days.

Average daily assets, as banks compute them: for every calendar day of the period, each account's
balance is the last one known on or before that day (carried forward); days before an account's
first balance count as zero; the client's average is the sum over days and accounts divided by
the period's number of days (28 to 31 for a month). The average is truncated to the cent, so
"equal to the threshold qualifies" holds exactly: the truncated average reaches T cents exactly
when the daily sum reaches T × days.

Set-based: each balance row in the period is a segment running until the account's next balance
(``LEAD``) or the period's end, plus one carried-in segment per account from the last balance
before the period; a segment weighs balance × days. No per-day rows are generated."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from clients.models import AssetMeasure, VipPolicy
from clients.qualification import dialect


def asset_period(policy: VipPolicy, as_of: date) -> tuple[date, date] | None:
    """The averaging period for D, or None when the policy measures the latest balance."""
    if policy.asset_measure == AssetMeasure.PREVIOUS_MONTH:
        last = as_of.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if policy.asset_measure == AssetMeasure.LAST_DAYS:
        return as_of - timedelta(days=policy.average_days - 1), as_of
    return None


def cents_amount(cents) -> Decimal:
    """Integer cents as the database returns them (int on SQLite, numeric on PostgreSQL) as a
    Decimal amount of two places."""
    return (Decimal(str(cents)) / 100).quantize(Decimal("0.01"))


def period_params(period: tuple[date, date]) -> dict:
    first, last = period
    return {
        "assets_from": connection.ops.adapt_datefield_value(first),
        "assets_to": connection.ops.adapt_datefield_value(last),
        "assets_days": (last - first).days + 1,
    }


def _segments_sql(account_scope: str) -> str:
    """(account_id, weighted cents, first day) of every segment of the period, for the accounts
    ``account_scope`` (a condition on ``{col}``) allows."""
    in_window = account_scope.format(col="b.account_id")
    carried = account_scope.format(col="a.id")
    if connection.vendor == "postgresql":
        seg_end = "COALESCE(w.next_as_of - 1, CAST(%(assets_to)s AS date))"
        days = f"({seg_end} - w.seg_start + 1)"
    else:
        seg_end = "COALESCE(date(w.next_as_of, '-1 day'), %(assets_to)s)"
        days = f"(CAST(julianday({seg_end}) - julianday(w.seg_start) AS INTEGER) + 1)"
    cents = dialect.cents_sql("w.balance")
    return f"""
        SELECT w.account_id, {cents} * {days} AS weighted, w.seg_start
        FROM (
            SELECT b.account_id, b.balance, b.as_of AS seg_start,
                   LEAD(b.as_of) OVER (PARTITION BY b.account_id ORDER BY b.as_of) AS next_as_of
            FROM clients_balance b
            WHERE b.as_of >= %(assets_from)s AND b.as_of <= %(assets_to)s AND {in_window}
            UNION ALL
            SELECT a.id,
                   (SELECT b.balance FROM clients_balance b WHERE b.account_id = a.id
                    AND b.as_of < %(assets_from)s ORDER BY b.as_of DESC LIMIT 1),
                   %(assets_from)s,
                   (SELECT MIN(b.as_of) FROM clients_balance b WHERE b.account_id = a.id
                    AND b.as_of >= %(assets_from)s AND b.as_of <= %(assets_to)s)
            FROM clients_account a WHERE {carried}
        ) w
        WHERE w.balance IS NOT NULL"""


def _average_sql(total: str) -> str:
    if connection.vendor == "postgresql":
        return f"FLOOR({total} / %(assets_days)s)"
    return f"({total} / %(assets_days)s)"


def average_by_client_sql(account_scope: str = "1 = 1") -> str:
    """``(client_id, cents)`` of every client with a balance in the period: the nightly run's
    asset measure under an average policy (clients missing from it have zero). ``account_scope``
    (a condition on ``{col}``, an account id) limits it to some clients' accounts."""
    return f"""(SELECT a.client_id, {_average_sql("SUM(seg.weighted)")} AS cents
                FROM ({_segments_sql(account_scope)}) seg
                JOIN clients_account a ON a.id = seg.account_id
                GROUP BY a.client_id)"""


@dataclass(frozen=True)
class Average:
    """One client's average daily assets, as the dossier explains it."""

    first: date
    last: date
    days: int
    days_with_balance: int
    amount: Decimal


def averages_for(*, client_ids: list[int], period: tuple[date, date]) -> dict[int, Average]:
    """The average daily assets of a few clients over ``period``: one query."""
    first, last = period
    days = (last - first).days + 1
    result = {pk: Average(first, last, days, 0, Decimal("0.00")) for pk in client_ids}
    if not client_ids:
        return result
    names = {f"c{i}": pk for i, pk in enumerate(client_ids)}
    placeholders = ", ".join(f"%({n})s" for n in names)
    scope = (
        "{col} IN (SELECT a2.id FROM clients_account a2 WHERE a2.client_id IN ("
        + placeholders
        + "))"
    )
    sql = f"""SELECT a.client_id, {_average_sql("SUM(seg.weighted)")}, MIN(seg.seg_start)
              FROM ({_segments_sql(scope)}) seg
              JOIN clients_account a ON a.id = seg.account_id
              GROUP BY a.client_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {**period_params(period), **names})
        for client_id, cents, since in cursor.fetchall():
            since = since if isinstance(since, date) else date.fromisoformat(str(since))
            result[client_id] = Average(
                first,
                last,
                days,
                (last - since).days + 1,
                cents_amount(cents),
            )
    return result
