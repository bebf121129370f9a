"""PII masking of SPEC section 1: an ID number shows its first 3 and last 4 characters, a phone
number its last 4."""

import re

from django.db import connection

# An 18-character resident ID number and a mainland mobile number, wherever they stand in a text.
_PII_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[0-9]{10})(?![0-9])")


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def id_number_shown(value: str, *, revealed: bool) -> str:
    """An ID number as every page shows it (the dossier, the hotline card: issue 14): whole only
    when ``revealed`` (``clients.selectors.pii_revealed``), else ``mask_id_number``."""
    return (value or "") if revealed else mask_id_number(value or "")


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return f"{'*' * (len(value) - 4)}{value[-4:]}"


def mask_audit_value(value) -> str:
    """django-auditlog's ``mask_callable`` for PII fields of change records (issue 13): the last
    4 characters of an ID number, phone or e-mail address; an old and a new value can still be
    told apart, but neither can be read back."""
    return mask_phone(str(value)) if value not in (None, "") else ""


def mask_audit_sql(expr: str) -> str:
    """``mask_audit_value`` as a SQL expression over the text ``expr``, for history written
    set-based in SQL (the core-banking import's, issue 13), so no row has to pass through Python
    to be masked: the same characters kept, the same stars, on PostgreSQL and SQLite alike
    (tests/core/test_masking_sql.py holds it to the Python rule). No '%': statements using it
    take parameters."""
    length = f"length({expr})"

    def stars(count: str) -> str:
        if connection.vendor == "postgresql":
            return f"repeat('*', {count})"
        return f"replace(hex(zeroblob({count})), '00', '*')"  # SQLite has no repeat()

    return (
        f"CASE WHEN {length} <= 4 THEN {stars(length)}"
        f" ELSE {stars(f'{length} - 4')} || substr({expr}, {length} - 3) END"
    )


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return value
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_pii_text(text: str) -> str:
    """``text`` with every ID-number-shaped and mobile-shaped digit run masked to its last 4
    (log lines: a path or a message must not carry them, issue 13)."""
    return _PII_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
