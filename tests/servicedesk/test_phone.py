"""Caller numbers as dialled reduce to the digits clients are looked up by."""

import pytest

from servicedesk.phone import InvalidPhone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("(138) 0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        (" +86-138-0013-8000 ", "13800138000"),
        ("021-6888 8888", "02168888888"),
        ("(021) 68888888", "02168888888"),
        ("+86 21 6888 8888", "02168888888"),
        ("95588", "95588"),
    ],
)
def test_numbers_normalise_to_digits_without_country_code(raw, expected):
    assert normalize_phone(raw) == expected


def test_an_eleven_digit_number_starting_86_is_not_mistaken_for_a_country_code():
    assert normalize_phone("86123456789") == "86123456789"


@pytest.mark.parametrize(
    "raw", ["", "   ", "abc", "138001380OO", "12", "+", "１３８００１３８０００"]
)
def test_bad_numbers_are_refused_with_a_reason(raw):
    with pytest.raises(InvalidPhone) as excinfo:
        normalize_phone(raw)
    assert str(excinfo.value)
