"""Settings come from the environment: SQLite and a file broker by default, PostgreSQL and Redis
when their URLs are set, and a production mode with no default secrets."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from core.mail import ReadableConsoleBackend
from vipservice.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env: dict[str, str], expr: str) -> str:
    """Import the settings module fresh with exactly ``env`` and print one expression."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    clean.update(env)
    code = f"import vipservice.settings as s; print({expr})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    if result.returncode != 0:
        return "ERROR: " + result.stderr.strip().splitlines()[-1]
    return result.stdout.strip()


def test_default_database_is_sqlite_and_broker_needs_no_server():
    assert _settings_in_subprocess({}, "s.DATABASES['default']['ENGINE']") == (
        "django.db.backends.sqlite3"
    )
    assert _settings_in_subprocess({}, "s.CELERY_BROKER_URL").startswith("sqla+sqlite:///")


def test_database_url_selects_postgresql_with_persistent_connections():
    env = {"DATABASE_URL": "postgres://u:p@db.internal:5432/vip"}
    assert _settings_in_subprocess(env, "s.DATABASES['default']['ENGINE']") == (
        "django.db.backends.postgresql"
    )
    assert _settings_in_subprocess(env, "s.DATABASES['default']['HOST']") == "db.internal"
    assert int(_settings_in_subprocess(env, "s.DATABASES['default']['CONN_MAX_AGE']")) > 0


def test_redis_url_becomes_broker_and_cache():
    env = {"REDIS_URL": "redis://cache.internal:6379/0"}
    assert _settings_in_subprocess(env, "s.CELERY_BROKER_URL") == "redis://cache.internal:6379/0"
    assert "RedisCache" in _settings_in_subprocess(env, "s.CACHES['default']['BACKEND']")


def test_production_refuses_to_start_without_a_secret_key():
    out = _settings_in_subprocess(
        {"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "vip.bank"}, "1"
    )
    assert out.startswith("ERROR") and "DJANGO_SECRET_KEY" in out


def test_production_refuses_to_start_without_allowed_hosts():
    env = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 60}
    out = _settings_in_subprocess(env, "1")
    assert out.startswith("ERROR") and "DJANGO_ALLOWED_HOSTS" in out


def test_production_mode_is_hardened():
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "vip.bank",
    }
    assert _settings_in_subprocess(
        env, "(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    ) == ("(False, True, True)")


def test_time_zone_and_languages():
    assert _settings_in_subprocess({}, "(s.TIME_ZONE, s.LANGUAGE_CODE, s.USE_TZ)") == (
        "('Asia/Shanghai', 'zh-hans', True)"
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("Off", False), ("0", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_helpers_reject_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 1)


def test_env_list_and_required_string(monkeypatch):
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST") == ["a", "b", "c"]
    monkeypatch.delenv("X_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured):
        env_str("X_MISSING", required=True)


def test_site_url_follows_the_host_and_port_dev_run_serves():
    assert _settings_in_subprocess({"PORT": "8123"}, "s.SITE_URL") == "http://127.0.0.1:8123"
    env = {"PORT": "8123", "SITE_URL": "https://vip.bank.example"}
    assert _settings_in_subprocess(env, "s.SITE_URL") == "https://vip.bank.example"


def test_development_mail_prints_readable_chinese():
    stream = io.StringIO()
    ReadableConsoleBackend(stream=stream).send_messages(
        [EmailMessage(subject="满意度调查", body="您好，请评价。", to=["c@example.com"])]
    )

    assert "Subject: 满意度调查" in stream.getvalue()
    assert "您好，请评价。" in stream.getvalue()
