import datetime
import mailbox
from pathlib import Path

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


@pytest.fixture
def maildir(settings):
    """The feedback Maildir, as the bank's mail server delivers into it."""
    Path(settings.FEEDBACK_MAILDIR).parent.mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(settings.FEEDBACK_MAILDIR, create=True)
