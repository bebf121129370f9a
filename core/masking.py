"""PII masking of SPEC section 1: an ID number shows its first 3 and last 4 characters, a phone
number its last 4."""

import re

# An 18-character resident ID number and a mainland mobile number, wherever they stand in a text.
_PII_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[0-9]{10})(?![0-9])")


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


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


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return value
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_pii_text(text: str) -> str:
    """``text`` with every ID-number-shaped and mobile-shaped digit run masked to its last 4
    (log lines: a path or a message must not carry them, issue 13)."""
    return _PII_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
