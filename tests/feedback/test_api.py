"""The mobile app's JSON API: per-channel bearer keys, JSON errors, and an OpenAPI description
that matches the implementation."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from feedback.api import OPENAPI
from feedback.forms import ApiTicketForm
from feedback.models import ApiKey, Channel, Ticket
from feedback.services.api_keys import api_key_issue, api_key_revoke
from feedback.services.opening import ticket_create
from feedback.services.replies import ticket_resolve

pytestmark = pytest.mark.django_db

URL = "/feedback/api/v1/tickets"


@pytest.fixture
def app_key():
    return api_key_issue(name="Mobile app", channel=Channel.APP)


@pytest.fixture
def api(client, app_key):
    _key, raw = app_key

    def call(method="post", url=URL, body=None, key=raw, raw_body=None, secret=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        if secret is not None:
            headers["HTTP_X_TICKET_SECRET"] = secret
        if method == "get":
            return client.get(url, **headers)
        data = raw_body if raw_body is not None else json.dumps(body)
        return client.post(url, data=data, content_type="application/json", **headers)

    return call


def valid(client_no):
    return {
        "client_no": client_no,
        "category": "complaint",
        "subject": "App login fails",
        "description": "Since the update I cannot log in.",
    }


def test_key_is_stored_hashed_and_shown_once(app_key):
    key, raw = app_key
    assert raw.startswith(f"fb_{key.prefix}_")
    assert raw not in (key.key_hash, key.prefix)
    assert ApiKey.objects.filter(key_hash__contains=raw).count() == 0


def test_app_opens_a_ticket(api, client_of_rm, rm_user):
    response = api(body=valid(client_of_rm.client_no))
    assert response.status_code == 201
    data = response.json()
    ticket = Ticket.objects.get(reference=data["reference"])
    assert ticket.channel == Channel.APP and ticket.client == client_of_rm
    assert data["first_response_due_at"].startswith(
        ticket.first_response_due_at.astimezone().strftime("%Y")
    )
    assert rm_user.notifications.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"client_no": ""}, "client_no"),
        ({"category": "rant"}, "category"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"description": ""}, "description"),
        ({"description": ["not", "text"]}, "description"),
    ],
)
def test_each_invalid_field_is_reported_as_json(api, client_of_rm, change, field):
    response = api(body={**valid(client_of_rm.client_no), **change})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert response.json()["errors"][field][0]
    assert Ticket.objects.count() == 0


def test_missing_fields_are_all_reported(api):
    response = api(body={})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"client_no", "category", "subject", "description"}


@pytest.mark.parametrize(
    "raw_body",
    [
        "{not json",
        "[1, 2]",
        '"text"',
        "\xff",
        # JSON that json.loads cannot hand over: an integer beyond Python's 4,300-digit
        # conversion limit (a plain ValueError) and arrays nested deeper than the recursion
        # limit (RecursionError); both were 500s (core.jsontext).
        '{"client_no": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' + "{" * 50_000 + "}" * 50_000 + "}",
    ],
)
def test_malformed_json_is_400(api, raw_body):
    response = api(raw_body=raw_body)
    assert response.status_code == 400
    assert "errors" in response.json()
    assert not Ticket.objects.exists()


def test_missing_key_is_401(api, client_of_rm):
    response = api(body=valid(client_of_rm.client_no), key=None)
    assert response.status_code == 401
    assert response.json()["errors"]["__all__"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_key_is_401(api, client_of_rm, app_key):
    key, _raw = app_key
    response = api(body=valid(client_of_rm.client_no), key=f"fb_{key.prefix}_guessed")
    assert response.status_code == 401


def test_revoked_key_is_401(api, client_of_rm, app_key):
    api_key_revoke(api_key=app_key[0])
    response = api(body=valid(client_of_rm.client_no))
    assert response.status_code == 401
    assert Ticket.objects.count() == 0


def test_no_csrf_token_is_needed(client_of_rm, app_key):
    http = Client(enforce_csrf_checks=True)
    response = http.post(
        URL,
        data=json.dumps(valid(client_of_rm.client_no)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {app_key[1]}",
    )
    assert response.status_code == 201


def test_status_endpoint_shows_responses_and_survey_link(api, client_of_rm, feedback_user):
    created = api(body=valid(client_of_rm.client_no)).json()
    reference = created["reference"]
    ticket = Ticket.objects.get(reference=reference)
    ticket_resolve(ticket=ticket, actor=feedback_user, resolution="Fixed in 2.1.")
    response = api("get", f"{URL}/{reference}", secret=created["secret"])
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "resolved"
    assert [r["body"] for r in data["responses"]] == ["Fixed in 2.1."]
    assert data["survey_url"].startswith("http")
    assert "/feedback/survey/" in data["survey_url"]


def test_status_of_another_channels_ticket_is_404(api, client_of_rm):
    ticket = ticket_create(
        channel="phone", category="inquiry", subject="s", description="d", client=client_of_rm
    )
    assert api("get", f"{URL}/{ticket.reference}").status_code == 404
    assert api("get", f"{URL}/FB-0000-000000").status_code == 404


def test_wrong_method_is_not_a_500(api):
    assert api("get", URL).status_code == 405


def test_openapi_documents_what_is_implemented(client, api, client_of_rm):
    response = client.get(reverse("feedback:api_openapi"))
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    base = spec["servers"][0]["url"]
    assert set(spec["paths"]) == {"/tickets", "/tickets/{reference}"}
    assert reverse("feedback:api_tickets") == base + "/tickets"
    assert reverse("feedback:api_ticket_status", args=["R"]) == base + "/tickets/R"
    schemas = spec["components"]["schemas"]
    assert set(schemas["TicketInput"]["properties"]) == set(ApiTicketForm.base_fields)
    assert set(schemas["TicketInput"]["required"]) == {
        n for n, f in ApiTicketForm.base_fields.items() if f.required
    }
    created = api(body=valid(client_of_rm.client_no)).json()
    assert set(schemas["TicketCreated"]["properties"]) == set(created)
    status = api("get", f"{URL}/{created['reference']}", secret=created["secret"]).json()
    assert set(schemas["TicketStatus"]["properties"]) == set(status)
    assert set(spec["paths"]["/tickets"]["post"]["responses"]) == {"201", "400", "401", "429"}
    assert spec == OPENAPI
