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
