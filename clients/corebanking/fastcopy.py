"""The COPY fast path of the core-banking import (PostgreSQL)."""

import codecs
import logging
import time
from typing import IO

from django.db import DatabaseError, connection, transaction

from clients.corebanking import parse, sql
from clients.corebanking.encoding import implausible_char
from clients.corebanking.report import ImportReport
from clients.corebanking.stage import KEYS
from clients.corebanking.upsert import rows_upsert, stage_write
from core.actors import Actor
from core.phone import InvalidPhone, client_phone, is_complete

# The COPY fast path (PostgreSQL). COPY reads the file into a table of text columns at COPY's own
# speed, SQL checks every field and the whole-file rules in one pass over it, and one upsert casts
# and writes: no Python per row. It only ever accepts a file whole; anything it is not sure of (a
# bad or unusual row, a failed cast, quoting) rolls it back and ``corebanking_import`` parses the
# file row by row instead, so rejected files get exactly the Python path's error report.
COPY_TABLE = "corebanking_copy"
COPY_ACCOUNTS = "corebanking_copy_accounts"
# Phones the SQL does not normalise (unusual shapes), normalised in Python.
COPY_PHONES = "corebanking_copy_phones"
# The distinct numbers the SQL normalised, each checked in Python (``_phones_complete``).
COPY_NUMBERS = "corebanking_copy_numbers"
COPY_NUMBERS_BATCH = 20_000
COPY_READ = 1 << 20  # bytes per read: COPY's buffer and the progress report's step
COPY_WORK_MEM = "64MB"


class _NotFast(Exception):
    """The file needs the row-by-row path (the reason is logged)."""


class _CopySource:
    """What COPY reads: the file decoded with ``encoding`` and re-encoded as UTF-8 (so PostgreSQL
    and Python never decode differently), after the header line, which ``header`` parses.

    COPY runs with quoting disabled (QUOTE is a control character the text may not contain), and
    a file with a double quote anywhere takes the Python path: Python's csv module and COPY read
    misplaced quotes differently, while without quotes both just split on commas and line ends.
    Lines are counted to check that COPY read as many rows as there are lines (COPY would stop at
    a line holding only ``\\.``) and to report progress."""

    def __init__(self, file: IO[bytes], encoding: str, progress, *, checked: bool = False):
        try:
            self.decoder = codecs.getincrementaldecoder(encoding)()
        except LookupError:
            raise _NotFast("unknown encoding") from None
        self.file = file
        # GB18030 decodes nearly anything: its text must also be plausible (``encoding``).
        self.checked = checked
        self.progress = progress
        self.clock = time.monotonic
        self.started = self.clock()
        self.lines = 0
        self.last = "\n"
        self.pending = ""
        self.failure = ""

    def _decoded(self) -> str:
        """The next text, "" only at the end (a few bytes can decode to nothing yet)."""
        while True:
            data = self.file.read(COPY_READ)
            try:
                text = self.decoder.decode(data, final=not data)
            except UnicodeDecodeError:
                self.failure = "decode"
                raise
            if self.checked and implausible_char(text) is not None:
                self.failure = "implausible"
                raise _NotFast("implausible text")
            if text or not data:
                return text

    def header(self) -> list[str]:
        text = self.pending
        while "\n" not in text:
            more = self._decoded()
            if not more:
                break
            text += more
        line, newline, self.pending = text.partition("\n")
        line = line.removesuffix("\r")
        if not newline or '"' in line or "\r" in line:
            raise _NotFast("header")
        return line.split(",")

    def read(self, size: int = -1) -> bytes:
        text, self.pending = self.pending + self._decoded(), ""
        if not text:
            if self.progress:
                self.progress(self.rows, self.clock() - self.started)
            return b""
        if '"' in text or "\x01" in text:
            self.failure = "quotes"
            raise _NotFast(self.failure)
        if parse.CONTROL.search(text):
            self.failure = "control characters"  # the row-by-row path reports them
            raise _NotFast(self.failure)
        self.lines += text.count("\n")
        self.last = text[-1]
        if self.progress:
            self.progress(self.lines, self.clock() - self.started)
        return text.encode()

    @property
    def rows(self) -> int:
        return self.lines + (self.last != "\n")


def copy_import(
    kind: str,
    file: IO[bytes],
    encodings: list[str],
    progress,
    actor: Actor,
    checked: frozenset = frozenset(),
) -> ImportReport | None:
    """The file imported by the fast path, or None when it needs the row-by-row path (after
    rolling back whatever the fast path did). Text decoded with an encoding in ``checked`` must
    be plausible (``clients.corebanking.encoding``). Clients' history names ``actor``."""
    for candidate in encodings:
        file.seek(0)
        source = _CopySource(file, candidate, progress, checked=candidate in checked)
        try:
            with transaction.atomic():
                report = ImportReport(kind=kind, encoding=candidate, copied=True)
                return _copy_load(kind, source, report, actor)
        except (_NotFast, DatabaseError, UnicodeDecodeError) as exc:
            if source.failure == "decode":
                continue  # the next encoding, as the Python path does
            logging.getLogger(__name__).info(
                "%s import takes the row-by-row path: %s", kind, exc or type(exc).__name__
            )
            return None
    return None


def _copy_load(kind: str, source: _CopySource, report: ImportReport, actor: Actor) -> ImportReport:
    header = source.header()
    if parse.header_errors(kind, header):
        raise _NotFast("header")
    names = parse.header_names(header)  # every one a known column: safe in the COPY statement
    with connection.cursor() as cursor:
        _copy_into_table(cursor, kind, source, names, report)
        sample = ""
        if kind == "trades":
            cursor.execute(f"SELECT executed_at FROM {COPY_TABLE} LIMIT 1")
            sample = (cursor.fetchone() or [""])[0]
        valid = sql.sql_valid(kind, "s", sample)
        # A trade id twice in the file needs no pass of its own (2.4 s of 3M trades): the trades
        # write (``upsert._trades_write``) keeps each key unique where it lands, the known ones
        # in a table keyed by trade id and the new ones in ``clients_trade``, so a duplicate
        # raises there and the file takes the row-by-row path, which reports it.
        if kind != "trades":
            key = ", ".join(KEYS[kind])
            cursor.execute(
                f"SELECT EXISTS (SELECT FROM {COPY_TABLE} GROUP BY {key} HAVING COUNT(*) > 1)"
            )
            if cursor.fetchone()[0]:
                raise _NotFast("duplicate keys")
        if kind == "clients":
            _copy_clients(cursor, valid, report, actor)
        else:
            _copy_account_rows(cursor, kind, valid, report)
    return report


def _copy_into_table(
    cursor, kind: str, source: _CopySource, names: list[str], report: ImportReport
) -> None:
    """The file as text columns in ``COPY_TABLE``, by COPY; ``_NotFast`` when COPY read another
    number of rows than the file holds."""
    columns = parse.COLUMNS[kind]
    # Left by an earlier import in the same transaction (they go at commit).
    cursor.execute(
        f"DROP TABLE IF EXISTS {COPY_TABLE}, {COPY_ACCOUNTS}, {COPY_PHONES}, {COPY_NUMBERS}"
    )
    # The duplicate-key and per-account aggregates hash millions of keys: with the default
    # 4 MB they spill to disk in many batches. Bounded, and only for this transaction.
    cursor.execute(f"SET LOCAL work_mem = '{COPY_WORK_MEM}'")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {COPY_TABLE} ({', '.join(f'{c} text' for c in columns)})"
        " ON COMMIT DROP"
    )
    # FORCE_NOT_NULL: an empty field is '', as csv.reader gives it. (Django's cursor passes
    # copy_expert through unwrapped: its errors become Django's here.)
    with connection.wrap_database_errors:
        cursor.copy_expert(
            f"""COPY {COPY_TABLE} ({", ".join(names)}) FROM STDIN WITH (FORMAT csv,
            QUOTE E'\\x01', ENCODING 'UTF8', FORCE_NOT_NULL ({", ".join(columns)}))""",
            source,
            COPY_READ,  # positional: Django's debug cursor takes no keywords here
        )
    report.rows = cursor.rowcount
    if report.rows != source.rows:
        raise _NotFast("rows")
    # A new temporary table has no statistics: the planner guessed 40,000 groups for 1.1M
    # (account, client) pairs and probed the clients' index once per pair (the check pass of a
    # 3M-trade file at 1M clients: 16.1 s); analysed (0.2 s), it hashes the clients once
    # (benchmarks/REPORT.md).
    cursor.execute(f"ANALYZE {COPY_TABLE}")


def _copy_clients(cursor, valid: str, report: ImportReport, actor: Actor) -> None:
    """Every row valid and of a known branch, or ``_NotFast``; then staged and written."""
    cursor.execute(
        f"""SELECT EXISTS (SELECT FROM {COPY_TABLE} s
            LEFT JOIN core_branch b ON b.code = s.branch_code
            WHERE b.id IS NULL OR NOT ({valid}))"""
    )
    if cursor.fetchone()[0]:
        raise _NotFast("bad rows")
    _phones_normalize(cursor)
    stage_write("clients", report, _copy_typed("clients"), actor)


def _copy_account_rows(cursor, kind: str, valid: str, report: ImportReport) -> None:
    """Balances or trades: every row valid, of a known client, each account one client's, or
    ``_NotFast``; then the new accounts made and the rows upserted."""
    # One pass checks every row and gives each account its one client. The rows are grouped by
    # account and client first, so the clients are looked up once per pair, not once per row
    # (0.9 s of 3M trades' 2.5 s aggregate). In account order: the two statements after it
    # probe the accounts' index once per account, 4x slower in a hash aggregate's order (1.1M
    # accounts: 10.3 s against 3.7 s).
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {COPY_ACCOUNTS} ON COMMIT DROP AS
            SELECT g.account_no, MIN(c.id) AS client_id,
                   bool_and(c.id IS NOT NULL AND g.ok) AND MIN(c.id) = MAX(c.id) AS ok
            FROM (SELECT s.account_no, s.client_no, bool_and({valid}) AS ok FROM {COPY_TABLE} s
                  GROUP BY s.account_no, s.client_no) g
            LEFT JOIN clients_client c ON c.client_no = g.client_no
            GROUP BY g.account_no ORDER BY g.account_no"""
    )
    cursor.execute(
        f"""SELECT EXISTS (SELECT FROM {COPY_ACCOUNTS} g
            LEFT JOIN clients_account a ON a.account_no = g.account_no
            WHERE NOT g.ok OR a.client_id <> g.client_id)"""
    )
    if cursor.fetchone()[0]:
        raise _NotFast("bad rows")
    cursor.execute(
        f"""INSERT INTO clients_account (account_no, client_id)
            SELECT account_no, client_id FROM {COPY_ACCOUNTS}
            ON CONFLICT (account_no) DO NOTHING"""
    )
    report.accounts_created = cursor.rowcount
    rows_upsert(cursor, kind, _copy_typed(kind), report, clients_in=COPY_TABLE)


def _phones_normalize(cursor) -> None:
    """Normalise in Python (``core.phone.client_phone``) the distinct phones of the file that
    ``sql.sql_phone_normalized`` leaves NULL: a few in a real file, so the cost stays small. Then
    every number the SQL normalised must be one the bank can call (``_phones_complete``)."""
    cursor.execute(
        f"CREATE TEMPORARY TABLE {COPY_PHONES} (phone text PRIMARY KEY, normalized text NOT NULL)"
        " ON COMMIT DROP"
    )
    cursor.execute(
        f"SELECT DISTINCT r.phone FROM {COPY_TABLE} r WHERE {sql.sql_phone_normalized('r')} IS NULL"
    )
    phones = []
    for (phone,) in cursor.fetchall():
        try:
            phones.append((phone, client_phone(phone)))
        except InvalidPhone:
            raise _NotFast("bad phones") from None  # the row-by-row path says which
    if phones:
        cursor.executemany(f"INSERT INTO {COPY_PHONES} (phone, normalized) VALUES (%s, %s)", phones)
    _phones_complete(cursor)


def _phones_complete(cursor) -> None:
    """``_NotFast`` unless every distinct number ``sql.sql_phone_normalized`` gave is complete
    (``core.phone.is_complete``, the rule the row-by-row path applies with ``client_phone``):
    the SQL shapes take any 1[3-9] mobile and any area code, libphonenumber's numbering plan
    fewer. Read by key in batches, so memory stays bounded whatever the file's size."""
    cursor.execute(
        f"CREATE TEMPORARY TABLE {COPY_NUMBERS} (normalized text PRIMARY KEY) ON COMMIT DROP"
    )
    normalized = sql.sql_phone_normalized("r")
    cursor.execute(
        f"""INSERT INTO {COPY_NUMBERS} SELECT DISTINCT {normalized} FROM {COPY_TABLE} r
            WHERE r.phone <> '' AND {normalized} IS NOT NULL"""
    )
    last = ""
    while True:
        cursor.execute(
            f"SELECT normalized FROM {COPY_NUMBERS} WHERE normalized > %s"
            f" ORDER BY normalized LIMIT {COPY_NUMBERS_BATCH}",
            [last],
        )
        numbers = [number for (number,) in cursor.fetchall()]
        if not numbers:
            return
        if not all(map(is_complete, numbers)):
            raise _NotFast("incomplete phones")
        last = numbers[-1]


def _copy_typed(kind: str) -> str:
    """The fast path's text table as the staging table's columns and types."""
    values = [f"{sql.sql_value(column, 'r')} AS {column}" for column in parse.COLUMNS[kind]]
    if kind == "clients":
        values.append(
            f"COALESCE({sql.sql_phone_normalized('r')}, (SELECT p.normalized FROM {COPY_PHONES} p"
            " WHERE p.phone = r.phone)) AS phone_normalized"
        )
    return f"(SELECT {', '.join(values)} FROM {COPY_TABLE} r)"
