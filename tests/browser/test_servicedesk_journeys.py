"""Service desk journeys in headless Chromium: the hotline console and the call-back worklist."""

import pytest
from django.utils import timezone

from clients.models import Client
from core.models import User
from managers.models import RelationshipManager
from servicedesk.models import CallLog
from servicedesk.services import callbacks_generate
from tests.browser.conftest import screenshot
from tests.factories.clients import VipClientFactory
from tests.factories.managers import (
    AssignmentFactory,
    RelationshipManagerFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.browser


def _demo_caller():
    """A demo client of the demo RM ("rm") with a phone number, the RM on shift. The demo bank
    provides one once the clients and managers seeders run; otherwise it is made here."""

    user = User.objects.get(username="rm")
    rm = RelationshipManager.objects.filter(user=user).first() or RelationshipManagerFactory(
        user=user, branch=user.branch, name="张伟"
    )
    client = (
        Client.objects.vips()
        .filter(assignments__rm=rm, assignments__ended_at__isnull=True)
        .exclude(phone_normalized="")
        .first()
    )
    if client is None:
        client = VipClientFactory(branch=rm.branch, name="王芳", phone="13900139000")
        Client.objects.filter(pk=client.pk).update(phone_normalized="+8613900139000")
        client.refresh_from_db()
        AssignmentFactory(client=client, rm=rm)
    ShiftFactory(rm=rm)
    callbacks_generate(on=timezone.localdate())
    return client


def test_rm_takes_a_hotline_call(demo_bank, sign_in, live_server):
    client = _demo_caller()
    page = sign_in("rm")
    page.goto(f"{live_server.url}/service/hotline/")
    page.fill("#id_phone", f"+86 {client.phone_normalized.removeprefix('+86')}")
    page.click('[data-testid="hotline-lookup"] button[type=submit]')
    page.wait_for_load_state("networkidle")
    card = page.locator('[data-testid="client-card"]')
    assert client.name in card.inner_text()
    assert page.locator('[data-testid="who-answers"]').get_attribute("data-kind") == "own_rm"
    page.select_option("#id_topic", "wealth")
    page.fill("#id_notes", "咨询理财产品到期续投")
    page.click('[data-testid="log-call"]')
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="logged-call"]').count() == 1

    call = CallLog.objects.get(client=client, notes="咨询理财产品到期续投")
    assert call.answered_by_kind == "own_rm"
    assert screenshot(page, "servicedesk-hotline").stat().st_size > 0


def test_rm_works_the_callback_list(demo_bank, sign_in, live_server):
    client = _demo_caller()
    page = sign_in("rm")
    page.goto(f"{live_server.url}/service/callbacks/?tab=open")
    assert client.name in page.locator('[data-testid="callback-table"]').inner_text()
    assert screenshot(page, "servicedesk-callbacks").stat().st_size > 0
