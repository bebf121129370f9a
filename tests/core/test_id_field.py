"""A form's id field reads an id as a query string's does (``core.ids.parse_id``): ASCII digits
in the id column's range, nothing else; a refused value is a field error in the user's language,
never a lookup."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.ids import ID_MAX, IdField


@pytest.mark.parametrize("raw", ["7", " 7 ", 7, str(ID_MAX)])
def test_an_id_is_read(raw):
    assert IdField().clean(raw) in {7, ID_MAX}


@pytest.mark.parametrize(
    "raw", ["٣", "３", "²", "3.0", "-3", "0", str(ID_MAX + 1), "1e3", "7\x00", "x"]
)
def test_anything_else_is_a_field_error_in_the_users_language(raw):
    field = IdField()
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            field.clean(raw)
        assert refused.value.messages == ["This is not a valid reference."]
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            field.clean(raw)
        assert refused.value.messages == ["这不是有效的编号。"]


def test_an_empty_optional_id_is_none():
    assert IdField(required=False).clean("") is None
