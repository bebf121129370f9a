"""Second factor for supervisors and administrators (issue 13): an authenticator app enrolled on
the user's own page; once enrolled, the password alone signs nobody in; a wrong or replayed code is
refused with a clear message and throttled; Django admin requires the code; an administrator resets
a lost device; enrolment, refusals and resets are audited. Users without a device (every demo user,
every RM) sign in by password as before."""

import datetime
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import Role
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-Pass!"
NOW = datetime.datetime(2026, 11, 20, 9, 0, 0, tzinfo=datetime.UTC)


def code(device: TOTPDevice, *, steps: int = 0) -> str:
    """The code the user's app shows now (or ``steps`` time steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = datetime.datetime.now(datetime.UTC).timestamp() + steps * device.step
    return f"{totp.token():06d}"


def events(user, name: str) -> list[LogEntry]:
    return [e for e in LogEntry.objects.get_for_object(user) if e.changes_text == name]


@pytest.fixture
def boss(db):
    return UserFactory(
        username="boss2fa", branch=None, role=Role.SUPERVISOR, password=PASSWORD, language="en"
    )


@pytest.fixture
def enrolled(boss):
    TOTPDevice.objects.create(user=boss, name="authenticator", confirmed=True)
    return boss


def sign_in(http: HttpClient, user, *, next_url: str = ""):
    """The password step, in English unless the test chose a language."""
    if "django_language" not in http.cookies:
        http.cookies["django_language"] = "en"
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return http.post(reverse("login"), data)


def signed_in(http: HttpClient) -> bool:
    return "_auth_user_id" in http.session


def test_a_supervisor_enrols_with_a_qr_code_and_a_first_code(login, boss):
    http = login(boss)
    assert b"Off: you sign in with your password only." in http.get("/accounts/two-factor/").content

    assert http.post(reverse("two_factor_start")).status_code == 302
    page = http.get(reverse("two_factor_setup")).content.decode()
    pending = TOTPDevice.objects.get(user=boss, confirmed=False)
    assert 'src="data:image/svg+xml;base64,' in page
    assert "otpauth://totp/VIP%20Service%3Aboss2fa?secret=" in page

    response = http.post(reverse("two_factor_confirm"), {"code": code(pending)})

    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=boss).confirmed
    assert b"On: after your password" in http.get(reverse("two_factor_setup")).content
    assert len(events(boss, "two_factor.enrolled")) == 1


def test_a_wrong_first_code_leaves_the_user_unenrolled(login, boss):
    http = login(boss)
    http.post(reverse("two_factor_start"))
    response = http.post(reverse("two_factor_confirm"), {"code": "000000"})
    assert b"The code is not right." in response.content
    assert not TOTPDevice.objects.filter(user=boss, confirmed=True).exists()


def test_an_rm_has_no_enrolment_page(login, rm_user):
    assert login(rm_user).get(reverse("two_factor_setup")).status_code == 404


def test_without_a_device_the_password_signs_in(client, boss):
    response = sign_in(client, boss)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert signed_in(client)


def test_an_rm_signs_in_by_password_whatever_others_enrolled(client, enrolled, rm_user):
    rm_user.set_password(PASSWORD)
    rm_user.save()
    assert sign_in(client, rm_user).status_code == 302
    assert signed_in(client)


def test_an_enrolled_supervisor_needs_the_code_after_the_password(client, enrolled):
    response = sign_in(client, enrolled, next_url="/clients/")

    assert response["Location"] == reverse("two_factor_verify")
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # no page on the password alone

    device = TOTPDevice.objects.get(user=enrolled)
    response = client.post(reverse("two_factor_verify"), {"code": code(device)})

    assert response.status_code == 302 and response["Location"] == "/clients/"
    assert signed_in(client)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The code is not right."), ("zh-hans", "验证码不正确")],
)
def test_a_wrong_code_is_refused_in_the_users_language_and_audited(
    client, enrolled, language, message
):
    client.cookies["django_language"] = language
    sign_in(client, enrolled)
    response = client.post(reverse("two_factor_verify"), {"code": "123 456"})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not signed_in(client)
    refused = events(enrolled, "two_factor.code_refused")
    assert [e.additional_data["reason"] for e in refused] == ["wrong"]
    assert "123456" not in str(refused[0].additional_data)


def test_a_code_used_once_is_refused_the_second_time(enrolled):
    device = TOTPDevice.objects.get(user=enrolled)
    with time_machine.travel(NOW, tick=False):
        used = code(device)
        first = HttpClient()
        sign_in(first, enrolled)
        first.post(reverse("two_factor_verify"), {"code": used})
        assert signed_in(first)

        second = HttpClient()
        sign_in(second, enrolled)
        response = second.post(reverse("two_factor_verify"), {"code": used})

    assert "This code has been used already." in response.content.decode()
    assert not signed_in(second)
    assert events(enrolled, "two_factor.code_refused")[0].additional_data["reason"] == "replayed"


def test_wrong_codes_are_throttled_then_locked_by_axes(client, enrolled, settings):
    device = TOTPDevice.objects.get(user=enrolled)
    with time_machine.travel(NOW, tick=False):
        sign_in(client, enrolled)
        client.post(reverse("two_factor_verify"), {"code": "000000"})
        # Within the back-off even the right code waits.
        response = client.post(reverse("two_factor_verify"), {"code": code(device)})
        assert "Too many wrong codes. Try again in 1 second." in response.content.decode()
        assert not signed_in(client)

    for minute in range(1, settings.AXES_FAILURE_LIMIT):
        with time_machine.travel(NOW + datetime.timedelta(minutes=minute), tick=False):
            response = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert response.status_code == 429  # django-axes: this user from this address is locked
    with time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False):
        assert sign_in(client, enrolled).status_code == 429


def test_the_code_step_expires(client, enrolled, settings):
    device = TOTPDevice.objects.get(user=enrolled)
    with time_machine.travel(NOW, tick=False) as clock:
        sign_in(client, enrolled)
        clock.shift(datetime.timedelta(seconds=settings.TWO_FACTOR_PENDING_SECONDS + 1))
        response = client.post(reverse("two_factor_verify"), {"code": code(device)})
    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_django_admin_requires_the_code_of_an_enrolled_administrator(client, admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    device = TOTPDevice.objects.create(user=admin_user, name="authenticator", confirmed=True)

    # The admin's own password form is never used: it sends to the product's sign-in.
    response = client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in(client)

    sign_in(client, admin_user, next_url="/admin/")
    response = client.post(reverse("two_factor_verify"), {"code": code(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_from_before_the_enrolment_is_refused_by_admin(login, admin_user):
    http = login(admin_user)  # signed in without a device
    TOTPDevice.objects.create(user=admin_user, name="authenticator", confirmed=True)

    response = http.get("/admin/")

    assert response.status_code == 302
    follow = http.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"].startswith(reverse("login"))
    assert not signed_in(http)


def test_an_administrator_resets_a_lost_device_audited(login, admin_user, enrolled):
    http = login(admin_user)
    response = http.post(
        "/admin/core/user/",
        {"action": "reset_two_factor", "_selected_action": [enrolled.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    reset = events(enrolled, "two_factor.reset")
    assert len(reset) == 1 and reset[0].actor == admin_user
    fresh = HttpClient()
    assert sign_in(fresh, enrolled)["Location"] == reverse("core:home")  # password again


def test_a_supervisor_cannot_reset_devices_in_admin(login, supervisor, enrolled):
    supervisor.is_staff = True
    supervisor.save()
    response = login(supervisor).post(
        "/admin/core/user/",
        {"action": "reset_two_factor", "_selected_action": [enrolled.pk]},
    )
    assert response.status_code in (200, 302, 403)
    assert TOTPDevice.objects.filter(user=enrolled).exists()


def test_the_device_secret_is_not_shown_in_admin(login, admin_user, enrolled):
    page = login(admin_user).get("/admin/").content.decode()
    assert not re.search(r"totp", page, re.I)
