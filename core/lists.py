"""The one list pattern (issue 15): every list page filters through a ``ListFilter`` (a
django-filter ``FilterSet``: declared filters, validated by their form), sorts through ``Sorting``
and draws its sortable headers with ``{% sort_th %}`` (``core.templatetags.lists``); pages through
``page_of`` and ``templates/partials/pagination.html``; exports through ``core.exports``.

A filter narrows the list and may be left empty; a value its form refuses is ignored, as if it
were not given (the list shows, never a 500). A tab (the call-back worklist's week/open/overdue,
the proposals' status) is not a filter: it always shows one of a fixed set of views, so it is read
like the sort, a key among the list's own with a default.

A sort is a key in the URL (``?sort=name``, ``?sort=-name`` for descending) chosen among the
list's own keys, so a user never orders by an arbitrary field: an unknown key is ignored and the
list's default order applies (bad input changes nothing, never a 500).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import escape
from django_filters.constants import EMPTY_VALUES

from core.ids import IdField

Row = TypeVar("Row")


@dataclass(frozen=True)
class Sorting:
    """The keys a list may be sorted by (key in the URL → model field or row key) and its default.

    ``default`` is the key (``-`` for descending) the list shows when the URL asks for nothing
    valid; ``""`` means the list's own order (``QuerySet`` as given), shown as "no sort"."""

    fields: Mapping[str, str]
    default: str = ""

    def key(self, requested: str | None) -> str:
        """The sort in force for the requested text: itself when it names a known key, else the
        default."""
        requested = (requested or "").strip()
        return requested if requested.lstrip("-") in self.fields else self.default

    def order_by(self, key: str) -> list[str]:
        """The ``order_by`` arguments of a sort key (``pk`` last so pages never overlap)."""
        if not key:
            return []
        field = self.fields[key.lstrip("-")]
        return [f"-{field}" if key.startswith("-") else field, "pk"]

    def apply(self, qs: QuerySet, requested: str | None) -> tuple[QuerySet, str]:
        """``(qs ordered by the sort in force, that sort's key)``; with no sort in force ``qs``
        keeps its own order."""
        key = self.key(requested)
        return (qs.order_by(*self.order_by(key)) if key else qs), key

    def sort_rows(self, rows: Iterable[Row], requested: str | None) -> tuple[list[Row], str]:
        """Rows computed in Python (mappings or objects), sorted by the sort in force. Rows
        whose value is ``None`` (no data) come last either way."""
        rows = list(rows)
        key = self.key(requested)
        if not key:
            return rows, key
        field = self.fields[key.lstrip("-")]
        present = [r for r in rows if _read(r, field) is not None]
        present.sort(key=lambda r: _read(r, field), reverse=key.startswith("-"))
        return present + [r for r in rows if _read(r, field) is None], key


def _read(row: Any, field: str) -> Any:
    return row[field] if isinstance(row, Mapping) else getattr(row, field)


class ChoiceLabels(dict):
    """A list's choice labels, escaped for HTML and translated once per page:
    ``labels[Model, "field", value]``. ``get_FOO_display()`` rebuilds the field's choices (and
    translates every label) on each call, a few hundred times on a list page (SPEC section 11).
    A value outside the choices shows as itself, as ``get_FOO_display()`` does."""

    def __missing__(self, key):
        model, name, value = key
        label = dict(model._meta.get_field(name).flatchoices).get(value, value)
        self[key] = escape(str(label))
        return self[key]


# The rows per page of a list that does not say otherwise.
PAGE_SIZE = 25


def page_of(
    request: HttpRequest,
    rows: Any,
    *,
    size: int = PAGE_SIZE,
    param: str = "page",
    paginator: Callable[..., Paginator] = Paginator,
) -> Page:
    """The page of ``rows`` (a queryset or a list) the request's ``?page=`` asks for, ``size``
    rows each, cut by ``paginator`` (e.g. ``core.paging.CappedPaginator`` for a list that may
    hold a million rows). A page number that is not a number is page 1, one past the end the
    last page, so bad input never fails (``Paginator.get_page``)."""
    return paginator(rows, size).get_page(request.GET.get(param))


class ListFilter(django_filters.FilterSet):
    """The filters of one list. ``ListFilter.of(request, queryset)`` binds them to the query
    string; ``qs`` is the narrowed list and ``value(name)`` the value in force for the page's
    inputs ("" when absent or refused)."""

    @classmethod
    def of(cls, request: HttpRequest, queryset: QuerySet, **kwargs: Any) -> "ListFilter":
        return cls(request.GET or None, queryset=queryset, **kwargs)

    def value(self, name: str, default: Any = "") -> Any:
        if not self.is_bound or name in self.errors:
            return default
        value = self.form.cleaned_data.get(name)
        return default if value in EMPTY_VALUES else value


class IdFilter(django_filters.NumberFilter):
    """A row id in the query string (``core.ids``' range): anything else is refused, so ignored."""

    field_class = IdField
