"""The public web feedback form (SPEC section 6, issue 14): no sign-in, CSRF-protected, limited per
address, in both languages; a submission is matched to a client by phone or e-mail like mail is
(one rule: ``clients.selectors.client_from_contact``), or left unmatched for triage; the sender
sees the same page either way; bad input writes nothing and is never a 500."""

import re
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client as HttpClient

from core.models import Notification
from feedback.models import Channel, Ticket
from tests.factories.clients import ClientFactory

pytestmark = pytest.mark.django_db

URL = "/feedback/web/"
THANKS = "/feedback/web/thanks/"
# An ordinary moment (Asia/Shanghai office hours) the 48-hour clock is counted from.
NOW = "2026-11-02 09:00 +08:00"


def _form(**changes) -> dict:
    data = {
        "name": "王芳",
        "phone": "",
        "email": "",
        "category": "complaint",
        "subject": "柜台等候太久",
        "description": "周一上午在陆家嘴支行等了四十分钟。",
    }
    return {**data, **changes}


def _submit(http, **changes):
    return http.post(URL, _form(**changes), follow=True)


def _thanks_text(response) -> str:
    """The thank-you page without its reference (the only part that differs between senders)."""
    page = re.sub(r"FB-\d{4}-\d+", "FB-…", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_the_form_opens_without_signing_in_with_csrf_and_a_language_switch(client):
    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="language" value="en"' in page and 'name="language" value="zh-hans"' in page
    assert "示例银行" in page  # the bank's name (BANK_NAME), Chinese by default


def test_the_form_speaks_english_when_the_visitor_asks(client, settings):
    settings.BANK_NAME_EN = "Example Bank of Shanghai"

    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Tell us what you think" in page
    assert "Example Bank of Shanghai" in page


def test_the_language_switch_keeps_the_visitor_on_the_form(client):
    response = client.post("/language/", {"language": "en", "next": URL}, follow=True)

    assert response.redirect_chain[-1][0] == URL
    assert "Tell us what you think" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_client_found_by_phone_gets_a_web_ticket_with_the_48_hour_clock(client, client_of_rm, rm):
    response = _submit(client, phone="+86 138-0013-8000")

    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(THANKS, 302)]
    assert ticket.channel == Channel.WEB
    assert ticket.client == client_of_rm
    assert ticket.first_response_due_at - ticket.received_at == timedelta(hours=48)
    assert ticket.sender_phone == "+8613800138000" and ticket.sender_name == "王芳"
    assert ticket.reference in response.content.decode()
    # The client's RM hears of it (SPEC section 6: the client's RM informed).
    assert Notification.objects.filter(recipient=rm.user, url__contains=ticket.reference).exists()


def test_a_client_found_by_e_mail_in_any_case(client, client_of_rm):
    _submit(client, email=client_of_rm.email.upper())

    assert Ticket.objects.get().client == client_of_rm


def test_an_unknown_sender_goes_to_triage_as_unmatched_mail_does(client, login, feedback_user):
    _submit(client, phone="13999990000", email="stranger@example.com")

    ticket = Ticket.objects.get()
    assert ticket.client is None and ticket.channel == Channel.WEB
    assert ticket.sender_email == "stranger@example.com"
    assert ticket.sender_phone == "+8613999990000"
    queue = login(feedback_user).get("/feedback/").content.decode()
    assert ticket.reference in queue and "Unmatched sender" in queue
    detail = login(feedback_user).get(f"/feedback/tickets/{ticket.reference}/").content.decode()
    assert "+8613999990000" in detail and "Link to client" in detail


def test_details_of_two_clients_are_left_for_triage(client, client_of_rm):
    other = ClientFactory(phone="13911112222")

    _submit(client, email=client_of_rm.email, phone=other.phone)

    assert Ticket.objects.get().client is None


def test_two_clients_sharing_an_address_are_left_for_triage(client):
    ClientFactory(email="family@example.com")
    ClientFactory(email="Family@example.com")

    _submit(client, email="family@example.com")

    assert Ticket.objects.get().client is None


def test_the_sender_cannot_tell_whether_they_are_a_client(
    client, client_of_rm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = _submit(client, phone=client_of_rm.phone, email="a@example.com")
        unknown = _submit(HttpClient(), phone="13999990000", email="b@example.com")

    assert known.status_code == unknown.status_code == 200
    assert _thanks_text(known) == _thanks_text(unknown)
    acks = [m for m in mail.outbox if "a@example.com" in m.to or "b@example.com" in m.to]
    assert len(acks) == 2
    assert {re.sub(r"FB-\d{4}-\d+", "FB-…", m.body) for m in acks} == {
        re.sub(r"FB-\d{4}-\d+", "FB-…", acks[0].body)
    }


def test_the_acknowledgement_is_sent_after_commit_in_the_senders_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(URL, _form(email="c@example.com"), HTTP_ACCEPT_LANGUAGE="en")
        assert not [m for m in mail.outbox if "c@example.com" in m.to]
    for callback in callbacks:
        callback()

    ack = next(m for m in mail.outbox if "c@example.com" in m.to)
    ticket = Ticket.objects.get()
    assert ack.subject == f"[{ticket.reference}] We have received your feedback"
    assert "Example Bank" in ack.body and "48 hours" in ack.body


def test_the_submission_is_audited_without_the_phone_or_e_mail(client, client_of_rm):
    _submit(client, phone=client_of_rm.phone, email=client_of_rm.email)

    entry = LogEntry.objects.get(additional_data__event="feedback.web_submit")
    assert entry.additional_data["matched"] is True
    recorded = str(entry.additional_data) + str(entry.changes)
    assert "13800138000" not in recorded and client_of_rm.email not in recorded


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "phone"),  # neither phone nor e-mail
        ({"phone": "12345"}, "phone"),
        ({"phone": "6888 8888"}, "phone"),  # a landline without its area code
        ({"phone": "١٣٨٠٠١٣٨٠٠٠"}, "phone"),  # other scripts' digits (full-width ones are read)
        ({"email": "not an address"}, "email"),
        ({"email": "a@example.com", "category": "refund"}, "category"),
        ({"email": "a@example.com", "subject": ""}, "subject"),
        ({"email": "a@example.com", "subject": "x" * 10_000}, "subject"),
        ({"email": "a@example.com", "description": "   "}, "description"),
        ({"email": "a@example.com", "description": "长" * 5001}, "description"),
        ({"email": "a@example.com", "name": "😀" * 101}, "name"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(client, changes, field):
    response = client.post(URL, _form(**changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Ticket.objects.exists()
    assert not mail.outbox


def test_html_in_the_message_is_kept_as_text(client, login, feedback_user):
    _submit(client, email="a@example.com", subject="<script>alert(1)</script>")

    ticket = Ticket.objects.get()
    page = login(feedback_user).get(f"/feedback/tickets/{ticket.reference}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_a_post_without_the_csrf_token_is_refused(db):
    http = HttpClient(enforce_csrf_checks=True)

    response = http.post(URL, _form(email="a@example.com"))

    assert response.status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("language", "text"),
    [("zh-hans", "请在 60 分钟后再试"), ("en", "Please try again in 60 minutes")],
)
def test_too_many_submissions_from_one_address_get_a_friendly_429(client, settings, language, text):
    settings.WEB_FEEDBACK_LIMIT = 2
    for _n in range(2):
        client.post(URL, _form(email="a@example.com"))

    response = client.post(URL, _form(email="a@example.com"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert text in response.content.decode()
    assert Ticket.objects.count() == 2
    # Another address keeps its own budget.
    other = client.post(URL, _form(email="a@example.com"), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_the_thank_you_page_alone_shows_no_reference(client):
    response = client.get(THANKS)

    assert response.status_code == 200
    assert not re.search(r"FB-\d{4}-\d+", response.content.decode())


def test_invalid_submissions_do_not_spend_the_addresss_allowance(client, settings):
    """Issue 14: only accepted submissions count; a sender correcting mistakes is not locked out,
    and the limit still holds on what was accepted."""
    settings.WEB_FEEDBACK_LIMIT = 2
    for _n in range(5):
        refused = client.post(URL, _form(email="not an address"))
        assert refused.status_code == 200 and "email" in refused.context["form"].errors

    for _n in range(2):
        assert client.post(URL, _form(email="a@example.com")).status_code == 302

    assert client.post(URL, _form(email="a@example.com")).status_code == 429
    assert client.post(URL, _form(email="not an address")).status_code == 429
    assert Ticket.objects.count() == 2
