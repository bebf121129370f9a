"""Every row reason of the core-banking import has one form in both languages (the tester found
"unknown branch" without the branch while the date error quoted the date, and sentences beside
fragments): what is wrong, the value as written in quotes, then what was expected in brackets;
a lower-case fragment with no full stop."""

import io
import re

import pytest
from django.utils import translation

from clients.corebanking.importer import corebanking_import
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

CLIENTS = (
    "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
    "C1,王芳,retail,,12345,wang@,XX999,2026-02-30,yes\n"
    "C2,李四,personal,,n/a,,SH001,2099-01-01,true\n"
    "C2,李四,personal,,,,SH001,31/12/2020,true\n"
    f"C3,{'名' * 201},personal,,,,SH001,2020-01-01,true\n"
)
BALANCES = "client_no,account_no,as_of,balance\nC404,A1,2026-11-01,1e3\nC404,A1,2026-11-01,+5\n"
TRADES = "trade_id,client_no,account_no,executed_at,amount\nT1,C404,A1,2026/11/01 10:00,1.005\n"
# What each reason quotes (the value as written), by line and column.
QUOTED = {
    ("clients", 2, "kind"): "retail",
    ("clients", 2, "phone"): "12345",
    ("clients", 2, "email"): "wang@",
    ("clients", 2, "branch_code"): "XX999",
    ("clients", 2, "relationship_since"): "2026-02-30",
    ("clients", 2, "good_standing"): "yes",
    ("clients", 3, "phone"): "n/a",
    ("clients", 3, "relationship_since"): "2099-01-01",
    ("clients", 4, "client_no"): "C2",
    ("clients", 4, "relationship_since"): "31/12/2020",
    ("clients", 5, "name"): "名" * 40 + "…",
    ("balances", 2, "balance"): "1e3",
    ("balances", 2, "client_no"): "C404",
    ("balances", 3, "balance"): "+5",
    ("balances", 3, "client_no"): "C404",
    ("balances", 3, "account_no+as_of"): "A1 2026-11-01",
    ("trades", 2, "executed_at"): "2026/11/01 10:00",
    ("trades", 2, "amount"): "1.005",
    ("trades", 2, "client_no"): "C404",
}
# English: "what: "value" (expected)"; Chinese: "what：“value”（expected）".
FORMS = {
    "en": re.compile(r'^[a-z][a-z_ -]*: "(?P<value>[^"]*)"( \(.+\))?$'),
    "zh-hans": re.compile(r"^[^：]+：“(?P<value>[^”]*)”(（.+）)?$"),
}


@pytest.fixture(autouse=True)
def sh001(db):
    BranchFactory(code="SH001")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_row_reason_quotes_its_value_in_one_form(language):
    seen = {}
    for kind, text in (("clients", CLIENTS), ("balances", BALANCES), ("trades", TRADES)):
        report = corebanking_import(kind=kind, file=io.BytesIO(text.encode()))
        with translation.override(language):
            for error in report.errors:
                seen[kind, error.line, error.column] = error.reason
    assert set(seen) == set(QUOTED)
    for where, reason in seen.items():
        match = FORMS[language].match(reason)
        assert match, (where, reason)
        assert match["value"] == QUOTED[where], (where, reason)
