"""Bad input never a 500 (issue 13): a NUL character in any GET/POST field or path segment of any
URL is refused with a clear 400 before a view runs (JSON under the API); every response carries a
request id, and the 500 page and the error's log line show it."""

import logging

import pytest
from django.test import Client as HttpClient
from django.urls import path

from tests.core.urlconf import routes, sample_path

pytestmark = pytest.mark.django_db

ROUTES = routes()


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_nul_in_a_query_parameter_is_a_clear_400_on_every_url(login, supervisor, route):
    response = login(supervisor).get(sample_path(route), {"q": "a\x00b", "status": "/e\x00"})
    assert response.status_code == 400
    if "/api/" in route.pattern:
        assert response.json()["errors"]["__all__"]
    else:
        assert "NUL" in response.content.decode()


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_nul_in_a_posted_field_is_a_400_and_changes_nothing(login, rm_user, route):
    response = login(rm_user).post(sample_path(route), {"subject": "x\x00y", "notes\x00": "n"})
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["rm_user", "branch_staff", "supervisor", "feedback_user"])
def test_nul_in_a_path_segment_is_a_400(login, request, persona):
    http = login(request.getfixturevalue(persona))
    assert http.get("/clients/a%00b/").status_code == 400
    assert http.get("/feedback/tickets/FB%00/").status_code == 400


def test_the_reported_cases(login, supervisor, branch_staff, rm_user):
    assert login(rm_user).get("/clients/?q=a%00b").status_code == 400
    assert login(branch_staff).get("/clients/?q=a%00b").status_code == 400
    assert login(supervisor).get("/clients/export/?status=%2Fe%00").status_code == 400


def test_the_message_is_in_the_users_language(login, supervisor):
    html = login(supervisor, language="zh-hans").get("/clients/?q=%00").content.decode()
    assert "NUL" in html and "不允许" in html


def test_every_response_has_a_request_id(login, supervisor):
    first = login(supervisor).get("/")
    second = login(supervisor).get("/")
    assert len(first["X-Request-ID"]) == 16
    assert first["X-Request-ID"] != second["X-Request-ID"]


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), path("feedback/api/v1/boom/", _boom)]
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


@pytest.fixture
def boom_urls(settings):
    settings.ROOT_URLCONF = "tests.core.test_bad_input"


def test_the_500_page_and_its_log_line_carry_the_request_id(boom_urls, caplog):
    http = HttpClient(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = http.get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id in response.content.decode()
    assert any(getattr(r, "request_id", None) == request_id for r in caplog.records)
    # Styled from its own sheet under the CSP (no style attribute), by the sheet's plain name.
    assert 'href="/static/css/error.css"' in response.content.decode()
    assert "style=" not in response.content.decode()


def test_api_errors_are_always_json_with_the_request_id(boom_urls):
    http = HttpClient(raise_request_exception=False)
    crash = http.get("/feedback/api/v1/boom/")
    assert crash.status_code == 500
    assert crash.json()["request_id"] == crash["X-Request-ID"]
    missing = http.get("/feedback/api/v1/nothing-here/")
    assert missing.status_code == 404
    assert missing.json()["request_id"] == missing["X-Request-ID"]
