"""Core-banking files as banks' systems really write them (issue 12, points 8-11): a file in
another encoding is refused whole with advice, amounts take exactly the SPEC's form, errors name
the line where their record starts, and impossible dates, phones and e-mails are bad values. Each
case runs on SQLite and on PostgreSQL (where the COPY fast path must refuse them too)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from clients.corebanking.importer import corebanking_import
from clients.models import Account, Balance, Client, Trade
from tests.clients.test_corebanking_import import CLIENTS_HEADER
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

BIG5_CLIENTS = CLIENTS_HEADER + (
    "C001,陳大文,personal,,,,SH001,2020-01-01,true\nC002,顯卡林,personal,,,,SH001,2021-03-04,true\n"
)


@pytest.fixture
def sh001(db):
    return BranchFactory(code="SH001")


def written() -> tuple:
    return (
        Client.objects.count(),
        Account.objects.count(),
        Balance.objects.count(),
        Trade.objects.count(),
    )


def run(kind: str, data: bytes, **kwargs):
    return corebanking_import(kind=kind, file=io.BytesIO(data), **kwargs)


def test_a_big5_file_is_refused_whole_with_encoding_advice(sh001, tmp_path, capsys):
    path = tmp_path / "clients.csv"
    path.write_bytes(BIG5_CLIENTS.encode("big5"))
    with pytest.raises(CommandError) as refused:
        call_command("import_corebanking", "clients", str(path))
    assert refused.value.returncode == 1
    err = capsys.readouterr().err
    assert "line 2, column -: The file is neither UTF-8 nor GB18030" in err
    assert "It looks like Big5: choose Big5 under Encoding on the upload page" in err
    assert "--encoding big5hkscs" in err
    assert "big5)" not in err and "U+" not in err  # no codec name, no Python wording
    assert written() == (0, 0, 0, 0)


def test_the_big5_file_imports_with_the_advised_encoding(sh001):
    report = run("clients", BIG5_CLIENTS.encode("big5"), encoding="big5hkscs")
    assert report.ok, report.errors
    assert list(Client.objects.order_by("client_no").values_list("name", flat=True)) == [
        "陳大文",
        "顯卡林",
    ]


def test_a_late_implausible_line_is_found_and_nothing_is_written(sh001):
    good = "".join(f"C{n:03d},王芳{n},personal,,,,SH001,2020-01-01,true\n" for n in range(50))
    data = (CLIENTS_HEADER + good).encode(
        "gb18030"
    ) + "C999,陳大文,personal,,,,SH001,2020-01-01,true\n".encode("big5")
    report = run("clients", data)
    assert [e.line for e in report.errors] == [52]
    assert written() == (0, 0, 0, 0)


def test_plausible_gb18030_and_rare_name_characters_are_still_read(sh001):
    # 𠮷 (CJK extension B) and 䶮 (extension A) are real name characters, not garbage.
    text = CLIENTS_HEADER + "C001,𠮷野䶮,personal,,,,SH001,2020-01-01,true\n"
    report = run("clients", text.encode("gb18030"))
    assert report.ok, report.errors
    assert report.encoding == "gb18030"
    assert Client.objects.get().name == "𠮷野䶮"


@pytest.fixture
def account(db):
    return AccountFactory(client=ClientFactory(client_no="C001"), account_no="6222001")


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("1.23457E+11", 'bad amount: "1.23457E+11" (an exponent, as Excel shows long numbers'),
        (" 100.00 ", 'bad amount: " 100.00 " (spaces before or after the number)'),
        ('"1,000,000.00"', 'bad amount: "1,000,000.00" (digit separators are not allowed)'),
        ("+100", 'bad amount: "+100" (a plus sign is not allowed)'),
        (".5", 'bad amount: ".5" (not a number)'),
        ("100.", 'bad amount: "100." (not a number)'),
        (
            "１００",
            'bad amount: "１００" (full-width or typographic characters: write ASCII digits and a - sign)',
        ),
        ("1.005", 'bad amount: "1.005" (more than 2 decimal places)'),
    ],
)
def test_amounts_take_exactly_the_specs_form(account, amount, reason):
    data = f"client_no,account_no,as_of,balance\nC001,6222001,2026-11-01,{amount}\n".encode()
    report = run("balances", data)
    assert [(e.line, e.column) for e in report.errors] == [(2, "balance")]
    assert report.errors[0].reason.startswith(reason)
    assert not report.copied
    assert written() == (1, 1, 0, 0)


def test_trade_amounts_are_as_strict(account):
    data = (
        b"trade_id,client_no,account_no,executed_at,amount\n"
        b"T1,C001,6222001,2026-11-01T10:00,12\n"
        b"T2,C001,6222001,2026-11-01T10:00,1.2E+3\n"
    )
    report = run("trades", data)
    assert [(e.line, e.column) for e in report.errors] == [(3, "amount")]
    assert written() == (1, 1, 0, 0)


def test_an_error_names_the_line_where_its_record_starts(sh001):
    text = CLIENTS_HEADER + (
        'C001,"王芳\n（外籍）",retail,,,,SH001,2020-01-01,true\n'
        "C002,李强,personal,,,,SH001,2020-01-01,true\n"
        'C003,"张\n\n伟",corporat,,,,SH001,2020-01-01,true\n'
        "C002,重复,personal,,,,SH001,2020-01-01,true\n"
    )
    report = run("clients", text.encode())
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "kind"),
        (5, "kind"),
        (8, "client_no"),
    ]
    assert report.errors[2].reason == 'duplicate key: "C002" (first on line 4)'
    assert written() == (0, 0, 0, 0)


def test_an_unclosed_quote_is_reported_where_its_record_starts(sh001):
    text = CLIENTS_HEADER + (
        "C001,李强,personal,,,,SH001,2020-01-01,true\n"
        'C002,"王芳,personal,,,,SH001,2020-01-01,true\n'
        "C003,张伟,personal,,,,SH001,2020-01-01,true\n"
    )
    report = run("clients", text.encode())
    assert [e.line for e in report.errors] == [3]


TODAY = datetime.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (
            "relationship_since",
            "2026-11-30",
            'date in the future: "2026-11-30" (a relationship starts on or before 2026-11-29)',
        ),
        ("relationship_since", "2099-01-01", 'date in the future: "2099-01-01"'),
        # The public web form's rule and messages (core.phone.client_phone, issue 14).
        ("phone", "123", 'bad phone number: "123" (too short or too long)'),
        ("phone", "000", 'bad phone number: "000" (not a phone number)'),
        ("phone", "+86 12", 'bad phone number: "+86 12" (too short or too long)'),
        ("phone", "138-0013-8000-1234", "(too short or too long)"),
        ("phone", "n/a", 'bad phone number: "n/a" (only digits, spaces'),
        ("phone", "12345", 'bad phone number: "12345" (incomplete: a mobile number'),
        ("phone", "6888 8888", 'bad phone number: "6888 8888" (incomplete'),
        ("email", "wang@", 'bad e-mail address: "wang@"'),
        ("email", "无", 'bad e-mail address: "无"'),
        ("email", "wang.fang@mail", "bad e-mail address"),
        ("email", "wang fang@mail.example", "bad e-mail address"),
    ],
)
def test_impossible_dates_phones_and_emails_are_bad_values(sh001, column, value, reason):
    row = {
        "client_no": "C001",
        "name": "王芳",
        "kind": "personal",
        "id_number": "",
        "phone": "13800138000",
        "email": "wf@mail.example",
        "branch_code": "SH001",
        "relationship_since": "2020-01-01",
        "good_standing": "true",
        column: value,
    }
    with time_machine.travel(datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)):
        report = run("clients", (CLIENTS_HEADER + ",".join(row.values()) + "\n").encode())
    assert [(e.line, e.column) for e in report.errors] == [(2, column)]
    assert reason in report.errors[0].reason
    assert written() == (0, 0, 0, 0)


def test_the_import_day_is_the_banks_not_utcs(sh001):
    row = "C001,王芳,personal,,,,SH001,{since},true\n"
    # 23:30 UTC on 29 November is 07:30 on 30 November in Shanghai.
    with time_machine.travel(datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)):
        assert run("clients", (CLIENTS_HEADER + row.format(since="2026-11-30")).encode()).ok
        late = run("clients", (CLIENTS_HEADER + row.format(since="2026-12-01")).encode())
    assert "on or before 2026-11-30" in late.errors[0].reason
    assert Client.objects.get().relationship_since == datetime.date(2026, 11, 30)
