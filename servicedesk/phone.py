"""Phone numbers as callers dial them, reduced to the digits the hotline looks a client up by."""

import re

from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().·/]")
_MOBILE = re.compile(r"^1\d{10}$")


class InvalidPhone(ValueError):
    """The input is not a phone number; ``str(exc)`` is the translated reason."""


def normalize_phone(raw: str) -> str:
    """Digits only, without the +86 / 0086 country prefix: ``+86 138-0013-8000`` → ``13800138000``.

    A 13-digit ``86…`` number is a mobile with the country code and loses it; a landline keeps its
    area code (``021-6888 8888`` → ``02168888888``; ``+86 21 6888 8888`` gets its trunk 0 back).
    """
    text = _SEPARATORS.sub("", (raw or "").strip())
    if not text:
        raise InvalidPhone(_("Enter the caller's phone number."))
    international = text.startswith("+")
    digits = text[1:] if international else text
    if not digits.isdigit() or not digits.isascii():
        raise InvalidPhone(
            _("A phone number has only digits, spaces, dashes, parentheses and a leading +.")
        )
    had_country_code = False
    if international and digits.startswith("86"):
        digits, had_country_code = digits[2:], True
    elif digits.startswith("0086"):
        digits, had_country_code = digits[4:], True
    elif len(digits) == 13 and digits.startswith("86") and _MOBILE.match(digits[2:]):
        digits, had_country_code = digits[2:], True
    if had_country_code and not _MOBILE.match(digits) and not digits.startswith("0"):
        digits = f"0{digits}"
    if not 3 <= len(digits) <= 20:
        raise InvalidPhone(_("A phone number has between 3 and 20 digits."))
    return digits
