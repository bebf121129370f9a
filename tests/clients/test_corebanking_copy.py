"""The core-banking import's COPY fast path (PostgreSQL): it writes exactly what the row-by-row
path writes, and it never accepts a row the row-by-row path rejects (such files take that path,
so their errors are reported as before)."""

import datetime
import io
import random
from decimal import Decimal

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.corebanking import importer, parse
from clients.corebanking import sql as corebanking_sql
from clients.corebanking.importer import corebanking_import
from clients.models import Account, Balance, Client, Trade
from core.phone import InvalidPhone, client_phone, is_complete
from tests.clients import test_corebanking_import as fixtures
from tests.factories.clients import AccountFactory, ClientFactory
from tests.factories.core import BranchFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def run(kind: str, text: str | bytes, *, fast: bool = True, **kwargs):
    data = text if isinstance(text, bytes) else text.encode()
    if fast:
        return corebanking_import(kind=kind, file=io.BytesIO(data), **kwargs)
    original = importer.copy_import
    importer.copy_import = lambda *args: None
    try:
        return corebanking_import(kind=kind, file=io.BytesIO(data), **kwargs)
    finally:
        importer.copy_import = original


def counts(report) -> tuple:
    return (report.rows, report.created, report.updated, report.unchanged, report.accounts_created)


def snapshot() -> dict:
    return {
        "clients": list(
            Client.objects.order_by("client_no").values_list(
                "client_no",
                "name",
                "kind",
                "id_number",
                "phone",
                "phone_normalized",
                "email",
                "branch__code",
                "relationship_since",
                "good_standing",
                "total_assets",
            )
        ),
        "accounts": list(
            Account.objects.order_by("account_no").values_list("account_no", "client__client_no")
        ),
        "balances": list(
            Balance.objects.order_by("account__account_no", "as_of").values_list(
                "account__account_no", "as_of", "balance"
            )
        ),
        "trades": list(
            Trade.objects.order_by("trade_id").values_list(
                "trade_id", "client__client_no", "account__account_no", "executed_at", "amount"
            )
        ),
    }


TODAY = datetime.date.today().isoformat()
CLIENTS = fixtures.CLIENTS_HEADER + (
    "C001,王芳,personal,310101198001010011,+86 138-0013-8000,wf@mail.example,SH001,2020-01-01,true\n"
    "C002,上海华信贸易有限公司,corporate,,,,SH001,2019-06-30,FALSE\n"
    "C003,Li Si,personal,,0086 (21) 5555-1234,li.si+vip@bank-1.example.cn,SH001,1999-12-31,True\n"
)
BALANCES = fixtures.BALANCES_HEADER + (
    f"C001,6222001,2026-11-01,1000000.00\nC001,6222001,{TODAY},-1200000.5\n"
    f"C002,6222002,{TODAY},3\nC003,6223003,2026-11-01,0\n"
)
# The fast path wants every instant in the form of the file's first.
TRADES = fixtures.TRADES_HEADER + (
    "T1,C001,6222001,2026-10-31T16:30:00+00:00,100.00\n"
    "T2,C001,6222001,2026-11-01T10:00:00+08:00,-50\n"
    "T3,C002,6222002,2026-11-01T23:59:59-05:30,9999999999999999.99\n"
    "T4,C003,6223003,2026-02-28T16:00:00+15:45,0.1\n"
    "T5,C003,6223003,1992-01-01T00:00:00-00:00,1"  # no newline at the end
)


def import_all(fast: bool) -> list:
    return [counts(run(kind, text, fast=fast)) for kind, text in FILES]


FILES = [("clients", CLIENTS), ("balances", BALANCES), ("trades", TRADES)]


def test_fast_path_writes_what_the_row_by_row_path_writes(db):
    BranchFactory(code="SH001")
    with transaction.atomic():
        slow = import_all(fast=False)
        expected = snapshot()
        transaction.set_rollback(True)
    reports = [run(kind, text) for kind, text in FILES]
    assert all(r.copied and r.ok for r in reports), [r.errors for r in reports]
    assert [counts(r) for r in reports] == slow
    assert snapshot() == expected
    assert Trade.objects.get(trade_id="T2").executed_at == datetime.datetime(
        2026, 11, 1, 2, tzinfo=datetime.UTC
    )


def test_second_fast_import_counts_everything_unchanged(db):
    BranchFactory(code="SH001")
    import_all(fast=True)
    before = snapshot()
    again = [run(kind, text) for kind, text in FILES]
    assert all(r.copied for r in again)
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 3), (0, 0, 4), (0, 0, 5)]
    changed = run("trades", TRADES.replace("-50", "-51"))
    assert changed.copied and (changed.created, changed.updated, changed.unchanged) == (0, 1, 4)
    assert snapshot()["clients"] == before["clients"]


@pytest.mark.parametrize("fast", [True, False], ids=["copy", "row-by-row"])
def test_trades_file_of_new_changed_and_unchanged_rows_writes_each_kind_once(db, fast):
    BranchFactory(code="SH001")
    import_all(fast=True)
    text = (
        TRADES.replace(
            "T2,C001,6222001,2026-11-01T10:00:00+08:00,-50",
            "T2,C001,6222001,2026-11-01T10:00:00+08:00,-51",
        ).replace(
            "T4,C003,6223003,2026-02-28T16:00:00+15:45", "T4,C003,6223003,2026-02-28T16:00:01+15:45"
        )
        + "\nT6,C002,6222002,2026-11-02T09:00:00+08:00,7\nT7,C003,6223003,2026-11-02T09:00:00+08:00,8\n"
    )
    report = run("trades", text, fast=fast)
    assert report.copied is fast
    assert (report.rows, report.created, report.updated, report.unchanged) == (7, 2, 2, 3)
    trades = dict(Trade.objects.values_list("trade_id", "amount"))
    assert (trades["T2"], trades["T6"], trades["T7"]) == (
        Decimal("-51"),
        Decimal("7"),
        Decimal("8"),
    )
    assert Trade.objects.get(trade_id="T4").executed_at == datetime.datetime(
        2026, 2, 28, 0, 15, 1, tzinfo=datetime.UTC
    )
    again = run("trades", text, fast=fast)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


def test_trades_write_never_reads_the_table_it_fills(db):
    """The new trades are found against a table of the known keys, never by an anti join on
    ``clients_trade`` inside the INSERT into it: on an empty, analysed table that is planned as
    a nested loop rescanning every row inserted so far (quadratic; see ``4a3c1ee``)."""
    BranchFactory(code="SH001")
    import_all(fast=True)
    with CaptureQueriesContext(connection) as queries:
        run("trades", TRADES.replace("T5,", "T9,"))
    inserts = [
        q["sql"] for q in queries if q["sql"].lstrip().startswith("INSERT INTO clients_trade")
    ]
    assert len(inserts) == 1
    assert "clients_trade t" not in inserts[0] and "ON CONFLICT" not in inserts[0]


@pytest.mark.parametrize("trade_id", ["T1", "T8"], ids=["known", "new"])
def test_a_trade_id_twice_in_the_file_is_reported_by_the_row_by_row_path(db, trade_id):
    BranchFactory(code="SH001")
    import_all(fast=True)
    before = snapshot()
    row = f"{trade_id},C001,6222001,2026-11-02T09:00:00+08:00,5"
    report = run(
        "trades", TRADES + f"\n{row}\nT9,C001,6222001,2026-11-02T09:00:00+08:00,6\n{row}\n"
    )
    assert not report.copied and not report.ok
    # Lines: the header, T1-T5, then the row (7), T9 (8) and the row again (9).
    assert [e.line for e in report.errors] == ([9] if trade_id == "T8" else [7, 9])
    assert snapshot() == before


def test_gb18030_and_bom_files_take_the_fast_path(db):
    BranchFactory(code="SH001")
    report = run("clients", CLIENTS.encode("gb18030"))
    assert report.copied and report.encoding == "gb18030"
    assert Client.objects.get(client_no="C001").name == "王芳"
    report = run("clients", b"\xef\xbb\xbf" + CLIENTS.replace("王芳", "王芳芳").encode())
    assert report.copied and report.encoding == "utf-8-sig" and report.updated == 1


@pytest.mark.parametrize(
    "instants",
    [
        ("2026-11-01T00:30:00", "2026-11-01T10:00:00"),
        ("2026-11-01 00:30", "2026-11-01 10:00"),
        ("2026-11-01T00:30:00.5Z", "2026-11-01T10:00:00.1Z"),
        ("2026-11-01 00:30:00.123456+08:00", "2026-11-01 10:00:00.000001-00:00"),
    ],
)
def test_each_instant_form_takes_the_fast_path_with_the_values_of_the_row_by_row_path(db, instants):
    BranchFactory(code="SH001")
    run("clients", CLIENTS)
    run("balances", BALANCES)
    text = fixtures.TRADES_HEADER + "".join(
        f"T{n},C001,6222001,{instant},1\n" for n, instant in enumerate(instants)
    )
    with transaction.atomic():
        run("trades", text, fast=False)
        expected = snapshot()["trades"]
        transaction.set_rollback(True)
    report = run("trades", text)
    assert report.copied and report.created == 2
    assert snapshot()["trades"] == expected


def test_instants_in_mixed_forms_are_imported_row_by_row(db):
    BranchFactory(code="SH001")
    run("clients", CLIENTS)
    run("balances", BALANCES)
    text = fixtures.TRADES_HEADER + (
        "T1,C001,6222001,2026-11-01T00:30:00,100.00\nT2,C001,6222001,2026-11-01T10:00:00Z,1\n"
    )
    report = run("trades", text)
    assert report.ok and not report.copied
    assert Trade.objects.get(trade_id="T1").executed_at == datetime.datetime(
        2026, 10, 31, 16, 30, tzinfo=datetime.UTC
    )


def test_windows_line_ends_take_the_fast_path(db):
    BranchFactory(code="SH001")
    report = run("clients", CLIENTS.replace("\n", "\r\n"))
    assert report.copied and report.created == 3
    assert Client.objects.get(client_no="C003").good_standing is True


def test_progress_is_reported_by_lines(db):
    BranchFactory(code="SH001")
    seen = []
    report = run("clients", CLIENTS, progress=lambda rows, seconds: seen.append(rows))
    assert report.copied and seen[-1] == 3


# Files the fast path hands to the row-by-row path though they are good: same result, just slower.
@pytest.mark.parametrize(
    "text",
    [
        CLIENTS.replace("王芳,", '"王芳",'),  # quotes
        CLIENTS.replace("C002,", " C002,"),  # padding
        CLIENTS + "\n",  # a blank line
        CLIENTS.replace("\n", "\r"),  # old Mac line ends
    ],
)
def test_unusual_good_files_are_imported_row_by_row(db, text):
    BranchFactory(code="SH001")
    report = run("clients", text)
    assert report.ok and not report.copied, report.errors
    assert Client.objects.count() == 3


def bad_files() -> list[tuple[str, str]]:
    """Every bad-row fixture of test_corebanking_import, and a few more."""
    files = []
    for test, kind, good in [
        (
            fixtures.test_a_bad_clients_row_rejects_the_whole_file,
            "clients",
            fixtures.good_clients_file(),
        ),
        (
            fixtures.test_a_bad_balances_row_rejects_the_file,
            "balances",
            fixtures.BALANCES_HEADER + "C001,6222001,2026-11-01,1000000.00\n",
        ),
    ]:
        [mark] = [m for m in test.pytestmark if m.name == "parametrize"]
        files += [(kind, good + row + "\n") for row, _column, _reason in mark.args[1]]
    files += [
        ("trades", fixtures.TRADES_HEADER + "T1,C001,6222001,yesterday,100.00\n"),
        ("trades", fixtures.TRADES_HEADER + "T1,C001,6222001,2026-02-30T10:00,1\n"),
        (
            "trades",
            fixtures.TRADES_HEADER
            + "T1,C001,6222001,2026-11-01T10:00,1\nT1,C001,x,2026-11-01T10:00,1\n",
        ),
        (
            "trades",
            fixtures.TRADES_HEADER + "T1,C001,6222001,2026-11-01T10:00,1\n\\.\nT2,C404,1,x,y\n",
        ),
        ("trades", fixtures.TRADES_HEADER + "T1,C001,6222001,2026-11-01T10:00,1,extra\n"),
        ("trades", fixtures.TRADES_HEADER + "T1,C404,6222001,2026-11-01T10:00,1\n"),
        ("trades", fixtures.TRADES_HEADER + "T1,C001,6229999,2026-11-01T10:00,1\n"),
        ("trades", "trade_id,client_no,account_no,executed_at\nT1,C001,6222001,2026-11-01T10:00\n"),
        (
            "balances",
            fixtures.BALANCES_HEADER + "C001,6222001,2026-11-01,1\nC002,6222001,2026-11-02,1\n",
        ),
        ("clients", fixtures.good_clients_file().encode("gb18030") + b"\xff\xff\n"),
    ]
    return files


@pytest.mark.parametrize(("kind", "text"), bad_files())
def test_files_with_a_bad_row_get_the_row_by_row_report(db, kind, text):
    branch = BranchFactory(code="SH001")
    wang = ClientFactory(client_no="C001", branch=branch)
    ClientFactory(client_no="C002", branch=branch)
    AccountFactory(account_no="6229999", client=ClientFactory(client_no="C777", branch=branch))
    before = snapshot()
    fast = run(kind, text)
    assert not fast.ok and not fast.copied
    assert snapshot() == before
    slow = run(kind, text, fast=False)
    assert (fast.errors, fast.encoding) == (slow.errors, slow.encoding)
    assert wang.pk


# --- field by field: the SQL checks and casts never accept what parse_row refuses -------------

GOOD_ROW = {
    "clients": {
        "client_no": "C001",
        "name": "王芳",
        "kind": "personal",
        "id_number": "",
        "phone": "",
        "email": "",
        "branch_code": "SH001",
        "relationship_since": "2020-01-01",
        "good_standing": "true",
    },
    "balances": {
        "client_no": "C001",
        "account_no": "6222001",
        "as_of": "2026-11-01",
        "balance": "1",
    },
    "trades": {
        "trade_id": "T1",
        "client_no": "C001",
        "account_no": "6222001",
        "executed_at": "2026-11-01T10:00",
        "amount": "1",
    },
}

SPACES = ["", " ", "\t", "\u3000", "\xa0", "\u2028", "\x1c"]
TRICKY = {
    "date": [
        "2026-11-01",
        "2026-02-29",
        "2024-02-29",
        "2026-13-01",
        "2026-00-10",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "2026-1-01",
        "2026/11/01",
        "٢٠٢٦-١١-٠١",
        "２０２６-11-01",
        "2026-11-01T00:00",
        "20261101",
        "2026-11-31",
        (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        timezone.localdate().isoformat(),
        "2999-01-01",
    ],
    "instant": [
        "2026-11-01T10:00",
        "2026-11-01 10:00:00",
        "2026-11-01T10:00:00Z",
        "2026-11-01T10:00Z",
        "2026-11-01T10:00:00.5",
        "2026-11-01T10:00:00.1234567",
        "2026-11-01T10:00:00,5",
        "2026-11-01T10:00:00+0800",
        "2026-11-01T10:00:00+08",
        "2026-11-01T24:00:00",
        "2026-11-01T23:59:60",
        "2026-11-01T10:00:00+24:00",
        "2026-11-01T10:00:00-23:59",
        "2026-11-01T10:00:00+15:59",
        "2026-11-01T10:00:00+16:00",
        "1988-04-10T02:30",
        "1988-09-11T01:30",
        "1991-09-15T01:30",
        "1992-01-01T00:00",
        "0001-01-01T00:00+01:00",
        "9999-12-31T23:59-01:00",
        "9998-12-31T23:59:59",
        "2026-02-30T10:00",
        "2026-11-01t10:00",
        "2026-11-01T10",
        "2026-11-01",
        "2026-11-01T10:00:00z",
        "2026-11-01T10:00:00 +08:00",
        "2026-11-01T10:00:00UTC",
        "2026-11-01T1０:00",
    ],
    "money": [
        "1",
        "-0",
        "+12",
        "1.5",
        "1.50",
        "1.505",
        "7.",
        ".5",
        "1e3",
        "1E-3",
        "NaN",
        "inf",
        "1,000",
        "9999999999999999.99",
        "10000000000000000",
        "-9999999999999999.99",
        "١٢",
        "1_000",
        "0x10",
        "--1",
        "+-1",
        "00000000000000001.00",
        "1.",
        "1.23457E+11",
        "1.23457e11",
        "100.00",
        "007",
        "-0.50",
        "0.00",
        "1.0",
    ],
    "kind": ["personal", "corporate", "Personal", "retail", "personal\u200b", ""],
    "good_standing": ["true", "false", "TRUE", "False", "tRuE", "yes", "1", "ｔrue", "true."],
    "email": [
        "",
        "a@b.cn",
        "wf@mail.example",
        "a.b+c@x-y.example.com",
        "a@localhost",
        "a@b",
        "a@b.c",
        "a@-b.cn",
        "a@b-.cn",
        "a..b@c.cn",
        ".a@b.cn",
        "a@b.c1",
        "a@[127.0.0.1]",
        "a b@c.cn",
        "王@b.cn",
        "a@b.中国",
        "a@xn--fiqs8s.cn",
        '"a"@b.cn',
        "a@b.cn.",
        "a%b@c.cn",
        "a@" + "b" * 64 + ".cn",
        "a@" + "b" * 63 + ".cn",
        "x" * 250 + "@b.cn",
    ],
    "phone": [
        "",
        "13800138000",
        "+86 138-0013-8000",
        "0086 (21) 5555-1234",
        "8613800138000",
        "861380013800",
        "１３８00138000",
        "138²",
        "138 ext 1",
        "+",
        "(0)21.5555/1234",
        "12345",
        "000",
        "+86 12",
        "138001380001234",
        "021-6888 8888",
        "6888 8888",
        "400-820-8820",
    ],
    "text": ["C001", "王芳", "x" * 40, "x" * 41, "x" * 201, "a,b", "O'Brien", "%s", "\\", "é"],
}
COLUMN_CASES = {
    "relationship_since": "date",
    "as_of": "date",
    "executed_at": "instant",
    "balance": "money",
    "amount": "money",
    "kind": "kind",
    "good_standing": "good_standing",
    "email": "email",
    "phone": "phone",
}


def cases() -> list[tuple[str, str, str]]:
    rng = random.Random(20261128)
    out = []
    for kind, row in GOOD_ROW.items():
        for column in row:
            values = TRICKY[COLUMN_CASES.get(column, "text")] + ["", row[column]]
            padded = [rng.choice(SPACES) + v + rng.choice(SPACES) for v in values]
            out += [(kind, column, v) for v in values + padded]
    return out


def sql_row(kind: str, values: dict) -> dict | None:
    """What the fast path's SQL makes of one row, or None if it refuses it."""
    columns = parse.COLUMNS[kind]
    source = "(SELECT " + ", ".join(f"%s::text AS {c}" for c in columns) + ") s"
    params = [values[c] for c in columns]
    typed = [corebanking_sql.sql_value(c, "s") for c in columns]
    if kind == "clients":
        typed.append(corebanking_sql.sql_phone_normalized("s"))
    try:  # the checks and the casts may fail, as they would in the fast path
        with transaction.atomic(), connection.cursor() as cursor:
            valid = corebanking_sql.sql_valid(kind, "s", values.get("executed_at", ""))
            cursor.execute(f"SELECT {valid} FROM {source}", params)
            if not cursor.fetchone()[0]:
                return None
            cursor.execute(f"SELECT {', '.join(typed)} FROM {source}", params)
            result = cursor.fetchone()
    except DataError:
        return None
    names = columns + (["phone_normalized"] if kind == "clients" else [])
    row = dict(zip(names, result, strict=True))
    if kind == "clients" and row["phone_normalized"] is None:
        # A shape the SQL leaves to Python: the fast path normalises it with client_phone, and
        # takes the row-by-row path when that refuses it.
        try:
            row["phone_normalized"] = client_phone(values["phone"].strip())
        except InvalidPhone:
            return None
    elif kind == "clients" and row["phone_normalized"] and not is_complete(row["phone_normalized"]):
        return None  # the fast path checks every number the SQL normalised (_phones_complete)
    return row


def test_sql_checks_accept_only_what_parse_row_accepts_with_the_same_values(db):
    accepted = 0
    for kind, column, value in cases():
        values = dict(GOOD_ROW[kind], **{column: value})
        sql = sql_row(kind, values)
        if sql is None:
            continue
        accepted += 1
        python, errors = parse.parse_row(kind, 2, values)
        assert not errors, (kind, column, value, errors)
        python.pop("line")
        assert sql == python, (kind, column, value)
    assert accepted > 100


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("executed_at", "2026-11-01T10:00:00+08:00"),
        ("executed_at", "2026-11-01 10:00:00"),
        ("executed_at", "2026-11-01T10:00Z"),
        ("executed_at", "2026-11-01T10:00:00.123456-05:30"),
        ("amount", "-1234567.89"),
        ("amount", "7.5"),
        ("amount", "0"),
        ("amount", "-0.05"),
        ("amount", "100.00"),
    ],
)
def test_sql_checks_take_the_ordinary_forms(db, column, value):
    assert sql_row("trades", dict(GOOD_ROW["trades"], **{column: value})) is not None
