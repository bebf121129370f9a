"""Core-banking import (SPEC section 2): all or nothing, every bad row reported, idempotent."""

import datetime
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from clients.corebanking.importer import corebanking_import
from clients.corebanking.parse import parse_money
from clients.models import Account, Balance, Client, Trade
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

CLIENTS_HEADER = (
    "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
)


def run(kind: str, text: str, encoding: str = "utf-8", **kwargs):
    return corebanking_import(kind=kind, file=io.BytesIO(text.encode(encoding)), **kwargs)


@pytest.fixture
def sh001(db):
    return BranchFactory(code="SH001")


def good_clients_file() -> str:
    return (
        CLIENTS_HEADER
        + "C001,王芳,personal,310101198001010011,+86 138-0013-8000,wf@mail.example,SH001,2020-01-01,true\n"
        + "C002,上海华信贸易有限公司,corporate,,,,SH001,2019-06-30,false\n"
    )


def test_clients_file_creates_clients_with_normalised_phone(sh001):
    report = run("clients", good_clients_file())
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    wang = Client.objects.get(client_no="C001")
    assert wang.phone_normalized == "+8613800138000"
    assert wang.branch == sh001
    assert wang.good_standing is True
    assert Client.objects.get(client_no="C002").kind == "corporate"


def test_importing_the_same_file_twice_changes_nothing(sh001):
    run("clients", good_clients_file())
    before = list(Client.objects.values_list("client_no", "name", "updated_at"))
    report = run("clients", good_clients_file())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Client.objects.values_list("client_no", "name", "updated_at")) == before


def test_changed_row_is_updated(sh001):
    run("clients", good_clients_file())
    report = run("clients", good_clients_file().replace("王芳", "王芳芳"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Client.objects.get(client_no="C001").name == "王芳芳"


def test_gb18030_file_is_detected(sh001):
    report = run("clients", good_clients_file(), encoding="gb18030")
    assert report.ok
    assert report.encoding == "gb18030"
    assert Client.objects.get(client_no="C001").name == "王芳"


def test_utf8_file_with_bom_is_read(sh001):
    report = corebanking_import(
        kind="clients", file=io.BytesIO(b"\xef\xbb\xbf" + good_clients_file().encode())
    )
    assert report.ok
    assert Client.objects.count() == 2


def test_explicit_encoding_is_used(sh001):
    report = corebanking_import(
        kind="clients", file=io.BytesIO(good_clients_file().encode("gb18030")), encoding="gb18030"
    )
    assert report.ok and report.encoding == "gb18030"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("C009,李四,retail,,,,SH001,2020-01-01,true", "kind", 'bad kind: "retail"'),
        (
            "C009,李四,personal,,,,SH001,2020-13-01,true",
            "relationship_since",
            'not a real date: "2020-13-01"',
        ),
        (
            "C009,李四,personal,,,,SH001,2020/01/01,true",
            "relationship_since",
            'bad date: "2020/01/01"',
        ),
        ("C009,李四,personal,,,,SH001,2020-01-01,yes", "good_standing", 'bad good_standing: "yes"'),
        ("C009,李四,personal,,,,XX999,2020-01-01,true", "branch_code", 'unknown branch: "XX999"'),
        ("C009,,personal,,,,SH001,2020-01-01,true", "name", "missing value (required)"),
        (
            "C009,李四,personal,,,not-an-email,SH001,2020-01-01,true",
            "email",
            'bad e-mail address: "not-an-email"',
        ),
        ("C001,李四,personal,,,,SH001,2020-01-01,true", "client_no", 'duplicate key: "C001"'),
        ("C009,李四,personal,,,,SH001,2020-01-01", "", "wrong number of fields: 8 (expected 9)"),
    ],
)
def test_a_bad_clients_row_rejects_the_whole_file(sh001, row, column, reason):
    report = run("clients", good_clients_file() + row + "\n")
    assert not report.ok
    assert Client.objects.count() == 0
    [error] = report.errors
    assert error.line == 4
    assert error.column == column
    assert reason in error.reason


def test_every_bad_row_is_reported_with_its_line(sh001):
    text = (
        CLIENTS_HEADER
        + "C001,王芳,personal,,,,SH001,2020-01-01,true\n"
        + "C002,李四,retail,,,,SH001,2020-01-01,maybe\n"
        + "C003,张三,personal,,,,SH001,2020-01-01,true\n"
        + "C001,王芳,personal,,,,SH001,2020-01-01,true\n"
    )
    report = run("clients", text)
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "good_standing"),
        (3, "kind"),
        (5, "client_no"),
    ]
    assert Client.objects.count() == 0


def test_unknown_and_missing_columns_are_reported_on_the_header(sh001):
    report = run("clients", "client_no,name,kind,nickname\nC1,a,personal,b\n")
    reasons = {(e.line, e.column, e.reason) for e in report.errors}
    assert (1, "nickname", 'unknown column: "nickname"') in reasons
    assert (1, "branch_code", 'missing column: "branch_code"') in reasons
    assert Client.objects.count() == 0


@pytest.fixture
def wang(sh001):
    return ClientFactory(client_no="C001", branch=sh001)


BALANCES_HEADER = "client_no,account_no,as_of,balance\n"


def test_balances_create_accounts_and_upsert(wang):
    text = (
        BALANCES_HEADER + "C001,6222001,2026-11-01,1000000.00\nC001,6222001,2026-11-02,1200000.5\n"
    )
    report = run("balances", text)
    assert report.ok, report.errors
    assert (report.created, report.accounts_created) == (2, 1)
    account = Account.objects.get(account_no="6222001")
    assert account.client == wang
    assert sorted(account.balances.values_list("balance", flat=True)) == [
        Decimal("1000000.00"),
        Decimal("1200000.50"),
    ]
    again = run("balances", text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = run("balances", text.replace("1200000.5", "1300000"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Balance.objects.get(as_of=datetime.date(2026, 11, 2)).balance == Decimal("1300000.00")


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("C001,6222001,2026-11-03,12.345", "balance", "more than 2 decimal places"),
        ("C001,6222001,2026-11-03,12a", "balance", 'bad amount: "12a" (not a number)'),
        ("C001,6222001,03/11/2026,12", "as_of", 'bad date: "03/11/2026"'),
        ("C404,6222404,2026-11-03,12", "client_no", 'unknown client: "C404"'),
        ("C001,6222001,2026-11-01,12", "account_no+as_of", 'duplicate key: "6222001 2026-11-01"'),
        ("C001,6229999,2026-11-03,12", "account_no", 'account of another client: "6229999"'),
    ],
)
def test_a_bad_balances_row_rejects_the_file(wang, row, column, reason):
    AccountFactory(account_no="6229999", client=ClientFactory(client_no="C777", branch=wang.branch))
    text = BALANCES_HEADER + "C001,6222001,2026-11-01,1000000.00\n" + row + "\n"
    report = run("balances", text)
    assert not report.ok
    [error] = report.errors
    assert (error.line, error.column) == (3, column)
    assert reason in error.reason
    assert Balance.objects.count() == 0
    assert not Account.objects.filter(account_no="6222001").exists()


def test_a_new_account_claimed_by_two_clients_in_one_file_is_a_bad_row(wang):
    ClientFactory(client_no="C002", branch=wang.branch)
    text = BALANCES_HEADER + "C001,6222001,2026-11-01,1\nC002,6222001,2026-11-02,1\n"
    report = run("balances", text)
    assert [(e.line, e.column) for e in report.errors] == [(3, "account_no")]


TRADES_HEADER = "trade_id,client_no,account_no,executed_at,amount\n"


def test_trades_without_offset_are_shanghai_time_and_reimport_is_a_no_op(wang):
    text = (
        TRADES_HEADER
        + "T1,C001,6222001,2026-11-01T00:30:00,100.00\n"
        + "T2,C001,6222001,2026-11-01T10:00:00+00:00,-50\n"
    )
    report = run("trades", text)
    assert report.ok, report.errors
    assert report.created == 2
    t1 = Trade.objects.get(trade_id="T1")
    assert t1.executed_at == datetime.datetime(2026, 10, 31, 16, 30, tzinfo=datetime.UTC)
    assert t1.client == wang
    assert Trade.objects.get(trade_id="T2").amount == Decimal("-50.00")
    again = run("trades", text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_bad_trade_time_is_reported(wang):
    report = run("trades", TRADES_HEADER + "T1,C001,6222001,yesterday,100.00\n")
    assert [(e.line, e.column) for e in report.errors] == [(2, "executed_at")]
    assert Trade.objects.count() == 0


def test_command_exits_0_with_a_summary(sh001, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text(good_clients_file(), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_corebanking", "clients", str(path), stdout=out, stderr=err)
    assert "2 created" in out.getvalue()
    assert "rows/s" in err.getvalue()


def test_an_import_from_the_command_line_is_audited_like_one_from_the_page(sh001, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text(good_clients_file(), encoding="utf-8")
    call_command(
        "import_corebanking", "clients", str(path), stdout=io.StringIO(), stderr=io.StringIO()
    )
    entry = LogEntry.objects.get(changes_text="clients.corebanking_import")
    assert entry.actor is None
    assert entry.additional_data | {"kind": "clients", "file": "clients.csv", "ok": True} == (
        entry.additional_data
    )


def test_command_exits_1_with_row_errors_on_stderr(sh001, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text(
        good_clients_file() + "C3,x,retail,,,,SH001,2020-01-01,true\n", encoding="gb18030"
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_corebanking",
            "clients",
            str(path),
            "--encoding",
            "gb18030",
            stderr=err,
            stdout=io.StringIO(),
        )
    assert excinfo.value.returncode == 1
    assert "line 4, column kind" in err.getvalue()
    assert Client.objects.count() == 0


def test_balances_import_refreshes_the_clients_total_assets(wang):
    other = ClientFactory(client_no="C002", branch=wang.branch, total_assets=Decimal("5.00"))
    today = datetime.date.today().isoformat()
    run(
        "balances",
        BALANCES_HEADER + f"C001,6222001,{today},700000.10\nC001,6222002,{today},300000.00\n",
    )
    wang.refresh_from_db()
    other.refresh_from_db()
    assert wang.total_assets == Decimal("1000000.10")
    assert other.total_assets == Decimal("5.00")  # not in the file: untouched


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("9999999999999999.99", Decimal("9999999999999999.99")),
        ("-0.5", Decimal("-0.50")),
        ("12", Decimal("12.00")),
        ("-9999999999999999.99", Decimal("-9999999999999999.99")),
        ("0.1", Decimal("0.10")),
    ],
)
def test_amounts_up_to_16_integer_digits_and_2_places_are_read_exactly(text, amount):
    parsed = parse_money(text)
    assert parsed == amount
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("10000000000000000", "more than 16 digits before the decimal point"),
        ("1.001", "more than 2 decimal places"),
        ("1e-3", "an exponent"),
        ("NaN", "not a number"),
        ("1,000", "digit separators are not allowed"),
        ("1,000,000.00", "digit separators are not allowed"),
        ("1.23457E+11", "an exponent"),
        ("1e3", "an exponent"),
        (" 100.00 ", "spaces before or after the number"),
        ("+12", "a plus sign is not allowed"),
        ("7.", "not a number"),
        (".5", "not a number"),
        ("１２", "full-width or typographic characters"),
        ("١٢", "not a number"),
        ("１,０００.００", "full-width or typographic characters"),
        ("−100.00", "full-width or typographic characters"),  # a typographic minus
        ("¥100.00", "a currency sign or unit is not allowed"),
        ("￥100.00", "a currency sign or unit is not allowed"),
        ("RMB 100.00", "a currency sign or unit is not allowed"),
        ("100.00元", "a currency sign or unit is not allowed"),
        ("CNY100", "a currency sign or unit is not allowed"),
        ("(100.00)", "a negative amount is written with a leading minus"),
        ("100.00-", "a negative amount is written with a leading minus"),
        ("1 000.00", "digit separators are not allowed"),
        ("1 000 000", "digit separators are not allowed"),
    ],
)
def test_amounts_outside_the_column_are_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_money(text)
