"""A NUL character in any field of a core-banking file is a row error with its line, column and
reason, and nothing is written (issue 14: bad input changes nothing). It used to fail the whole
upload on PostgreSQL with the driver's error ("CharacterNotInRepertoire: invalid byte sequence for
encoding UTF8: 0x00", the intake job likewise) and, on SQLite, to be stored in the client's name.
Generated over every column of every kind; runs on SQLite and PostgreSQL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from clients.corebanking.importer import corebanking_import
from clients.corebanking.parse import COLUMNS
from clients.models import Balance, Client, CorebankingUpload, Trade, UploadStatus
from core.messages import quoted
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "clients": {
        "client_no": "C001",
        "name": "王芳",
        "kind": "personal",
        "id_number": "310101198001010011",
        "phone": "13800138000",
        "email": "wf@mail.example",
        "branch_code": "SH001",
        "relationship_since": "2020-01-01",
        "good_standing": "true",
    },
    "balances": {"client_no": "C009", "account_no": "A009", "as_of": "2026-11-01", "balance": "1"},
    "trades": {
        "trade_id": "T1",
        "client_no": "C009",
        "account_no": "A009",
        "executed_at": "2026-11-01T10:00:00+08:00",
        "amount": "1.00",
    },
}
CASES = [(kind, column) for kind, columns in COLUMNS.items() for column in columns]


@pytest.fixture
def bank(db):
    branch = BranchFactory(code="SH001")
    AccountFactory(account_no="A009", client=ClientFactory(client_no="C009", branch=branch))


def _file(kind: str, column: str) -> bytes:
    values = dict(GOOD[kind])
    values[column] = values[column][:1] + "\x00" + values[column][1:]
    header = ",".join(COLUMNS[kind])
    return f"{header}\n{','.join(values[c] for c in COLUMNS[kind])}\n".encode()


def _written() -> tuple[int, int, int]:
    return Client.objects.count(), Balance.objects.count(), Trade.objects.count()


@pytest.mark.parametrize(("kind", "column"), CASES)
def test_a_nul_character_in_any_field_is_that_fields_row_error(bank, kind, column):
    before = _written()

    report = corebanking_import(kind=kind, file=io.BytesIO(_file(kind, column)))

    assert not report.ok
    assert (report.errors[0].line, report.errors[0].column) == (2, column)
    assert "U+0000" in report.errors[0].reason  # the control-character rule (CONTROL)
    assert _written() == before


def test_the_upload_page_shows_the_row_error(bank, login, supervisor):
    content = _file("clients", "name")

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = login(supervisor).post(
            reverse("clients:import"),
            {"kind": "clients", "encoding": "", "file": SimpleUploadedFile("c.csv", content)},
        )

    upload = CorebankingUpload.objects.get()
    assert upload.status == UploadStatus.REJECTED, upload.error
    page = login(supervisor).get(response.url).content.decode()
    assert "U+0000" in page and "王\ufffd芳" in page
    assert not Client.objects.filter(client_no="C001").exists()


def test_a_quoted_value_shows_a_nul_as_backslash_zero():
    assert quoted("a\x00b") == "a\\0b"
