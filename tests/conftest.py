"""Personas shared by every test: the client's RM, a colleague RM in the same branch, branch staff
(own branch and another), the feedback team, a supervisor, an administrator, and an outsider with
no role. Clients: one of the RM's, one of the colleague's, one in another branch."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.utils import translation

from core.audit_sql import audit_purge
from core.memo import ProcessMemo
from core.roles import Role
from tests.factories.clients import ClientFactory, VipClientFactory
from tests.factories.core import BranchFactory, UserFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory
from vipservice.celery import app as celery_app


@pytest.fixture(autouse=True)
def _isolated_var_dir(settings, tmp_path):
    """Keep files a test writes (broker folder, mailboxes, exports) out of the working tree."""
    settings.VAR_DIR = tmp_path / "var"
    settings.FEEDBACK_MAILDIR = str(tmp_path / "var" / "mail")
    settings.COREBANKING_INBOX = str(tmp_path / "var" / "inbox")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _audit_log_emptied_before_flush(request):
    """The audit log refuses DELETE (core.audit_sql). SQLite's flush after a transactional test
    deletes row by row, so the rows written by such a test are purged first, as the owner."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    if connection.vendor == "sqlite":
        audit_purge()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache, filter options in process memos; a test starts with
    none (user ids are reused)."""
    cache.clear()
    ProcessMemo.forget_all()
    yield
    cache.clear()
    ProcessMemo.forget_all()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (zh-hans), whatever the test before it
    activated: a test that passes only after another one switched to English is order-dependent
    (two SLA tests were)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def english():
    """Run the test in English: for tests of a job's or the mail intake's wording, which a worker
    writes in the site's language (zh-hans) unless told otherwise."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at Django 6's work factor costs seconds per hash on a busy 2-core machine; tests
    check who may sign in, not the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def branch(db):
    return BranchFactory(code="SH001", name="上海陆家嘴支行")


@pytest.fixture
def other_branch(db):
    return BranchFactory(code="BJ001", name="北京金融街支行")


@pytest.fixture
def rm(branch):
    return RelationshipManagerFactory(branch=branch, user__username="rm_zhang", name="张伟")


@pytest.fixture
def rm_user(rm):
    return rm.user


@pytest.fixture
def colleague_rm(branch):
    return RelationshipManagerFactory(branch=branch, user__username="rm_li", name="李强")


@pytest.fixture
def branch_staff(branch):
    return UserFactory(username="teller", branch=branch, role=Role.BRANCH_STAFF)


@pytest.fixture
def other_branch_staff(other_branch):
    return UserFactory(username="teller_bj", branch=other_branch, role=Role.BRANCH_STAFF)


@pytest.fixture
def feedback_user(db):
    return UserFactory(username="fb_chen", branch=None, role=Role.FEEDBACK_TEAM)


@pytest.fixture
def supervisor(db):
    return UserFactory(username="boss", branch=None, role=Role.SUPERVISOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root_admin", branch=None, role=Role.ADMINISTRATOR)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role in the service."""
    return UserFactory(username="visitor", branch=None)


@pytest.fixture
def client_of_rm(rm):
    client = VipClientFactory(branch=rm.branch, name="王芳", phone="13800138000")
    AssignmentFactory(client=client, rm=rm)
    return client


@pytest.fixture
def client_of_colleague(colleague_rm):
    client = VipClientFactory(branch=colleague_rm.branch, name="赵敏")
    AssignmentFactory(client=client, rm=colleague_rm)
    return client


@pytest.fixture
def client_elsewhere(other_branch):
    return ClientFactory(branch=other_branch, name="孙丽")


@pytest.fixture
def login():
    """``login(user)`` returns a test client signed in as ``user`` (English unless asked)."""

    def _login(user, language: str = "en") -> HttpClient:
        http = HttpClient()
        if user is not None:
            user.language = language
            user.save(update_fields=["language"])
            http.force_login(user)
        return http

    return _login


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tasks sent by the code under test (the outbox drain after a commit, the job catch-up) run
    in the test's process, as in a one-process deployment; no test publishes to a broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
