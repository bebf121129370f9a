"""The nightly intake's alerts go to every supervisor and administrator at once: each reads them
in their own language, whatever language the worker runs in (the tests of this folder run it in
English)."""

import pytest

from core.models import Notification, OutboxMail, User
from core.roles import Role
from dataruns.models import IntakeOutcome, IntakeRun
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


# --- a bad contact value left out of a row (the set imported all the same) -----------------------


def test_a_contact_value_left_out_alerts_each_reader_with_the_count_and_the_report(
    night, readers, login, django_capture_on_commit_callbacks
):
    drop_set(D2, c002_phone="6888 8888", c002_email="not-an-address")  # two values, one row
    with django_capture_on_commit_callbacks(execute=True):
        inbox_night(check_late=False)

    run = IntakeRun.objects.get(business_date=D2)
    assert run.outcome == IntakeOutcome.IMPORTED
    alerts = _alerts("dataruns:kept-out:")
    assert set(alerts) == {"sup_zh", "adm_en"}
    assert alerts["adm_en"][0] == (
        "Core-banking set 2026-11-19: 1 row imported without a bad phone or e-mail"
    )
    assert alerts["sup_zh"][0].startswith("核心系统数据 2026-11-19：1 行")
    note = Notification.objects.get(
        recipient__username="sup_zh", dedupe_key__startswith="dataruns:kept-out:"
    )
    assert note.level == Notification.Level.WARNING
    # The link opens the run's report, where the supervisor finds the row and its reason.
    path, anchor = note.url.split("#")
    assert anchor == f"intake-{run.pk}"
    page = login(readers[0]).get(path).content.decode()
    assert f'id="intake-{run.pk}"' in page and "3:phone:" in page


def test_the_alert_names_no_client_and_no_value(night, readers, django_capture_on_commit_callbacks):
    drop_set(D2, c002_phone="6888 8888", c002_email="li.lei@@example")
    with django_capture_on_commit_callbacks(execute=True):
        inbox_night(check_late=False)

    alerts = _alerts("dataruns:kept-out:")
    assert len(alerts) == 2
    for title, body in alerts.values():
        for private in ("C002", "李雷", "6888", "li.lei"):
            assert private not in title + body
    assert not OutboxMail.objects.exists()  # the bell only: mail leaves the bank's screens


def test_a_set_with_every_contact_value_readable_alerts_no_one(
    night, readers, django_capture_on_commit_callbacks
):
    drop_set(D2)
    with django_capture_on_commit_callbacks(execute=True):
        inbox_night(check_late=False)

    assert IntakeRun.objects.get(business_date=D2).outcome == IntakeOutcome.IMPORTED
    assert not Notification.objects.filter(dedupe_key__startswith="dataruns:").exists()


def test_a_refused_set_with_a_bad_contact_value_tells_of_the_refusal_only(
    night, readers, django_capture_on_commit_callbacks
):
    drop_set(D2, c002_phone="6888 8888", bad_trade=True)
    with django_capture_on_commit_callbacks(execute=True):
        inbox_night(check_late=False)

    assert _alerts("dataruns:rejected:") and not _alerts("dataruns:kept-out:")
