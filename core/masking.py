"""PII masking of SPEC section 1: an ID number shows its first 3 and last 4 characters, a phone
number its last 4."""


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
