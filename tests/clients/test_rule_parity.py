"""The VIP rule is defined once: on one generated bank, for several days through a grace period,
the single-client explanation (``explain.client_outcome``: criteria, status rules, reasons) and
the nightly SQL (``vip_statuses_reclassify``) give every client the same status, dates and
history reasons.

The bank puts clients on every boundary of SPEC section 3: assets one cent below, at and above
the personal (¥1M) and corporate (¥5M) thresholds, over one to three accounts, moving later;
four or five trades with some on the edges of the activity window; relationships starting a day
before, on and after the one-year cut-off; clients out of good standing; VIPs, and clients at
risk whose grace period ends during the run; overrides that start, end or were revoked. It runs
under each asset measure (latest balance, average daily assets over the previous month or the
last 30 days) and with review dates.
"""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clients.models import (
    Account,
    AssetMeasure,
    Balance,
    Client,
    ClientKind,
    StatusChange,
    StatusOverride,
    Trade,
    VipPolicy,
    VipStatus,
)
from clients.qualification.explain import client_outcome
from clients.qualification.measures import clients_measure
from clients.qualification.reclassify import vip_statuses_reclassify
from clients.qualification.window import Window
from core.dates import years_before

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D0 = datetime.date(2026, 5, 31)  # 31 May − 3 months is clamped to 28 February
DAY = datetime.timedelta(days=1)
# Through the 90-day grace period of the clients who fall at risk on D0.
DAYS = [D0, D0 + DAY, D0 + 2 * DAY, D0 + 60 * DAY, D0 + 89 * DAY, D0 + 90 * DAY, D0 + 91 * DAY]
CLIENTS = 360
CENT = Decimal("0.01")


def _local(day: datetime.date, *time_args) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(*time_args), tzinfo=SHANGHAI)


def _assets(rng: random.Random, kind: str) -> Decimal:
    threshold = Decimal("5000000.00" if kind == ClientKind.CORPORATE else "1000000.00")
    return threshold + rng.choice([-CENT, Decimal(0), CENT, Decimal("-400000"), Decimal("900000")])


def _trade_times(rng: random.Random) -> list[datetime.datetime]:
    """Four or five trades inside D0's window, some on its edges, one just outside, and a few
    later ones for the later days' windows."""
    window = Window.for_day(D0, VipPolicy.in_force_on(D0))
    inside = [
        window.starts_at,  # the window's first instant counts
        window.ends_before - datetime.timedelta(seconds=1),  # D0 23:59:59 counts
        *(_local(D0 - rng.randint(1, 80) * DAY, 10) for _ in range(3)),
    ]
    times = rng.sample(inside, rng.choice([4, 5]))
    times.append(rng.choice([window.starts_at - datetime.timedelta(seconds=1), window.ends_before]))
    times += [_local(D0 + rng.randint(1, 90) * DAY, 15) for _ in range(rng.randint(0, 5))]
    return times


def _status(rng: random.Random) -> dict:
    roll = rng.random()
    if roll < 0.3:
        return {"status": VipStatus.VIP, "vip_since": D0 - 200 * DAY}
    if roll < 0.5:
        since = D0 - rng.choice([0, 1, 2, 88, 89, 90, 91]) * DAY
        return {
            "status": VipStatus.VIP_AT_RISK,
            "vip_since": D0 - 300 * DAY,
            "at_risk_since": since,
        }
    return {"status": VipStatus.STANDARD}


def _bank(branch, supervisor) -> None:
    rng = random.Random(20261129)
    cutoff = years_before(D0, 1)
    clients = Client.objects.bulk_create(
        Client(
            client_no=f"P{n:05d}",
            name=f"客户{n}",
            kind=rng.choice([ClientKind.PERSONAL, ClientKind.CORPORATE]),
            branch=branch,
            relationship_since=cutoff + rng.choice([-400, -1, 0, 1, 2, 60]) * DAY,
            good_standing=rng.random() > 0.1,
            **_status(rng),
        )
        for n in range(CLIENTS)
    )
    accounts, balances, trades, overrides = [], [], [], []
    for client in clients:
        mine = [
            Account(account_no=f"A{client.client_no}-{k}", client=client)
            for k in range(rng.randint(1, 3))
        ]
        accounts += mine
        for when, total in ((D0 - rng.randint(0, 40) * DAY, _assets(rng, client.kind)),):
            balances += _split(rng, mine, when, total)
        if rng.random() < 0.4:  # assets move before the later days
            balances += _split(rng, mine, D0 + rng.randint(1, 88) * DAY, _assets(rng, client.kind))
        trades += [
            Trade(
                trade_id=f"T{client.client_no}-{k}",
                client=client,
                account=mine[0],
                executed_at=at,
                amount=Decimal("1000.00"),
            )
            for k, at in enumerate(_trade_times(rng))
        ]
        if rng.random() < 0.06:
            overrides.append(
                StatusOverride(
                    client=client,
                    status=rng.choice(VipStatus.values),
                    reason="手工调整",
                    starts_on=D0 - rng.choice([0, 5]) * DAY,
                    ends_on=D0 + rng.choice([0, 1, 60]) * DAY,
                    created_by=supervisor,
                    revoked_at=timezone.now() if rng.random() < 0.2 else None,
                )
            )
    Account.objects.bulk_create(accounts)
    Balance.objects.bulk_create(balances)
    Trade.objects.bulk_create(trades)
    StatusOverride.objects.bulk_create(overrides)


def _split(rng, accounts, when, total) -> list[Balance]:
    """``total`` over the accounts, in cents, all dated ``when``."""
    parts = [Decimal(0)] * len(accounts)
    parts[0] = total
    if len(accounts) > 1:
        moved = (total * Decimal(rng.random())).quantize(CENT)
        parts[0], parts[-1] = total - moved, moved
    return [Balance(account=a, as_of=when, balance=p) for a, p in zip(accounts, parts, strict=True)]


def _active_override(overrides: list[StatusOverride], day) -> StatusOverride | None:
    active = [o for o in overrides if o.is_active_on(day)]
    return max(active, key=lambda o: o.pk) if active else None


def _expected(day: datetime.date) -> dict[int, tuple]:
    """Per client, what the single-client rule says happens on ``day``."""
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    clients = list(Client.objects.order_by("pk"))
    measures = clients_measure(client_ids=[c.pk for c in clients], window=window)
    overrides: dict[int, list] = {}
    for override in StatusOverride.objects.all():
        overrides.setdefault(override.client_id, []).append(override)
    expected = {}
    for client in clients:
        outcome = client_outcome(
            client=client,
            measures=measures[client.pk],
            window=window,
            override=_active_override(overrides.get(client.pk, []), day),
        )
        move = outcome.transition
        reasons = outcome.reasons if outcome.changes(client) else None
        expected[client.pk] = (move.status, move.vip_since, move.at_risk_since, reasons)
    return expected


POLICIES = {
    "latest": {},
    "average-previous-month": {"asset_measure": AssetMeasure.PREVIOUS_MONTH},
    "average-last-30-days": {"asset_measure": AssetMeasure.LAST_DAYS, "average_days": 30},
    # Downgrades take effect on review days inside the run: 1 June and 29 August (D0 + 90).
    "review-dates": {"review_dates": "06-01,08-29"},
}


@pytest.mark.parametrize("policy", POLICIES.values(), ids=POLICIES.keys())
def test_the_explanation_and_the_nightly_sql_agree_on_every_client(branch, supervisor, policy):
    VipPolicy.objects.create(version="parity", effective_from=D0 - 400 * DAY, **policy)
    _bank(branch, supervisor)
    seen: set[tuple[str, str]] = set()
    for day in DAYS:
        expected = _expected(day)
        vip_statuses_reclassify(as_of=day)
        history = dict(
            StatusChange.objects.filter(effective_on=day).values_list("client_id", "reasons")
        )
        actual = {
            pk: (status, vip_since, at_risk_since, history.get(pk))
            for pk, status, vip_since, at_risk_since in Client.objects.values_list(
                "pk", "status", "vip_since", "at_risk_since"
            )
        }
        mismatches = {
            pk: (expected[pk], actual[pk]) for pk in expected if expected[pk] != actual[pk]
        }
        assert not mismatches, (day, list(mismatches.items())[:3])
        seen |= {
            (r["from_status"], r["to_status"])
            for r in StatusChange.objects.filter(effective_on=day).values(
                "from_status", "to_status"
            )
        }
    # The bank exercised every transition of the rule.
    assert {
        (VipStatus.STANDARD, VipStatus.VIP),
        (VipStatus.VIP, VipStatus.VIP_AT_RISK),
        (VipStatus.VIP_AT_RISK, VipStatus.VIP),
        (VipStatus.VIP_AT_RISK, VipStatus.STANDARD),
    } <= seen


def test_an_average_policy_still_requires_good_standing_and_the_relationship(branch):
    VipPolicy.objects.create(
        version="avg", effective_from=D0 - 400 * DAY, asset_measure=AssetMeasure.LAST_DAYS
    )
    cutoff = years_before(D0, 1)
    failing = [
        Client.objects.create(
            client_no=no, name=no, branch=branch, relationship_since=since, good_standing=good
        )
        for no, since, good in (("BAD", cutoff, False), ("NEW", cutoff + DAY, True))
    ]
    for client in failing:
        account = Account.objects.create(account_no=f"A{client.client_no}", client=client)
        Balance.objects.create(account=account, as_of=D0 - 60 * DAY, balance=Decimal("9000000"))
        Trade.objects.bulk_create(
            Trade(
                trade_id=f"T{client.client_no}{k}",
                client=client,
                account=account,
                executed_at=_local(D0 - DAY, 10),
                amount=Decimal("1"),
            )
            for k in range(5)
        )
    vip_statuses_reclassify(as_of=D0)
    assert set(Client.objects.values_list("status", flat=True)) == {VipStatus.STANDARD}
