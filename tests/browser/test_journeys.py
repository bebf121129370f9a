"""Journeys through the real UI in headless Chromium; each saves a screenshot in test-artifacts/."""

import pytest

from core.demo import DEMO_USERS
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("username", "role"), [(u, r) for u, r, *_ in DEMO_USERS])
def test_each_demo_role_signs_in_and_sees_its_home(demo_bank, sign_in, username, role):
    page = sign_in(username)
    assert page.locator(f'[data-testid="home-{role.value}"]').count() == 1
    assert "首页" in page.title()
    assert screenshot(page, f"home-{role.value}").stat().st_size > 0


def test_login_page_is_chinese_and_switches_to_english(live_server, page, db):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("#login-submit").inner_text() == "登录"
    page.click("button[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#login-submit").inner_text() == "Sign in"
    screenshot(page, "login-en")
