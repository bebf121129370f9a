import datetime

import pytest

# A fixed, ordinary moment (Asia/Shanghai office hours) the SLA tests count from.
RECEIVED = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def received():
    return RECEIVED


@pytest.fixture
def handler(feedback_user):
    return feedback_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas get passwords; a fast hasher keeps these tests quick (not a security setting)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
