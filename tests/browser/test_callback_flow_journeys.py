"""The RM's day around the call, in both languages (issue 14): the home widget's call-back row
leads to the worklist, whose row shows the phone as a tel: link, the contact window and the
dossier; the RM records the call-back's outcome (and could open a ticket from it, carrying its
needs), logs the call with its topic and notes, and opens a ticket from that call which carries
them."""

import datetime

import pytest
from django.utils import timezone

from core.demo import DEMO_PASSWORD
from feedback.models import Ticket
from tests.browser.conftest import screenshot
from tests.factories.clients import VipClientFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory
from tests.factories.servicedesk import CallbackFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTES = {"zh-hans": "客户投诉上月理财到期通知太晚", "en": "Maturity notice came too late"}
TOPIC = {"zh-hans": "投诉", "en": "Complaint"}
CALLBACK_SUBJECT = {"zh-hans": "回访 %s", "en": "Call-back %s"}


@pytest.fixture
def day(transactional_db):
    me = RelationshipManagerFactory(user__username="rm_calls", name="张伟")
    me.user.set_password(DEMO_PASSWORD)
    me.user.save()
    client = VipClientFactory(
        branch=me.branch,
        name="王芳",
        phone="13800138000",
        contact_window_start=datetime.time(9, 0),
        contact_window_end=datetime.time(11, 30),
    )
    AssignmentFactory(client=client, rm=me)
    today = timezone.localdate()
    callback = CallbackFactory(client=client, rm=me, period=today.replace(day=1), due_on=today)
    return me, client, callback


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rm_calls_back_records_the_outcome_and_opens_a_ticket_from_the_call(
    day, sign_in, live_server, language
):
    me, client, callback = day
    me.user.language = language
    me.user.save(update_fields=["language"])
    page = sign_in("rm_calls")

    # Home: the call-back row with the phone, the contact window and the dossier.
    row = page.locator(f'li:has(a[href="/service/callbacks/{callback.pk}/"])')
    assert row.locator('a[href="tel:+8613800138000"]').count() == 1
    assert "09:00–11:30" in row.inner_text()
    assert row.locator(f'a[href="/clients/{client.pk}/"]').count() == 1
    assert screenshot(page, f"callback-flow-home-{language}").stat().st_size > 0

    # The worklist row: the same three things.
    page.goto(f"{live_server.url}/service/callbacks/")
    line = page.locator('[data-testid="callback-table"] tbody tr', has_text=client.name)
    assert line.locator('a[href="tel:+8613800138000"]').count() == 1
    assert "09:00–11:30" in line.inner_text()
    assert line.locator(f'a[href="/clients/{client.pk}/"]').count() == 1
    assert screenshot(page, f"callback-flow-worklist-{language}").stat().st_size > 0

    # The outcome of the call.
    line.locator(f'a[href="/service/callbacks/{callback.pk}/"]').click()
    page.wait_for_load_state("networkidle")
    page.check('input[name="outcome"][value="reached"]')
    page.fill("#id_needs", NOTES[language])
    page.click('[data-testid="callback-form"] button[type="submit"]')
    page.wait_for_load_state("networkidle")
    callback.refresh_from_db()
    assert callback.status == "done" and callback.needs == NOTES[language]

    # A ticket from the call-back: its client, month and needs carry over (not logged here).
    page.goto(f"{live_server.url}/service/callbacks/{callback.pk}/")
    page.click('[data-testid="callback-open-ticket"]')
    page.wait_for_load_state("networkidle")
    month = callback.period.strftime("%Y-%m")
    assert page.input_value("#id_subject") == CALLBACK_SUBJECT[language] % month
    assert page.input_value("#id_description") == NOTES[language]
    assert page.input_value("#id_client_no") == client.client_no

    # The call itself, logged with its topic and notes, and a ticket opened from it.
    page.goto(f"{live_server.url}/service/hotline/")
    page.fill("#id_phone", "138 0013 8000")
    page.click('[data-testid="hotline-lookup"] button[type=submit]')
    page.wait_for_load_state("networkidle")
    page.select_option("#id_topic", "complaint")
    page.fill("#id_notes", NOTES[language])
    page.click('[data-testid="log-call"]')
    page.wait_for_load_state("networkidle")
    page.locator('[data-testid="logged-call"] a').click()
    page.wait_for_load_state("networkidle")
    assert page.input_value("#id_subject") == TOPIC[language]
    assert page.input_value("#id_description") == NOTES[language]
    assert page.input_value("#id_client_no") == client.client_no
    page.select_option("#id_category", "complaint")
    assert screenshot(page, f"callback-flow-ticket-from-call-{language}").stat().st_size > 0
    page.click('form button[type="submit"].btn-primary')
    page.wait_for_load_state("networkidle")

    ticket = Ticket.objects.get(client=client)
    assert ticket.subject == TOPIC[language] and ticket.description == NOTES[language]
    assert ticket.call_id is not None
