"""Row ids from outside (URL paths, query strings, form fields), checked once.

Every primary key is a ``BigAutoField`` (settings ``DEFAULT_AUTO_FIELD``): a signed 64-bit column
on SQLite and PostgreSQL. Django guards a plain ``pk=`` lookup against values beyond that range,
but not a foreign-key column (``branch_id=``) nor a value written into one, where SQLite raises
``OverflowError`` and PostgreSQL ``DataError``: a 500. So every id that comes from outside goes
through this module: a URL converter (``<id:pk>``), a form field (``IdField``) and ``parse_id``
for query-string filters. Out of range, negative, empty or not ASCII digits is "no such row": a
404 for a path, a field error for a form, no filter for a query string (issue 14), and a 404 for
a link's ``?<name>=<id>`` naming the object a page opens with (``linked_id``).
"""

import json

from django import forms
from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

ID_MIN = 1
ID_MAX = 2**63 - 1
# 19 digits hold ID_MAX; a longer run of digits cannot be an id.
_MAX_DIGITS = len(str(ID_MAX))


def parse_id(raw: object) -> int | None:
    """``raw`` (a query-string value, usually ``str``) as a row id in ``[ID_MIN, ID_MAX]``, or
    ``None`` when it is anything else (empty, negative, too large, not ASCII digits such as "²")."""
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    raw = raw.strip()
    if not raw or len(raw) > _MAX_DIGITS or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if ID_MIN <= value <= ID_MAX else None


def linked_id(request: HttpRequest, name: str) -> int | None:
    """The object a link names in ``?<name>=<id>`` (a form opened from a call, a call-back, a
    client): ``None`` when the link names none, 404 when the value is not an id (no such object,
    as for a path). The caller answers 404 too when the id is not one the user may see."""
    if name not in request.GET:
        return None
    pk = parse_id(request.GET[name])
    if pk is None:
        raise Http404
    return pk


class IdConverter:
    """The path converter ``<id:name>``: a row id, or no match (404) beyond the column's range."""

    regex = f"[0-9]{{1,{_MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            # A converter's ValueError means "this pattern does not match": the resolver
            # answers 404.
            raise ValueError(value)
        return parsed

    def to_url(self, value: int) -> str:
        return str(int(value))


class IdField(forms.IntegerField):
    """A form field holding a row id (usually hidden): bounded to the id column's range so a
    crafted value is a field error, never a database error."""

    default_error_messages = {
        "invalid": _("This is not a valid reference."),
        "min_value": _("This is not a valid reference."),
        "max_value": _("This is not a valid reference."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)

    def to_python(self, value):
        """The id by ``parse_id``, the one reading of ids from outside: Django's IntegerField
        also takes other scripts' digits ("٣") and "3.0", which a query string's id refuses."""
        if value in self.empty_values:
            return None
        parsed = parse_id(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


def ids_listed(ids: list[int]) -> RawSQL:
    """A list of row ids as a subquery with ONE parameter, for ``pk__in=`` (a PostgreSQL array,
    SQLite's ``json_each``): Django compiles a literal ``IN (…)`` list one parameter at a time,
    ~2 ms of a request's CPU for 600 ids repeated in three queries (benchmarks/REPORT.md), and
    PostgreSQL plans that long list again in each."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
