"""The site's icon (issue 14: every browser's /favicon.ico was a 404 in the logs): a small SVG
under static, named by every page's <link rel="icon">, and /favicon.ico answering with it."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db

ICON = static("favicon.svg")


def test_favicon_ico_redirects_to_the_icon_without_signing_in(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == ICON


def test_the_icon_is_a_committed_static_svg():
    path = finders.find("favicon.svg")

    assert path is not None
    with open(path, encoding="utf-8") as svg:
        assert svg.read().lstrip().startswith("<svg")


@pytest.mark.parametrize("page", ["/accounts/login/", "/feedback/web/"])
def test_pages_name_the_icon(client, page):
    html = client.get(page).content.decode()

    assert f'<link rel="icon" href="{ICON}" type="image/svg+xml">' in html


def test_a_signed_in_page_names_the_icon(login, feedback_user):
    html = login(feedback_user).get("/feedback/").content.decode()

    assert 'rel="icon"' in html
