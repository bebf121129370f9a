"""The client list and the ticket queue read a page with a fixed number of queries whether the
tables hold 10 or 1,000 rows (SPEC section 11: the same pages at a million clients)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client, VipStatus
from feedback.models import Ticket
from managers.models import Assignment
from tests.factories.clients import ClientFactory
from tests.factories.feedback import TicketFactory
from tests.factories.managers import AssignmentFactory

pytestmark = pytest.mark.django_db

LIST, QUEUE = reverse("clients:list"), reverse("feedback:queue")


def _bank(branch, rm, n: int) -> None:
    """``n`` clients of the branch, every third a VIP at risk of ``rm``, each with a ticket."""
    clients = Client.objects.bulk_create(
        ClientFactory.build_batch(n, branch=branch, status=VipStatus.VIP)
    )
    Assignment.objects.bulk_create(AssignmentFactory.build(client=c, rm=rm) for c in clients[::3])
    Ticket.objects.bulk_create(TicketFactory.build(client=c) for c in clients)


def _queries(http, url: str) -> tuple[int, int]:
    http.get(url)  # warms the session's last-seen write and the badges' policy cache
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    rows = response.context.get("page_obj") or response.context.get("tickets")
    return len(ctx), len(rows)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("supervisor", LIST),
        ("supervisor", LIST + "?status=vip&sort=-assets"),
        ("rm_user", LIST),
        ("branch_staff", LIST),
        ("feedback_user", QUEUE),
        ("supervisor", QUEUE),
        ("rm_user", QUEUE),
    ],
)
def test_a_page_costs_the_same_queries_for_10_and_1000_rows(
    request, login, branch, rm, persona, url
):
    http = login(request.getfixturevalue(persona))
    _bank(branch, rm, 10)
    few, few_rows = _queries(http, url)
    _bank(branch, rm, 990)
    many, many_rows = _queries(http, url)
    assert many_rows > few_rows  # the page did fill up
    assert many == few


# The frame: the session unless Redis holds it (cached_db), and the user with its branch, role
# and unread count in one query (core.auth.FrameBackend).
FRAME = 1 + (0 if settings.SESSION_ENGINE.endswith("cached_db") else 1)


@pytest.mark.parametrize(
    ("persona", "url", "queries"),
    [
        # The capped count and the rows; the filter's choices were read by the page before
        # (kept a minute per scope and language: core.forms.FILTER_OPTIONS).
        ("supervisor", LIST, 2),
        ("supervisor", LIST + "?status=vip&sort=-assets", 2),
        # A branch filter checks that branch in the database (not against the kept choices).
        ("supervisor", LIST + "?branch={branch}", 3),
        # No RM choice for an RM (their list is their own clients).
        ("rm_user", LIST, 2),
        ("branch_staff", LIST, 2),
        # The capped count, the SLA counts, the rows (the filter's and the bulk assignment's
        # handlers were read by the page before: core.forms.FILTER_OPTIONS); for the feedback
        # team also whether any team lead is named and whether this user is one (the held-mail
        # link is the leads').
        ("feedback_user", QUEUE, 5),
        ("supervisor", QUEUE, 3),
        # An RM's ticket keys first, read once for the three (feedback.selectors.
        # tickets_for_queue).
        ("rm_user", QUEUE, 4),
    ],
)
def test_each_list_page_reads_a_fixed_number_of_queries(
    request, login, branch, rm, persona, url, queries, django_assert_num_queries
):
    http = login(request.getfixturevalue(persona))
    _bank(branch, rm, 30)
    url = url.format(branch=branch.pk)
    http.get(url)  # the session's first "last seen" write (then once a minute)
    with django_assert_num_queries(FRAME + queries):
        response = http.get(url)
    assert response.status_code == 200
    assert len(response.context.get("page_obj") or response.context.get("tickets")) > 0
