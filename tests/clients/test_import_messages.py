"""What the import tells staff when it refuses a file (issue 14): errors and rows counted apart,
in the uploader's language, and an encoding refusal that says what to do without codec names or
Python's own English."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from clients.models import Client

pytestmark = pytest.mark.django_db

HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
# Four rows: row 3 has two errors (kind, good_standing), row 5 repeats row 2's client number.
THREE_ERRORS_ON_TWO_OF_FOUR_ROWS = (
    HEADER
    + "C001,王芳,personal,,,,SH001,2020-01-01,true\n"
    + "C002,李四,retail,,,,SH001,2020-01-01,maybe\n"
    + "C003,张三,personal,,,,SH001,2020-01-01,true\n"
    + "C001,王芳,personal,,,,SH001,2020-01-01,true\n"
)
BIG5_FILE = HEADER + "C001,陳大文,personal,,,,SH001,2020-01-01,true\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(http, data: bytes, encoding: str = ""):
    """POST the file, let the worker's task run, and return the upload's page."""
    file = SimpleUploadedFile("clients.csv", data, content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = http.post(
            reverse("clients:import"), {"kind": "clients", "file": file, "encoding": encoding}
        )
    return http.get(response.url)


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("en", "Client file rejected: 3 errors in 2 of 4 rows. Nothing was written."),
        ("zh-hans", "客户资料文件已被拒绝：4 行中的 2 行有 3 处错误，未写入任何数据。"),
    ],
)
def test_the_summary_counts_errors_and_rows_apart(login, supervisor, branch, language, summary):
    page = upload(login(supervisor, language=language), THREE_ERRORS_ON_TWO_OF_FOUR_ROWS.encode())

    assert summary in page.content.decode()
    assert Client.objects.count() == 0


def test_one_error_in_one_row_is_singular_in_english(login, supervisor, branch):
    data = (HEADER + "C001,王芳,retail,,,,SH001,2020-01-01,true\n").encode()

    page = upload(login(supervisor), data).content.decode()

    assert "Client file rejected: 1 error in 1 of 1 row. Nothing was written." in page


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        ("en", "It looks like Big5: choose Big5 under Encoding on the upload page"),
        ("zh-hans", "该文件看起来是 Big5 编码：请在上传页面的“编码”中选择 Big5"),
    ],
)
def test_a_file_in_another_encoding_is_refused_with_advice_not_codec_names(
    login, supervisor, branch, language, advice
):
    page = upload(login(supervisor, language=language), BIG5_FILE.encode("big5")).content.decode()

    assert advice in page
    assert "--encoding big5hkscs" in page
    assert "U+" not in page and "private-use" not in page
    assert Client.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", "The file is not valid UTF-8 text. Choose the encoding it was written in"),
        ("zh-hans", "该文件不是有效的 UTF-8 文本。请在上传页面的“编码”中选择"),
    ],
)
def test_a_file_not_in_the_chosen_encoding_names_no_codec_and_no_python_text(
    login, supervisor, branch, language, reason
):
    data = (HEADER + "C001,王芳,personal,,,,SH001,2020-01-01,true\n").encode("gb18030")

    page = upload(login(supervisor, language=language), data, encoding="utf-8-sig")
    html = page.content.decode()

    assert reason in html
    assert "utf-8-sig" not in html.replace('value="utf-8-sig"', "")
    assert "invalid start byte" not in html and "utf-8-sig)" not in html
