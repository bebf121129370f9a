"""The supervisor's morning look at the programme: the analytics dashboard in Chromium."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_supervisor_opens_the_dashboard_and_the_charts_render(demo_bank, sign_in, live_server):
    page = sign_in("supervisor")
    page.click('a[href="/analytics/"]')
    page.wait_for_load_state("networkidle")

    assert page.locator('[data-testid="kpi-tiles"] [data-kpi]').count() == 5
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 7
    # Chart.js sizes and draws every canvas (an undrawn one keeps the default 300×150).
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))"
    )
    assert page.locator('[data-testid="budget-table"] tbody tr').count() == 4
    assert "投资回报率" in page.inner_text("body")
    assert screenshot(page, "analytics-dashboard").stat().st_size > 0


def test_supervisor_home_tiles_link_to_the_dashboard(demo_bank, sign_in, live_server):
    page = sign_in("supervisor")
    widget = page.locator('[data-testid="widget-analytics-kpis"]')
    assert widget.locator("[data-kpi]").count() == 5
    widget.locator('a[href="/analytics/"]').click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/analytics/")
