"""Import rejection reasons are stored language-neutral (issue 14, finding 2): the message id and
its parameters, rendered in the language of whoever reads the upload's page, whatever language
its uploader had; uploads recorded before (reasons stored as translated text) still read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from clients.models import Client, CorebankingUpload, UploadStatus
from core.messages import Text, render
from tests.factories.core import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
# Unknown branch, an impossible date and a phone the bank cannot call back: a parameter each.
BAD = HEADER + "N1,王芳,personal,,12345,,XX999,2026-02-30,true\n"

ENGLISH = [
    "unknown branch: &quot;XX999&quot;",
    "not a real date: &quot;2026-02-30&quot;",
    "bad phone number: &quot;12345&quot; (incomplete",
]
CHINESE = ["未知网点：“XX999”", "不存在的日期：“2026-02-30”", "电话号码错误：“12345”（号码不完整"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    BranchFactory(code="SH001")


def uploaded_by(http) -> CorebankingUpload:
    file = SimpleUploadedFile("clients.csv", BAD.encode(), content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        http.post(reverse("clients:import"), {"kind": "clients", "file": file, "encoding": ""})
    return CorebankingUpload.objects.get()


@pytest.mark.parametrize(
    ("uploader_language", "reader_language", "expected", "not_expected"),
    [
        ("zh-hans", "en", ENGLISH, CHINESE),
        ("en", "zh-hans", CHINESE, ENGLISH),
    ],
)
def test_a_run_reads_in_the_readers_language_not_the_uploaders(
    login, supervisor, uploader_language, reader_language, expected, not_expected
):
    upload = uploaded_by(login(supervisor, language=uploader_language))
    assert upload.status == UploadStatus.REJECTED and upload.errors_total == 3
    reader = UserFactory(username="reader", branch=None, role=supervisor.role)

    page = login(reader, language=reader_language).get(upload.get_absolute_url())

    body = page.content.decode()
    for text in expected:
        assert text in body
    for text in not_expected:
        assert text not in body
    assert Client.objects.count() == 0


def test_the_stored_reasons_hold_message_ids_and_parameters(login, supervisor):
    upload = uploaded_by(login(supervisor, language="zh-hans"))

    stored = {column: reason for _line, column, reason in upload.errors}

    assert stored["relationship_since"] == {
        "msgid": 'not a real date: "%(value)s"',
        "params": {"value": "2026-02-30"},
    }
    assert stored["branch_code"] == {
        "msgid": 'unknown branch: "%(value)s"',
        "params": {"value": "XX999"},
    }
    assert "未" not in str(upload.errors)  # nothing stored in the uploader's language


def test_a_reason_inside_a_reason_is_rendered_in_the_same_language():
    reason = Text("bad decimal: %(why)s", {"why": Text("a plus sign is not allowed")})

    assert render(reason.to_json()) == "bad decimal: a plus sign is not allowed"
    assert Text.from_json(reason.to_json()) == reason


def test_an_upload_recorded_before_keeps_its_text(login, supervisor):
    upload = CorebankingUpload.objects.create(
        kind="clients",
        name="old.csv",
        requested_by=supervisor,
        status=UploadStatus.REJECTED,
        rows=1,
        errors=[[2, "branch_code", "未知网点"]],
        errors_total=1,
        bad_rows=1,
    )

    body = login(supervisor).get(upload.get_absolute_url()).content.decode()

    assert "未知网点" in body
    assert upload.error_rows == [(2, "branch_code", "未知网点")]
