"""Demo clients (seeder order 10): ~400 clients across the demo branches with a year of balances
and trades, then the reclassification run for every past month-end and today so the status
history looks lived-in. Idempotent: rows are keyed by their natural numbers and inserted with
``ignore_conflicts``; the historical runs happen only on the first seeding."""

import random
from calendar import monthrange
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from clients.models import (
    Account,
    Client,
    ClientKind,
    ContactChannel,
    RiskLevel,
    StatusChange,
)
from clients.qualification.measures import refresh_total_assets
from clients.qualification.reclassify import vip_statuses_reclassify
from core.demo import demo_clock, demo_past
from core.models import Branch
from core.phone import phone_key
from core.registry import register_demo_seeder

CLIENT_COUNT = 400
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国建华志强海燕晓东子涵梓萱浩然雨轩欣怡思远婉清"
COMPANY_WORDS = ["华信", "恒泰", "瑞丰", "东方", "金鼎", "宏远", "中联", "新纪元", "汇通", "长江"]
COMPANY_TRADES = ["贸易", "科技", "实业", "投资", "物流", "医药", "置业"]
INTERESTS = [
    "基金",
    "理财",
    "高尔夫",
    "子女教育",
    "海外置业",
    "艺术品",
    "养老规划",
    "保险",
    "茶文化",
]
WINDOWS = [(time(9), time(11)), (time(14), time(17)), (time(19), time(21)), (None, None)]
# Branch weights: SH001 (the demo RM's branch) gets the most clients, so it has plenty of VIPs.
BRANCH_WEIGHTS = {"SH001": 4, "SH002": 2, "SH003": 2, "BJ001": 2, "SZ001": 2}


def _month_end(day: date) -> date:
    return date(day.year, day.month, monthrange(day.year, day.month)[1])


def _month_ends(today: date, months: int) -> list[date]:
    ends = []
    year, month = today.year, today.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(date(year, month, monthrange(year, month)[1]))
    return sorted(ends)


def _profile(rng, n: int) -> str:
    roll = rng.random()
    if n < 6:
        return "vip"  # the first few clients of every seed are VIPs in SH001
    if roll < 0.30:
        return "vip"
    if roll < 0.38:
        return "at_risk"
    if roll < 0.43:
        return "downgraded"
    if roll < 0.53:
        return "near_miss"
    if roll < 0.60:
        return "corporate"
    return "standard"


def _person_name(rng) -> str:
    given = rng.choice(GIVEN)
    if rng.random() < 0.6:
        given += rng.choice(GIVEN)
    return rng.choice(FAMILY) + given[:2]


def seed(*, rng, today, stdout=None) -> None:
    # Our own generator, seeded from the shared one by exactly one draw, so the seeders after
    # this one see the same random sequence whether or not this one had anything to do.
    rng = random.Random(rng.getrandbits(32))
    branches = {b.code: b for b in Branch.objects.filter(code__in=BRANCH_WEIGHTS)}
    if not branches:
        return
    if Client.objects.filter(client_no__startswith="DC").count() >= CLIENT_COUNT:
        result = vip_statuses_reclassify(as_of=today)
        if stdout is not None:
            stdout.write(f"  clients: already seeded; {result.changes} status changes today")
        return
    weighted = [code for code, w in BRANCH_WEIGHTS.items() if code in branches for _ in range(w)]
    month_ends = _month_ends(today, 13)
    # Month-ends for a year, then weekly for the last 90 days: enough for the trend and the rule.
    recent_days = [today - timedelta(days=d) for d in range(91, 0, -7)]
    balance_days = sorted({*month_ends, *recent_days})

    clients, accounts, balances, trades = [], [], [], []
    for n in range(1, CLIENT_COUNT + 1):
        profile = _profile(rng, n)
        corporate = profile == "corporate" or (profile == "standard" and rng.random() < 0.05)
        code = "SH001" if n <= 6 else weighted[n % len(weighted)]
        client = _client(rng, n, today, profile, corporate, branches[code])
        clients.append(client)
        level, drop_day = _asset_level(rng, today, profile, corporate)
        _accounts(rng, n, client.client_no, level, drop_day, balance_days, accounts, balances)
        trades += _trades(rng, n, client.client_no, today, profile)

    client_ids = _write(clients, accounts, balances, trades)
    refresh_total_assets(as_of=today)
    has_history = StatusChange.objects.filter(client__client_no__startswith="DC").exists()
    days = [today] if has_history else [*month_ends[1:], today]
    for day in days:
        result = vip_statuses_reclassify(as_of=day)
    if stdout is not None:
        stdout.write(
            f"  clients: {len(client_ids)} ({', '.join(f'{k} {v}' for k, v in result.counts.items())})"
        )


def _client(rng, n: int, today, profile: str, corporate: bool, branch) -> Client:
    client_no = f"DC{n:06d}"
    years = rng.randint(2, 15)
    since = today - timedelta(days=365 * years + rng.randint(0, 300))
    if profile == "near_miss" and rng.random() < 0.3:
        since = today - timedelta(days=rng.randint(200, 350))  # relationship too short
    birth = date(1955, 1, 1) + timedelta(days=rng.randint(0, 365 * 45))
    window = rng.choice(WINDOWS)
    phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    return Client(
        client_no=client_no,
        name=(
            f"{branch.city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司"
            if corporate
            else _person_name(rng)
        ),
        kind=ClientKind.CORPORATE if corporate else ClientKind.PERSONAL,
        id_number=(
            f"91310000{rng.randint(10**9, 10**10 - 1)}"
            if corporate
            else f"310{rng.randint(100, 115)}{birth:%Y%m%d}{rng.randint(100, 999)}{rng.choice('0123456789X')}"
        ),
        phone=f"+86 {phone}" if rng.random() < 0.2 else phone,
        phone_normalized=phone_key(phone),
        email=f"{client_no.lower()}@{rng.choice(['qq.com', '163.com', 'mail.example'])}",
        branch=branch,
        relationship_since=since,
        good_standing=rng.random() > (0.15 if profile == "near_miss" else 0.02),
        preferred_channel=rng.choice(ContactChannel.values),
        contact_window_start=window[0],
        contact_window_end=window[1],
        preferred_language="en" if rng.random() < 0.08 else "zh-hans",
        interests="、".join(rng.sample(INTERESTS, rng.randint(0, 3))),
        risk_level=rng.choice(RiskLevel.values),
    )


# The asset level of each profile, as a multiple of its threshold.
LEVELS = {
    "vip": (1.15, 4.0),
    "at_risk": (1.15, 4.0),
    "downgraded": (1.15, 4.0),
    "corporate": (0.6, 2.5),
    "near_miss": (0.92, 1.3),
}
# How long ago a profile's assets dropped (days), if they did.
DROPS = {"at_risk": (5, 80), "downgraded": (120, 250)}


def _asset_level(rng, today, profile: str, corporate: bool):
    threshold = Decimal("5000000") if corporate else Decimal("1000000")
    low, high = LEVELS.get(profile, (0.01, 0.75))
    level = threshold * Decimal(str(round(rng.uniform(low, high), 2)))
    drop = DROPS.get(profile)
    drop_day = today - timedelta(days=rng.randint(*drop)) if drop else None
    return level, drop_day


def _accounts(rng, n, client_no, level, drop_day, balance_days, accounts, balances) -> None:
    account_count = 1 if rng.random() < 0.6 else 2
    for k in range(account_count):
        account_no = f"6217{n:06d}{k:02d}"
        accounts.append((account_no, client_no))
        share = Decimal("1") if account_count == 1 else Decimal("0.5")
        for day in balance_days:
            amount = level * share * Decimal(str(round(rng.uniform(0.97, 1.03), 4)))
            if drop_day and day >= drop_day:
                amount *= Decimal("0.45")
            balances.append((account_no, day, amount.quantize(Decimal("0.01"))))


def _trades(rng, n, client_no, today, profile: str) -> list[tuple]:
    """About 2.5 trades a month for active clients; near misses have 4 in the last 3 months."""
    per_month = 0.4 if profile == "standard" else 2.5
    start = today - timedelta(days=455)
    day_count = (today - start).days
    total = int(per_month * day_count / 30)
    days = sorted(start + timedelta(days=rng.randint(0, day_count)) for _ in range(total))
    if profile == "near_miss":
        recent = today - timedelta(days=85)
        days = [d for d in days if d < recent] + sorted(
            recent + timedelta(days=rng.randint(0, 84)) for _ in range(4)
        )
    trades = []
    clock = demo_clock(today)
    for t, day in enumerate(days):
        instant = demo_past(
            timezone.make_aware(
                datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)))
            ),
            clock=clock,
        )
        amount = Decimal(rng.randint(1000, 500000)) * (1 if rng.random() < 0.6 else -1)
        trades.append((f"DT{n:06d}{t:04d}", client_no, 0, instant, amount))
    return trades


def _write(clients, accounts, balances, trades) -> dict[str, int]:
    """Insert the demo rows; returns client number → id."""
    Client.objects.bulk_create(clients, ignore_conflicts=True, batch_size=500)
    client_ids = dict(
        Client.objects.filter(client_no__startswith="DC").values_list("client_no", "pk")
    )
    Account.objects.bulk_create(
        [Account(account_no=no, client_id=client_ids[c]) for no, c in accounts],
        ignore_conflicts=True,
        batch_size=1000,
    )
    account_ids = dict(
        Account.objects.filter(account_no__startswith="6217").values_list("account_no", "pk")
    )
    first_account: dict[str, int] = {}
    for no, c in accounts:
        first_account.setdefault(c, account_ids[no])
    # Raw executemany: the ORM's per-object bulk_create costs seconds here (seed_demo runs in
    # every browser test).
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO clients_balance (account_id, as_of, balance) VALUES (%s, %s, %s) "
            "ON CONFLICT (account_id, as_of) DO NOTHING",
            [(account_ids[a], d.isoformat(), str(b)) for a, d, b in balances],
        )
        cursor.executemany(
            "INSERT INTO clients_trade (trade_id, client_id, account_id, executed_at, amount) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (trade_id) DO NOTHING",
            [
                (
                    tid,
                    client_ids[c],
                    first_account[c],
                    connection.ops.adapt_datetimefield_value(at),
                    str(amount),
                )
                for tid, c, _a, at, amount in trades
            ],
        )
    return client_ids


def register() -> None:
    register_demo_seeder(key="clients", order=10, seed=seed)
