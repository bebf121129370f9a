"""The row-by-row path of the core-banking import: every row parsed in Python (``parse``) into a
temporary staging table, then the checks that need the whole file or the database, set-based on
that table."""

import csv
import io
import time
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import IO, Any

from django.db import connection

from clients.corebanking import parse
from clients.corebanking.encoding import plausible_lines
from clients.corebanking.report import Errors, ImportReport
from core.messages import neutral as _
from core.messages import quoted

IMPORT_CHUNK = 20_000
STAGE = "corebanking_stage"

STAGE_COLUMNS = {
    # name: (PostgreSQL type, SQLite type)
    "clients": [
        ("client_no", "text", "text"),
        ("name", "text", "text"),
        ("kind", "text", "text"),
        ("id_number", "text", "text"),
        ("phone", "text", "text"),
        ("phone_normalized", "text", "text"),
        ("email", "text", "text"),
        ("branch_code", "text", "text"),
        ("relationship_since", "date", "text"),
        ("good_standing", "boolean", "integer"),
    ],
    "balances": [
        ("client_no", "text", "text"),
        ("account_no", "text", "text"),
        ("as_of", "date", "text"),
        ("balance", "numeric(18,2)", "numeric"),
    ],
    "trades": [
        ("trade_id", "text", "text"),
        ("client_no", "text", "text"),
        ("account_no", "text", "text"),
        ("executed_at", "timestamptz", "text"),
        ("amount", "numeric(18,2)", "numeric"),
    ],
}
KEYS = {"clients": ["client_no"], "balances": ["account_no", "as_of"], "trades": ["trade_id"]}


def stage_create(kind: str) -> None:
    postgres = connection.vendor == "postgresql"
    columns = ", ".join(
        f"{name} {pg if postgres else lite}" for name, pg, lite in STAGE_COLUMNS[kind]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        on_commit = " ON COMMIT DROP" if postgres else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (line integer NOT NULL, {columns}){on_commit}"
        )


class _Records:
    """csv.reader over the file that knows the physical line each record starts on (a quoted
    field may run over several lines; errors name the first, SPEC section 2)."""

    def __init__(self, lines):
        self.reader = csv.reader(lines)
        self.start = 1

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        self.start = self.reader.line_num + 1
        return next(self.reader)


def stage_load(
    kind: str,
    file: IO[bytes],
    encoding: str,
    report: ImportReport,
    progress,
    plausible: bool = False,
    lenient: frozenset[str] = frozenset(),
) -> None:
    """Parse and stage the file's rows. With ``plausible``, raises ``ImplausibleText`` at the
    first line holding a character no text in ``encoding`` should (``encoding`` module). A bad
    value in a ``lenient`` column is left out of its row and reported in ``report.kept_out``
    (``parse.parse_row``)."""
    errors = Errors(report)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    records = _Records(plausible_lines(text) if plausible else text)
    try:
        _stage_rows(kind, records, errors, report, progress, lenient)
    except csv.Error:
        # The csv module stops at a field over its limit (131,072 characters) or a broken
        # quote: one clear row error instead of a traceback, and nothing is written.
        reason = _(
            "unreadable record (a field longer than %(n)d characters, or a quote not closed)"
        ) % {"n": csv.field_size_limit()}
        errors.add(parse.RowError(records.start, "", reason))
    finally:
        text.detach()


def _stage_rows(
    kind: str,
    reader: _Records,
    errors: Errors,
    report: ImportReport,
    progress,
    lenient: frozenset[str] = frozenset(),
) -> None:
    """Parse and stage every row after the header; row errors go to ``errors``."""
    header = next(reader, None)
    problems = parse.header_errors(kind, header)
    if problems or header is None:
        report.errors = problems
        return
    names = parse.header_names(header)
    started = time.monotonic()
    chunk: list[dict] = []
    for values in reader:
        line = reader.start
        if not "".join(values).strip():
            continue  # a blank line, or a spreadsheet's emptied row (",,,,,,,,"): no data
        report.rows += 1
        if len(values) != len(names):
            errors.add(
                parse.RowError(
                    line,
                    "",
                    _("wrong number of fields: %(m)d (expected %(n)d)")
                    % {"n": len(names), "m": len(values)},
                )
            )
            continue
        row, row_errors = parse.parse_row(
            kind, line, dict(zip(names, values, strict=True)), lenient
        )
        for error in row_errors:
            if error.kept_out:
                report.kept_out.append(error)
            else:
                errors.add(error)
        chunk.append(row)  # a bad row too, its bad fields NULL: the set-based checks see it
        if len(chunk) >= IMPORT_CHUNK:
            _stage_insert(kind, chunk)
            chunk = []
            if progress:
                progress(report.rows, time.monotonic() - started)
    if chunk:
        _stage_insert(kind, chunk)
    if progress:
        progress(report.rows, time.monotonic() - started)


def _stage_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _stage_insert(kind: str, rows: list[dict]) -> None:
    names = ["line", *[name for name, _pg, _lite in STAGE_COLUMNS[kind]]]
    if connection.vendor == "postgresql":
        # csv writes dates, instants (with their offset), Decimals and booleans as str() does,
        # which PostgreSQL reads back as the same values; quoting every field but None keeps ""
        # apart from NULL (a bad row's bad fields). One COPY per chunk, with no per-value Python
        # code: this is the hot loop.
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_NOTNULL).writerows(map(itemgetter(*names), rows))
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {STAGE} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer
            )
        return
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor, _deferred(cursor):
        cursor.executemany(
            f"INSERT INTO {STAGE} ({', '.join(names)}) VALUES ({placeholders})",
            [[_stage_value(row[n]) for n in names] for row in rows],
        )


@contextmanager
def _deferred(cursor):
    """SQLite outside a transaction: one chunk in a DEFERRED transaction. It writes only the
    connection's temporary table, so it takes no lock on the database file and the web's writes
    go on (Django's ``atomic`` begins IMMEDIATE here, which would lock the database for the whole
    parse); without a transaction every row would be a commit of its own, 40 times slower."""
    if connection.in_atomic_block:
        yield
        return
    cursor.execute("BEGIN DEFERRED")
    try:
        yield
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")


def stage_check(kind: str, report: ImportReport) -> None:
    """Whole-file and database checks, set-based on the staging table. Bad rows are staged too
    with their bad fields NULL, so each check looks only at fields that passed their own (issue
    14: a row with a bad date and an unknown branch reports both)."""
    errors = Errors(report)
    with connection.cursor() as cursor:
        _duplicate_keys(cursor, kind, errors)
        if kind == "clients":
            _unknown_branches(cursor, errors)
        else:
            _unknown_clients(cursor, errors)
            _account_owners(cursor, errors)


def _duplicate_keys(cursor, kind: str, errors: Errors) -> None:
    """Every row repeating an earlier row's key, naming the first line with it."""
    keys = KEYS[kind]
    key_list = ", ".join(keys)
    key_join = " AND ".join(f"s.{k} = f.{k}" for k in keys)
    cursor.execute(f"CREATE INDEX {STAGE}_key ON {STAGE} ({key_list})")
    cursor.execute(
        f"""SELECT s.line, f.first_line, {", ".join(f"s.{k}" for k in keys)} FROM {STAGE} s
            JOIN (SELECT {key_list}, MIN(line) AS first_line FROM {STAGE}
                  WHERE {" AND ".join(f"{k} IS NOT NULL" for k in keys)}
                  GROUP BY {key_list} HAVING COUNT(*) > 1) f ON {key_join}
            WHERE s.line <> f.first_line ORDER BY s.line"""
    )
    for line, first, *key in cursor.fetchall():
        value = " ".join(_key_text(part) for part in key)
        errors.add(
            parse.RowError(
                line,
                "+".join(keys),
                _('duplicate key: "%(value)s" (first on line %(line)d)')
                % {"value": quoted(value), "line": first},
            )
        )


def _key_text(part) -> str:
    """A key's part as the file wrote it (an ``as_of`` reads back as a date or its text)."""
    return part.isoformat() if hasattr(part, "isoformat") else str(part)


def _unknown_branches(cursor, errors: Errors) -> None:
    cursor.execute(
        f"""SELECT s.line, s.branch_code FROM {STAGE} s
            LEFT JOIN core_branch b ON b.code = s.branch_code
            WHERE b.id IS NULL AND s.branch_code IS NOT NULL ORDER BY s.line"""
    )
    for line, code in cursor.fetchall():
        reason = _('unknown branch: "%(value)s"') % {"value": quoted(code)}
        errors.add(parse.RowError(line, "branch_code", reason))


def _unknown_clients(cursor, errors: Errors) -> None:
    cursor.execute(
        f"""SELECT s.line, s.client_no FROM {STAGE} s
            LEFT JOIN clients_client c ON c.client_no = s.client_no
            WHERE c.id IS NULL AND s.client_no IS NOT NULL ORDER BY s.line"""
    )
    for line, number in cursor.fetchall():
        reason = _('unknown client: "%(value)s"') % {"value": quoted(number)}
        errors.add(parse.RowError(line, "client_no", reason))


def _account_owners(cursor, errors: Errors) -> None:
    """An account is one client's: in the database already, and across the file's rows."""
    cursor.execute(
        f"""SELECT s.line, c.client_no, s.account_no FROM {STAGE} s
            JOIN clients_account a ON a.account_no = s.account_no
            JOIN clients_client c ON c.id = a.client_id
            WHERE c.client_no <> s.client_no ORDER BY s.line"""
    )
    for line, owner, account in cursor.fetchall():
        errors.add(
            parse.RowError(
                line,
                "account_no",
                _('account of another client: "%(value)s" (held by client %(client)s)')
                % {"value": quoted(account), "client": owner},
            )
        )
    # MIN <> MAX says "more than one client" (client_no is required) without the sort
    # COUNT(DISTINCT) needs: half the time of this check on a big file.
    cursor.execute(
        f"""SELECT s.line, s0.client_no, s0.line, s.account_no FROM {STAGE} s
            JOIN (SELECT account_no, MIN(line) AS first_line FROM {STAGE}
                  WHERE account_no IS NOT NULL AND client_no IS NOT NULL
                  GROUP BY account_no HAVING MIN(client_no) <> MAX(client_no)) f
              ON f.account_no = s.account_no
            JOIN {STAGE} s0 ON s0.line = f.first_line
            WHERE s.client_no <> s0.client_no ORDER BY s.line"""
    )
    for line, owner, first, account in cursor.fetchall():
        errors.add(
            parse.RowError(
                line,
                "account_no",
                _(
                    'account of another client: "%(value)s" (held by client %(client)s on line %(line)d)'
                )
                % {"value": quoted(account), "client": owner, "line": first},
            )
        )


def stage_keep_on_file(kind: str) -> None:
    """Rows imported without a bad contact value (``parse.parse_row(lenient=)``, staged NULL):
    the client's value on file is kept (empty for a new client), so the upsert and the change
    history see no change of it."""
    if kind != "clients":
        return
    with connection.cursor() as cursor:
        for column, twin in (("phone", "phone_normalized"), ("email", None)):
            on_file = (
                "COALESCE((SELECT c.{col} FROM clients_client c"
                f" WHERE c.client_no = {STAGE}.client_no), '')"
            )
            sets = [f"{column} = {on_file.format(col=column)}"]
            if twin:
                sets.append(f"{twin} = {on_file.format(col=twin)}")
            cursor.execute(f"UPDATE {STAGE} SET {', '.join(sets)} WHERE {column} IS NULL")


def stage_count(kind: str, report: ImportReport) -> None:
    if kind == "clients":
        exists = (
            f"SELECT COUNT(*) FROM {STAGE} s JOIN clients_client c ON c.client_no = s.client_no"
        )
        same = (
            " JOIN core_branch b ON b.code = s.branch_code WHERE c.name = s.name"
            " AND c.kind = s.kind AND c.id_number = s.id_number AND c.phone = s.phone"
            " AND c.email = s.email AND c.branch_id = b.id"
            " AND c.relationship_since = s.relationship_since"
            " AND c.good_standing = s.good_standing"
        )
    elif kind == "balances":
        exists = (
            f"SELECT COUNT(*) FROM {STAGE} s JOIN clients_account a ON a.account_no = s.account_no"
            " JOIN clients_balance t ON t.account_id = a.id AND t.as_of = s.as_of"
        )
        same = " WHERE t.balance = s.balance"
    else:
        exists = (
            f"SELECT COUNT(*) FROM {STAGE} s JOIN clients_trade t ON t.trade_id = s.trade_id"
            " JOIN clients_account a ON a.account_no = s.account_no"
        )
        same = (
            " WHERE t.account_id = a.id AND t.executed_at = s.executed_at AND t.amount = s.amount"
        )
    with connection.cursor() as cursor:
        cursor.execute(exists)
        existing = cursor.fetchone()[0]
        cursor.execute(exists + same)
        report.unchanged = cursor.fetchone()[0]
    report.created = report.rows - existing
    report.updated = existing - report.unchanged
