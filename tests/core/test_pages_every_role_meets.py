"""Pages every role meets: the 405 page for a GET on a POST-only address, the administrator's menu
and home (issue 14)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_get_on_a_post_only_address_shows_the_405_page(login, feedback_user, language):
    response = login(feedback_user, language=language).get(reverse("core:notifications_read_all"))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<nav" in page  # the product's frame, with the menu
    expected = "Not available this way" if language == "en" else "此操作需通过页面按钮提交"
    assert expected in page


def test_the_administrators_menu_has_no_personal_page_that_would_answer_404(login, admin_user):
    page = login(admin_user).get("/").content.decode()

    assert reverse("analytics:my_figures") not in page


def test_the_administrators_home_has_the_supervisors_widgets(login, admin_user, supervisor):
    admin_keys = {w["key"] for w in login(admin_user).get("/").context["widgets"]}
    supervisor_keys = {w["key"] for w in login(supervisor).get("/").context["widgets"]}

    assert supervisor_keys <= admin_keys
