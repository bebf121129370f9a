"""Dates in imported files (issue 14, finding 4): a day the calendar does not have is "not a real
date (2026-02-30)", a date written in another form still says the format expected; every date
column of every import goes through one helper (``core.dates.parse_iso_date``)."""

import datetime

import pytest
import time_machine

from clients.corebanking import parse
from core.dates import InvalidDate, parse_iso_date
from tests.clients.test_corebanking_import import BALANCES_HEADER, CLIENTS_HEADER
from tests.clients.test_corebanking_real_world import run, written
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

TRADES_HEADER = "trade_id,client_no,account_no,executed_at,amount\n"
NOT_REAL = ["2026-02-30", "2025-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00"]
BAD_FORMAT = ["2026/02/28", "28-02-2026", "2026-2-28", "20260228", "2026-02-28x", "２０２６-02-28"]


@pytest.fixture(autouse=True)
def _world(db):
    branch = BranchFactory(code="SH001")
    client = ClientFactory(client_no="C001", branch=branch)
    AccountFactory(client=client, account_no="6222001")
    with time_machine.travel(datetime.datetime(2026, 11, 29, 4, 0, tzinfo=datetime.UTC)):
        yield


def _file(column: str, value: str) -> tuple[str, str]:
    if column == "relationship_since":
        return "clients", CLIENTS_HEADER + f"C002,王芳,personal,,,,SH001,{value},true\n"
    if column == "as_of":
        return "balances", BALANCES_HEADER + f"C001,6222001,{value},100.00\n"
    return "trades", TRADES_HEADER + f"T1,C001,6222001,{value}T10:00:00,100.00\n"


DATE_COLUMNS = ["relationship_since", "as_of", "executed_at"]


def test_every_date_column_of_every_import_is_listed_here():
    columns = {c for kind in parse.KINDS for c in parse.COLUMNS[kind]}
    assert {c for c in columns if c in ("relationship_since", "as_of", "executed_at")} == set(
        DATE_COLUMNS
    )


@pytest.mark.parametrize("column", DATE_COLUMNS)
@pytest.mark.parametrize("value", NOT_REAL)
def test_an_impossible_date_is_not_a_real_date(column, value):
    kind, text = _file(column, value)

    report = run(kind, text.encode())

    assert [(e.line, e.column, e.reason) for e in report.errors] == [
        (2, column, f'not a real date: "{value}"')
    ]
    assert written() == (1, 1, 0, 0)


@pytest.mark.parametrize("column", ["relationship_since", "as_of"])
@pytest.mark.parametrize("value", BAD_FORMAT)
def test_a_badly_written_date_says_the_format(column, value):
    kind, text = _file(column, value)

    report = run(kind, text.encode())

    assert [(e.column, e.reason) for e in report.errors] == [
        (column, f'bad date: "{value}" (expected YYYY-MM-DD)')
    ]


def test_a_badly_written_instant_says_its_format():
    report = run("trades", (TRADES_HEADER + "T1,C001,6222001,2026/02/28 10:00,1.00\n").encode())

    assert [e.reason for e in report.errors] == [
        'bad date and time: "2026/02/28 10:00" (expected ISO 8601)'
    ]


def test_the_helper_tells_the_two_apart():
    assert parse_iso_date("2024-02-29") == datetime.date(2024, 2, 29)
    with pytest.raises(InvalidDate) as impossible:
        parse_iso_date("2026-02-30")
    assert str(impossible.value) == 'not a real date: "2026-02-30"'
    with pytest.raises(InvalidDate) as badly_written:
        parse_iso_date("2026-2-3")
    assert str(badly_written.value) == 'bad date: "2026-2-3" (expected YYYY-MM-DD)'
