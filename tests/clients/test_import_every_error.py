"""Every error of every row (issue 14, finding 1): a row with an unknown branch and another bad
field reports both, whichever check finds each (the row's own parse or the whole-file checks on
the staging table), and the summary counts rows with errors and errors apart. Nothing is written.
"""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.clients.test_corebanking_import import BALANCES_HEADER, CLIENTS_HEADER
from tests.clients.test_corebanking_real_world import run, written
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

TRADES_HEADER = "trade_id,client_no,account_no,executed_at,amount\n"


@pytest.fixture
def sh001(db):
    return BranchFactory(code="SH001")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 4, 0, tzinfo=datetime.UTC)):
        yield


def errors(report) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in report.errors]


def test_an_unknown_branch_and_a_bad_date_on_one_row_are_both_reported(sh001):
    text = CLIENTS_HEADER + "C001,王芳,personal,,,,XX999,2026-13-01,true\n"

    report = run("clients", text.encode())

    assert errors(report) == [(2, "branch_code"), (2, "relationship_since")]
    assert (report.bad_rows, report.error_count) == (1, 2)
    assert written() == (0, 0, 0, 0)


def test_every_check_reports_on_rows_that_failed_another(sh001):
    text = CLIENTS_HEADER + (
        "C001,王芳,personal,,,,SH001,2020-01-01,true\n"
        # kind, good_standing (parse) + unknown branch (whole file)
        "C002,李四,retail,,,,XX999,2020-01-01,maybe\n"
        # e-mail (parse) + duplicate of line 2 (whole file)
        "C001,王芳,personal,,,wang@,SH001,2020-01-01,true\n"
        # name required (parse), no other
        "C003,,personal,,,,SH001,2020-01-01,true\n"
    )

    report = run("clients", text.encode())

    assert errors(report) == [
        (3, "branch_code"),
        (3, "good_standing"),
        (3, "kind"),
        (4, "client_no"),
        (4, "email"),
        (5, "name"),
    ]
    assert (report.rows, report.bad_rows, report.error_count) == (4, 3, 6)
    assert written() == (0, 0, 0, 0)


def test_a_required_or_bad_key_is_not_also_an_unknown_one(sh001):
    text = CLIENTS_HEADER + (
        ",王芳,personal,,,,,2020-01-01,true\n"
        + ("C" * 40)
        + ",李四,personal,,,,SH001,2020-01-01,true\n"
    )

    report = run("clients", text.encode())

    assert errors(report) == [(2, "branch_code"), (2, "client_no"), (3, "client_no")]
    assert [e.reason for e in report.errors] == [
        "missing value (required)",
        "missing value (required)",
        f'too long: "{"C" * 40}" (40 characters, at most 32)',
    ]


def test_a_balance_of_an_unknown_client_with_a_bad_amount_reports_both(sh001):
    ClientFactory(client_no="C001", branch=sh001)
    text = BALANCES_HEADER + (
        "C001,6222001,2026-11-01,1000000.00\nC404,6222002,2026-02-30,1,000.00\n".replace(
            "1,000.00", '"1,000.00"'
        )
        + "C001,6222001,2026-11-01,5.00\n"
    )

    report = run("balances", text.encode())

    assert errors(report) == [
        (3, "as_of"),
        (3, "balance"),
        (3, "client_no"),
        (4, "account_no+as_of"),
    ]
    assert (report.bad_rows, report.error_count) == (2, 4)
    assert written() == (1, 0, 0, 0)


def test_a_trade_on_another_clients_account_with_a_bad_instant_reports_both(sh001):
    owner = ClientFactory(client_no="C001", branch=sh001)
    ClientFactory(client_no="C002", branch=sh001)
    AccountFactory(client=owner, account_no="6222001")
    text = TRADES_HEADER + (
        "T1,C001,6222001,2026-11-01T10:00:00,100.00\n"
        "T2,C002,6222001,2026-11-01T25:00:00,+5\n"
        "T1,C001,6222001,2026-11-02T10:00:00,100.00\n"
    )

    report = run("trades", text.encode())

    # The account is C001's in the database and on line 2 of the file: two reasons.
    assert errors(report) == [
        (3, "account_no"),
        (3, "account_no"),
        (3, "amount"),
        (3, "executed_at"),
        (4, "trade_id"),
    ]
    assert (report.bad_rows, report.error_count) == (2, 5)


def test_the_command_lists_every_error_and_counts_rows_and_errors_apart(sh001, tmp_path, capsys):
    path = tmp_path / "clients.csv"
    path.write_text(
        CLIENTS_HEADER
        + "C001,王芳,personal,,,,XX999,2026-02-30,true\nC002,李四,personal,,,,SH001,2020-01-01,x\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as refused:
        call_command("import_corebanking", "clients", str(path))

    err = capsys.readouterr().err
    assert "line 2, column branch_code: unknown branch" in err
    assert 'line 2, column relationship_since: not a real date: "2026-02-30"' in err
    assert "line 3, column good_standing:" in err
    assert "3 errors in 2 of 2 rows" in str(refused.value)
    assert written() == (0, 0, 0, 0)
