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


def test_a_handler_with_leading_zeros_is_the_same_choice_and_shows_as_chosen(
    login, feedback_user, two_tickets
):
    response = login(feedback_user).get(QUEUE, {"handler": f"00{feedback_user.pk}"})
    assert _listed(response) == {"e"}
    assert f'<option value="{feedback_user.pk}" selected>' in select(response, "handler")


@pytest.mark.parametrize(
    ("language", "says"),
    [("zh-hans", "部分筛选条件无法识别，已显示全部未结工单"), ("en", "shows every open ticket")],
)
def test_a_refused_filter_shows_the_form_as_applied_and_says_so(
    login, feedback_user, two_tickets, language, says
):
    """One refused value drops every filter: the selects then show what is applied (nothing),
    not a channel the list is not narrowed by, and the warning says the queue is unfiltered."""
    response = login(feedback_user, language=language).get(
        QUEUE, {"channel": "email", "handler": "abc"}
    )
    assert _listed(response) == {"e", "p"}
    channel = select(response, "channel")
    assert '<option value="" selected>' in channel
    assert 'email" selected' not in channel
    assert says in response.content.decode()


def test_a_refused_filter_is_tied_to_the_warning_for_screen_readers(
    login, feedback_user, two_tickets
):
    response = login(feedback_user).get(QUEUE, {"breached": "soon"})
    body = response.content.decode()
    assert 'id="id_breached" aria-invalid="true" aria-describedby="id_filters_error"' in body
    assert re.search(r'<div [^>]*id="id_filters_error"[^>]*>', body)
    # The other selects are not marked.
    assert "aria-invalid" not in select(response, "channel")


def test_the_queue_filters_read_in_the_queues_own_chinese_terms(login, feedback_user, two_tickets):
    """The project's and Django admin's catalogues translate "Open" (打开, to open) and "Filter"
    (过滤器, a filter device) before the feedback app's: the queue's own words have a context."""
    body = login(feedback_user, language="zh-hans").get(QUEUE).content.decode()
    assert '<option value="" selected>未结</option>' in body
    assert ">筛选</button>" in body
    assert "打开" not in body and "过滤器" not in body
