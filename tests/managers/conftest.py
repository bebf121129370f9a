import pytest

from core.roles import Role
from managers.models import RmStatus
from tests.factories.core import UserFactory
from tests.factories.managers import RelationshipManagerFactory


@pytest.fixture
def candidate(branch):
    """Meets the default policy exactly at its boundaries: 3 years, score 4."""
    return RelationshipManagerFactory(
        branch=branch,
        user=None,
        name="候选人甲",
        employee_no="E90001",
        years_experience=3,
        communication_score=4,
        certifications="AFP",
        status=RmStatus.CANDIDATE,
    )


@pytest.fixture
def second_supervisor(db):
    return UserFactory(username="boss2", branch=None, role=Role.SUPERVISOR)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared factories hash a password per user; the real hasher makes the data-size tests
    (dozens of RMs, each with a user) take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
