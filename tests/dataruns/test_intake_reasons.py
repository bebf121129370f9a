"""A refused set's reasons read in the reader's language (issue 14, finding 2, for the nightly
intake as for uploads): each file's errors are kept language-neutral on the record, so the data
runs page shows them in English to an English supervisor and in Chinese to a Chinese one,
whatever language the night ran in; records from before keep their text. The manifest's date is
read by the imports' one date helper."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from dataruns.inbox import SetRefused, inbox_dir, inbox_sets, manifest_read
from dataruns.models import IntakeFile, IntakeOutcome, IntakeRun
from programme.services import inbox_night
from tests.dataruns.conftest import D2, drop_set

pytestmark = pytest.mark.django_db


def refused_in(language: str) -> IntakeFile:
    drop_set(D2, bad_trade=True)
    with translation.override(language):
        inbox_night(check_late=False)
    return IntakeRun.objects.get(outcome=IntakeOutcome.REJECTED).files.get(kind="trades")


@pytest.mark.parametrize(
    ("night_language", "reader_language", "expected", "not_expected"),
    [
        ("zh-hans", "en", "bad date and time: &quot;not-a-date&quot;", "日期时间格式错误"),
        ("en", "zh-hans", "日期时间格式错误：“not-a-date”", "bad date and time"),
    ],
)
def test_the_page_shows_a_files_errors_in_the_readers_language(
    night, login, supervisor, night_language, reader_language, expected, not_expected
):
    trades = refused_in(night_language)
    assert trades.error_rows[0][2] == {
        "msgid": 'bad date and time: "%(value)s" (expected ISO 8601)',
        "params": {"value": "not-a-date"},
    }

    body = login(supervisor, language=reader_language).get(reverse("dataruns:list")).content
    page = body.decode()

    assert expected in page and not_expected not in page


def test_a_row_count_refusal_is_kept_neutral_too(night):
    drop_set(D2, rows_off=1)
    inbox_night(check_late=False)
    trades = IntakeRun.objects.get().files.get(kind="trades")

    with translation.override("zh-hans"):
        chinese = trades.error_lines
    with translation.override("en"):
        english = trades.error_lines

    assert english == ["wrong row count: 5 (the manifest announced 6)"]
    assert chinese != english and "5" in chinese[0] and "6" in chinese[0]


def test_a_file_recorded_before_keeps_its_text():
    record = IntakeFile(errors="3:amount: 金额格式错误：不允许使用加号")

    assert record.error_lines == ["3:amount: 金额格式错误：不允许使用加号"]


def test_an_impossible_business_date_in_the_manifest_is_not_a_real_date(night):
    paths = drop_set(D2)
    data = json.loads(paths["manifest"].read_text())
    paths["manifest"].write_text(json.dumps({**data, "business_date": "2026-02-30"}))
    inbox_set = next(s for s in inbox_sets(inbox_dir()) if s.business_date == D2)

    with pytest.raises(SetRefused) as refused:
        manifest_read(inbox_set)

    assert 'not a real date: "2026-02-30"' in str(refused.value)
