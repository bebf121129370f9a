"""Outgoing mail nobody will send is shown where supervisors look for jobs that failed (SPEC
section 8): the outbox's drain job succeeds whether or not a message went out, so a client's
survey link given up after every try, or left "sending" by a worker that died during the send
(never sent again: at most once), used to be visible only in a log line and in admin."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from core.jobstatus import MAIL_STUCK_AFTER, undelivered_mail
from core.models import OutboxMail
from core.outbox import mail_enqueue, outbox_drain

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _given_up(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    mail_enqueue(to=["client@example.com"], subject="满意度调查", body="b")
    with mock.patch("core.outbox._send", side_effect=OSError("SMTP refused")):
        outbox_drain()
    assert OutboxMail.objects.get().state == OutboxMail.State.FAILED


def test_mail_given_up_after_every_try_is_counted(settings):
    with time_machine.travel(NOW, tick=False):
        _given_up(settings)

        found = undelivered_mail()

    assert (found.failed, found.stuck) == (1, 0)


def test_mail_given_up_a_week_ago_no_longer_counts(settings):
    with time_machine.travel(NOW, tick=False):
        _given_up(settings)

    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        assert not undelivered_mail()


def test_a_message_left_sending_counts_once_it_is_stuck():
    with time_machine.travel(NOW, tick=False):
        message = mail_enqueue(to=["c@example.com"], subject="s", body="b")
        # The worker claimed it and died during the send.
        OutboxMail.objects.filter(pk=message.pk).update(
            state=OutboxMail.State.SENDING, next_attempt_at=timezone.now()
        )
        assert not undelivered_mail()

    with time_machine.travel(NOW + MAIL_STUCK_AFTER + dt.timedelta(seconds=1), tick=False):
        assert undelivered_mail().stuck == 1


def test_a_claim_records_when_its_attempt_began():
    with time_machine.travel(NOW, tick=False):
        message = mail_enqueue(to=["c@example.com"], subject="s", body="b")
        OutboxMail.objects.filter(pk=message.pk).update(next_attempt_at=NOW - dt.timedelta(hours=5))
        # The worker dies during the send.
        with mock.patch("core.outbox._send", side_effect=SystemExit), pytest.raises(SystemExit):
            outbox_drain()

    message.refresh_from_db()
    assert message.state == OutboxMail.State.SENDING
    assert message.next_attempt_at == NOW


def test_mail_that_goes_out_raises_nothing():
    mail_enqueue(to=["c@example.com"], subject="s", body="b")
    outbox_drain()

    assert len(django_mail.outbox) == 1
    assert not undelivered_mail()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "given up after every try"), ("zh-hans", "多次重试后仍发送失败")],
)
def test_the_jobs_panel_and_the_home_say_so_in_the_readers_language(
    login, supervisor, settings, language, words
):
    _given_up(settings)
    http = login(supervisor, language=language)

    for url in (reverse("core:jobs"), "/"):
        page = http.get(url).content.decode()
        assert 'data-testid="undelivered-mail"' in page, url
        assert words in page, url
        assert "client@example.com" not in page


def test_no_alert_while_every_mail_went_out(login, supervisor):
    mail_enqueue(to=["c@example.com"], subject="s", body="b")
    outbox_drain()

    for url in (reverse("core:jobs"), "/"):
        assert 'data-testid="undelivered-mail"' not in login(supervisor).get(url).content.decode()
