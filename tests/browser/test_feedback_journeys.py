"""The feedback team's day in headless Chromium: open the queue, open the most urgent ticket,
respond to the client; screenshots in test-artifacts/."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_feedback_team_opens_queue_and_responds(demo_bank, sign_in, live_server):
    page = sign_in("feedback")
    page.goto(f"{live_server.url}/feedback/")
    table = page.locator('[data-testid="queue-table"]')
    assert table.locator("tbody tr").count() > 0
    first = table.locator("tbody tr").first
    assert first.locator('[data-sla="breached"]').count() == 1  # most urgent first
    screenshot(page, "feedback-queue")

    first.locator("a.fw-semibold").click()
    page.wait_for_load_state("networkidle")
    reference = page.locator("h1").inner_text().split(" ")[0]
    page.fill("#id_body", "您好，我们已核实情况，今天内为您处理完毕。")
    page.click('[data-testid="respond"]')
    page.wait_for_load_state("networkidle")
    assert "今天内为您处理完毕" in page.locator('[data-testid="thread"]').inner_text()
    assert page.locator('[data-sla="late"], [data-sla="met"]').count() == 1
    assert reference in page.locator(".alert-success").inner_text()
    screenshot(page, "feedback-ticket-responded")


def test_supervisor_home_shows_breached_tickets(demo_bank, sign_in):
    page = sign_in("supervisor")
    assert page.locator('[data-testid="widget-feedback.breached"]').count() == 1


def test_branch_staff_form_explains_what_is_missing(demo_bank, sign_in, live_server):
    page = sign_in("branch")
    page.goto(f"{live_server.url}/feedback/new/?channel=branch")
    assert page.locator("#id_channel").input_value() == "branch"
    page.fill("#id_client_no", "NO-SUCH-CLIENT")
    page.click("button.btn-primary[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-danger").count() == 1
    assert page.locator("#id_client_no.is-invalid").count() == 1
    screenshot(page, "feedback-log-form-errors")
