import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core.roles import Role
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["rm_user", "branch_staff", "feedback_user", "supervisor", "admin_user"]


def test_every_role_is_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        r.value for r in Role if r != Role.ADMINISTRATOR
    }


@pytest.mark.parametrize(
    ("persona", "role"),
    [
        ("rm_user", Role.RELATIONSHIP_MANAGER),
        ("branch_staff", Role.BRANCH_STAFF),
        ("feedback_user", Role.FEEDBACK_TEAM),
        ("supervisor", Role.SUPERVISOR),
        ("admin_user", Role.ADMINISTRATOR),
    ],
)
def test_user_role_comes_from_group(request, persona, role):
    assert request.getfixturevalue(persona).role == role


def test_user_without_group_has_no_role(outsider):
    assert outsider.role is None


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_page_in_english_when_chosen(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in" in response.content.decode()


def test_sign_in_with_password_lands_on_home(client, db):
    UserFactory(username="amy", role=Role.SUPERVISOR, password="s3cret-Pass!")
    response = client.post(
        reverse("login"), {"username": "amy", "password": "s3cret-Pass!"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert response.context["user"].username == "amy"


def test_wrong_password_is_refused_with_a_message(client, db):
    UserFactory(username="amy", role=Role.SUPERVISOR, password="s3cret-Pass!")
    response = client.post(reverse("login"), {"username": "amy", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "请输入一个正确的用户名和密码" in response.content.decode()


def test_repeated_failures_lock_the_account(client, db, settings):
    UserFactory(username="amy", role=Role.SUPERVISOR, password="s3cret-Pass!")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "amy", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "amy", "password": "s3cret-Pass!"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 429


def test_home_requires_login(client, db):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("language", "marker"), [("zh-hans", "首页"), ("en", "Home")])
def test_each_role_has_a_home_page_in_both_languages(request, login, persona, language, marker):
    user = request.getfixturevalue(persona)
    response = login(user, language=language).get(reverse("core:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="home-{user.role.value}"' in body
    assert marker in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_query_count_is_bounded(request, login, persona, django_assert_max_num_queries):
    http = login(request.getfixturevalue(persona))
    with django_assert_max_num_queries(40):
        assert http.get(reverse("core:home")).status_code == 200


def test_language_switch_is_remembered_on_the_user(login, supervisor):
    http = login(supervisor, language="en")
    response = http.post(reverse("core:set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.language == "zh-hans"
    assert "首页" in http.get(reverse("core:home")).content.decode()


def test_language_switch_ignores_foreign_redirects(login, supervisor):
    response = login(supervisor).post(
        reverse("core:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_language_switch_rejects_unknown_language(login, supervisor):
    response = login(supervisor).post(reverse("core:set_language"), {"language": "xx"})
    assert response.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.language == "en"


def test_navigation_shows_only_what_the_role_may_use(login, branch_staff, supervisor):
    staff_page = login(branch_staff).get(reverse("core:home")).content.decode()
    boss_page = login(supervisor).get(reverse("core:home")).content.decode()
    assert 'href="/admin/"' not in staff_page
    assert "Sign out" in staff_page and "Sign out" in boss_page


def test_unknown_page_is_a_friendly_404(login, supervisor):
    response = login(supervisor).get("/no/such/page/")
    assert response.status_code == 404
    assert "outside what your role can see" in response.content.decode()


def test_admin_is_closed_to_non_administrators(login, supervisor):
    response = login(supervisor).get("/admin/")
    assert response.status_code == 302  # admin's own login screen, not its content


def test_admin_opens_for_administrators(login, admin_user):
    assert login(admin_user).get("/admin/").status_code == 200
