"""What the rule's SQL spells differently on PostgreSQL and SQLite: parameters, integer cents,
JSON objects and booleans, amounts and dates as the history's text. No rule knowledge here.

Amounts are compared in integer cents: SQLite keeps decimals as floating point, and the rule's
boundary ("equal to the threshold qualifies", 0.01 below fails) must hold on both databases.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db import connection


def postgres() -> bool:
    return connection.vendor == "postgresql"


def cents(amount: Decimal) -> int:
    """An amount as integer cents (the SQL parameters of thresholds)."""
    return int((amount * 100).to_integral_value())


def date_param(day: date):
    return connection.ops.adapt_datefield_value(day)


def datetime_param(instant: datetime):
    return connection.ops.adapt_datetimefield_value(instant)


def cents_sql(amount: str) -> str:
    """A numeric SQL expression as integer cents, exactly on both databases."""
    if postgres():
        return f"{amount} * 100"
    return f"CAST(ROUND({amount} * 100) AS INTEGER)"


def json_object_sql(pairs: list[tuple[str, str]]) -> str:
    """A JSON object from (key, SQL value) pairs."""
    function = "jsonb_build_object" if postgres() else "json_object"
    return f"{function}({', '.join(f"'{key}', {value}" for key, value in pairs)})"


def json_bool_sql(condition: str) -> str:
    """A SQL condition as a JSON boolean (false when NULL)."""
    if postgres():
        return f"COALESCE({condition}, false)"
    return f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)"


def json_or_null_sql(condition: str, value: str) -> str:
    """``value`` (a JSON object) when ``condition`` holds, else JSON null."""
    if postgres():
        return f"CASE WHEN {condition} THEN {value} ELSE NULL END"
    return f"json(CASE WHEN {condition} THEN {value} ELSE 'null' END)"


def money_text_sql(amount_cents: str) -> str:
    """Integer cents as the history's "1234567.89" text, exactly (no floating point)."""
    if postgres():
        return f"(({amount_cents}) / 100)::numeric(20, 2)::text"
    return (
        f"(CASE WHEN {amount_cents} < 0 THEN '-' ELSE '' END || (abs({amount_cents}) / 100) || '.' "
        f"|| substr('0' || (abs({amount_cents}) %% 100), -2, 2))"
    )


def date_text_sql(day: str) -> str:
    """A date column as ISO text (SQLite stores it so already)."""
    return f"to_char({day}, 'YYYY-MM-DD')" if postgres() else day
