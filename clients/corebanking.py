"""Core-banking CSV files (SPEC section 2): their columns, and parsing one row into the values the
staging table holds, with every problem found in it (line, column, reason).

Checks that need the whole file or the database (duplicate keys, unknown clients and branches, an
account that belongs to another client) run set-based on the staging table: see
``clients.services.corebanking_import``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from clients.models import Client, ClientKind

KINDS = ("clients", "balances", "trades")

COLUMNS = {
    "clients": [
        "client_no",
        "name",
        "kind",
        "id_number",
        "phone",
        "email",
        "branch_code",
        "relationship_since",
        "good_standing",
    ],
    "balances": ["client_no", "account_no", "as_of", "balance"],
    "trades": ["trade_id", "client_no", "account_no", "executed_at", "amount"],
}

# Columns a row may leave empty; every other one is required.
OPTIONAL = {"clients": {"id_number", "phone", "email"}, "balances": set(), "trades": set()}

MAX_LENGTH = {
    "client_no": 32,
    "name": 200,
    "id_number": 40,
    "phone": 40,
    "email": 254,
    "branch_code": 20,
    "account_no": 40,
    "trade_id": 40,
}

LOCAL = ZoneInfo(settings.TIME_ZONE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_MAX_INTEGER_DIGITS = 16  # DecimalField(max_digits=18, decimal_places=2)
# The plain form nearly every core-banking amount takes: it is surely within range and places, so
# the Decimal checks below (the import's hottest code) only run for the rest.
_PLAIN_MONEY = re.compile(rf"^[+-]?\d{{1,{_MAX_INTEGER_DIGITS}}}(?:\.\d{{1,2}})?$")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column or '-'}: {self.reason}"


def header_errors(kind: str, header: list[str] | None) -> list[RowError]:
    if not header:
        return [RowError(1, "", str(_("the file is empty: a header row is required")))]
    expected = COLUMNS[kind]
    names = [h.strip() for h in header]
    errors = [RowError(1, name, str(_("unknown column"))) for name in names if name not in expected]
    errors += [
        RowError(1, name, str(_("missing column"))) for name in expected if name not in names
    ]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(RowError(1, name, str(_("column appears twice"))))
        seen.add(name)
    return errors


def parse_date(value: str) -> date:
    if not _DATE.match(value):
        raise ValueError
    return date.fromisoformat(value)


def parse_money(value: str) -> Decimal:
    if _PLAIN_MONEY.match(value):
        return Decimal(value).quantize(_CENT)
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(str(_("not a number"))) from exc
    if not amount.is_finite():
        raise ValueError(str(_("not a number")))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError(str(_("more than 2 decimal places")))
    if abs(amount) >= Decimal(10) ** _MAX_INTEGER_DIGITS:
        raise ValueError(str(_("number too large")))
    return amount.quantize(_CENT)


def parse_instant(value: str) -> datetime:
    """ISO 8601; without an offset the time is Asia/Shanghai. Returned in UTC."""
    if not _INSTANT.match(value):
        raise ValueError
    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        # The bank's local time; fold=0 picks the first of an ambiguous hour (China has no DST).
        instant = instant.replace(tzinfo=LOCAL)
    return instant.astimezone(UTC)


def _checked_date(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(_("bad date (expected YYYY-MM-DD)")) from None


def _checked_money(value: str) -> Decimal:
    try:
        return parse_money(value)
    except ValueError as exc:
        why = exc.args[0] if exc.args else ""
        raise ValueError(_("bad decimal: %(why)s") % {"why": why}) from None


def _checked_instant(value: str) -> datetime:
    try:
        return parse_instant(value)
    except ValueError:
        raise ValueError(_("bad date and time (expected ISO 8601)")) from None


def _checked_kind(value: str) -> str:
    if value not in ClientKind.values:
        raise ValueError(_("bad kind (expected personal or corporate)"))
    return value


def _checked_good_standing(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ValueError(_("bad good_standing (expected true or false)"))
    return value.lower() == "true"


def _checked_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_("bad email address")) from None
    return value


_CHECKS = {
    "relationship_since": _checked_date,
    "as_of": _checked_date,
    "balance": _checked_money,
    "amount": _checked_money,
    "executed_at": _checked_instant,
    "kind": _checked_kind,
    "good_standing": _checked_good_standing,
    "email": _checked_email,
}

# Per kind, what parse_row does with each column, worked out once: it runs for every row of files
# with millions of them, so a row pays only for its own columns' checks.
_PLAN = {
    kind: [
        (column, column not in OPTIONAL[kind], MAX_LENGTH.get(column), _CHECKS.get(column))
        for column in columns
    ]
    for kind, columns in COLUMNS.items()
}


def parse_row(kind: str, line: int, values: dict[str, str]) -> tuple[dict | None, list[RowError]]:
    """The staged values of one row, or None and its errors."""
    errors: list[RowError] = []
    clean: dict = {"line": line}
    for column, required, max_length, check in _PLAN[kind]:
        value = values[column].strip()
        if not value:
            if required:
                errors.append(RowError(line, column, str(_("required"))))
            clean[column] = ""
        elif max_length and len(value) > max_length:
            reason = _("longer than %(n)d characters") % {"n": max_length}
            errors.append(RowError(line, column, str(reason)))
        elif check is None:
            clean[column] = value
        else:
            try:
                clean[column] = check(value)
            except ValueError as exc:
                errors.append(RowError(line, column, str(exc.args[0])))
    if kind == "clients" and not errors:
        clean["phone_normalized"] = Client.normalize_phone(clean["phone"])
    return (None if errors else clean), errors


# --- the same checks in SQL, for the PostgreSQL COPY fast path -----------------------------------
#
# ``clients.services.corebanking_import`` COPYs a file as text and accepts it in SQL only when every
# field passes the predicates below; anything else (and any failed cast) sends the whole file
# through ``parse_row`` instead, which then reports the errors. So each predicate must be at least
# as strict as the Python check beside it, and the SQL value must be the one Python would store:
# they may refuse what Python accepts (that file is merely imported more slowly), never the
# reverse. tests/clients/test_corebanking_copy.py runs every fixture through both.

# Every character str.strip() removes: a field with one at either end takes the Python path, so the
# fast path can use the text COPY read as it is (no trimming in every expression).
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())

# Dates, instants and amounts are checked with PostgreSQL's own casts, not with regular expressions
# (3 µs a call: they cost a third of the trades import) nor translate() (as slow with UTF-8). A
# date or instant must print back exactly as written (to_char of the cast), so its digits are
# ASCII digits (Python's \d and isdigit() also take other scripts') and nothing rolled over (hour
# 24, second 60). A cast that fails sends the file to the Python path. Comparisons are bytewise.
_SQL_DATE_CHECK = "to_char({v}::date, 'YYYY-MM-DD') = {v}"
# Instants: ISO 8601 as parse_instant reads it ('T' or a space; seconds and 1-6 decimals optional;
# 'Z', +hh:mm or -hh:mm optional), but every row in the form of the file's first row, so that one
# to_char format checks them all (per-row CASEs and substr() calls cost as much as a regular
# expression). ::timestamp ignores an offset, ::timestamptz applies it. Offsets: whole quarter
# hours up to ±15:45 (PostgreSQL's limit). Years from 1992 on, below 9999: Asia/Shanghai's last
# change of offset was in 1991, so from then on a naive local time is unambiguous and PostgreSQL's
# tzdata and zoneinfo cannot disagree; far years overflow in Python.
_INSTANT_FORM = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?P<sep>[T ])\d{2}:\d{2}(?P<seconds>:\d{2}(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?\Z",
    re.ASCII,
)
_SQL_OFFSETS = ", ".join(
    f"'{sign}{hours:02d}:{minutes:02d}'"
    for sign in "+-"
    for hours in range(16)
    for minutes in (0, 15, 30, 45)
)
# Of an instant in one of those forms: has it an offset?
_SQL_OFFSET = "(right({v}, 1) = 'Z' OR substr({v}, length({v}) - 5, 1) IN ('+', '-'))"


def _sql_instant_check(sample: str) -> str:
    form = _INSTANT_FORM.match(sample)
    if not form:
        return "false"
    pattern = f"YYYY-MM-DD{'"T"' if form['sep'] == 'T' else ' '}HH24:MI"
    if form["seconds"]:
        pattern += ":SS"
    if form["fraction"]:
        pattern += f".FF{len(form['fraction'])}"
    printed = f"to_char({{v}}::timestamp, '{pattern}')"
    year = "left({v}, 4) COLLATE \"C\" BETWEEN '1992' AND '9998'"
    if not form["offset"]:
        return f"{year} AND {{v}} = {printed}"
    if form["offset"] == "Z":
        return f"{year} AND {{v}} = {printed} || 'Z'"
    return (
        f"{year} AND right({{v}}, 6) IN ({_SQL_OFFSETS}) AND {{v}} = {printed} || right({{v}}, 6)"
    )


# numeric's input takes what Decimal takes ('.5', '7.', '+1', '1e3', spaces) as the same number,
# and more that Python refuses: NaN and infinities (their scale is NULL, refused here). At most 2
# places; numeric(18, 2) refuses more than 16 integer digits. (PostgreSQL 16 also reads '0x10' and
# '1_000': the tests' fixtures hold both, to catch that on an upgrade.)
_SQL_MONEY_CHECK = "coalesce(scale({v}::numeric) <= 2, false)"
# A subset of Django's EmailValidator: a dot-atom of common characters, ASCII host names and a
# letters-only top-level domain (clients files only: a regular expression is affordable there).
_SQL_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SQL_EMAIL = rf"^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*@({_SQL_LABEL}\.)+[A-Za-z]{{2,63}}$"
# Digits and the punctuation phone numbers are written with, spaces only inside: normalize_phone
# keeps the same digits as the SQL below.
_SQL_PHONE = r"^([0-9()+./-]([0-9 ()+./-]*[0-9()+./-])?)?$"


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_SQL_CHECKS = {
    "relationship_since": _SQL_DATE_CHECK,
    "as_of": _SQL_DATE_CHECK,
    "balance": _SQL_MONEY_CHECK,
    "amount": _SQL_MONEY_CHECK,
    "kind": "{v} IN (" + ", ".join(_sql_literal(k) for k in ClientKind.values) + ")",
    "good_standing": "{v} ~ '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$'",
    "email": f"{{v}} ~ '{_SQL_EMAIL}'",
    "phone": f"{{v}} ~ '{_SQL_PHONE}'",
}

# The value each column is written as (a failed cast sends the file to the Python path).
_SQL_VALUES = {
    "relationship_since": "{v}::date",
    "as_of": "{v}::date",
    "balance": "{v}::numeric(18, 2)",
    "amount": "{v}::numeric(18, 2)",
    "executed_at": (
        f"CASE WHEN {_SQL_OFFSET} THEN {{v}}::timestamptz"
        f" ELSE {{v}}::timestamp AT TIME ZONE {_sql_literal(settings.TIME_ZONE)} END"
    ),
    "good_standing": "lower({v}) = 'true'",
}


def sql_valid(kind: str, alias: str, instant_sample: str = "") -> str:
    """A boolean SQL expression over the text columns of ``alias``: true only for a row
    ``parse_row`` accepts (columns COPYed as text, an empty field as ''). Instants must also have
    the form of ``instant_sample`` (the file's first)."""
    terms = []
    for column, required, max_length, _check in _PLAN[kind]:
        v = f"{alias}.{column}"
        if column == "executed_at":
            sql_check = _sql_instant_check(instant_sample)
        else:
            sql_check = _SQL_CHECKS.get(column)
        if not sql_check:  # the checks' patterns leave no whitespace at either end
            terms.append(f"btrim({v}, {_sql_literal(WHITESPACE)}) = {v}")
        if max_length:
            terms.append(f"length({v}) <= {max_length}")
        if required:
            terms.append(f"{v} <> ''")
        if sql_check:
            check = sql_check.replace("{v}", v)
            terms.append(check if required else f"({v} = '' OR {check})")
    return " AND ".join(terms)


def sql_value(column: str, alias: str) -> str:
    """The SQL expression of the value ``parse_row`` gives a valid field of ``column``."""
    return _SQL_VALUES.get(column, "{v}").replace("{v}", f"{alias}.{column}")


def sql_phone_normalized(alias: str) -> str:
    """``Client.normalize_phone`` of a phone that passed its SQL check (no '%': the statement
    takes parameters)."""
    digits = f"regexp_replace({alias}.phone, '[^0-9]', '', 'g')"
    return (
        f"CASE WHEN left({digits}, 4) = '0086' AND length({digits}) > 11 THEN substr({digits}, 5)"
        f" WHEN left({digits}, 2) = '86' AND length({digits}) > 11 THEN substr({digits}, 3)"
        f" ELSE {digits} END"
    )
