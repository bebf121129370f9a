"""A demo file set as the core bank would drop it (``./dev run``): the demo bank's clients, each
account's balance moved a little, a few trades, and the manifest written last, so a newcomer sees
a night happen: the 01:00 job takes it in and reclassifies for its business date."""

import csv
import hashlib
import io
import json
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from clients.corebanking.parse import COLUMNS
from clients.models import Account, Balance, Client, VipStatus
from dataruns.inbox import KINDS
from dataruns.models import IntakeRun


def _clients_csv() -> list[list[str]]:
    rows = [list(COLUMNS["clients"])]
    for c in Client.objects.select_related("branch").order_by("client_no").iterator():
        rows.append(
            [
                c.client_no,
                c.name,
                c.kind,
                c.id_number,
                c.phone,
                c.email,
                c.branch.code,
                c.relationship_since.isoformat(),
                "true" if c.good_standing else "false",
            ]
        )
    return rows


def _balances_csv(day: date) -> list[list[str]]:
    latest = Balance.objects.filter(account=OuterRef("pk"), as_of__lt=day).order_by("-as_of")
    rows = [list(COLUMNS["balances"])]
    accounts = (
        Account.objects.annotate(last=Subquery(latest.values("balance")[:1]))
        .exclude(last=None)
        .values_list("client__client_no", "account_no", "last")
        .order_by("account_no")
    )
    for n, (client_no, account_no, last) in enumerate(accounts.iterator()):
        # A deterministic move of −3% to +2%: some VIPs slip, most stay.
        factor = Decimal(100 + (n * 7) % 6 - 3) / 100
        rows.append([client_no, account_no, day.isoformat(), f"{last * factor:.2f}"])
    return rows


def _trades_csv(day: date) -> list[list[str]]:
    rows = [list(COLUMNS["trades"])]
    at = timezone.make_aware(datetime.combine(day, time(10, 30))).isoformat()
    vip_accounts = (
        Account.objects.filter(client__status=VipStatus.VIP)
        .values_list("client__client_no", "account_no")
        .order_by("account_no")[:40]
    )
    for n, (client_no, account_no) in enumerate(vip_accounts):
        rows.append([f"DEMO-{day:%Y%m%d}-{n:03d}", client_no, account_no, at, "25000.00"])
    return rows


def _encode(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def demo_set_write(*, inbox: Path, day: date) -> bool:
    """Write the set for ``day`` into ``inbox`` unless it is there or was imported already.
    Returns whether a set was written."""
    stamp = day.strftime("%Y%m%d")
    if (inbox / f"manifest_{stamp}.json").exists() or IntakeRun.objects.filter(
        business_date=day
    ).exists():
        return False
    inbox.mkdir(parents=True, exist_ok=True)
    contents = {
        "clients": _encode(_clients_csv()),
        "balances": _encode(_balances_csv(day)),
        "trades": _encode(_trades_csv(day)),
    }
    files = []
    for kind in KINDS:
        name = f"{kind}_{stamp}.csv"
        (inbox / name).write_bytes(contents[kind])
        files.append(
            {
                "name": name,
                "rows": contents[kind].count(b"\n") - 1,
                "sha256": hashlib.sha256(contents[kind]).hexdigest(),
            }
        )
    # Written last, as the core bank does: its presence says the set is complete.
    (inbox / f"manifest_{stamp}.json").write_text(
        json.dumps({"business_date": day.isoformat(), "files": files}, indent=2),
        encoding="utf-8",
    )
    return True
