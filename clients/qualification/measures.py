"""What the rule measures: a client's assets and trades in the activity window (SPEC section 3).

The asset measure is chosen here and only here, by the policy version: the latest balance on or
before D, or average daily assets over a period (``assets``). The nightly run joins
``assets_by_client_sql`` in its set-based statement, and ``clients_measure`` runs the same SQL
for the few clients the dossier, the home widgets, the early warning and the overrides explain,
so the two can never measure differently.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from clients.models import Trade
from clients.qualification import dialect
from clients.qualification.assets import (
    Average,
    asset_period,
    average_by_client_sql,
    averages_for,
    cents_amount,
    period_params,
)
from clients.qualification.window import Window

# The latest balance of account ``a`` on or before %(as_of)s: one backward seek on the
# (account, as_of) index.
LATEST_BALANCE_SQL = (
    "(SELECT b.balance FROM clients_balance b WHERE b.account_id = a.id "
    "AND b.as_of <= %(as_of)s ORDER BY b.as_of DESC LIMIT 1)"
)


def latest_cents_sql() -> str:
    """The latest balance of account ``a`` on %(as_of)s in integer cents (exact on both)."""
    return dialect.cents_sql(LATEST_BALANCE_SQL)


def _latest_client_cents_sql(client_ref: str) -> str:
    return (
        f"(SELECT COALESCE(SUM({latest_cents_sql()}), 0) FROM clients_account a "
        f"WHERE a.client_id = {client_ref})"
    )


def assets_by_client_sql(window: Window, *, only: str) -> str:
    """``(client_id, cents)``: the assets on D, in integer cents, of the clients the condition
    ``only`` on their row ``c1`` allows (the nightly's cheap criteria; the latest balance is
    read for those alone), or of every client with a balance in an average's period."""
    if asset_period(window.policy, window.as_of):
        return average_by_client_sql()
    return f"""(SELECT a.client_id, SUM({latest_cents_sql()}) AS cents
                FROM clients_client c1 JOIN clients_account a ON a.client_id = c1.id
                WHERE {only}
                GROUP BY a.client_id)"""


def assets_of_sql(window: Window, *, only: str) -> str:
    """``(client_id, cents)``: the assets on D, in integer cents (NULL: no balance known), of
    the clients the condition ``only`` on their row ``c1`` allows, under the policy's measure;
    for an average, over those clients' accounts alone. A client missing from it has zero. The
    early warning's measure of every VIP at once, the same as ``clients_measure``'s."""
    if asset_period(window.policy, window.as_of):
        return average_by_client_sql(
            "{col} IN (SELECT a1.id FROM clients_account a1 "
            f"JOIN clients_client c1 ON c1.id = a1.client_id WHERE {only})"
        )
    return assets_by_client_sql(window, only=only)


def client_cents_sql(client_ref: str, window: Window) -> str:
    """The assets on D of a client ``assets_by_client_sql`` left out, in integer cents: its
    latest balances, or zero (no balance in the average's period)."""
    if asset_period(window.policy, window.as_of):
        return "0"
    return _latest_client_cents_sql(client_ref)


def assets_params(window: Window) -> dict:
    """The SQL parameters of the asset measure for D."""
    period = asset_period(window.policy, window.as_of)
    return {"as_of": dialect.date_param(window.as_of), **(period_params(period) if period else {})}


def refresh_total_assets(*, as_of: date, only_in: str | None = None) -> int:
    """Store each client's latest-balance assets on ``as_of`` in ``Client.total_assets`` (what
    the client list shows and sorts by; rows that differ only). ``only_in``: a table with a
    ``client_no`` column (the import's staging table) to limit the refresh to the clients it
    names."""
    total = _latest_client_cents_sql("clients_client.id")
    scope = f" AND clients_client.client_no IN (SELECT client_no FROM {only_in})" if only_in else ""
    if dialect.postgres():
        value = f"{total} / 100"
        changed = f"clients_client.total_assets IS DISTINCT FROM {value}"
    else:
        value = f"{total} / 100.0"
        changed = f"{dialect.cents_sql('clients_client.total_assets')} <> {total}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE clients_client SET total_assets = {value} WHERE {changed}{scope}",
            {"as_of": dialect.date_param(as_of)},
        )
        return cursor.rowcount


@dataclass(frozen=True)
class Measures:
    assets: Decimal
    trades: int
    # Under an average-daily-assets policy: the average with its period and days counted.
    average: Average | None = None


def clients_measure(*, client_ids: list[int], window: Window) -> dict[int, Measures]:
    """Assets (the policy's measure) and trades in the activity window for a few clients: two
    queries whatever their number of accounts, balances and trades."""
    if not client_ids:
        return {}
    period = asset_period(window.policy, window.as_of)
    if period:
        averages = averages_for(client_ids=client_ids, period=period)
        assets = {pk: average.amount for pk, average in averages.items()}
    else:
        averages = {}
        ids = {f"id{n}": pk for n, pk in enumerate(client_ids)}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id, {client_cents_sql('c.id', window)} FROM clients_client c "
                f"WHERE c.id IN ({', '.join(f'%({key})s' for key in ids)})",
                {**assets_params(window), **ids},
            )
            assets = {pk: cents_amount(cents) for pk, cents in cursor.fetchall()}
    trades = dict(
        Trade.objects.filter(
            client_id__in=client_ids,
            executed_at__gte=window.starts_at,
            executed_at__lt=window.ends_before,
        )
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
        .order_by()
    )
    return {
        pk: Measures(assets.get(pk, Decimal("0.00")), trades.get(pk, 0), averages.get(pk))
        for pk in client_ids
    }
