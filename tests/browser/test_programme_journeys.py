"""A supervisor forces the reclassification for a late data set and approves a colleague's
status override (four eyes), in Chinese and in English, in headless Chromium."""

import datetime

import pytest
from django.utils import timezone

from clients.models import Client, VipStatus
from core.demo import DEMO_PASSWORD
from core.models import User
from core.roles import Role
from dataruns.models import IntakeOutcome, IntakeRun, NightRun
from tests.browser.conftest import screenshot
from tests.factories.core import UserFactory

pytestmark = pytest.mark.browser

TEXTS = {
    "zh-hans": {"approve": "批准", "approved": "已批准", "force": "强制运行", "done": "已完成"},
    "en": {"approve": "Approve", "approved": "Approved", "force": "Force the run", "done": "Done"},
}


@pytest.fixture
def night_scene(demo_bank):
    """A second supervisor, the newest imported set two days old (yesterday's is late), and a
    standard client to override."""

    colleague = UserFactory(username="supervisor2", branch=None, role=Role.SUPERVISOR)
    colleague.set_password(DEMO_PASSWORD)
    colleague.save()
    IntakeRun.objects.create(
        business_date=timezone.localdate() - datetime.timedelta(days=2),
        outcome=IntakeOutcome.IMPORTED,
    )
    return Client.objects.filter(status=VipStatus.STANDARD).order_by("client_no").first()


def _use_language(username: str, language: str) -> None:

    User.objects.filter(username=username).update(language=language)


def _sign_out(page):
    page.context.clear_cookies()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_supervisor_forces_a_late_run_and_approves_a_colleagues_override(
    night_scene, sign_in, live_server, settings, language
):

    settings.CELERY_TASK_ALWAYS_EAGER = True
    text = TEXTS[language]
    client = night_scene
    for username in ("supervisor", "supervisor2"):
        _use_language(username, language)

    # The colleague proposes an override on the dossier.
    page = sign_in("supervisor2")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    # The panel is fetched when scrolled near (below the fold since the "data changes" panel).
    page.locator("#overrides").scroll_into_view_if_needed()
    page.locator('details:has([data-testid="override-form"]) > summary').click()
    form = page.locator('[data-testid="override-form"]')
    form.locator("select[name=status]").select_option("vip")
    form.locator("textarea[name=reason]").fill("战略客户 / strategic client")
    form.locator("input[name=ends_on]").fill(
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="proposal-status"]').count() == 1
    assert Client.objects.get(pk=client.pk).status == "standard"
    _sign_out(page)

    # The supervisor sees it on the home page, approves it.
    page = sign_in("supervisor")
    widget = page.locator('[data-testid="widget-approvals"]')
    assert client.name in widget.inner_text()
    widget.locator("li a").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name=text["approve"]).click()
    page.wait_for_load_state("networkidle")
    assert text["approved"] in page.locator('[data-testid="proposal-status"]').inner_text()
    assert Client.objects.get(pk=client.pk).status == "vip"
    screenshot(page, f"programme-approval-{language}")

    # Yesterday's set is late: the supervisor forces the run for yesterday with a reason.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.goto(f"{live_server.url}/data-runs/")
    force = page.locator('[data-testid="force-form"]')
    force.locator("input[name=business_date]").fill(yesterday.isoformat())
    force.locator("textarea[name=reason]").fill("核心系统延迟 / core bank late")
    force.get_by_role("button", name=text["force"]).click()
    page.wait_for_load_state("networkidle")
    run = NightRun.objects.get(business_date=yesterday)
    assert run.trigger == "forced" and run.requested_by.username == "supervisor"
    page.reload()
    day = page.locator(f'[data-testid="day-{yesterday:%Y%m%d}"]')
    assert "核心系统延迟" in day.inner_text() and text["done"] in day.inner_text()
    screenshot(page, f"programme-data-runs-{language}")
