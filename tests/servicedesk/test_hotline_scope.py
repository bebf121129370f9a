"""The hotline's scope (SPEC section 1, issues 13 and 14): branch staff see their branch's callers,
an RM their own clients and every VIP only while on an on-call shift that is on now; anyone else
gets "no client in your scope" and may still log the call. Lists and counts stay the user's own
scope whatever the shift. The number never reaches a URL, look-ups are braked per user, and the
audit names the client, not the number."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clients.selectors import clients_for_user, hotline_clients_for_user
from servicedesk.models import CallLog
from tests.factories.clients import ClientFactory
from tests.factories.feedback import TicketFactory
from tests.factories.managers import ShiftFactory

pytestmark = pytest.mark.django_db


def lookup(http, phone: str) -> str:
    response = http.post(reverse("servicedesk:hotline"), {"phone": phone})
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


@pytest.fixture
def colleague_vip(client_of_colleague, phone_indexed):
    return phone_indexed(client_of_colleague, "13911112222")


@pytest.fixture
def on_call(rm):
    return ShiftFactory(rm=rm)


def card(html: str) -> str:
    return html[html.index('data-testid="client-card"') : html.index('data-testid="who-answers"')]


class TestLookUp:
    def test_branch_staff_of_another_branch_get_no_client_but_can_log_the_call(
        self, login, other_branch_staff, colleague_vip
    ):
        http = login(other_branch_staff)
        url = lookup(http, "13911112222")
        html = http.get(url).content.decode()
        assert 'data-testid="out-of-scope"' in html
        for leak in (colleague_vip.name, colleague_vip.client_no, "张伟", "李强"):
            assert leak not in card(html)
        response = http.post(url, {"topic": "complaint", "notes": "n"})
        assert response.status_code == 302
        call = CallLog.objects.get()
        assert call.client == colleague_vip  # routed and linked for those who may see it
        recent = http.get(response["Location"]).content.decode()
        assert colleague_vip.name not in recent

    def test_rm_off_shift_gets_no_client_for_a_colleagues_vip(self, login, rm_user, colleague_vip):
        http = login(rm_user)
        html = http.get(lookup(http, "13911112222")).content.decode()
        assert 'data-testid="out-of-scope"' in html
        assert colleague_vip.name not in card(html)

    def test_rm_on_call_sees_any_vip_masked_and_opens_the_dossier_from_the_call(
        self, login, rm_user, colleague_vip, on_call
    ):
        http = login(rm_user)
        dossier = reverse("clients:detail", args=[colleague_vip.pk])
        assert http.get(dossier).status_code == 404  # not before the call
        html = http.get(lookup(http, "13911112222")).content.decode()
        assert colleague_vip.name in card(html)
        assert colleague_vip.id_number not in card(html)
        assert "13911112222" not in card(html)
        assert dossier in html
        assert http.get(dossier).status_code == 200

    def test_rm_on_call_does_not_widen_to_non_vips(self, login, rm_user, on_call, phone_indexed):
        standard = phone_indexed(ClientFactory(), "13722223333")
        http = login(rm_user)
        html = http.get(lookup(http, "13722223333")).content.decode()
        assert 'data-testid="out-of-scope"' in html
        assert standard.name not in card(html)

    def test_a_shift_that_ended_ends_the_widening(self, login, rm, rm_user, colleague_vip):
        ended = ShiftFactory(rm=rm, starts_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
        assert ended.ends_at < datetime.datetime.now(datetime.UTC)
        http = login(rm_user)
        assert (
            'data-testid="out-of-scope"' in http.get(lookup(http, "13911112222")).content.decode()
        )

    def test_on_call_rm_logs_a_ticket_for_the_vip_caller(
        self, login, rm_user, colleague_vip, on_call
    ):
        http = login(rm_user)
        http.get(lookup(http, "13911112222"))
        form = http.get(f"{reverse('feedback:ticket_new')}?client={colleague_vip.pk}")
        assert form.context["form"].initial.get("client_no") == colleague_vip.client_no

    def test_supervisor_sees_everyone(self, login, supervisor, colleague_vip):
        http = login(supervisor)
        assert colleague_vip.name in card(http.get(lookup(http, "13911112222")).content.decode())


class TestMyMeansMine:
    """On shift or off, the RM's lists, widgets and counts are their own clients."""

    @pytest.fixture(params=["off_shift", "on_shift"])
    def shift(self, request, rm):
        if request.param == "on_shift":
            ShiftFactory(rm=rm)
        return request.param

    def test_client_list_and_count(self, login, rm_user, client_of_rm, client_of_colleague, shift):
        page = login(rm_user).get(reverse("clients:list"))
        names = [c.name for c in page.context["page_obj"]]
        assert names == [client_of_rm.name]
        assert page.context["page_obj"].paginator.count == 1

    def test_feedback_queue_and_home(
        self, login, rm_user, client_of_rm, client_of_colleague, shift
    ):
        mine = TicketFactory(client=client_of_rm)
        theirs = TicketFactory(client=client_of_colleague)
        http = login(rm_user)
        queue = http.get(reverse("feedback:queue")).content.decode()
        assert mine.reference in queue and theirs.reference not in queue
        home = http.get("/").content.decode()
        assert mine.reference in home and theirs.reference not in home

    def test_the_scope_helpers(self, rm_user, client_of_rm, client_of_colleague, shift):
        assert list(clients_for_user(user=rm_user)) == [client_of_rm]
        widened = set(hotline_clients_for_user(user=rm_user))
        expected = {client_of_rm, client_of_colleague} if shift == "on_shift" else {client_of_rm}
        assert widened == expected
        assert set(hotline_clients_for_user(user=rm_user, reached=[])) == {client_of_rm}


class TestBrakesAndTraces:
    def test_lookups_are_throttled_per_user(self, login, settings, branch_staff, rm_user):
        settings.HOTLINE_LOOKUP_LIMIT = 2
        http = login(branch_staff)
        lookup(http, "13800000001")
        lookup(http, "13800000002")
        refused = http.post(reverse("servicedesk:hotline"), {"phone": "13800000003"})
        assert refused.status_code == 429
        assert 'data-testid="lookup-error"' in refused.content.decode()
        lookup(login(rm_user), "13800000003")  # another user is not braked

    def test_a_number_that_is_not_one_spends_no_lookup(self, login, settings, branch_staff):
        """Issue 14, as for the web form: only what is looked up counts against the limit."""
        settings.HOTLINE_LOOKUP_LIMIT = 2
        http = login(branch_staff)
        for typed in ("abc", "138-0013-800x", "1" * 30):
            refused = http.post(reverse("servicedesk:hotline"), {"phone": typed})
            assert refused.status_code == 200
        lookup(http, "13800000001")
        lookup(http, "13800000002")
        assert (
            http.post(reverse("servicedesk:hotline"), {"phone": "13800000003"}).status_code == 429
        )

    def test_the_audit_names_the_client_not_the_number(
        self, login, other_branch_staff, colleague_vip
    ):
        http = login(other_branch_staff)
        http.get(lookup(http, "13911112222"))
        entry = LogEntry.objects.get(changes_text="hotline_lookup")
        assert entry.object_pk == str(colleague_vip.pk)
        assert "13911112222" not in str(entry.additional_data)
        assert entry.additional_data["in_scope"] is False
