"""Core-banking CSV files (SPEC section 2): their columns, and parsing one row into the values the
staging table holds, with every problem found in it (line, column, reason).

Every reason has one form, in both languages: what is wrong, the value as written in quotes, and
what was expected in brackets (``bad date: "31/12/2026" (expected YYYY-MM-DD)``, ``unknown branch:
"SH999"``); a lower-case fragment without a full stop, since it sits in a table beside its line
and column. A value is quoted by ``core.messages.quoted`` (long ones cut).

Checks that need the whole file or the database (duplicate keys, unknown clients and branches, an
account that belongs to another client) run set-based on the staging table: see
``clients.corebanking.stage`` (called by ``clients.corebanking.importer.corebanking_import``).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from clients.models import ClientKind
from core.dates import parse_iso_date
from core.messages import Text, quoted
from core.messages import neutral as _
from core.phone import InvalidPhone, client_phone, phone_key

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

# A client's contact details: optional, and keyed to nothing else in the set. The nightly intake
# imports a row whose phone or e-mail is bad without that value (the one on file is kept) and
# reports it for that row, instead of refusing the whole set for it (``parse_row(lenient=)``).
CONTACT_COLUMNS = frozenset({"phone", "email"})

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

# A header longer than this is not a core-banking file (one error, not one per column).
MAX_COLUMNS = 50

LOCAL = ZoneInfo(settings.TIME_ZONE)
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_MAX_INTEGER_DIGITS = 16  # DecimalField(max_digits=18, decimal_places=2)
# The only form an amount takes (SPEC section 2): an optional minus, ASCII digits, at most two
# decimals. No plus sign, exponent ("1.23457E+11", how Excel shows a long number), separators or
# padding: each of those is a bad number with its reason.
_MONEY = re.compile(rf"^-?[0-9]{{1,{_MAX_INTEGER_DIGITS}}}(?:\.[0-9]{{1,2}})?$")
_DECIMAL_DIGITS = re.compile(r"^-?[0-9]+(?:\.([0-9]+))?$")
_EXPONENT = re.compile(r"^[+-]?[0-9]*\.?[0-9]*[eE][+-]?[0-9]+$")
_CENT = Decimal("0.01")
# How amounts are written for people, each refused with its own reason (``_money_refusal``).
_CURRENCY = re.compile(r"[¥￥$＄€£]|RMB|CNY|USD|HKD|元", re.IGNORECASE)
_ACCOUNTING_NEGATIVE = re.compile(r"^\(.*\)$|^[^-]*[0-9.]-$")
_TYPOGRAPHIC_MINUS = "\u2212"
_SPACED_DIGITS = re.compile(r"[0-9] +[0-9]")
# Characters no field of a text file holds: C0 controls but tab and line ends, and DEL. NUL cannot
# even be stored by PostgreSQL; the others are a binary file's or a broken export's. Read by the
# row parser (a bad value) and by the COPY fast path (which then leaves the file to it).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RowError:
    """One problem of a file: its line, column and reason. ``message`` is language-neutral
    (``core.messages.Text``: kept as such on the upload's record, issue 14); ``reason`` is it in
    the active language."""

    line: int
    column: str
    message: Text
    # A bad value left out of an imported row (``parse_row(lenient=)``): reported, not refused.
    kept_out: bool = False

    @property
    def reason(self) -> str:
        return str(self.message)

    def __str__(self) -> str:
        return f"line {self.line}, {self.column or '-'}: {self.reason}"


def header_names(header: list[str]) -> list[str]:
    """The column names of a header row as the columns are named: without padding (full-width
    spaces too), a byte order mark (any encoding's, or a second one) or full-width letters
    (NFKC), in lower case (``CLIENT_NO``, ``Client_No`` as a spreadsheet or a mainframe writes
    them). Both import paths read the header through this."""
    return [
        unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower() for name in header
    ]


def header_errors(kind: str, header: list[str] | None) -> list[RowError]:
    if not header:
        return [RowError(1, "", _("the file is empty: a header row is required"))]
    expected = COLUMNS[kind]
    if len(header) > MAX_COLUMNS:
        reason = _("too many columns: %(n)d (at most %(max)d)") % {
            "n": len(header),
            "max": MAX_COLUMNS,
        }
        return [RowError(1, "", reason)]
    names = header_names(header)
    errors = []
    for written, name in zip(header, names, strict=True):
        if name not in expected:
            # As written (a binary file's "names" without their control characters).
            shown = CONTROL.sub("\ufffd", written.strip())
            reason = _('unknown column: "%(value)s"') % {"value": quoted(shown)}
            errors.append(RowError(1, quoted(shown), reason))
    errors += [
        RowError(1, name, _('missing column: "%(value)s"') % {"value": name})
        for name in expected
        if name not in names
    ]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(
                RowError(1, name, _('duplicate column: "%(value)s"') % {"value": quoted(name)})
            )
        seen.add(name)
    return errors


def parse_date(value: str) -> date:
    """``core.dates.parse_iso_date``: ValueError (``InvalidDate``) with the reason."""
    return parse_iso_date(value)


def parse_money(value: str) -> Decimal:
    """An amount in the SPEC's form (``_MONEY``) as a Decimal with 2 places; ValueError with
    the reason for anything else."""
    if _MONEY.match(value):
        return Decimal(value).quantize(_CENT)
    raise ValueError(_money_refusal(value))


def _money_refusal(value: str) -> Text:
    """Why ``value`` is not an amount (the bracket of ``bad amount: "..." (...)``)."""
    digits = _DECIMAL_DIGITS.match(value)
    if digits:
        if digits.group(1) and len(digits.group(1)) > 2:
            return _("more than 2 decimal places")
        return _("more than %(n)d digits before the decimal point") % {"n": _MAX_INTEGER_DIGITS}
    if value != value.strip():
        return _("spaces before or after the number")
    if _CURRENCY.search(value):
        return _("a currency sign or unit is not allowed")
    if unicodedata.normalize("NFKC", value) != value or _TYPOGRAPHIC_MINUS in value:
        return _("full-width or typographic characters: write ASCII digits and a - sign")
    if _ACCOUNTING_NEGATIVE.match(value):
        return _("a negative amount is written with a leading minus, as -100.00")
    if _EXPONENT.match(value):
        return _("an exponent, as Excel shows long numbers: write the number in full")
    if "," in value or "_" in value or "'" in value or _SPACED_DIGITS.search(value):
        return _("digit separators are not allowed")
    if value.startswith("+"):
        return _("a plus sign is not allowed")
    return _("not a number")


def _bad_amount(value: str, why: Text) -> Text:
    return _('bad amount: "%(value)s" (%(why)s)') % {"value": quoted(value), "why": why}


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
    """Every date column (the one helper, ``core.dates.parse_iso_date``): the format expected,
    or "not a real date" for a day the calendar does not have."""
    return parse_iso_date(value)


def _checked_money(value: str) -> Decimal:
    try:
        return parse_money(value)
    except ValueError as exc:
        raise ValueError(_bad_amount(value, exc.args[0])) from None


def _checked_instant(value: str) -> datetime:
    try:
        return parse_instant(value)
    except ValueError:
        if _INSTANT.match(value):
            parse_iso_date(value[:10])  # 2026-02-30T10:00 is not a real date, not a bad format
        raise ValueError(
            _('bad date and time: "%(value)s" (expected ISO 8601)') % {"value": quoted(value)}
        ) from None


def _checked_kind(value: str) -> str:
    if value not in ClientKind.values:
        raise ValueError(
            _('bad kind: "%(value)s" (expected personal or corporate)') % {"value": quoted(value)}
        )
    return value


def _checked_good_standing(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ValueError(
            _('bad good_standing: "%(value)s" (expected true or false)') % {"value": quoted(value)}
        )
    return value.lower() == "true"


def import_day() -> date:
    """The day of the import, in the bank's time zone: the latest ``relationship_since`` a file
    may hold (a relationship cannot start after the bank exported it)."""
    return timezone.localdate()


def _checked_since(value: str) -> date:
    since = _checked_date(value)
    today = import_day()
    if since > today:
        raise ValueError(
            _('date in the future: "%(value)s" (a relationship starts on or before %(day)s)')
            % {"value": value, "day": today.isoformat()}
        )
    return since


def _checked_phone(value: str) -> str:
    """A phone the one rule for a client's number (``core.phone.client_phone``, as the public
    web form) accepts, with its message; stored as written."""
    try:
        client_phone(value)
    except InvalidPhone as exc:
        why = PHONE_REASONS.get(exc.code, _("not a phone number"))
        raise ValueError(
            _('bad phone number: "%(value)s" (%(why)s)') % {"value": quoted(value), "why": why}
        ) from None
    return value


# ``core.phone``'s reasons as brackets of the import's form (the web form says them as sentences).
PHONE_REASONS = {
    "characters": _("only digits, spaces, dashes, parentheses and a leading +"),
    "length": _("too short or too long"),
    "incomplete": _("incomplete: a mobile number, or a landline with its area code"),
}


def _checked_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_('bad e-mail address: "%(value)s"') % {"value": quoted(value)}) from None
    return value


_CHECKS = {
    "relationship_since": _checked_since,
    "as_of": _checked_date,
    "balance": _checked_money,
    "amount": _checked_money,
    "executed_at": _checked_instant,
    "kind": _checked_kind,
    "good_standing": _checked_good_standing,
    "email": _checked_email,
    "phone": _checked_phone,
}

# Columns whose value is taken exactly as written: padding is an error, not trimmed.
UNPADDED = frozenset({"balance", "amount"})

# Per kind, what parse_row does with each column, worked out once: it runs for every row of files
# with millions of them, so a row pays only for its own columns' checks.
PLAN = {
    kind: [
        (column, column not in OPTIONAL[kind], MAX_LENGTH.get(column), _CHECKS.get(column))
        for column in columns
    ]
    for kind, columns in COLUMNS.items()
}


def parse_row(
    kind: str, line: int, values: dict[str, str], lenient: frozenset[str] = frozenset()
) -> tuple[dict, list[RowError]]:
    """The staged values of one row and its errors. A bad row is staged too, its bad fields None,
    so the checks on the staging table (unknown branch, duplicate key, ...) report its other
    errors as well (issue 14: every error of every row); with any error nothing is written.

    A bad value of a column in ``lenient`` (the intake's ``CONTACT_COLUMNS``) is staged None too,
    but its error is ``kept_out``: the row is imported without it (``stage.stage_keep_on_file``
    keeps the value on file)."""
    errors: list[RowError] = []
    clean: dict = {"line": line}
    # One search per row (millions of them): the fields are looked at only when it finds one.
    suspect = CONTROL.search("".join(values.values())) is not None
    for column, required, max_length, check in PLAN[kind]:
        written = values[column]
        value = written.strip()
        reason: Text | None = None
        if suspect and (control := CONTROL.search(written)):
            reason = _('control character in the value: "%(value)s" (U+%(code)s is not text)') % {
                "value": quoted(CONTROL.sub("\ufffd", written)),
                "code": f"{ord(control.group()):04X}",
            }
        elif not value:
            if required:
                reason = _("missing value (required)")
            else:
                clean[column] = ""
        elif value != written and column in UNPADDED:
            reason = _bad_amount(written, _("spaces before or after the number"))
        elif max_length and len(value) > max_length:
            reason = _('too long: "%(value)s" (%(length)d characters, at most %(n)d)') % {
                "value": quoted(value),
                "length": len(value),
                "n": max_length,
            }
        elif check is None:
            clean[column] = value
        else:
            try:
                clean[column] = check(value)
            except ValueError as exc:
                reason = exc.args[0]
        if reason is not None:
            clean[column] = None
            if column in lenient:
                reason = _("%(reason)s; row imported without it (the value on file kept)") % {
                    "reason": reason
                }
            errors.append(RowError(line, column, reason, kept_out=column in lenient))
    if kind == "clients":
        phone = clean["phone"]
        refused = any(not e.kept_out for e in errors)
        clean["phone_normalized"] = None if refused or phone is None else phone_key(phone)
    return clean, errors
