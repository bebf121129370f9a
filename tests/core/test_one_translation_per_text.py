"""Each text reads one way: Django merges every catalogue (locale/ first, then the apps in
INSTALLED_APPS order) into one, so a message id translated differently in two catalogues is
silently translated by the first everywhere. That made the needs analysis export's dimension
column read "操作人" (the clients app's actor), a status change's "to" read "收件人" (the
outbox's recipient) and a rejected RM candidate "已拒收" (a refused data set). A word with two
meanings takes a context (``pgettext``); the test finds any text the catalogues disagree on."""

from collections import defaultdict
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from analytics.exports import needs_table
from clients.models import StatusChange
from managers.models import RmStatus, TrainingResult

ROOT = Path(settings.BASE_DIR)


def test_no_two_catalogues_translate_one_text_differently():
    catalogues = [ROOT / "locale", *sorted(ROOT.glob("*/locale"))]
    translations: dict[tuple, dict[str, str]] = defaultdict(dict)
    for folder in catalogues:
        po = folder / "zh_Hans" / "LC_MESSAGES" / "django.po"
        if not po.exists():
            continue
        for entry in polib.pofile(str(po)):
            if entry.obsolete or not (entry.msgstr or entry.msgstr_plural):
                continue
            key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
            shown = entry.msgstr or repr(sorted(entry.msgstr_plural.items()))
            translations[key][str(folder.parent.relative_to(ROOT)) or "locale"] = shown
    disagreements = {
        key[1]: where for key, where in translations.items() if len(set(where.values())) > 1
    }
    assert disagreements == {}


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        (lambda: needs_table([], []).columns[0].title, "维度"),
        (lambda: StatusChange._meta.get_field("to_status").verbose_name, "新状态"),
        (lambda: RmStatus.REJECTED.label, "未通过"),
        (lambda: TrainingResult.FAILED.label, "未通过"),
    ],
    ids=["needs-by", "status-to", "candidate-rejected", "training-failed"],
)
def test_a_word_with_two_meanings_reads_right_in_each_place(text, chinese):
    with translation.override("zh-hans"):
        assert str(text()) == chinese
