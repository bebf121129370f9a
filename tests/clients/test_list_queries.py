"""The client list and the ticket queue read a page with a fixed number of queries whether the
tables hold 10 or 1,000 rows (SPEC section 11: the same pages at a million clients)."""

import pytest
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
