#!/usr/bin/env python3
"""Generate a synthetic core-banking export (SPEC section 2) for the import and reclassification
benchmarks: ``clients.csv``, ``balances.csv`` and ``trades.csv`` plus ``manifest.json``.

- Deterministic: the same ``--seed`` and sizes give byte-identical files.
- Streaming: trades are written a day at a time, so memory grows with the number of clients
  (about 200 bytes each) and never with the number of trades.
- Realistic skew: log-normal assets, a quarter of the clients dormant, wealthy clients trading
  more, ~2 accounts per client, a year of trades in time order (a core-banking journal), so that
  about 10% of the clients qualify as VIP on the as-of date (SPEC section 3).
- The manifest records how many clients qualify on ``--as-of`` by SPEC section 3's rule (without
  grace and overrides), computed here from the generated values, so the baseline SQL and the
  engine can be checked against it.

Plain string formatting for clients and balances, fixed-width byte matrices (numpy, no pandas)
for the trades, precomputed pools of strings, no per-row datetime or Decimal objects.
"""

from __future__ import annotations

import argparse
import calendar
import json
import math
import random
import sys
import time
from array import array
from datetime import date, timedelta
from pathlib import Path

import numpy as np

# The demo bank's branches (core/demo.py); the runner creates them before importing.
BRANCH_CODES = ["SH001", "SH002", "SH003", "BJ001", "SZ001"]
BRANCH_WEIGHTS = [30, 20, 15, 20, 15]

PERSONAL_THRESHOLD_CENTS = 1_000_000 * 100
CORPORATE_THRESHOLD_CENTS = 5_000_000 * 100
MIN_TRADES = 5

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣瑶怡雪琳晨阳博文"
CITIES = ["上海", "北京", "深圳", "杭州", "苏州", "南京", "广州", "成都"]
TRADES = ["科技", "贸易", "实业", "投资", "物流", "医药", "电子", "建设", "食品", "能源"]
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]


def months_back(day: date, months: int) -> date:
    """``day`` minus calendar months, clamped to the month's end (SPEC section 3)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cents_str(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


class Bank:
    """Per-client facts kept in compact arrays between the three passes."""

    def __init__(self, n: int):
        self.n = n
        self.corporate = bytearray(n)
        self.accounts = bytearray(n)
        self.eligible = bytearray(n)  # relationship >= 1 year and good standing
        self.assets_cents = array("q", bytes(8 * n))
        self.weight = array("d", bytes(8 * n))
        self.window_trades = array("I", bytes(4 * n))


def write_clients(path: Path, bank: Bank, rng: random.Random, as_of: date) -> int:
    one_year_ago = as_of.replace(
        year=as_of.year - 1, day=min(as_of.day, calendar.monthrange(as_of.year - 1, as_of.month)[1])
    )
    ordinal_as_of = as_of.toordinal()
    ordinal_year = one_year_ago.toordinal()
    # Log-normal assets with ~16% of clients above their kind's threshold (z = 0.994).
    sigma = 2.0
    mu_personal = math.log(PERSONAL_THRESHOLD_CENTS) - 0.994 * sigma
    mu_corporate = math.log(CORPORATE_THRESHOLD_CENTS) - 0.994 * sigma
    date_cache: dict[int, str] = {}
    branches = rng.choices(BRANCH_CODES, weights=BRANCH_WEIGHTS, k=bank.n)
    rows = []
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as out:
        out.write(
            "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
        )
        for i in range(bank.n):
            random_ = rng.random
            corporate = random_() < 0.08
            if corporate:
                name = (
                    CITIES[int(random_() * 8)]
                    + GIVEN[int(random_() * len(GIVEN))]
                    + GIVEN[int(random_() * len(GIVEN))]
                    + TRADES[int(random_() * 10)]
                    + SUFFIXES[int(random_() * 3)]
                )
                kind = "corporate"
                id_number = f"91{int(random_() * 1e6):06d}MA{i:08d}X"
                mu = mu_corporate
            else:
                name = (
                    SURNAMES[int(random_() * len(SURNAMES))]
                    + GIVEN[int(random_() * len(GIVEN))]
                    + (GIVEN[int(random_() * len(GIVEN))] if random_() < 0.6 else "")
                )
                kind = "personal"
                id_number = (
                    f"{310000 + int(random_() * 10000):06d}"
                    f"{1950 + int(random_() * 55)}{1 + int(random_() * 12):02d}"
                    f"{1 + int(random_() * 28):02d}{i % 10000:04d}"
                )
                mu = mu_personal
            # 12% joined within the last year; the rest up to 20 years ago.
            if random_() < 0.12:
                since = ordinal_as_of - int(random_() * 365)
            else:
                since = ordinal_year - int(random_() * 7000)
            since_str = date_cache.get(since)
            if since_str is None:
                since_str = date_cache[since] = date.fromordinal(since).isoformat()
            good = random_() < 0.97
            assets = int(math.exp(rng.gauss(mu, sigma)))
            # Wealthier clients trade more; a quarter of the clients hardly trade at all.
            ratio = assets / (CORPORATE_THRESHOLD_CENTS if corporate else PERSONAL_THRESHOLD_CENTS)
            weight = math.exp(rng.gauss(0.0, 0.5)) * (2.5 if ratio >= 0.5 else 1.0)
            if random_() < 0.25:
                weight *= 0.05
            draw = random_()
            bank.corporate[i] = corporate
            bank.accounts[i] = 1 if draw < 0.3 else (2 if draw < 0.7 else 3)
            bank.eligible[i] = good and since <= ordinal_year
            bank.assets_cents[i] = assets
            bank.weight[i] = weight
            phone = f"13{int(random_() * 1e9):09d}"
            email = f"c{i + 1}@example.cn" if random_() < 0.8 else ""
            rows.append(
                f"C{i + 1:08d},{name},{kind},{id_number},{phone},{email},{branches[i]},"
                f"{since_str},{'true' if good else 'false'}\n"
            )
            if len(rows) >= 20000:
                out.write("".join(rows))
                rows.clear()
        out.write("".join(rows))
    return bank.n


def write_balances(path: Path, bank: Bank, rng: random.Random, as_of: date) -> tuple[int, int]:
    """Two month-end-like snapshots per account: 30 days before ``as_of`` and on ``as_of``.
    The later one is what counts for the rule; the earlier one makes "latest as_of <= D" matter."""
    earlier = (as_of - timedelta(days=30)).isoformat()
    latest = as_of.isoformat()
    rows = []
    n_accounts = n_rows = 0
    random_ = rng.random
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as out:
        out.write("client_no,account_no,as_of,balance\n")
        for i in range(bank.n):
            k = bank.accounts[i]
            remaining = bank.assets_cents[i]
            client_no = f"C{i + 1:08d}"
            for a in range(1, k + 1):
                share = remaining if a == k else int(remaining * random_())
                remaining -= share
                account_no = f"62{i + 1:08d}{a:02d}"
                before = int(share * (0.8 + 0.4 * random_()))
                rows.append(f"{client_no},{account_no},{earlier},{cents_str(before)}\n")
                rows.append(f"{client_no},{account_no},{latest},{cents_str(share)}\n")
            n_accounts += k
            n_rows += 2 * k
            if len(rows) >= 40000:
                out.write("".join(rows))
                rows.clear()
        out.write("".join(rows))
    return n_accounts, n_rows


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digits of non-negative integers, zero-padded to ``width``: shape (len, width)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + 48).astype(np.uint8)


def _fixed(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8)


def write_trades(
    path: Path, bank: Bank, seed: int, as_of: date, total: int, window_start: date
) -> int:
    """A year of trades up to ``as_of``, in time order, each day's trades spread over the clients
    by their activity weight.

    Rows are assembled as fixed-width byte matrices with numpy (the amount, the only variable-width
    field, is padded with NUL bytes that are dropped when the matrix is flattened): formatting
    30 million rows one by one in Python would take minutes."""
    days = 365
    first = as_of - timedelta(days=days - 1)
    window_first_index = (window_start - first).days
    rng = np.random.default_rng(seed)
    cum_weights = np.cumsum(np.frombuffer(bank.weight, dtype=np.float64))
    accounts = np.frombuffer(bank.accounts, dtype=np.uint8).astype(np.int64)
    window = np.zeros(bank.n, dtype=np.int64)
    secs = np.arange(86400, dtype=np.int64)
    times = np.concatenate(
        [
            np.full((86400, 1), ord("T"), dtype=np.uint8),
            _digits(secs // 3600, 2),
            np.full((86400, 1), ord(":"), dtype=np.uint8),
            _digits(secs // 60 % 60, 2),
            np.full((86400, 1), ord(":"), dtype=np.uint8),
            _digits(secs % 60, 2),
            np.tile(_fixed("+08:00,"), (86400, 1)),
        ],
        axis=1,
    )
    # A pool of amounts: mostly small, some large, a fifth of them outflows; each one ends the
    # row, so it carries the newline and is NUL-padded to a common width.
    pool = []
    for cents in np.exp(rng.normal(np.log(500_000), 1.6, 8192)).astype(np.int64):
        pool.append(cents_str(-int(cents) if rng.random() < 0.2 else int(cents)) + "\n")
    width = max(len(a) for a in pool)
    amounts = np.zeros((len(pool), width), dtype=np.uint8)
    for i, a in enumerate(pool):
        amounts[i, : len(a)] = _fixed(a)
    seq = 0
    per_day, extra = divmod(total, days)
    with path.open("wb", buffering=1 << 22) as out:
        out.write(b"trade_id,client_no,account_no,executed_at,amount\n")
        for d in range(days):
            m = per_day + (1 if d < extra else 0)
            picked = np.searchsorted(cum_weights, rng.random(m) * cum_weights[-1], side="right")
            picked = np.minimum(picked, bank.n - 1)
            account = 1 + (rng.random(m) * accounts[picked]).astype(np.int64)
            client_digits = _digits(picked + 1, 8)
            rows = np.concatenate(
                [
                    np.full((m, 1), ord("T"), dtype=np.uint8),
                    _digits(np.arange(seq + 1, seq + m + 1, dtype=np.int64), 11),
                    np.tile(_fixed(",C"), (m, 1)),
                    client_digits,
                    np.tile(_fixed(",62"), (m, 1)),
                    client_digits,
                    _digits(account, 2),
                    np.tile(_fixed("," + (first + timedelta(days=d)).isoformat()), (m, 1)),
                    times[np.sort(rng.integers(0, 86400, m))],
                    amounts[rng.integers(0, len(pool), m)],
                ],
                axis=1,
            )
            out.write(rows[rows != 0].tobytes())
            seq += m
            if d >= window_first_index:
                window += np.bincount(picked, minlength=bank.n)
    bank.window_trades[:] = array("I", window.astype(np.uint32).tobytes())
    return seq


def expected_qualifying(bank: Bank) -> dict[str, int]:
    counts = {"qualifying": 0, "pass_assets": 0, "pass_activity": 0, "pass_relationship": 0}
    for i in range(bank.n):
        threshold = CORPORATE_THRESHOLD_CENTS if bank.corporate[i] else PERSONAL_THRESHOLD_CENTS
        assets_ok = bank.assets_cents[i] >= threshold
        activity_ok = bank.window_trades[i] >= MIN_TRADES
        counts["pass_assets"] += assets_ok
        counts["pass_activity"] += activity_ok
        counts["pass_relationship"] += bank.eligible[i]
        counts["qualifying"] += assets_ok and activity_ok and bank.eligible[i]
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--trades-per-client-avg", type=float, default=30.0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    bank = Bank(args.clients)
    as_of: date = args.as_of
    window_start = months_back(as_of, 3)
    timings = {}

    started = time.perf_counter()
    n_clients = write_clients(args.out / "clients.csv", bank, random.Random(args.seed), as_of)
    timings["clients_s"] = time.perf_counter() - started

    started = time.perf_counter()
    n_accounts, n_balances = write_balances(
        args.out / "balances.csv", bank, random.Random(args.seed + 1), as_of
    )
    timings["balances_s"] = time.perf_counter() - started

    started = time.perf_counter()
    total = round(args.clients * args.trades_per_client_avg)
    n_trades = write_trades(
        args.out / "trades.csv", bank, args.seed + 2, as_of, total, window_start
    )
    timings["trades_s"] = time.perf_counter() - started

    manifest = {
        "seed": args.seed,
        "as_of": as_of.isoformat(),
        "activity_window_start": window_start.isoformat(),
        "clients": n_clients,
        "accounts": n_accounts,
        "balances": n_balances,
        "trades": n_trades,
        "expected": expected_qualifying(bank),
        "generation_seconds": {k: round(v, 2) for k, v in timings.items()},
        "trades_rows_per_s": round(n_trades / timings["trades_s"]),
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    json.dump(manifest, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
