"""Sessions, headers and sign-in (issue 13): idle 30 minutes and absolute 10 hours; every response
of the app has Cache-Control no-store and a Content Security Policy without inline script (and no
inline script or handler in any page); password spraying from one address is locked; failure
history survives a good sign-in; seed_demo refuses production mode."""

import datetime
import re

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.roles import Role
from tests.core.urlconf import routes, sample_path
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db

ROUTES = routes()
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
# A style attribute, or a <style> element without the response's nonce (Django admin's one has it).
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style(?![^>]*\bnonce=)", re.I)
START = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


def assert_safe_headers(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script and "unsafe-eval" not in script
    style = next(d for d in policy.split(";") if d.strip().startswith("style-src"))
    assert "unsafe-inline" not in style
    assert "no-store" in response["Cache-Control"]


def assert_no_inline_script(response) -> None:
    if "text/html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html).group(0)


@pytest.mark.parametrize("persona", ["supervisor", "rm_user", "branch_staff", "feedback_user"])
def test_every_page_has_csp_and_no_store_and_no_inline_script(
    login, request, persona, client_of_rm
):
    http = login(request.getfixturevalue(persona))
    for route in ROUTES:
        response = http.get(sample_path(route, {"pk": str(client_of_rm.pk)}))
        assert response.status_code < 500, route.name
        assert_safe_headers(response)
        assert_no_inline_script(response)


def test_signed_out_pages_and_the_api_have_the_headers_too(client, db):
    for url in ("/accounts/login/", "/feedback/api/v1/openapi.json", "/no-such-page/"):
        response = client.get(url)
        assert_safe_headers(response)
        assert_no_inline_script(response)


def test_django_admin_has_no_inline_script(login, admin_user):
    http = login(admin_user)
    for url in ("/admin/", "/admin/clients/client/", "/admin/auditlog/logentry/"):
        response = http.get(url)
        assert response.status_code == 200, url
        assert_safe_headers(response)
        assert_no_inline_script(response)


def test_an_idle_session_ends_after_30_minutes(login, supervisor):
    with time_machine.travel(START, tick=False) as clock:
        http = login(supervisor)
        assert http.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert http.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = http.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert http.get("/").status_code == 302  # signed out for good


def test_an_active_session_ends_10_hours_after_sign_in(login, supervisor):
    with time_machine.travel(START, tick=False) as clock:
        http = login(supervisor)
        http.get("/")
        for _ in range(29):  # a request every 20 minutes: never idle
            clock.shift(datetime.timedelta(minutes=20))
            assert http.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=21))
        assert http.get("/").status_code == 302


def test_the_limits_are_settings(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 10 * 60 * 60
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_ABSOLUTE_TIMEOUT


def test_password_spraying_from_one_address_is_locked(client, db):
    victim = UserFactory(username="victim", role=Role.SUPERVISOR, password="s3cret-Pass!")
    for n in range(32):
        client.post(reverse("login"), {"username": f"user{n % 8}", "password": "guess"})
    response = client.post(
        reverse("login"), {"username": victim.username, "password": "s3cret-Pass!"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failure_history_is_kept_after_a_good_sign_in(client, db):
    UserFactory(username="amy", role=Role.SUPERVISOR, password="s3cret-Pass!")
    for _ in range(3):
        client.post(reverse("login"), {"username": "amy", "password": "wrong"})
    client.post(reverse("login"), {"username": "amy", "password": "s3cret-Pass!"})
    assert "_auth_user_id" in client.session
    assert AccessFailureLog.objects.filter(username="amy").count() == 3


def test_seed_demo_refuses_production_mode(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
