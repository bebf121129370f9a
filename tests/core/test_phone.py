"""Phone numbers as written or dialled normalise to E.164 with China as the default region."""

import pytest
from django.core.exceptions import ValidationError

from core.phone import (
    InvalidPhone,
    PhoneField,
    is_landline_ending_with,
    local_landline_digits,
    national_digits,
    normalize_phone,
    phone_key,
)

MOBILE = "+8613800138000"
SHANGHAI_LANDLINE = "+862168888888"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", MOBILE),
        ("138 0013 8000", MOBILE),
        ("138-0013-8000", MOBILE),
        ("(138) 0013-8000", MOBILE),
        ("+86 138 0013 8000", MOBILE),
        ("+8613800138000", MOBILE),
        ("0086 13800138000", MOBILE),
        ("8613800138000", MOBILE),
        (" +86-138-0013-8000 ", MOBILE),
        ("138\u30000013\u30008000", MOBILE),  # full-width spaces from a Chinese IME
        ("021-6888 8888", SHANGHAI_LANDLINE),
        ("(021) 68888888", SHANGHAI_LANDLINE),
        ("+86 21 6888 8888", SHANGHAI_LANDLINE),
        ("0086 21 68888888", SHANGHAI_LANDLINE),
        ("0086-21-6888-8888", SHANGHAI_LANDLINE),
        ("+86 (0)21 6888 8888", SHANGHAI_LANDLINE),
        ("010 1234 5678", "+861012345678"),
        ("0571-8888 8888", "+8657188888888"),
        ("6888 8888", "+8668888888"),  # a landline without its area code
        ("+852 2345 6789", "+85223456789"),
    ],
)
def test_numbers_normalise_to_e164(raw, expected):
    assert normalize_phone(raw) == expected


def test_an_eleven_digit_number_starting_86_is_not_mistaken_for_a_country_code():
    assert normalize_phone("86123456789") == "+8686123456789"


def test_normalising_twice_changes_nothing():
    assert normalize_phone(normalize_phone("021-6888 8888")) == SHANGHAI_LANDLINE


@pytest.mark.parametrize(
    "raw", ["", "   ", "abc", "138001380OO", "12", "+", "138+0013", "١٣٨٠٠١٣٨٠٠٠"]
)
def test_bad_numbers_are_refused_with_a_reason(raw):
    with pytest.raises(InvalidPhone) as excinfo:
        normalize_phone(raw)
    assert str(excinfo.value)


def test_a_stored_phone_that_is_not_a_number_is_stored_blank():
    assert phone_key("n/a") == ""
    assert phone_key("") == ""
    assert phone_key("138-0013-8000") == MOBILE


def test_national_digits_are_what_a_stored_number_ends_with():
    assert national_digits(SHANGHAI_LANDLINE) == "2168888888"
    assert national_digits(MOBILE) == "13800138000"


def test_only_a_landline_without_area_code_has_local_digits():
    assert local_landline_digits("+8668888888") == "68888888"
    assert local_landline_digits(SHANGHAI_LANDLINE) is None
    assert local_landline_digits(MOBILE) is None


def test_a_landline_ends_with_its_local_number_a_mobile_does_not():
    assert is_landline_ending_with(SHANGHAI_LANDLINE, "68888888")
    assert is_landline_ending_with("+861068888888", "68888888")
    assert not is_landline_ending_with("+8613968888888", "68888888")
    assert not is_landline_ending_with(SHANGHAI_LANDLINE, "8888888")


def test_the_form_field_cleans_to_e164_and_shows_the_reason():
    field = PhoneField()
    assert field.clean("021-6888 8888") == SHANGHAI_LANDLINE
    with pytest.raises(ValidationError) as excinfo:
        field.clean("abc")
    assert excinfo.value.code == "invalid_phone"
    assert excinfo.value.messages == [str(_reason("abc"))]


def _reason(raw: str) -> str:
    with pytest.raises(InvalidPhone) as excinfo:
        normalize_phone(raw)
    return str(excinfo.value)
