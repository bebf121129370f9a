"""Every error the mobile API answers is in the request's Accept-Language: English or Chinese,
Chinese when the header is missing or names another language, never two languages in one answer
(issue 14)."""

import json
import re

import pytest
from django.test import Client

from feedback.models import Channel
from feedback.services.api_keys import api_key_issue

pytestmark = pytest.mark.django_db

URL = "/feedback/api/v1/tickets"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def raw_key():
    return api_key_issue(name="Mobile app", channel=Channel.APP)[1]


def _errors(raw_key, settings) -> dict[str, tuple]:
    """Each kind of error: (method, path, body or None, headers) to send."""
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
    return {
        "missing key": ("post", URL, "{}", {}),
        "unknown key": ("post", URL, "{}", {"HTTP_AUTHORIZATION": "Bearer fb_x_guessed"}),
        "not json": ("post", URL, "{not json", bearer),
        "not an object": ("post", URL, "[1]", bearer),
        "invalid fields": ("post", URL, json.dumps({"category": "nonsense"}), bearer),
        "unknown ticket": ("get", f"{URL}/FB-NOPE", None, {**bearer, "HTTP_X_TICKET_SECRET": "x"}),
        "wrong method": ("put", URL, "{}", bearer),
        "unknown path": ("get", "/feedback/api/v1/nowhere", None, bearer),
        "NUL byte": ("get", f"{URL}/a%00b", None, bearer),
    }


def _messages(response) -> list[str]:
    assert response.status_code >= 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["request_id"]
    return [message for items in body["errors"].values() for message in items]


def _send(raw_key, settings, kind, language: str | None):
    method, path, body, headers = _errors(raw_key, settings)[kind]
    if language is not None:
        headers = {**headers, "HTTP_ACCEPT_LANGUAGE": language}
    http = Client()
    if body is None:
        return getattr(http, method)(path, **headers)
    return getattr(http, method)(path, data=body, content_type="application/json", **headers)


KINDS = [
    "missing key",
    "unknown key",
    "not json",
    "not an object",
    "invalid fields",
    "unknown ticket",
    "wrong method",
    "unknown path",
    "NUL byte",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["zh-Hans", "zh-CN,zh;q=0.9", None, "fr-FR"])
def test_errors_are_chinese_by_default_and_for_chinese(raw_key, settings, kind, language):
    messages = _messages(_send(raw_key, settings, kind, language))

    assert messages
    assert all(CJK.search(m) for m in messages), messages


@pytest.mark.parametrize("kind", KINDS)
def test_errors_are_english_for_english(raw_key, settings, kind):
    messages = _messages(_send(raw_key, settings, kind, "en-GB,en;q=0.8"))

    assert messages
    assert not any(CJK.search(m) for m in messages), messages


def test_the_rate_limit_answers_in_the_callers_language(raw_key, settings):
    settings.API_RATE_LIMIT = 1
    http = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}", "HTTP_ACCEPT_LANGUAGE": "en"}
    http.post(URL, data="{}", content_type="application/json", **headers)

    english = http.post(URL, data="{}", content_type="application/json", **headers)
    chinese = http.post(
        URL,
        data="{}",
        content_type="application/json",
        **{**headers, "HTTP_ACCEPT_LANGUAGE": "zh-Hans"},
    )

    assert english.status_code == chinese.status_code == 429
    assert english.json()["errors"]["__all__"] == ["Too many requests."]
    assert CJK.search(chinese.json()["errors"]["__all__"][0])
