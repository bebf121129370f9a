"""A GET on a POST-only address answers the product's page, not an empty 405 (issue 14)."""

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
