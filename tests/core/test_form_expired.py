"""A form sent with an expired CSRF token (a page left open past a sign-in in another tab, which
rotates the token) gets the product's page in the reader's language, saying what happened and
what to do, not Django's technical one ("CSRF验证失败", "DEBUG=True"); nothing is changed."""

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import Ticket
from servicedesk.models import CallLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"), [("zh-hans", "表单已过期"), ("en", "This form has expired")]
)
def test_a_staff_form_with_an_expired_token_says_so_in_the_users_language(
    branch_staff, language, title
):
    branch_staff.language = language
    branch_staff.save(update_fields=["language"])
    http = Client(enforce_csrf_checks=True)
    http.force_login(branch_staff)

    response = http.post(reverse("servicedesk:hotline"), {"phone": "13800138000"})

    assert response.status_code == 403
    page = response.content.decode()
    assert title in page
    assert 'data-testid="form-expired"' in page
    assert "CSRF" not in page and "DEBUG" not in page
    assert not CallLog.objects.exists()


def test_the_public_form_with_an_expired_token_changes_nothing():
    http = Client(enforce_csrf_checks=True)

    response = http.post(
        reverse("feedback:web_form"),
        {"email": "a@example.com", "subject": "s", "description": "d"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
    assert not Ticket.objects.exists()
