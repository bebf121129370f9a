"""Assets and trades in the activity window for a few clients: the measurements the dossier, the
home widgets and the overrides share."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from clients.models import Trade
from clients.qualification.assets import Average, asset_period, averages_for
from clients.qualification.window import Window


@dataclass(frozen=True)
class Measures:
    assets: Decimal
    trades: int
    # Under an average-daily-assets policy: the average with its period and days counted.
    average: Average | None = None


def clients_measure(*, client_ids: list[int], window: Window) -> dict[int, Measures]:
    """Assets and trades in the activity window for a few clients: two queries whatever their
    number of accounts, balances and trades."""
    if not client_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(client_ids))
    latest = (
        "(SELECT b.balance FROM clients_balance b WHERE b.account_id = a.id "
        "AND b.as_of <= %s ORDER BY b.as_of DESC LIMIT 1)"
    )
    as_cents = (
        f"CAST(ROUND({latest} * 100) AS BIGINT)"
        if connection.vendor != "postgresql"
        else f"({latest} * 100)"
    )
    assets: dict[int, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.client_id, COALESCE(SUM({as_cents}), 0) FROM clients_account a "
            f"WHERE a.client_id IN ({placeholders}) GROUP BY a.client_id",
            [connection.ops.adapt_datefield_value(window.as_of), *client_ids],
        )
        for client_id, cents in cursor.fetchall():
            assets[client_id] = (Decimal(str(cents)) / 100).quantize(Decimal("0.01"))
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
    period = asset_period(window.policy, window.as_of)
    if period is not None:
        averages = averages_for(client_ids=client_ids, period=period)
        return {
            pk: Measures(averages[pk].amount, trades.get(pk, 0), averages[pk]) for pk in client_ids
        }
    return {
        pk: Measures(assets=assets.get(pk, Decimal("0.00")), trades=trades.get(pk, 0))
        for pk in client_ids
    }
