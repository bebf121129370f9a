"""The mobile API authorises per ticket, not per channel (issue 13): reading a ticket needs its
random reference and the secret returned at creation; known and unknown client numbers get the
same answer; each key is rate-limited with 429; a burst of app tickets is one RM notification."""

import json

import pytest

from feedback.models import Channel, Ticket
from feedback.services.api_keys import api_key_issue
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db

URL = "/feedback/api/v1/tickets"


@pytest.fixture
def app_key():
    return api_key_issue(name="Mobile app", channel=Channel.APP)[1]


@pytest.fixture
def post(client, app_key):
    def _post(client_no: str, key: str = app_key):
        body = {"client_no": client_no, "category": "inquiry", "subject": "s", "description": "d"}
        return client.post(
            URL,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    return _post


@pytest.fixture
def get(client, app_key):
    def _get(reference: str, secret: str | None = None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {app_key}"}
        if secret is not None:
            headers["HTTP_X_TICKET_SECRET"] = secret
        return client.get(f"{URL}/{reference}", **headers)

    return _get


def test_reading_a_ticket_needs_its_secret(post, get, client_of_rm):
    created = post(client_of_rm.client_no).json()
    assert len(created["secret"]) >= 32
    assert get(created["reference"], created["secret"]).status_code == 200
    for wrong in (None, "", "x" * 32, created["secret"][:-1]):
        response = get(created["reference"], wrong)
        assert response.status_code == 404
        assert response.json()["errors"]["__all__"]


def test_one_key_cannot_read_another_clients_ticket(post, get, client_of_rm, client_of_colleague):
    mine = post(client_of_rm.client_no).json()
    theirs = post(client_of_colleague.client_no).json()
    assert get(theirs["reference"], mine["secret"]).status_code == 404
    staff_ticket = TicketFactory(client=client_of_rm, channel=Channel.APP)
    assert get(staff_ticket.reference, "").status_code == 404  # no secret, no read


def test_references_are_random_not_sequential(post, client_of_rm):
    refs = [post(client_of_rm.client_no).json()["reference"] for _ in range(3)]
    assert len(set(refs)) == 3
    for ref in refs:
        assert ref.startswith("FB-") and len(ref) == 19
    tails = [int(ref[3:], 16) for ref in refs]
    assert max(tails) - min(tails) > 1000  # not a counter


def test_known_and_unknown_client_numbers_get_the_same_answer(post, client_of_rm):
    known = post(client_of_rm.client_no)
    unknown = post("NO-SUCH-CLIENT")
    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json())
    unmatched = Ticket.objects.get(reference=unknown.json()["reference"])
    assert unmatched.client is None  # goes to triage


def test_each_key_is_rate_limited_with_429(post, settings, client_of_rm):
    settings.API_RATE_LIMIT = 3
    assert [post(client_of_rm.client_no).status_code for _ in range(4)] == [201, 201, 201, 429]
    refused = post(client_of_rm.client_no)
    assert refused["Retry-After"] == "60"
    assert refused.json()["request_id"] == refused["X-Request-ID"]
    other_key = api_key_issue(name="Second app", channel=Channel.APP)[1]
    assert post(client_of_rm.client_no, key=other_key).status_code == 201
    assert Ticket.objects.count() == 4


def test_a_burst_of_app_tickets_is_one_rm_notification(post, client_of_rm, rm_user):
    for _ in range(30):
        assert post(client_of_rm.client_no).status_code == 201
    assert rm_user.notifications.count() == 1
    assert Ticket.objects.filter(client=client_of_rm).count() == 30
