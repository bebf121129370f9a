"""Supervisor journeys through the managers pages in headless Chromium."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_supervisor_opens_the_board_and_sees_the_rota_gap(demo_bank, sign_in, live_server):
    page = sign_in("supervisor")
    assert page.locator('[data-testid="widget-coverage-gaps"] .text-danger').count() == 1
    page.click("nav >> text=客户经理")
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="rm-row"]').count() >= 15
    assert page.locator("text=培训已过期").count() >= 1
    screenshot(page, "managers-board")

    page.goto(f"{live_server.url}/managers/rota/")
    gap = page.locator('[data-testid="gap"]')
    assert gap.count() == 1
    assert "23:00" in gap.inner_text() and "03:00" in gap.inner_text()
    assert page.locator('[data-testid="rota-row"]').count() >= 10
    screenshot(page, "managers-rota")

    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"{live_server.url}/managers/training/")
    assert page.locator('[data-testid="lapsed"]').count() == 1
    screenshot(page, "managers-training-tablet")


def test_rm_sees_own_shifts_and_load_on_home(demo_bank, sign_in):
    page = sign_in("rm")
    assert page.locator('[data-testid="widget-my-shifts"] li').count() >= 1
    assert page.locator('[data-testid="widget-my-load"]').count() == 1
    screenshot(page, "managers-rm-home")


def test_supervisor_approves_an_eligible_candidate(demo_bank, sign_in, live_server):
    page = sign_in("supervisor")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/managers/candidates/")
    rows = page.locator('[data-testid="candidate-row"]')
    assert rows.count() == 4
    eligible = rows.filter(has_text="E19001")
    assert eligible.locator('[data-criterion="years_experience"][data-met="yes"]').count() == 1
    blocked = rows.filter(has_text="E19003")
    assert blocked.locator('[data-criterion="years_experience"][data-met="no"]').count() == 1
    assert blocked.locator("button[disabled]").count() == 1
    screenshot(page, "managers-candidates")
    eligible.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="candidate-row"]').count() == 3
    assert page.locator(".alert-success").count() == 1
