"""A client on a phone (390 px), in both languages (issue 14): sends feedback through the public
web form, once as a known client (matched by phone) and once as a stranger (left for triage), and
sees the same thank-you page either way; answers the satisfaction survey's 1-5 scale from the
keyboard. No sign-in, nothing wider than the screen."""

import re

import pytest

from feedback.models import Channel, Ticket
from feedback.services.surveys import survey_link, survey_send
from tests.browser.conftest import screenshot
from tests.factories.clients import VipClientFactory
from tests.factories.feedback import TicketFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TEXT = {
    "zh-hans": {"title": "欢迎提出您的意见", "thanks": "感谢您的反馈。", "error": "请填写电话号码"},
    "en": {
        "title": "Tell us what you think",
        "thanks": "Thank you for your feedback.",
        "error": "Give a phone number",
    },
}


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _open_form(page, live_server, language: str):
    """The form as a visitor finds it: Chinese first; English through the page's switch."""
    page.goto(f"{live_server.url}/feedback/web/")
    if language == "en":
        page.click('[data-testid="public-header"] button[value="en"]')
        page.wait_for_load_state("networkidle")
    assert TEXT[language]["title"] in page.locator("h1").inner_text()


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _send(page, *, phone: str = "", email: str = "", subject: str):
    page.fill("#id_name", "王芳")
    page.fill("#id_phone", phone)
    page.fill("#id_email", email)
    page.select_option("#id_category", "complaint")
    page.fill("#id_subject", subject)
    page.fill("#id_description", "周一上午在陆家嘴支行等了四十分钟。")
    page.click('[data-testid="web-feedback-submit"]')
    page.wait_for_load_state("networkidle")


def _thanks(page) -> str:
    text = page.locator('[data-testid="web-feedback-thanks"]').inner_text()
    return re.sub(r"FB-\d{4}-\d+", "FB-…", text)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_client_on_a_phone_sends_feedback_matched_and_unmatched(
    phone_page, live_server, language
):
    page = phone_page
    known = VipClientFactory(name="王芳", phone="13800138000")
    _open_form(page, live_server, language)
    assert page.locator('[data-testid="bank-name"]').inner_text()
    assert _fits_the_screen(page)

    page.click('[data-testid="web-feedback-submit"]')  # nothing filled in
    page.wait_for_load_state("networkidle")
    assert TEXT[language]["error"] in page.locator("#main").inner_text()
    assert not Ticket.objects.exists()
    assert screenshot(page, f"web-form-errors-phone-{language}").stat().st_size > 0

    _send(page, phone="138 0013 8000", subject="柜台等候太久")
    matched = _thanks(page)
    assert TEXT[language]["thanks"] in matched
    assert _fits_the_screen(page)
    assert screenshot(page, f"web-form-thanks-matched-phone-{language}").stat().st_size > 0
    ticket = Ticket.objects.get()
    assert ticket.client == known and ticket.channel == Channel.WEB

    page.click("a.btn-outline-secondary")  # send more feedback
    _send(page, email="stranger@example.com", subject="想了解理财产品")
    assert _thanks(page) == matched  # a stranger sees exactly what a client sees
    assert screenshot(page, f"web-form-thanks-unmatched-phone-{language}").stat().st_size > 0
    stranger = Ticket.objects.exclude(pk=ticket.pk).get()
    assert stranger.client is None and stranger.sender_email == "stranger@example.com"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_client_answers_the_survey_on_a_phone_with_the_keyboard(
    phone_page, live_server, language
):
    page = phone_page
    client = VipClientFactory(preferred_language=language)
    ticket = TicketFactory(client=client)
    survey = survey_send(ticket=ticket)
    link = survey_link(survey)
    page.goto(f"{live_server.url}{link[link.index('/feedback/') :]}")
    assert page.locator('[data-testid="bank-name"]').inner_text()
    assert _fits_the_screen(page)
    for point in page.locator(".survey-point").all():
        box = point.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44

    page.focus("#id_score_0")
    for _step in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator("#id_score_3").is_checked()  # 4 = satisfied
    assert screenshot(page, f"survey-scale-phone-{language}").stat().st_size > 0
    page.click('[data-testid="survey-submit"]')
    page.wait_for_load_state("networkidle")

    assert page.locator('[data-testid="survey-thanks"]').count() == 1
    survey.refresh_from_db()
    assert survey.score == 4
