"""Files that are not CSV text, and values no text holds: an Excel workbook saved instead of
exported, an archive, UTF-16 (Excel's "Unicode text"), a PDF, and NUL or other control characters
in any field of any kind of file. Each is refused with its line, column and reason, nothing
written, and never a crash (PostgreSQL cannot store a NUL: the import used to fail there). Runs on
SQLite and on PostgreSQL (the COPY fast path must leave them to the row-by-row report)."""

import gzip
import io
import zipfile

import pytest

from clients.corebanking import parse
from clients.corebanking.importer import corebanking_import
from clients.models import Balance, Client, Trade
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

ROWS = {
    "clients": "C001,王芳,personal,,13800138000,,SH001,2020-01-01,true",
    "balances": "C001,A001,2026-11-01,100.00",
    "trades": "T001,C001,A001,2026-11-01T10:00:00,100.00",
}


def csv_text(kind: str, row: str | None = None) -> str:
    return ",".join(parse.COLUMNS[kind]) + "\n" + (row or ROWS[kind]) + "\n"


def xlsx(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", csv_text(kind))
    return out.getvalue()


NOT_CSV = {
    "xlsx": (xlsx, "an Excel workbook (XLSX) or a zip archive"),
    "xls": (lambda kind: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "(XLS)"),
    "utf-16": (lambda kind: csv_text(kind).encode("utf-16"), "UTF-16"),
    "utf-16-be": (lambda kind: b"\xfe\xff" + csv_text(kind).encode("utf-16-be"), "UTF-16"),
    "pdf": (lambda kind: b"%PDF-1.7\n" + csv_text(kind).encode(), "a PDF document"),
    "gzip": (lambda kind: gzip.compress(csv_text(kind).encode()), "a gzip archive"),
}


@pytest.fixture
def known(db):
    client = ClientFactory(client_no="C001", branch=BranchFactory(code="SH001"))
    AccountFactory(account_no="A001", client=client)


def written() -> tuple:
    return Client.objects.count(), Balance.objects.count(), Trade.objects.count()


@pytest.mark.parametrize("kind", parse.KINDS)
@pytest.mark.parametrize("made", list(NOT_CSV))
def test_a_file_that_is_not_csv_is_refused_whole_saying_what_it_is(known, kind, made):
    build, what = NOT_CSV[made]
    before = written()
    report = corebanking_import(kind=kind, file=io.BytesIO(build(kind)))
    assert not report.ok
    [error] = report.errors
    assert (error.line, error.column) == (1, "")
    assert "not a CSV file" in error.reason and what in error.reason
    assert written() == before


def test_utf_16_is_read_when_its_encoding_is_named(known):
    data = csv_text("clients").encode("utf-16")
    report = corebanking_import(kind="clients", file=io.BytesIO(data), encoding="utf-16")
    assert report.ok, [str(e) for e in report.errors]


CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f"]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
@pytest.mark.parametrize("kind", parse.KINDS)
def test_a_control_character_in_any_field_is_a_bad_value(known, kind, control):
    before = written()
    columns = parse.COLUMNS[kind]
    for index, column in enumerate(columns):
        values = ROWS[kind].split(",")
        values[index] = values[index][:1] + control + values[index][1:]
        report = corebanking_import(
            kind=kind, file=io.BytesIO(csv_text(kind, ",".join(values)).encode())
        )
        assert not report.ok, column
        bad = [e for e in report.errors if e.column == column]
        assert [e.line for e in bad] == [2], (column, [str(e) for e in report.errors])
        assert f"U+{ord(control):04X}" in bad[0].reason
        assert "\x00" not in str(report.errors)
    assert written() == before
