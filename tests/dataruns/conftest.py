"""Core-banking file sets for whole nights: ``drop_set(day, ...)`` writes a set into the inbox as
the core bank would (three CSV files, then the manifest)."""

import datetime
import hashlib
import json
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from tests.factories.core import BranchFactory

# "Today" in these tests: the night after business date 2026-11-19.
NOW = datetime.datetime(2026, 11, 20, 1, 0, tzinfo=datetime.UTC) - datetime.timedelta(hours=8)
D1, D2 = datetime.date(2026, 11, 18), datetime.date(2026, 11, 19)


@pytest.fixture(autouse=True)
def _english_and_branch(db):
    BranchFactory(code="SH001", name="上海陆家嘴支行")
    with translation.override("en"):
        yield


@pytest.fixture
def night():
    """The clock at 01:00 Asia/Shanghai on 2026-11-20, moving."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def inbox() -> Path:
    return Path(settings.COREBANKING_INBOX)


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in rows) + "\n").encode()


def set_files(
    day: datetime.date,
    *,
    balance: str = "1200000.00",
    bad_trade: bool = False,
    c002_phone: str = "13900139000",
    c002_email: str = "",
):
    """The three files of ``day``: two clients, one VIP-worthy (balance, 5 trades); C002's
    contact details as given."""
    clients = [
        [
            "client_no",
            "name",
            "kind",
            "id_number",
            "phone",
            "email",
            "branch_code",
            "relationship_since",
            "good_standing",
        ],
        [
            "C001",
            "王芳",
            "personal",
            "310101198001011234",
            "13800138000",
            "",
            "SH001",
            "2020-01-01",
            "true",
        ],
        ["C002", "李雷", "personal", "", c002_phone, c002_email, "SH001", "2020-01-01", "true"],
    ]
    balances = [
        ["client_no", "account_no", "as_of", "balance"],
        ["C001", "A001", day.isoformat(), balance],
        ["C002", "A002", day.isoformat(), "1000.00"],
    ]
    trades = [["trade_id", "client_no", "account_no", "executed_at", "amount"]]
    for n in range(5):
        when = day - datetime.timedelta(days=n * 7)
        trades.append([f"T{day:%Y%m%d}{n}", "C001", "A001", f"{when}T10:00:00", "100.00"])
    if bad_trade:
        trades.append(["TBAD", "C001", "A001", "not-a-date", "1.00"])
    return {"clients": _csv(clients), "balances": _csv(balances), "trades": _csv(trades)}


def drop_set(
    day: datetime.date,
    *,
    manifest: bool = True,
    only: tuple[str, ...] = ("clients", "balances", "trades"),
    corrupt: str = "",
    rows_off: int = 0,
    **kwargs,
) -> dict[str, Path]:
    folder = inbox()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = day.strftime("%Y%m%d")
    files = set_files(day, **kwargs)
    entries, paths = [], {}
    for kind, content in files.items():
        name = f"{kind}_{stamp}.csv"
        entries.append(
            {
                "name": name,
                "rows": content.count(b"\n") - 1 + (rows_off if kind == "trades" else 0),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
        if kind in only:
            paths[kind] = folder / name
            paths[kind].write_bytes(content + (b"X" if kind == corrupt else b""))
    if manifest:
        paths["manifest"] = folder / f"manifest_{stamp}.json"
        paths["manifest"].write_text(
            json.dumps({"business_date": day.isoformat(), "files": entries}), encoding="utf-8"
        )
    return paths
