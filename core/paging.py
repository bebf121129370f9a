"""Pagination for lists that can hold a million rows (SPEC section 11: the client list at
1,000,000 clients).

A plain ``Paginator`` counts every matching row on every request and reaches a deep page with an
OFFSET that computes the page's annotations for every row it skips: at a million clients that is
most of the page's time. ``CappedPaginator`` counts at most ``cap`` rows (beyond that the list
says "more than N" and asks for a narrower search: nobody reads 200 pages of 50), and selects a
page's primary keys with a narrow query before computing the annotations for those rows only.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A paginator over a queryset whose count stops at ``cap`` rows: pages past the cap are not
    offered, and ``capped`` says whether rows were left out."""

    def __init__(self, object_list, per_page, *, cap: int = 10_000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        # Whole pages only, so the last page offered is full.
        self.cap = max(cap - cap % per_page, per_page)

    @cached_property
    def _capped_count(self) -> int:
        # Unordered: the order would make PostgreSQL walk the sort's index instead of the filter's.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        return self._capped_count > self.cap

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        # The page's keys by the list's own filters and order, without its annotations; then the
        # full rows (annotations, select_related) for those keys only, in the same order.
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)


class CountFreePage:
    """One page of ``size`` rows of a queryset without counting the rows: it reads ``size + 1``
    to know whether a next page exists. For lists whose total nobody needs (a client's trades:
    up to thousands each in a 30M-row table, SPEC section 11) and whose ``COUNT(*)`` would be
    a query of its own. A bad page number (not a positive integer) is page 1; a page past the
    end is empty (``has_previous`` still leads back)."""

    def __init__(self, queryset, number, size: int):
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * size
        rows = list(queryset[start : start + size + 1])
        self.object_list = rows[:size]
        self.has_next = len(rows) > size
        self.has_previous = self.number > 1
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous
