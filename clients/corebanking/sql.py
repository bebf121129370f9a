"""The core-banking row checks of ``parse`` in SQL, for the PostgreSQL COPY fast path
(``fastcopy``): a boolean per row, and each column's stored value."""

import re

from django.conf import settings

from clients.corebanking.parse import PLAN, import_day
from clients.models import ClientKind

# --- the same checks in SQL, for the PostgreSQL COPY fast path -----------------------------------
#
# ``clients.corebanking.fastcopy`` COPYs a file as text and accepts it in SQL only when every
# field passes the predicates below; anything else (and any failed cast) sends the whole file
# through ``parse_row`` instead, which then reports the errors. So each predicate must be at least
# as strict as the Python check beside it, and the SQL value must be the one Python would store:
# they may refuse what Python accepts (that file is merely imported more slowly), never the
# reverse. tests/clients/test_corebanking_copy.py runs every fixture through both.

# Every character str.strip() removes: a field with one at either end takes the Python path, so the
# fast path can use the text COPY read as it is (no trimming in every expression). Checked on the
# code points of the first and last characters (ascii() gives a UTF-8 database's code point; '' has
# 0): btrim() with this multibyte set cost 2.3 s for three columns of 3M trades, this 1.0 s.
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
_SQL_WHITESPACE_CODES = ", ".join(str(ord(c)) for c in WHITESPACE)
_SQL_UNTRIMMED = (
    f"ascii({{v}}) NOT IN ({_SQL_WHITESPACE_CODES})"
    f" AND ascii(right({{v}}, 1)) NOT IN ({_SQL_WHITESPACE_CODES})"
)

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


# numeric's input takes much that the SPEC's form refuses ('.5', '7.', '+1', '1e3', spaces, and on
# PostgreSQL 16 '0x10' and '1_000'): the value must print back exactly as written, which only an
# optional minus, digits without leading zeros and at most 2 written decimals do (the cast, not a
# regular expression: see above). NaN and infinities print back too; their scale is NULL, refused
# here. numeric(18, 2) refuses more than 16 integer digits.
_SQL_MONEY_CHECK = "coalesce(scale({v}::numeric) <= 2 AND {v}::numeric::text = {v}, false)"
# A subset of Django's EmailValidator: a dot-atom of common characters, ASCII host names and a
# letters-only top-level domain (clients files only: a regular expression is affordable there).
_SQL_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SQL_EMAIL = rf"^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*@({_SQL_LABEL}\.)+[A-Za-z]{{2,63}}$"
# Digits and the punctuation phone numbers are written with, spaces only inside (the shapes
# ``sql_phone_normalized`` reads).
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
    the form of ``instant_sample`` (the file's first). A relationship starts by the import day
    (``parse.import_day``, the same day as the Python check); phones are checked by the fast path
    after ``sql_phone_normalized`` (``fastcopy``)."""
    since = f"{_SQL_DATE_CHECK} AND {{v}}::date <= DATE '{import_day().isoformat()}'"
    terms = []
    for column, required, max_length, _check in PLAN[kind]:
        v = f"{alias}.{column}"
        if column == "executed_at":
            sql_check = _sql_instant_check(instant_sample)
        elif column == "relationship_since":
            sql_check = since
        else:
            sql_check = _SQL_CHECKS.get(column, "")
        if not sql_check:  # the checks' patterns leave no whitespace at either end
            terms.append(_SQL_UNTRIMMED.replace("{v}", v))
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


# The shapes nearly every Chinese number is written in, separators removed: a mobile with or
# without +86, 0086 or 86; a landline with its area code after the trunk 0, +86 or 0086 (without
# any, libphonenumber may read an area code starting 86 as the country code). For these
# ``core.phone.normalize_phone`` gives '+86' and the national number
# (tests/clients/test_phone_everywhere.py compares the two on thousands of numbers); the rest is
# left NULL for the fast path to normalise in Python.
_SQL_PHONE_SEPARATORS = "[ ()./-]"
_SQL_MOBILE = "^(\\+86|0086|86)?1[3-9][0-9]{9}$"
_SQL_LANDLINE = "^((\\+86|0086)0?|0)(10|2[0-9]|[3-9][0-9]{2})[2-9][0-9]{6,7}$"


def sql_phone_normalized(alias: str) -> str:
    """``core.phone.normalize_phone`` of ``alias.phone`` (a phone that passed its SQL check) for
    the common shapes above, '' for an empty phone, NULL for any other (no '%': the statement
    takes parameters)."""
    compact = f"regexp_replace({alias}.phone, '{_SQL_PHONE_SEPARATORS}', '', 'g')"
    return (
        f"CASE WHEN {alias}.phone = '' THEN ''"
        f" WHEN {compact} ~ '{_SQL_MOBILE}' THEN '+86' || right({compact}, 11)"
        f" WHEN {compact} ~ '{_SQL_LANDLINE}'"
        f" THEN '+86' || regexp_replace({compact}, '^(\\+86|0086)?0?', '') END"
    )
