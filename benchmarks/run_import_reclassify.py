#!/usr/bin/env python3
"""Import a generated bank into PostgreSQL and reclassify it, timing every step beside the
hand-written SQL baselines of SPEC section 11, measured in the same run.

    benchmarks/run_import_reclassify.py --clients 1000000

Steps (each one's wall time, rows/s and peak memory are printed in one table at the end):
 1. generate the bank with generate_bank.py unless its folder already has a manifest;
 2. recreate the database (dropdb/createdb, ``manage.py migrate``), create the demo branches;
 3. baseline: psql ``\\copy`` of the trades CSV into a plain staging table;
 4. the import: ``manage.py import_corebanking {clients,balances,trades}`` (``--loader django``),
    or, to benchmark reclassification alone, a bulk SQL load (``--loader bulk``: COPY into
    staging tables, indexes dropped and rebuilt, foreign-key triggers off);
 5. VACUUM ANALYZE;
 6. baselines: counting the qualifying clients with the planner's defaults and with sorted,
    index-ordered plans; updating statuses + writing history (in a transaction rolled back, so
    the engine starts from the same state);
 7. the engine: ``manage.py reclassify_vips --as-of D`` (the first run, all changes), then the
    night's steps again for the same date (``vip_programme_nightly``: the command itself runs
    once per business date, so a second command would measure nothing); the re-run must change
    nothing, and the first run's result is checked against the generator's expected count.

Peak memory of a subprocess is its maximum resident set size from wait4(2); for SQL run from
this script it is the PostgreSQL backend's peak RSS (VmHWM, shared buffers it touched included).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baselines  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
DEFAULT_PYTHON = "/work/main/.venv/bin/python"


@dataclass
class Step:
    name: str
    seconds: float
    rows: int | None = None
    peak_mb: float | None = None
    memory_of: str = ""
    baseline: str = ""
    note: str = ""
    load: float = field(default_factory=lambda: os.getloadavg()[0])

    @property
    def rows_per_s(self) -> float | None:
        return self.rows / self.seconds if self.rows and self.seconds else None


class Runner:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.steps: list[Step] = []
        self.env = dict(os.environ, DATABASE_URL=args.database_url)
        self.dsn = args.database_url

    # --- plumbing ------------------------------------------------------------------------------

    def log(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    def run(
        self, cmd: list[str], *, check: bool = True, cwd: Path = REPO
    ) -> tuple[float, float, str, str]:
        """Run ``cmd`` niced in ``cwd``; return (seconds, its peak RSS in MB, stdout, stderr)."""
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(
                ["nice", "-n", str(self.args.nice), *cmd],
                cwd=cwd,
                env=self.env,
                stdout=out,
                stderr=err,
            )
            # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the maximum over
            # every child so far); nice execs the command, so the figure is the command's.
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if check and proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stdout}\n{stderr}")
        if self.args.verbose and stdout.strip():
            print(stdout.rstrip())
        return seconds, usage.ru_maxrss / 1024, stdout, stderr

    def manage(self, *args: str) -> list[str]:
        return [self.args.python, "manage.py", *args]

    def connect(self):
        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        return conn

    def sql_step(self, name: str, sql: str, params=None, *, setup: str = "", rollback=False):
        """Run one statement on a fresh connection; return (seconds, backend peak MB, result)."""
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                backend = cur.fetchone()[0]
                if rollback:
                    cur.execute("BEGIN")
                if setup:
                    cur.execute(setup)
                started = time.perf_counter()
                cur.execute(sql, params)
                result = cur.fetchone() if cur.description else cur.rowcount
                seconds = time.perf_counter() - started
                peak = backend_peak_mb(backend)
                if rollback:
                    cur.execute("ROLLBACK")
        finally:
            conn.close()
        return seconds, peak, result

    def add(self, step: Step) -> Step:
        self.steps.append(step)
        rate = f", {step.rows_per_s:,.0f} rows/s" if step.rows_per_s else ""
        peak = f", peak {step.peak_mb:,.0f} MB ({step.memory_of})" if step.peak_mb else ""
        self.log(f"{step.name}: {step.seconds:,.2f} s{rate}{peak} {step.note}")
        return step

    def has_command(self, name: str) -> bool:
        # Any app's command: reclassify_vips moved from clients to programme, and the runner,
        # looking in clients only, skipped the engine without failing.
        return any(REPO.glob(f"*/management/commands/{name}.py"))

    # --- steps ---------------------------------------------------------------------------------

    def generate(self) -> dict:
        data = self.args.data
        manifest = data / "manifest.json"
        if not manifest.exists():
            self.log(f"generating {self.args.clients:,} clients into {data}")
            seconds, peak, out, _ = self.run(
                [
                    self.args.python,
                    str(BENCH / "generate_bank.py"),
                    "--clients",
                    str(self.args.clients),
                    "--trades-per-client-avg",
                    str(self.args.trades_per_client_avg),
                    "--as-of",
                    self.args.as_of.isoformat(),
                    "--out",
                    str(data),
                ]
            )
            facts = json.loads(manifest.read_text())
            self.add(
                Step(
                    "generate CSVs",
                    seconds,
                    rows=facts["clients"] + facts["balances"] + facts["trades"],
                    peak_mb=peak,
                    memory_of="generator",
                )
            )
        facts = json.loads(manifest.read_text())
        if facts["as_of"] != self.args.as_of.isoformat():
            raise SystemExit(f"{manifest} was generated for {facts['as_of']}; pass --as-of")
        return facts

    def recreate_database(self) -> None:
        # The server of --database-url (a private cluster on another port too), not a default.
        url = urlsplit(self.dsn)
        db = url.path.lstrip("/")
        server = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
        server += ["-U", url.username or "postgres"]
        subprocess.run(["dropdb", *server, "--if-exists", db], check=True)
        subprocess.run(["createdb", *server, db], check=True)
        self.run(self.manage("migrate", "-v", "0"))
        self.run(
            self.manage(
                "shell",
                "-c",
                "from core.demo import BRANCHES; from core.models import Branch\n"
                "for code, name, city in BRANCHES:\n"
                "    Branch.objects.update_or_create(code=code, defaults={'name': name, 'city': city})",
            )
        )

    def psql_copy(self, table: str, path: Path) -> tuple[float, float]:
        seconds, peak, _, _ = self.run(
            [
                "psql",
                self.dsn,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f"\\copy {table} FROM '{path}' WITH (FORMAT csv, HEADER true)",
            ]
        )
        return seconds, peak

    def copy_baseline(self, facts: dict) -> Step:
        self.execute(baselines.TRADES_STAGING_DDL)
        seconds, peak = self.psql_copy("bench_trades_staging", self.args.data / "trades.csv")
        # Kept until the indexed baseline below has taken the trades from it.
        return self.add(
            Step(
                "BASELINE COPY trades -> staging table",
                seconds,
                rows=facts["trades"],
                peak_mb=peak,
                memory_of="psql",
                note="plain table, no indexes",
            )
        )

    def execute(self, sql: str) -> None:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def bulk_load(self, facts: dict) -> None:
        """Fill the empty Django tables fast (see baselines.py); not a baseline for the import."""
        self.execute(baselines.LOAD_STAGING_DDL)
        data = self.args.data
        for kind in ("clients", "balances", "trades"):
            seconds, peak = self.psql_copy(f"bench_{kind}_staging", data / f"{kind}.csv")
            self.add(Step(f"bulk load: COPY {kind} -> staging", seconds, rows=facts[kind]))
        plan = [
            ("clients_client", baselines.LOAD_CLIENTS_SQL, facts["clients"]),
            ("clients_account", baselines.LOAD_ACCOUNTS_SQL, facts["accounts"]),
            ("clients_balance", baselines.LOAD_BALANCES_SQL, facts["balances"]),
            ("clients_trade", baselines.LOAD_TRADES_SQL, facts["trades"]),
        ]
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'")
                # Rows come from joins on the parent tables: the foreign keys hold by construction.
                cur.execute("SET session_replication_role = replica")
                # Columns added on feature branches that the load does not fill: their model
                # defaults, as database defaults for the duration of the load.
                if self.column_exists(cur, "clients_client", "total_assets"):
                    cur.execute("ALTER TABLE clients_client ALTER total_assets SET DEFAULT 0")
                for target, sql, rows in plan:
                    cur.execute(baselines.SECONDARY_INDEXES_SQL, [target])
                    indexes = cur.fetchall()
                    for index, _, constraint, _ in indexes:
                        if constraint:
                            cur.execute(f"ALTER TABLE {target} DROP CONSTRAINT {constraint}")
                        else:
                            cur.execute(f"DROP INDEX {index}")
                    started = time.perf_counter()
                    cur.execute(sql)
                    inserted = time.perf_counter() - started
                    started = time.perf_counter()
                    for _, indexdef, constraint, constraintdef in indexes:
                        if constraint:
                            cur.execute(
                                f"ALTER TABLE {target} ADD CONSTRAINT {constraint} {constraintdef}"
                            )
                        else:
                            cur.execute(indexdef)
                    rebuilt = time.perf_counter() - started
                    self.add(
                        Step(
                            f"bulk load: INSERT..SELECT {target}",
                            inserted + rebuilt,
                            rows=rows,
                            note=f"insert {inserted:.1f} s + {len(indexes)} indexes {rebuilt:.1f} s",
                        )
                    )
                cur.execute(
                    "DROP TABLE bench_clients_staging, bench_balances_staging, bench_trades_staging"
                )
                cur.execute(
                    "ALTER TABLE clients_client ALTER total_assets DROP DEFAULT"
                    if self.column_exists(cur, "clients_client", "total_assets")
                    else "SELECT 1"
                )
        finally:
            conn.close()

    @staticmethod
    def column_exists(cur, table: str, column: str) -> bool:
        cur.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            [table, column],
        )
        return cur.fetchone() is not None

    def indexed_copy_baselines(self) -> list[Step]:
        """COPY the trades into an empty copy of ``clients_trade`` with its indexes (``LIKE ...
        INCLUDING ALL``), then also with its foreign key to the accounts: what any import into
        the real table must maintain, unlike the plain staging table. The rows carry the ids the
        clients and balances imports gave (a CSV derived from the staging table)."""
        steps = []
        with tempfile.NamedTemporaryFile(suffix=".csv") as ids:
            self.run(
                [
                    "psql",
                    self.dsn,
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                    "\\copy (SELECT s.trade_id, a.client_id, a.id, s.executed_at, s.amount"
                    " FROM bench_trades_staging s JOIN clients_account a"
                    f" ON a.account_no = s.account_no) TO '{ids.name}' WITH (FORMAT csv)",
                ]
            )
            with open(ids.name, "rb") as derived:
                rows = sum(1 for _ in derived)
            for label, fk in (
                ("indexes", ""),
                (
                    "indexes + account FK",
                    "ALTER TABLE bench_trade_copy ADD FOREIGN KEY"
                    " (account_id) REFERENCES clients_account (id) DEFERRABLE INITIALLY DEFERRED;",
                ),
            ):
                self.execute(
                    "DROP TABLE IF EXISTS bench_trade_copy;"
                    f" CREATE TABLE bench_trade_copy (LIKE clients_trade INCLUDING ALL); {fk}"
                )
                seconds, peak, _, _ = self.run(
                    [
                        "psql",
                        self.dsn,
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-c",
                        "\\copy bench_trade_copy (trade_id, client_id, account_id, executed_at,"
                        f" amount) FROM '{ids.name}' WITH (FORMAT csv)",
                    ]
                )
                steps.append(
                    self.add(
                        Step(
                            f"BASELINE COPY trades -> empty clients_trade copy ({label})",
                            seconds,
                            rows=rows,
                            peak_mb=peak,
                            memory_of="psql",
                            note="LIKE clients_trade INCLUDING ALL (pk, trade_id unique,"
                            " (client_id, executed_at), account_id)" + (" + FK" if fk else ""),
                        )
                    )
                )
        self.execute("DROP TABLE bench_trade_copy; DROP TABLE IF EXISTS bench_trades_staging")
        return steps

    def django_import(self, facts: dict) -> dict[str, Step]:
        imported = {}
        kinds = [
            ("clients", facts["clients"]),
            ("balances", facts["balances"]),
            ("trades", facts["trades"]),
            ("trades again", facts["trades"]),
        ]
        if self.args.paired_rounds:
            # One trades import as a warm-up (it creates the accounts, so every round writes the
            # same); the trades are measured in the paired rounds.
            kinds = kinds[:3]
        for kind, rows in kinds:
            if kind == "trades" and not (self.args.no_copy or self.args.paired_rounds):
                self.indexed_copy_baselines()
            seconds, peak, out, err = self.run(
                self.manage(
                    "import_corebanking",
                    kind.split()[0],
                    str(self.args.data / f"{kind.split()[0]}.csv"),
                )
            )
            # The command reports its reading rate on stderr; the rest of the time is the
            # set-based checks and the upsert.
            reading = [line for line in err.splitlines() if "rows/s" in line]
            if reading:
                out = f"{out.strip()} [reading+staging: {reading[-1].strip()}]"
            imported[kind] = self.add(
                Step(
                    f"IMPORT import_corebanking {kind}"
                    + (" (same file: all unchanged)" if kind == "trades again" else ""),
                    seconds,
                    rows=rows,
                    peak_mb=peak,
                    memory_of="manage.py",
                    note=" ".join(out.split())[:160],
                )
            )
        return imported

    # --- paired, alternating rounds of the trades import and its COPY baselines -----------------

    def paired_import_rounds(self, facts: dict) -> list[dict]:
        """``--paired-rounds N``: after one import of the clients and balances, N rounds of the
        trades legs, each leg timed on its own: plain COPY into the staging table (P), COPY into
        an empty copy of ``clients_trade`` with its indexes (B), ``import_corebanking trades``
        into the emptied ``clients_trade`` (I) and, with ``--reference-repo``, the same import
        run from that checkout (R). The order is reversed every other round (P B I R, R I B P,
        ...) so a load that comes and goes hits every leg alike; the verdict is the median of
        the per-round ratios (rows/s of I over rows/s of B or P), with each leg's load beside
        it. Trades are the only table the legs write, so every round starts from the same
        state."""
        trades_csv = self.args.data / "trades.csv"
        ids = self.args.data / "trades-with-ids.csv"
        self.run(
            [
                "psql",
                self.dsn,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "\\copy (SELECT s.trade_id, a.client_id, a.id, s.executed_at, s.amount"
                " FROM bench_trades_staging s JOIN clients_account a"
                f" ON a.account_no = s.account_no) TO '{ids}' WITH (FORMAT csv)",
            ]
        )
        legs = {
            "P": lambda: self._leg_plain_copy(trades_csv),
            "B": lambda: self._leg_indexed_copy(ids),
            "I": lambda: self._leg_import(trades_csv, REPO, self.args.python),
        }
        if self.args.reference_repo:
            legs["R"] = lambda: self._leg_import(
                trades_csv, self.args.reference_repo, self.args.reference_python or self.args.python
            )
        rounds = []
        for number in range(self.args.paired_rounds):
            order = list(legs) if number % 2 == 0 else list(reversed(legs))
            measured = {}
            for leg in order:
                measured[leg] = legs[leg]()
                self.log(
                    f"round {number + 1} {leg}: {measured[leg]['seconds']:.2f} s,"
                    f" {measured[leg]['rows_per_s']:,.0f} rows/s,"
                    f" peak {measured[leg]['peak_mb']:.0f} MB, load {measured[leg]['load']:.2f}"
                )
            rounds.append({"round": number + 1, "order": "".join(order), "legs": measured})
        self.execute("DROP TABLE IF EXISTS bench_trade_copy")
        ids.unlink()
        return rounds

    def _leg(self, seconds: float, rows: int, peak: float, note: str = "") -> dict:
        return {
            "seconds": seconds,
            "rows": rows,
            "rows_per_s": rows / seconds,
            "peak_mb": peak,
            "load": os.getloadavg()[0],
            "note": note,
        }

    def _leg_plain_copy(self, trades_csv: Path) -> dict:
        self.execute("TRUNCATE bench_trades_staging")
        seconds, peak = self.psql_copy("bench_trades_staging", trades_csv)
        return self._leg(seconds, self.count("bench_trades_staging"), peak)

    def _leg_indexed_copy(self, ids: Path) -> dict:
        self.execute(
            "DROP TABLE IF EXISTS bench_trade_copy;"
            " CREATE TABLE bench_trade_copy (LIKE clients_trade INCLUDING ALL)"
        )
        seconds, peak, _, _ = self.run(
            [
                "psql",
                self.dsn,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "\\copy bench_trade_copy (trade_id, client_id, account_id, executed_at,"
                f" amount) FROM '{ids}' WITH (FORMAT csv)",
            ]
        )
        return self._leg(seconds, self.count("bench_trade_copy"), peak)

    def _leg_import(self, trades_csv: Path, repo: Path, python: str) -> dict:
        self.execute("TRUNCATE clients_trade")
        seconds, peak, out, _ = self.run(
            [python, "manage.py", "import_corebanking", "trades", str(trades_csv)],
            cwd=repo,
        )
        rows = self.count("clients_trade")
        return self._leg(seconds, rows, peak, " ".join(out.split())[:120])

    def count(self, table: str) -> int:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(f"SELECT count(*) FROM {table}")
                return cur.fetchone()[0]
        finally:
            conn.close()

    def table_counts(self) -> dict[str, int]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                counts = {}
                for table in ("client", "account", "balance", "trade", "statuschange"):
                    cur.execute(f"SELECT count(*) FROM clients_{table}")
                    counts[table] = cur.fetchone()[0]
                cur.execute("SELECT status, count(*) FROM clients_client GROUP BY 1 ORDER BY 1")
                counts["by_status"] = dict(cur.fetchall())
                return counts
        finally:
            conn.close()

    def vacuum(self) -> None:
        started = time.perf_counter()
        self.execute("VACUUM ANALYZE")
        self.add(Step("VACUUM ANALYZE (after the load)", time.perf_counter() - started))

    def count_baselines(self, params: dict, expected: int) -> Step:
        variants = [
            ("naive SQL, planner defaults", baselines.COUNT_NAIVE_SQL, ""),
            (
                "naive SQL, enable_hashagg=off",
                baselines.COUNT_NAIVE_SQL,
                "SET enable_hashagg = off",
            ),
            ("best SQL, planner defaults", baselines.COUNT_BEST_SQL, ""),
            ("best SQL, enable_hashagg=off", baselines.COUNT_BEST_SQL, "SET enable_hashagg = off"),
            # JIT compilation costs ~1 s per query here and buys nothing on index-probe plans.
            (
                "best SQL, enable_hashagg=off, jit=off",
                baselines.COUNT_BEST_SQL,
                "SET enable_hashagg = off; SET jit = off",
            ),
        ]
        best = None
        for label, sql, setup in variants:
            times = []
            for _ in range(self.args.repeat):
                seconds, peak, result = self.sql_step(label, sql, params, setup=setup)
                times.append(seconds)
                if result[0] != expected:
                    raise SystemExit(f"{label}: counted {result[0]}, generator expects {expected}")
            step = self.add(
                Step(
                    f"BASELINE count qualifying: {label}",
                    min(times),
                    peak_mb=peak,
                    memory_of="backend",
                    note="runs: " + ", ".join(f"{t:.2f}" for t in times) + f"; = {result[0]:,}",
                )
            )
            if best is None or step.seconds < best.seconds:
                best = step
        return best

    def reclassify_baseline(self, params: dict) -> Step:
        times = []
        for _ in range(self.args.repeat):
            seconds, peak, rows = self.sql_step(
                "reclassify",
                baselines.RECLASSIFY_SQL,
                params,
                setup="SET LOCAL enable_hashagg = off; SET LOCAL jit = off",
                rollback=True,
            )
            times.append(seconds)
            # The rolled-back versions are dead rows the engine would otherwise have to skip.
            self.execute("VACUUM clients_client, clients_statuschange")
        return self.add(
            Step(
                "BASELINE reclassify SQL: update statuses + history",
                min(times),
                rows=rows,
                peak_mb=peak,
                memory_of="backend",
                note="rolled back; runs: " + ", ".join(f"{t:.2f}" for t in times),
            )
        )

    def engine_rounds(self, params: dict, expected: int) -> tuple[Step, Step, Step, Step]:
        """The engine and its baselines in alternation (baseline, engine, baseline, engine...),
        so a load that comes and goes on this shared machine hits both alike; the fastest of
        each is reported. First runs: reset, the update + history SQL (rolled back), then the
        engine's first run. Second runs: the best count SQL, then the engine again."""
        update_times, firsts, count_times, seconds_runs = [], [], [], []
        for run in range(self.args.engine_repeat):
            self.engine_reset()
            took, _, _ = self.sql_step(
                "reclassify",
                baselines.RECLASSIFY_SQL,
                params,
                setup="SET LOCAL enable_hashagg = off; SET LOCAL jit = off",
                rollback=True,
            )
            self.execute("VACUUM clients_client, clients_statuschange")
            update_times.append(took)
            firsts.append(self.engine(f"first run #{run + 1}: all clients standard")[1])
            vips = self.table_counts()["by_status"].get("vip", 0)
            if vips != expected:
                self.log(f"WARNING: engine made {vips:,} VIPs, generator expects {expected:,}")
        for run in range(self.args.engine_repeat):
            took, _, result = self.sql_step(
                "count",
                baselines.COUNT_BEST_SQL,
                params,
                setup="SET enable_hashagg = off; SET jit = off",
            )
            count_times.append(took)
            seconds_runs.append(self.engine_rerun(f"second run #{run + 1}: changes nothing")[1])

        for name, engine_runs, baseline_times in (
            ("first run / update + history", firsts, update_times),
            ("no-change re-run / best count", seconds_runs, count_times),
        ):
            ratios = [e.seconds / b for e, b in zip(engine_runs, baseline_times, strict=True)]
            self.log(
                f"PAIRED RATIO {name}: median {statistics.median(ratios):.2f}x of "
                + ", ".join(f"{r:.2f}" for r in ratios)
            )

        def best(label: str, times: list[float]) -> Step:
            runs = ", ".join(f"{t:.2f}" for t in times)
            return self.add(Step(label, min(times), note=f"runs: {runs}"))

        return (
            best("PAIRED BASELINE update statuses + history (rolled back)", update_times),
            best("PAIRED ENGINE rule, first run", [s.seconds for s in firsts]),
            best("PAIRED BASELINE best count SQL", count_times),
            best("PAIRED ENGINE rule, second run", [s.seconds for s in seconds_runs]),
        )

    def engine(self, label: str) -> tuple[Step, Step]:
        """One ``reclassify_vips`` run: the whole command (process start, rule, RM assignment,
        call-backs), and the rule alone as the command times it (its "Seconds:" line; the
        numbers are read in order, whatever the language of the text around them)."""
        seconds, peak, out, _ = self.run(
            self.manage("reclassify_vips", "--as-of", self.args.as_of.isoformat())
        )
        timing = [float(x) for x in re.findall(r"\d+\.\d\d", out.strip().splitlines()[-1])]
        command = self.add(
            Step(
                f"ENGINE reclassify_vips command ({label})",
                seconds,
                peak_mb=peak,
                memory_of="manage.py",
                note=" ".join(out.split())[:120],
            )
        )
        rule = self.add(
            Step(
                f"ENGINE rule alone, vip_statuses_reclassify ({label})",
                timing[0],
                note="RMs {:.2f} s, call-backs {:.2f} s".format(*timing[1:3]),
            )
        )
        return command, rule

    def engine_rerun(self, label: str) -> tuple[Step, Step]:
        """The night's steps again for the same business date, as a run after an outage or a
        dead run's retry does (``programme.services.vip_programme_nightly``, every step
        idempotent): ``reclassify_vips`` itself runs once per business date (``NightRun``) and a
        second command only says so, which measures nothing. Must change nothing; the changes
        it reports are checked."""
        seconds, peak, out, _ = self.run(
            self.manage("shell", "-c", RERUN_PY.format(as_of=self.args.as_of.isoformat()))
        )
        line = out.strip().splitlines()[-1]
        rule_s, rms_s, callbacks_s, changes = (float(x) for x in line.split())
        if changes:
            self.log(f"WARNING: the no-change re-run changed {changes:,.0f} clients")
        command = self.add(
            Step(
                f"ENGINE night's steps re-run, vip_programme_nightly ({label})",
                seconds,
                peak_mb=peak,
                memory_of="manage.py",
                note=f"changes {changes:,.0f}",
            )
        )
        rule = self.add(
            Step(
                f"ENGINE rule alone, vip_statuses_reclassify ({label})",
                rule_s,
                note=f"RMs {rms_s:.2f} s, call-backs {callbacks_s:.2f} s",
            )
        )
        return command, rule

    def engine_reset(self) -> None:
        """Back to the state right after an import: every client standard, no history, none of
        the nightly's RM assignments or call-backs, and no record of a night run."""
        for sql in (
            # reclassify_vips runs once per business date: forget the earlier rounds' runs.
            "DELETE FROM dataruns_nightrun",
            "DELETE FROM servicedesk_callback",
            "DELETE FROM managers_assignment",
            "DELETE FROM clients_statuschange",
            "UPDATE clients_client SET status = 'standard', vip_since = NULL, "
            "at_risk_since = NULL, status_changed_on = NULL "
            "WHERE status <> 'standard' OR vip_since IS NOT NULL",
            "VACUUM ANALYZE clients_client, clients_statuschange",
        ):
            self.execute(sql)


# The night's steps for a date that has run already, bypassing only the once-per-date record:
# prints the rule's, the RM step's and the call-backs' seconds and the number of changes.
RERUN_PY = """
from datetime import date
from programme.services import vip_programme_nightly
cycle = vip_programme_nightly(as_of=date.fromisoformat("{as_of}"))
s = cycle.seconds
print(s["rule"], s["assignments"], s["callbacks"], cycle.reclassification.changes)
"""


def backend_peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def machine_facts(dsn: str) -> dict:
    # The maintenance database: the benchmark's own may not exist yet.
    conn = psycopg2.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            settings = {}
            for name in ("shared_buffers", "work_mem", "max_wal_size", "synchronous_commit"):
                cur.execute(f"SHOW {name}")
                settings[name] = cur.fetchone()[0]
    finally:
        conn.close()
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "postgresql": version,
        "postgresql_settings": settings,
        "python": platform.python_version(),
    }


def table(steps: list[Step]) -> str:
    lines = [
        "| step | time (s) | rows | rows/s | peak memory (MB) | load avg | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in steps:
        rows = f"{s.rows:,}" if s.rows else ""
        rate = f"{s.rows_per_s:,.0f}" if s.rows_per_s else ""
        peak = f"{s.peak_mb:,.0f} ({s.memory_of})" if s.peak_mb else ""
        lines.append(
            f"| {s.name} | {s.seconds:,.2f} | {rows} | {rate} | {peak} | {s.load:.1f} | {s.note} |"
        )
    return "\n".join(lines)


def import_verdicts(steps: list[Step], imports: dict[str, Step]) -> str:
    """Each trades import (into the empty table, then the same file again) against each COPY
    baseline of the same run."""
    lines = []
    baselines_ = [s for s in steps if s.name.startswith("BASELINE COPY trades") and s.rows_per_s]
    for kind in ("trades", "trades again"):
        trades = imports.get(kind)
        if trades is None or not trades.rows_per_s:
            continue
        for copy in baselines_:
            ratio = trades.rows_per_s / copy.rows_per_s
            lines.append(
                f"- {trades.name}: {trades.rows_per_s:,.0f} rows/s vs {copy.name} "
                f"{copy.rows_per_s:,.0f} rows/s = {ratio:.2f}x "
                f"(target >= 0.50x: {'MET' if ratio >= 0.5 else 'MISSED'})"
            )
        lines.append(
            f"- {trades.name}: peak {trades.peak_mb:,.0f} MB (target < 300 MB: "
            f"{'MET' if trades.peak_mb and trades.peak_mb < 300 else 'MISSED'})"
        )
    return "\n".join(lines)


def paired_summary(rounds: list[dict]) -> str:
    """Per round: each leg's seconds, rows/s and load; then the median (min-max) of the paired
    ratios of the import's rate to each baseline's (and to the reference import's)."""
    lines = [
        "| round | order | leg | seconds | rows/s | peak MB | load (1 min) |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rounds:
        for leg, m in r["legs"].items():
            lines.append(
                f"| {r['round']} | {r['order']} | {leg} | {m['seconds']:.2f} |"
                f" {m['rows_per_s']:,.0f} | {m['peak_mb']:.0f} | {m['load']:.2f} |"
            )
    lines.append("")
    for mine in ("I", "R"):
        for theirs in ("B", "P", "R"):
            if mine == theirs or any(
                mine not in r["legs"] or theirs not in r["legs"] for r in rounds
            ):
                continue
            ratios = sorted(
                r["legs"][mine]["rows_per_s"] / r["legs"][theirs]["rows_per_s"] for r in rounds
            )
            each = ", ".join(
                f"{r['legs'][mine]['rows_per_s'] / r['legs'][theirs]['rows_per_s']:.3f}"
                for r in rounds
            )
            lines.append(
                f"- {mine}/{theirs}: median {statistics.median(ratios):.3f}x"
                f" (min {ratios[0]:.3f}, max {ratios[-1]:.3f}; rounds: {each})"
            )
    return "\n".join(lines)


def verdicts(
    copy: Step | None,
    imports: dict[str, Step],
    best: Step,
    update: Step,
    engine: tuple[Step, Step] | None,
    steps: list[Step] | None = None,
):
    lines = [import_verdicts(steps or ([copy] if copy else []), imports)] if imports else []
    lines.append(
        f"- best hand-written SQL: count {best.seconds:.2f} s, update + history "
        f"{update.seconds:.2f} s"
    )
    if engine is not None:
        first, again = engine
        for name, mine, theirs in (
            ("first run (all changes) vs update + history", first, update),
            ("second run (no change) vs count", again, best),
        ):
            ratio = mine.seconds / theirs.seconds
            lines.append(
                f"- engine rule, {name}: {mine.seconds:.2f} s vs {theirs.seconds:.2f} s = "
                f"{ratio:.2f}x (target <= 1.5x: {'MET' if ratio <= 1.5 else 'MISSED'})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--trades-per-client-avg", type=float, default=30.0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--data", type=Path, help="CSV folder (default benchmarks/data/bank-N)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vip_bench"),
    )
    parser.add_argument("--python", default=DEFAULT_PYTHON)
    parser.add_argument(
        "--loader",
        choices=["auto", "django", "bulk"],
        default="auto",
        help="auto: the Django import if import_corebanking exists, else the bulk SQL load",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each SQL baseline")
    parser.add_argument(
        "--engine-repeat", type=int, default=3, help="first runs of the engine (reset between)"
    )
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument("--keep-database", action="store_true", help="skip drop/create/load")
    parser.add_argument("--no-copy", action="store_true", help="skip the COPY baseline")
    parser.add_argument(
        "--import-only", action="store_true", help="stop after the import and its baselines"
    )
    parser.add_argument(
        "--paired-rounds",
        type=int,
        default=0,
        help="after clients and balances, N alternating rounds of the trades import and its COPY"
        " baselines (median of paired ratios); implies --import-only",
    )
    parser.add_argument(
        "--reference-repo",
        type=Path,
        help="with --paired-rounds: also time the trades import of this checkout in every round",
    )
    parser.add_argument(
        "--reference-python",
        help="with --reference-repo: that checkout's interpreter, a venv made from its own"
        " requirements.lock (default --python; an older checkout may need packages since removed)",
    )
    parser.add_argument("--results", type=Path, help="JSON results file")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    # Absolute: the reference checkout's import runs in its own folder, where a relative path
    # names nothing ("Cannot read benchmarks/data/...").
    args.data = (args.data or BENCH / "data" / f"bank-{args.clients}").resolve()
    os.nice(args.nice)

    runner = Runner(args)
    facts = runner.generate()
    machine = machine_facts(args.database_url)
    runner.log(f"machine: {machine}")
    loader = args.loader
    if loader == "auto":
        loader = "django" if runner.has_command("import_corebanking") else "bulk"

    imports: dict[str, Step] = {}
    if args.keep_database:
        # The branch may have brought migrations since the database was loaded.
        runner.run(runner.manage("migrate", "-v", "0"))
    else:
        runner.recreate_database()
    copy = None if args.no_copy else runner.copy_baseline(facts)
    if not args.keep_database:
        if loader == "bulk":
            runner.bulk_load(facts)
        else:
            imports = runner.django_import(facts)
        runner.vacuum()
    if args.paired_rounds:
        rounds = runner.paired_import_rounds(facts)
        runner.execute("DROP TABLE IF EXISTS bench_trades_staging")
        print()
        print(table(runner.steps))
        print()
        summary = paired_summary(rounds)
        print(summary)
        results = args.results or BENCH / "data" / f"paired-{args.clients}-{int(time.time())}.json"
        results.write_text(
            json.dumps({"facts": facts, "machine": machine, "rounds": rounds}, indent=2)
        )
        print(f"\nresults: {results}")
        return 0
    runner.execute("DROP TABLE IF EXISTS bench_trades_staging")
    counts = runner.table_counts()
    runner.log(f"tables: {counts}")
    if args.import_only:
        print()
        print(table(runner.steps))
        print()
        print(import_verdicts(runner.steps, imports))
        return 0

    params = baselines.RuleParams(args.as_of).sql_params()
    expected = facts["expected"]["qualifying"]
    best = runner.count_baselines(params, expected)

    engine = None
    if runner.has_command("reclassify_vips"):
        update, first, count, again = runner.engine_rounds(params, expected)
        engine = (first, again)
        best = count
    else:
        update = runner.reclassify_baseline(params)
        runner.log("reclassify_vips not available on this branch: engine not measured")

    summary = verdicts(copy, imports, best, update, engine, runner.steps)
    print()
    print(
        f"Bank: {facts['clients']:,} clients, {facts['accounts']:,} accounts, "
        f"{facts['balances']:,} balance rows, {facts['trades']:,} trades; as of {facts['as_of']}, "
        f"{expected:,} qualifying ({expected / facts['clients']:.1%})"
    )
    print(
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gb']} GB, "
        f"PostgreSQL {machine['postgresql']} {machine['postgresql_settings']}"
    )
    print()
    print(table(runner.steps))
    print()
    print(summary)
    results = args.results or BENCH / "data" / f"results-{args.clients}-{int(time.time())}.json"
    results.write_text(
        json.dumps(
            {
                "facts": facts,
                "machine": machine,
                "loader": loader,
                "steps": [asdict(s) | {"rows_per_s": s.rows_per_s} for s in runner.steps],
                "summary": summary,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nresults: {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
