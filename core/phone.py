"""Phone numbers, the one rule: every number is stored and looked up in E.164 (``+8613800138000``),
read with China as the default region (SPEC section 1: clients' phones; section 6: the hotline).

The core-banking import, ``Client.save``, the hotline, the client search and the forms all use
this module, so a number written any way (``+86 21 6888 8888``, ``021-6888 8888``,
``0086 21 68888888``) is stored as the number the hotline looks up. Parsing is Google's
libphonenumber rules (the ``phonenumbers`` module of the ``phonenumberslite`` package): trunk
prefix, area codes, IP-dialling prefixes and lengths are its data, not ours.

The import's PostgreSQL fast path computes the same value in SQL for the common shapes
(``clients.corebanking.sql.sql_phone_normalized``); tests compare the two.
"""

import re
import unicodedata

import phonenumbers
from django import forms

from core.messages import neutral as _

REGION = "CN"
# What people write between digits: spaces (also full-width), dashes (also the typographic ones a
# Chinese input method or a word processor gives: ‐ ‑ ‒ – — ― −), brackets, dots, slashes. Full-width
# forms (１３８, （０２１）, －, ＋) are read as their ASCII by NFKC first (``_dialled``).
_SEPARATORS = re.compile(r"[\s\-().·/\u2010-\u2015\u2212]")
# An extension after the number: 转/轉/分机 (Chinese), ext/x/# (libphonenumber's own markers are
# only the Latin ones), or a comma (a dialler's pause).
_EXTENSION = re.compile(
    r"^(?P<number>.*?[0-9)])\s*(?:转|轉|分机号?|分機號?|ext\.?|extension|x|#|,)\s*(?P<ext>[0-9]{1,6})\s*#?$",
    re.IGNORECASE,
)
# The Chinese way to write an extension: a landline, a dash, its extension (010-6888 8888-8001).
_DASH_EXTENSION = re.compile(r"^(?P<number>.*[0-9])\s*-\s*(?P<ext>[0-9]{1,6})$")
_MOBILE = re.compile(r"^1\d{10}$")
# Parsing outcomes that are a number someone can dial: complete, or a landline's local part.
_DIALLABLE = (
    phonenumbers.ValidationResult.IS_POSSIBLE,
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
)
_FIXED_LINE = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


class InvalidPhone(ValueError):
    """The input is not a phone number (or not one the bank can call back, ``client_phone``);
    ``exc.args[0]`` is the language-neutral reason (``core.messages.Text``), ``str(exc)`` it in
    the active language. ``exc.code`` names the reason for callers that word it their own way
    (the import's row reasons): "empty", "characters", "not_a_number", "length", "incomplete"."""

    def __init__(self, message, code: str = ""):
        super().__init__(message)
        self.code = code


def typed_text(raw: str) -> str:
    """What someone typed, read as the characters it stands for (NFKC): a Chinese input method
    writes digits, letters, ``+`` and brackets full-width (``１３８``, ``ＤＣ００４７``, ``＋８６``)
    unless switched, and they mean the ASCII ones. The one reading of typed phone numbers and
    client numbers (the hotline, the client search, the forms, the import)."""
    return unicodedata.normalize("NFKC", raw or "")


def _typed(raw: str) -> str:
    """What was typed, full-width characters as ASCII (``typed_text``), without an extension: the number
    the bank calls is the line's own (``"010-6888 8888 转 8001"`` → ``"010-6888 8888"``; the
    number as typed, extension included, is what callers keep to show)."""
    text = typed_text(raw).strip()
    if match := _EXTENSION.match(text):
        return match["number"]
    if (
        (match := _DASH_EXTENSION.match(text))
        and not _is_valid(text)
        and _is_fixed(match["number"])
    ):
        return match["number"]
    return text


def _is_valid(text: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(_compact(text), REGION))
    except phonenumbers.NumberParseException:
        return False


def _is_fixed(text: str) -> bool:
    try:
        number = phonenumbers.parse(_compact(text), REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and (
        phonenumbers.number_type(number) in _FIXED_LINE
    )


def _compact(text: str) -> str:
    text = _SEPARATORS.sub("", text)
    return f"+{text[2:]}" if text.startswith("00") else text


def _dialled(raw: str) -> str:
    """The number as typed (``_typed``), without separators, with an international ``00`` as
    ``+``, and a 13-digit ``86`` + mobile read as having the country code (a common export
    format)."""
    text = _SEPARATORS.sub("", _typed(raw))
    if not text:
        raise InvalidPhone(_("Enter the caller's phone number."), "empty")
    digits = text.removeprefix("+")
    if not digits.isdigit() or not digits.isascii():
        raise InvalidPhone(
            _("A phone number has only digits, spaces, dashes, parentheses and a leading +."),
            "characters",
        )
    if text.startswith("00"):
        return f"+{text[2:]}"
    if len(text) == 13 and text.startswith("86") and _MOBILE.match(text[2:]):
        return f"+{text}"
    return text


def _parsed(raw: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(_dialled(raw), REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(_("This is not a phone number."), "not_a_number") from None
    if number.country_code == 86:
        # After an IP-dialling prefix (17951 021 …) libphonenumber keeps the trunk 0 as an
        # "Italian leading zero", which China does not have: +86021… is +8621….
        number.italian_leading_zero = None
    if phonenumbers.is_possible_number_with_reason(number) not in _DIALLABLE:
        raise InvalidPhone(_("This phone number is too short or too long."), "length")
    return number


def normalize_phone(raw: str) -> str:
    """``raw`` in E.164: ``"+86 138-0013-8000"``, ``"8613800138000"`` → ``"+8613800138000"``;
    ``"021-6888 8888"``, ``"+86 21 6888 8888"``, ``"0086 21 68888888"`` → ``"+862168888888"``.
    A landline without its area code keeps only its own digits (``"6888 8888"`` →
    ``"+8668888888"``): ``local_landline_digits`` tells such a number apart.

    Raises ``InvalidPhone`` (translated reason) for empty text, other characters than digits,
    separators and a leading ``+``, or a number of impossible length."""
    return phonenumbers.format_number(_parsed(raw), phonenumbers.PhoneNumberFormat.E164)


def phone_key(raw: str) -> str:
    """The stored form of a client's phone: ``normalize_phone``, or ``""`` when ``raw`` is empty
    or not a phone number (nobody can call from it, so no lookup should find it)."""
    try:
        return normalize_phone(raw)
    except InvalidPhone:
        return ""


def national_digits(e164: str) -> str:
    """The national significant number of a normalised number: ``"+862168888888"`` →
    ``"2168888888"`` (what a stored number ends with however it was dialled in China)."""
    return phonenumbers.national_significant_number(phonenumbers.parse(e164, REGION))


def local_landline_digits(e164: str) -> str | None:
    """The subscriber digits of a Chinese landline dialled without its area code
    (``"+8668888888"`` → ``"68888888"``), or None for a complete number."""
    number = phonenumbers.parse(e164, REGION)
    if number.country_code != 86 or phonenumbers.is_valid_number(number):
        return None
    digits = phonenumbers.national_significant_number(number)
    return digits if 7 <= len(digits) <= 8 and digits[0] in "23456789" else None


def is_landline_ending_with(e164: str, local: str) -> bool:
    """Is ``e164`` a landline whose number after the area code is ``local``?"""
    number = phonenumbers.parse(e164, REGION)
    area = phonenumbers.length_of_geographical_area_code(number)
    return area > 0 and phonenumbers.national_significant_number(number)[area:] == local


def is_complete(e164: str) -> bool:
    """Can the bank call this normalised number back as it stands: a whole, assigned number
    (libphonenumber's ``is_valid_number``), not a landline without its area code
    (``"+8668888888"``) or a short service number (``"+8695588"``)?"""
    return phonenumbers.is_valid_number(phonenumbers.parse(e164, REGION))


def client_phone(raw: str) -> str:
    """A client's own number, the one rule for every entry point that takes one (the public web
    form, the core-banking import: issue 14): ``normalize_phone``, and a number the bank can
    call back as it stands (``is_complete``), so ``12345`` is refused everywhere with the same
    message. Returns E.164; raises ``InvalidPhone``."""
    normalized = normalize_phone(raw)
    if not is_complete(normalized):
        raise InvalidPhone(
            _("Enter the whole number: a mobile number, or a landline with its area code."),
            "incomplete",
        )
    return normalized


def validate_typed_phone(value: str) -> None:
    """A form validator for a number kept as it was typed (a client's in admin, an RM's): the
    rule and message of ``client_phone``, as ``ValidationError``."""
    try:
        client_phone(value)
    except InvalidPhone as exc:
        raise forms.ValidationError(str(exc), code="invalid_phone") from None


class PhoneField(forms.CharField):
    """A form field that cleans to E.164 with ``normalize_phone`` (its reason as the error).
    With ``complete=True`` (a number to call someone back on, e.g. the public web form) it takes
    ``client_phone``'s rule instead: a number ``is_complete`` accepts."""

    def __init__(self, *args, complete: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return client_phone(value) if self.complete else normalize_phone(value)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc), code="invalid_phone") from None
