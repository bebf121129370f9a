"""Satisfaction survey: sent on resolution, one-time, no login, valid 30 days; bad links get a
clear page, never a 500."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from feedback import selectors
from feedback.models import SURVEY_COMMENT_MAX_LENGTH, Survey
from feedback.services.replies import ticket_resolve
from feedback.services.surveys import survey_link, survey_send, survey_submit
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(client_of_rm, feedback_user, received, django_capture_on_commit_callbacks):
    ticket = TicketFactory(client=client_of_rm, received_at=received)
    with (
        time_machine.travel(received + timedelta(hours=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        survey = ticket_resolve(ticket=ticket, actor=feedback_user, resolution="Done.")
    return survey


def _path(survey):
    link = survey_link(survey)
    return link[link.index("/feedback/") :]


def test_resolution_emails_the_client_a_one_time_link(resolved, client_of_rm, settings):
    assert resolved.expires_at - resolved.sent_at == timedelta(days=30)
    to_client = [m for m in mail.outbox if client_of_rm.email in m.to]
    survey_mail = next(m for m in to_client if settings.SITE_URL in m.body)
    # In the client's language (Chinese by default), whatever the staff member's language.
    assert survey_mail.subject == f"[{resolved.ticket.reference}] 请评价我们的服务"
    assert survey_link(resolved) in survey_mail.body
    assert resolved.token not in survey_mail.body.replace(survey_link(resolved), "")


def test_client_answers_without_login(client, resolved, received):
    with time_machine.travel(received + timedelta(days=2), tick=False):
        page = client.get(_path(resolved))
        assert page.status_code == 200
        response = client.post(_path(resolved), {"score": "5", "comment": "很好"})
    assert response.status_code == 200
    assert 'data-testid="survey-thanks"' in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.score == 5 and resolved.comment == "很好"
    assert resolved.responded_at == received + timedelta(days=2)


def test_link_works_once(client, resolved):
    client.post(_path(resolved), {"score": "4"})
    again = client.post(_path(resolved), {"score": "1"})
    assert again.status_code == 200
    assert 'data-testid="survey-answered"' in again.content.decode()
    resolved.refresh_from_db()
    assert resolved.score == 4


def test_link_expires_after_30_days(client, resolved):
    just_before = resolved.expires_at - timedelta(seconds=1)
    with time_machine.travel(just_before, tick=False):
        assert client.get(_path(resolved)).status_code == 200
    with time_machine.travel(resolved.expires_at, tick=False):
        response = client.post(_path(resolved), {"score": "5"})
    assert response.status_code == 410
    assert 'data-testid="survey-expired"' in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.score is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda p: p[:-3] + "xyz/",
        lambda p: p.replace("/survey/", "/survey/A"),
        lambda p: "/feedback/survey/nonsense/",
        lambda p: "/feedback/survey/" + "a" * 500 + "/",
    ],
)
def test_tampered_link_is_404_with_a_message(client, resolved, mangle):
    response = client.get(mangle(_path(resolved)))
    assert response.status_code == 404
    assert 'data-testid="survey-invalid"' in response.content.decode()


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_bad_score_changes_nothing(client, resolved, score):
    response = client.post(_path(resolved), {"score": score})
    assert response.status_code == 200
    resolved.refresh_from_db()
    assert resolved.score is None


def test_resolving_twice_keeps_one_survey(resolved, feedback_user):
    assert survey_send(ticket=resolved.ticket) == resolved
    assert Survey.objects.count() == 1


def test_survey_scores_for_analytics(resolved, received):
    survey_submit(survey=resolved, score=4)
    resolved.refresh_from_db()
    day = timezone.localdate(resolved.responded_at)
    scores = selectors.survey_scores(start=day, end=day)
    assert [(s.score, s.responded_at) for s in scores] == [(4, resolved.responded_at)]
    assert not selectors.survey_scores(start=date(2020, 1, 1), end=date(2020, 12, 31)).exists()


def test_survey_page_is_not_behind_login(client, resolved):
    response = client.get(_path(resolved))
    assert response.status_code == 200
    assert reverse("login") not in response.get("Location", "")


def test_the_survey_carries_the_banks_name_in_the_clients_language(
    client, resolved, client_of_rm, settings
):
    settings.BANK_NAME, settings.BANK_NAME_EN = "上海示范银行", "Shanghai Example Bank"

    chinese = client.get(_path(resolved)).content.decode()
    client_of_rm.preferred_language = "en"
    client_of_rm.save(update_fields=["preferred_language"])
    english = client.get(_path(resolved)).content.decode()

    assert "上海示范银行" in chinese and "Shanghai Example Bank" not in chinese
    assert "Shanghai Example Bank" in english


def test_the_visitors_language_choice_wins_over_the_clients(client, resolved):
    client.post("/language/", {"language": "en", "next": _path(resolved)})

    page = client.get(_path(resolved)).content.decode()

    assert "How did we do?" in page and "Example Bank" in page


def test_the_scale_runs_from_1_to_5_with_its_ends_named(client, resolved):
    page = client.get(_path(resolved)).content.decode()

    values = re.findall(r'type="radio" name="score" value="(\d)"', page)
    assert values == ["1", "2", "3", "4", "5"]
    assert "1 = 非常不满意" in page and "5 = 非常满意" in page
    # Real radio buttons with labels: reachable and choosable from the keyboard.
    for value in values:
        assert f'for="id_score_{int(value) - 1}"' in page


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Your comment is too long (at most 2000 characters)."), ("zh-hans", "评论过长")],
)
def test_a_too_long_comment_is_its_own_error_and_the_score_is_kept(
    client, resolved, language, text
):
    """Issue 14: the comment's limit, not "choose 1-5", and the chosen score still checked."""
    client.post("/language/", {"language": language, "next": _path(resolved)})

    response = client.post(
        _path(resolved), {"score": "4", "comment": "好" * (SURVEY_COMMENT_MAX_LENGTH + 1)}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert text in page
    assert 'data-testid="score-error"' not in page
    assert "comment" in response.context["form"].errors
    assert re.search(r'value="4" id="id_score_3" checked', page)
    resolved.refresh_from_db()
    assert resolved.score is None and resolved.responded_at is None


def test_a_comment_at_the_limit_is_taken(client, resolved):
    comment = "好" * SURVEY_COMMENT_MAX_LENGTH

    client.post(_path(resolved), {"score": "4", "comment": comment})

    resolved.refresh_from_db()
    assert resolved.score == 4 and resolved.comment == comment


def test_the_service_refuses_a_too_long_comment(resolved):
    with pytest.raises(ValidationError) as refused:
        survey_submit(survey=resolved, score=4, comment="x" * (SURVEY_COMMENT_MAX_LENGTH + 1))

    assert set(refused.value.message_dict) == {"comment"}
    resolved.refresh_from_db()
    assert resolved.responded_at is None


def test_a_missing_score_keeps_the_comment(client, resolved):
    response = client.post(_path(resolved), {"comment": "排队太久"})

    page = response.content.decode()
    assert 'data-testid="score-error"' in page and "排队太久" in page
