"""The capped paginator of lists that can hold a million rows: counts stop at the cap, pages past
it are not offered, and a page's rows keep the list's order and annotations."""

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat

from clients.models import Client
from core.paging import CappedPaginator
from tests.factories.clients import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_clients(branch):
    return [ClientFactory(branch=branch, client_no=f"C{n:03d}") for n in range(7)]


def listed():
    return Client.objects.annotate(label=Concat(F("client_no"), Value("!"))).order_by("-client_no")


def test_under_the_cap_counts_exactly(seven_clients):
    paginator = CappedPaginator(listed(), 2, cap=10)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (7, 4, False)


def test_over_the_cap_counts_up_to_it_and_says_so(seven_clients):
    paginator = CappedPaginator(listed(), 2, cap=4)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (4, 2, True)


def test_the_cap_is_whole_pages(seven_clients):
    paginator = CappedPaginator(listed(), 2, cap=5)
    assert (paginator.count, paginator.num_pages) == (4, 2)


def test_a_page_past_the_cap_shows_the_last_page_offered(seven_clients):
    page = CappedPaginator(listed(), 2, cap=4).get_page(3)
    assert page.number == 2
    assert not page.has_next()


def test_a_page_keeps_the_lists_order_and_annotations(seven_clients):
    page = CappedPaginator(listed(), 2, cap=10).get_page(2)
    assert [(c.client_no, c.label) for c in page] == [("C004", "C004!"), ("C003", "C003!")]


def test_an_empty_list_has_one_empty_page(db):
    page = CappedPaginator(listed(), 2, cap=4).get_page(1)
    assert (list(page), page.paginator.count, page.paginator.capped) == ([], 0, False)
