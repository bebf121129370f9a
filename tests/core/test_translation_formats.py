"""A translation whose ``%`` placeholders differ from its message id's raises, or shows a stray
``%``, only when the page formats it: ``scripts/check_translations.py`` (run by CI) refuses it,
as ``msgfmt --check-format`` would (two feedback entries had slipped through)."""

import polib
import pytest

from scripts import check_translations


def _entry(msgid: str, msgstr: str, *, flags=("python-format",)) -> polib.POEntry:
    return polib.POEntry(msgid=msgid, msgstr=msgstr, flags=list(flags))


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("%(n)d tickets", "%(n)d 张工单"),
        ("past 75%% of it", "已超过 75%%"),
        ("%(a)s and %(b)s", "%(b)s 与 %(a)s"),
    ],
)
def test_a_translation_with_the_same_placeholders_passes(msgid, msgstr):
    assert check_translations._format_problem(_entry(msgid, msgstr)) is None


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("%(n)d tickets", "%(count)d 张工单"),  # renamed: KeyError on the page
        ("%(n)d tickets", "张工单"),  # dropped
        ("past 75%% of it", "已超过 75%"),  # stray %: ValueError on the page
        ("Past 75% of the window", "已超过 75%"),  # marked python-format by xgettext
    ],
)
def test_a_translation_whose_placeholders_differ_is_refused(msgid, msgstr):
    assert check_translations._format_problem(_entry(msgid, msgstr)) is not None


def test_plain_text_with_a_percent_sign_is_not_a_format():
    assert check_translations._format_problem(_entry("50% off", "五折", flags=())) is None


def test_every_catalogue_passes():
    assert check_translations.main() == 0
