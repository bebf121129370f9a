"""The demo supervisor turns on two-factor sign-in and signs in with a code, in both languages
(issue 13); the RM still signs in by password."""

import base64

import pytest
from django_otp.oath import TOTP

from core.models import User
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

MESSAGES = {
    "zh-hans": {"wrong": "验证码不正确", "on": "已开启"},
    "en": {"wrong": "The code is not right.", "on": "On: after your password"},
}


def app_code(secret: str, *, steps: int = 0) -> str:
    """What an authenticator app shows for the secret key as the page prints it."""
    key = base64.b32decode(secret.replace(" ", ""))
    totp = TOTP(key)
    totp.time = totp.time + steps * 30
    return f"{totp.token():06d}"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_supervisor_enrols_then_signs_in_with_the_code(
    demo_bank, sign_in, live_server, page, language
):
    User.objects.filter(username="supervisor").update(language=language)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    text = MESSAGES[language]

    sign_in("supervisor")
    page.goto(f"{live_server.url}/accounts/two-factor/")
    page.click("#enrol-start")
    assert page.locator('[data-testid="qr"]').is_visible()
    secret = page.locator('[data-testid="secret"]').inner_text()
    screenshot(page, f"two-factor-enrol-{language}")
    page.fill("#id_code", app_code(secret))
    page.click("#confirm-submit")
    assert text["on"] in page.locator('[data-testid="two-factor-status"]').inner_text()

    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    sign_in("supervisor")
    assert page.url.endswith("/accounts/verify/")
    page.fill("#id_code", "000000")
    page.click("#code-submit")
    assert text["wrong"] in page.locator('[data-testid="code-error"]').inner_text()
    screenshot(page, f"two-factor-wrong-code-{language}")

    page.wait_for_timeout(1100)  # the back-off after one wrong code is a second
    page.fill("#id_code", app_code(secret, steps=1))
    page.click("#code-submit")
    page.wait_for_load_state("load")
    assert page.url == f"{live_server.url}/"
    assert page.locator("nav").count() == 1


def test_rm_signs_in_by_password_alone(demo_bank, sign_in, live_server):
    page = sign_in("rm")
    assert page.url == f"{live_server.url}/"
