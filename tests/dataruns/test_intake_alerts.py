"""The nightly intake's alerts go to every supervisor and administrator at once: each reads them
in their own language, whatever language the worker runs in (the tests of this folder run it in
English)."""

import pytest

from core.models import Notification, User
from core.roles import Role
from programme.services import inbox_night
from tests.dataruns.conftest import D2, drop_set
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(db):
    """A Chinese supervisor and an English administrator."""
    chinese = UserFactory(username="sup_zh", branch=None, role=Role.SUPERVISOR)
    english = UserFactory(username="adm_en", branch=None, role=Role.ADMINISTRATOR)
    User.objects.filter(pk=english.pk).update(language=User.Language.ENGLISH)
    return chinese, english


def _alerts(key: str) -> dict[str, tuple[str, str]]:
    return {
        n.recipient.username: (n.title, n.body)
        for n in Notification.objects.filter(dedupe_key__startswith=key).select_related("recipient")
    }


def test_a_rejected_set_is_told_to_each_reader_in_their_language(
    night, readers, django_capture_on_commit_callbacks
):
    drop_set(D2, corrupt="balances")
    with django_capture_on_commit_callbacks(execute=True):
        inbox_night(check_late=False)

    alerts = _alerts("dataruns:rejected:")
    assert alerts["adm_en"] == (
        "Core-banking set 2026-11-19 rejected",
        "balances_20261119.csv does not match the SHA-256 in the manifest (corrupt or incomplete).",
    )
    title, body = alerts["sup_zh"]
    assert title == "核心系统数据 2026-11-19 被拒收"
    assert "balances_20261119.csv" in body and "SHA-256" in body and "does not" not in body
