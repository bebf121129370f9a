"""A header row as other systems write it: names in upper or mixed case, padded (full-width spaces
too), quoted, in full-width letters, after a byte order mark in UTF-8 or GB18030 or under an
encoding named on the command line. Each imports as the plain header does, on both import paths;
an unknown column is still named as written, and a binary header never reaches a report raw."""

import io

import pytest

from clients.corebanking import parse
from clients.corebanking.importer import corebanking_import
from clients.models import Balance, Client, Trade
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

ROWS = {
    "clients": "C002,王芳,personal,,13800138000,,SH001,2020-01-01,true",
    "balances": "C001,A001,2026-11-01,100.00",
    "trades": "T001,C001,A001,2026-11-01T10:00:00,100.00",
}
HEADERS = {
    "upper": lambda names: ",".join(n.upper() for n in names),
    "title": lambda names: ",".join(n.title() for n in names),
    "padded": lambda names: ", ".join(f" {n}\u3000" for n in names),
    "quoted": lambda names: ",".join(f'"{n}"' for n in names),
    "full-width": lambda names: ",".join(
        "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in n) for n in names
    ),
    "two-boms": lambda names: "\ufeff" + ",".join(names),
}
ENCODINGS = {
    "utf-8-bom": (lambda text: b"\xef\xbb\xbf" + text.encode(), None),
    "gb18030-bom": (lambda text: "\ufeff".encode("gb18030") + text.encode("gb18030"), None),
    "named-utf-8": (lambda text: b"\xef\xbb\xbf" + text.encode(), "utf-8"),
    "named-gb18030": (lambda text: "\ufeff".encode("gb18030") + text.encode("gb18030"), "gb18030"),
}


@pytest.fixture
def known(db):
    client = ClientFactory(client_no="C001", branch=BranchFactory(code="SH001"))
    AccountFactory(account_no="A001", client=client)


def imported(kind: str) -> int:
    return {"clients": Client, "balances": Balance, "trades": Trade}[kind].objects.count()


@pytest.mark.parametrize("kind", parse.KINDS)
@pytest.mark.parametrize("header", list(HEADERS))
def test_a_header_written_another_way_imports(known, kind, header):
    before = imported(kind)
    text = HEADERS[header](parse.COLUMNS[kind]) + "\n" + ROWS[kind] + "\n"
    report = corebanking_import(kind=kind, file=io.BytesIO(text.encode()))
    assert report.ok, [str(e) for e in report.errors]
    assert imported(kind) == before + 1


@pytest.mark.parametrize("kind", parse.KINDS)
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_byte_order_mark_in_any_encoding_is_not_part_of_the_first_name(known, kind, encoding):
    before = imported(kind)
    make, named = ENCODINGS[encoding]
    text = ",".join(parse.COLUMNS[kind]) + "\n" + ROWS[kind] + "\n"
    report = corebanking_import(kind=kind, file=io.BytesIO(make(text)), encoding=named)
    assert report.ok, [str(e) for e in report.errors]
    assert imported(kind) == before + 1


def test_an_unknown_column_is_named_as_written(known):
    text = ",".join(parse.COLUMNS["balances"]) + ", Branch_Note \n" + ROWS["balances"] + ",x\n"
    report = corebanking_import(kind="balances", file=io.BytesIO(text.encode()))
    assert [e.reason for e in report.errors] == ['unknown column: "Branch_Note"']


def test_a_binary_header_is_reported_without_its_control_characters(known):
    data = b"\x00\x01\x02garbage\x00," + ",".join(parse.COLUMNS["balances"]).encode() + b"\n"
    report = corebanking_import(kind="balances", file=io.BytesIO(data))
    assert not report.ok
    assert not parse.CONTROL.search(str(report.errors))
    assert 'unknown column: "\ufffd\ufffd\ufffdgarbage\ufffd"' in [e.reason for e in report.errors]


@pytest.mark.parametrize(
    "tail",
    ["\n\n\n", ",,,\n", ",,,,,,,,\n,,,,,,,,\n", " , , \n\n", "\r\n,,,,\r\n"],
    ids=["blank-lines", "short-empty-row", "empty-rows", "spaces", "crlf"],
)
@pytest.mark.parametrize("kind", parse.KINDS)
def test_rows_a_spreadsheet_left_empty_are_not_rows(known, kind, tail):
    before = imported(kind)
    text = ",".join(parse.COLUMNS[kind]) + "\n" + ROWS[kind] + "\n" + tail
    report = corebanking_import(kind=kind, file=io.BytesIO(text.encode()))
    assert report.ok, [str(e) for e in report.errors]
    assert (report.rows, imported(kind)) == (1, before + 1)


def test_an_empty_row_between_rows_keeps_the_lines_of_the_rows_after_it(known):
    text = ",".join(parse.COLUMNS["balances"]) + "\n,,,\n" + "C001,A001,2026-11-01,1.001\n"
    report = corebanking_import(kind="balances", file=io.BytesIO(text.encode()))
    assert [(e.line, e.column) for e in report.errors] == [(3, "balance")]
