"""An RM on hotline duty and off it, in both languages (issues 13 and 14): "my clients" stays the
RM's own; the hotline shows a colleague's VIP caller only while the RM is on an on-call shift."""

import pytest

from core.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot
from tests.factories.clients import VipClientFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory, ShiftFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    me = RelationshipManagerFactory(user__username="rm_duty", name="张伟")
    me.user.set_password(DEMO_PASSWORD)
    me.user.save()
    colleague = RelationshipManagerFactory(branch=me.branch, name="李强")
    mine = VipClientFactory(branch=me.branch, name="王芳")
    theirs = VipClientFactory(branch=me.branch, name="赵敏", phone="13911112222")
    AssignmentFactory(client=mine, rm=me)
    AssignmentFactory(client=theirs, rm=colleague)
    return me, mine, theirs


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("on_shift", [False, True], ids=["off_shift", "on_shift"])
def test_my_clients_stay_mine_and_the_hotline_widens_only_on_shift(
    people, sign_in, live_server, language, on_shift
):
    me, mine, theirs = people
    me.user.language = language
    me.user.save(update_fields=["language"])
    if on_shift:
        ShiftFactory(rm=me)
    page = sign_in("rm_duty")
    page.goto(f"{live_server.url}/clients/")
    listed = page.locator("table").inner_text()
    assert mine.name in listed and theirs.name not in listed
    page.goto(f"{live_server.url}/service/hotline/")
    page.fill("#id_phone", "139 1111 2222")
    page.click('[data-testid="hotline-lookup"] button[type=submit]')
    page.wait_for_load_state("networkidle")
    assert "13911112222" not in page.url
    card = page.locator('[data-testid="client-card"]').inner_text()
    if on_shift:
        assert theirs.name in card
        assert "13911112222" not in card  # masked: not the RM's own client
    else:
        assert theirs.name not in card
        assert page.locator('[data-testid="out-of-scope"]').count() == 1
    shift = "on" if on_shift else "off"
    assert screenshot(page, f"hotline-scope-{shift}-shift-{language}").stat().st_size > 0
