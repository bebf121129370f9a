"""A notification is written in its recipient's language (``User.language``), not in the language
the worker or the request happens to be in, and mail to several people goes out once per wording
(``core.messages.in_language``, used by ``core.services.notification_create``)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from core.models import Notification, OutboxMail, User
from core.services import notification_create
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers():
    chinese = UserFactory(username="zh_reader", language=User.Language.CHINESE)
    english = UserFactory(username="en_reader", language=User.Language.ENGLISH)
    return chinese, english


def _titles() -> dict[str, tuple[str, str]]:
    return {
        n.recipient.username: (n.title, n.body)
        for n in Notification.objects.select_related("recipient")
    }


@pytest.mark.parametrize("worker_language", ["en", "zh-hans"])
def test_each_recipient_reads_a_notification_in_their_own_language(readers, worker_language):
    with translation.override(worker_language):
        notification_create(
            recipients=readers,
            title=gettext_lazy("Warning"),
            body=lambda: gettext("Urgent"),
        )

    assert _titles() == {"zh_reader": ("预警", "紧急"), "en_reader": ("Warning", "Urgent")}


def test_plain_text_is_data_and_kept_as_written(readers):
    notification_create(recipients=readers, title="FB-2026-000001", body="Card blocked")

    assert set(_titles().values()) == {("FB-2026-000001", "Card blocked")}


def test_mail_goes_out_once_per_language_to_those_who_read_it(readers):
    chinese, english = readers
    second_chinese = UserFactory(username="zh_reader_2", language=User.Language.CHINESE)
    with translation.override("en"):
        notification_create(
            recipients=[chinese, english, second_chinese],
            title=gettext_lazy("Warning"),
            email=True,
        )

    mails = {m.subject: sorted(m.to) for m in OutboxMail.objects.all()}
    assert mails == {
        "预警": sorted([chinese.email, second_chinese.email]),
        "Warning": [english.email],
    }


@pytest.mark.parametrize("language", ["", "fr"])
def test_a_recipient_without_a_language_we_have_reads_the_sites_default_chinese(language):
    """An empty ``User.language`` (a user made by a script or an import) reads the site's
    default like an unknown one, as the pages do, not the untranslated English message ids."""
    reader = UserFactory(username="no_language", language=language)
    with translation.override("en"):
        notification_create(recipients=[reader], title=gettext_lazy("Warning"), email=True)

    assert _titles() == {"no_language": ("预警", "")}
    assert [m.subject for m in OutboxMail.objects.all()] == ["预警"]


# --- the rule holds at every call site ------------------------------------------------------------

APPS = ["approvals", "clients", "core", "dataruns", "feedback", "managers", "programme"]
APPS += ["retention", "servicedesk", "analytics"]
# notification_create and the apps' thin wrappers around it that pass title and body through.
NOTIFIERS = {"notification_create", "_alert", "_notify", "_tell_proposer"}
EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}
LAZY = {"gettext_lazy", "ngettext_lazy", "pgettext_lazy", "npgettext_lazy"}


def _names(tree: ast.Module, functions: set[str]) -> set[str]:
    """The names a module binds to Django's ``functions`` (``from ... import gettext as _``)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in functions
    }


def _notifier(node: ast.Call) -> str:
    """The notifier a call runs: itself, or the one ``partial(...)`` wraps."""
    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
    if name == "partial" and node.args and isinstance(node.args[0], ast.Name):
        return node.args[0].id
    return name


def _translated_now(node: ast.expr, eager: set[str], lazy_translating: set[str]) -> bool:
    """An expression that is text in the active language once evaluated: an eager gettext call,
    or any translation call formatted with ``%`` (a lazy one is rendered by the ``%``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _translated_now(node.left, eager | lazy_translating, lazy_translating)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in eager


def test_no_notification_text_is_translated_before_its_recipient_is_known():
    offenders = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            eager, lazy = _names(tree, EAGER), _names(tree, LAZY)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = _notifier(node)
                if name not in NOTIFIERS:
                    continue
                texts = [k.value for k in node.keywords if k.arg in ("title", "body")]
                texts += node.args[1:2] if name == "_tell_proposer" else []
                offenders += [
                    f"{path.relative_to(settings.BASE_DIR)}:{text.lineno}"
                    for text in texts
                    if _translated_now(text, eager, lazy)
                ]
    assert offenders == []
