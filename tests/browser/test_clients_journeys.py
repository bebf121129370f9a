"""A relationship manager finds a client and reads the dossier, in headless Chromium."""

import pytest

from clients.models import Client, VipStatus
from core.models import User
from managers.models import Assignment, RelationshipManager, RmStatus
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def rm_with_a_vip(demo_bank):
    """The demo RM's first VIP in SH001. Assignments normally come from the managers seeder;
    made here when it has not run, so the journey does not depend on it."""

    user = User.objects.get(username="rm")
    rm, _ = RelationshipManager.objects.get_or_create(
        user=user,
        defaults={
            "employee_no": "E-DEMO-RM",
            "name": "张伟",
            "branch": user.branch,
            "communication_score": 5,
            "status": RmStatus.ACTIVE,
        },
    )
    mine = Client.objects.filter(assignments__rm=rm, assignments__ended_at__isnull=True)
    client = mine.filter(status=VipStatus.VIP).order_by("client_no").first()
    if client is None:
        client = (
            Client.objects.filter(branch__code="SH001", status=VipStatus.VIP, assignments=None)
            .order_by("client_no")
            .first()
        )
        Assignment.objects.create(client=client, rm=rm, reason="demo journey")
    return client


def test_rm_searches_a_client_and_opens_the_dossier(rm_with_a_vip, sign_in):
    client = rm_with_a_vip
    page = sign_in("rm")
    page.fill("#global-search", client.client_no)
    page.press("#global-search", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="dossier-header"]').count() == 1
    assert client.name in page.locator("h1").first.inner_text()
    assert page.locator('[data-testid="qualification"] tbody tr').count() == 4
    assert page.locator(".badge-vip, .badge-vip-at-risk").count() >= 1
    # The panels below the first screen arrive as fragments when they scroll into view.
    page.locator("#transactions").scroll_into_view_if_needed()
    page.locator('[data-testid="trades"]').wait_for(timeout=10_000)
    page.locator("#panel-managers-rm_history").scroll_into_view_if_needed()
    page.locator('[data-testid="rm-history"]').wait_for(timeout=10_000)
    screenshot(page, "clients-dossier-rm")
    page.click('[data-testid="reveal-pii"]')
    page.wait_for_load_state("networkidle")
    assert client.phone_normalized[-8:] in page.locator(
        '[data-testid="phone"]'
    ).inner_text().replace(" ", "")


def test_rm_lists_own_clients_with_status_badges(rm_with_a_vip, sign_in, live_server):
    page = sign_in("rm")
    page.goto(f"{live_server.url}/clients/")
    assert page.locator('[data-testid="client-table"] tbody tr').count() >= 1
    screenshot(page, "clients-list-rm")
