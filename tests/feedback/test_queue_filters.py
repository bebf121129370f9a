"""The queue's filters tried as the team, supervisors, RMs and branch staff would, and as an
attacker would (QueueFilter): handlers that are not ids, a refused value, what the form then
shows, and the screen reader's view of it."""

import re

import pytest
from django.urls import reverse

from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("feedback:queue")
EXPORT = reverse("feedback:queue_export")


def select(response, name: str) -> str:
    found = re.search(f'<select name="{name}".*?</select>', response.content.decode(), re.S)
    assert found, name
    return found.group(0)


def _listed(response) -> set[str]:
    return {t.subject for t in response.context["tickets"]}


@pytest.fixture
def two_tickets(client_of_rm, feedback_user):
    TicketFactory(client=client_of_rm, subject="e", channel="email", handler=feedback_user)
    TicketFactory(client=client_of_rm, subject="p", channel="phone")


@pytest.mark.parametrize("value", ["²", "٣", "１", "9" * 30, "-1", "0"])
@pytest.mark.parametrize("persona", ["feedback_user", "supervisor", "rm_user", "branch_staff"])
def test_a_handler_that_is_not_an_id_is_refused_not_a_500(
    request, login, two_tickets, persona, value
):
    http = login(request.getfixturevalue(persona))
    response = http.get(QUEUE, {"handler": value})
    assert response.status_code == 200
    assert response.context["filters"].errors == ["handler"]
    if persona in ("feedback_user", "supervisor"):
        assert http.get(EXPORT, {"handler": value}).status_code == 200
