"""Unhappy clients are followed up (issue 14): a survey or call-back score of 1 or 2 tells the
client's RM and the feedback team lead at once and opens a follow-up on the client, shown on the
RM's home until it is closed."""

import datetime

import pytest
from django.urls import reverse

from feedback.services.replies import ticket_resolve
from feedback.services.surveys import survey_submit
from retention.models import RetentionTask, WarningReason
from servicedesk.models import CallbackOutcome
from servicedesk.services import callback_complete
from tests.factories.feedback import TicketFactory
from tests.factories.servicedesk import CallbackFactory

pytestmark = pytest.mark.django_db


def _answered_survey(client, handler, score):
    ticket = TicketFactory(client=client, handler=handler)
    survey = ticket_resolve(ticket=ticket, actor=handler, resolution="done")
    survey_submit(survey=survey, score=score)
    return ticket


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_survey_score_tells_the_rm_and_the_lead_and_opens_a_follow_up(
    rm_user, feedback_user, client_of_rm, score
):
    ticket = _answered_survey(client_of_rm, feedback_user, score)

    task = RetentionTask.objects.get(client=client_of_rm, reason=WarningReason.UNHAPPY)
    assert task.is_open and task.rm.user == rm_user
    assert task.figures == {"score": score, "source": "survey", "reference": ticket.reference}
    for user in (rm_user, feedback_user):
        assert user.notifications.filter(dedupe_key=f"unhappy:survey:{ticket.reference}").exists()


@pytest.mark.parametrize("score", [3, 5])
def test_a_fair_score_opens_nothing(rm_user, feedback_user, client_of_rm, score):
    _answered_survey(client_of_rm, feedback_user, score)

    assert not RetentionTask.objects.exists()
    assert not rm_user.notifications.filter(dedupe_key__startswith="unhappy:").exists()


def test_a_low_call_back_score_opens_a_follow_up(rm_user, feedback_user, client_of_rm):
    callback = CallbackFactory(client=client_of_rm, period=datetime.date(2026, 11, 1))

    callback_complete(
        callback=callback, by=rm_user, outcome=CallbackOutcome.REACHED, satisfaction_score=1
    )

    task = RetentionTask.objects.get(client=client_of_rm, reason=WarningReason.UNHAPPY)
    assert task.figures["source"] == "callback" and task.figures["reference"] == "2026-11"
    assert feedback_user.notifications.filter(dedupe_key="unhappy:callback:2026-11").exists()


def test_a_second_low_score_keeps_one_follow_up(rm_user, feedback_user, client_of_rm):
    _answered_survey(client_of_rm, feedback_user, 2)
    second = _answered_survey(client_of_rm, feedback_user, 1)

    task = RetentionTask.objects.get(client=client_of_rm, reason=WarningReason.UNHAPPY)
    assert task.figures["reference"] == second.reference


def test_the_follow_up_stays_on_the_rms_home_until_closed(
    login, rm_user, feedback_user, client_of_rm
):
    ticket = _answered_survey(client_of_rm, feedback_user, 1)
    http = login(rm_user)
    home = http.get("/").content.decode()
    assert f"satisfaction 1 of 5 in the survey of {ticket.reference}" in home

    task = RetentionTask.objects.get()
    http.post(reverse("retention:close", args=[task.pk]), {"outcome": "retained", "note": "ok"})

    assert ticket.reference not in http.get("/").content.decode()
