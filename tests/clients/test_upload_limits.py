"""Core-banking uploads have limits with clear messages (issue 13): a size limit (setting, 100 MB by
default), a field over the csv module's limit is a row error, not a 500 or a traceback, and a header
has at most 50 columns. Nothing is written in any of these cases."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from clients.corebanking.importer import corebanking_import
from clients.models import Client
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"


@pytest.fixture
def sh001(db):
    return BranchFactory(code="SH001")


def upload(http, content: bytes):
    file = SimpleUploadedFile("clients.csv", content, content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = http.post(
            reverse("clients:import"),
            {"kind": "clients", "file": file, "encoding": ""},
        )
    return http.get(response.url) if response.status_code == 302 else response


def test_the_upload_size_limit_is_a_setting_with_a_clear_message(login, supervisor, settings):
    settings.CORE_BANKING_UPLOAD_MAX_BYTES = 1000
    response = upload(login(supervisor), (HEADER + "x" * 2000).encode())
    assert response.status_code == 200
    assert "uploads are limited to" in response.content.decode()
    assert not Client.objects.exists()


def test_the_default_limit_is_100_mb(settings):
    assert settings.CORE_BANKING_UPLOAD_MAX_BYTES == 100_000_000


@pytest.mark.parametrize("column", ["name", "email", "id_number"])
def test_a_200000_character_field_is_a_row_error(sh001, column, login, supervisor):
    values = {
        "name": "王芳",
        "email": "wf@mail.example",
        "id_number": "310101198001010011",
    }
    values[column] = "x" * 200_000
    row = f"C001,{values['name']},personal,{values['id_number']},,{values['email']},SH001,2020-01-01,true\n"
    report = corebanking_import(kind="clients", file=io.BytesIO((HEADER + row).encode()))
    assert not report.ok
    assert "131072" in report.errors[0].reason
    assert report.errors[0].line == 2
    response = upload(login(supervisor), (HEADER + row).encode())
    assert response.status_code == 200
    assert "131072" in response.content.decode()
    assert not Client.objects.exists()


def test_the_command_reports_a_long_field_without_a_traceback(sh001, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text(HEADER + "C001," + "x" * 200_000 + ",personal,,,,SH001,2020-01-01,true\n")
    with pytest.raises(CommandError) as failure:
        call_command("import_corebanking", "clients", str(path))
    assert failure.value.returncode == 1
    assert not Client.objects.exists()


def test_a_header_with_too_many_columns_is_one_error(sh001):
    header = HEADER.strip() + "," + ",".join(f"extra{n}" for n in range(10_000)) + "\n"
    report = corebanking_import(kind="clients", file=io.BytesIO(header.encode()))
    assert len(report.errors) == 1
    assert "at most 50" in report.errors[0].reason
