"""The core-banking import's entry point (SPEC section 2): one file, all or nothing."""

import os
from typing import IO

from django.db import connection, transaction

from clients.corebanking import parse
from clients.corebanking.encoding import (
    AUTO_ENCODINGS,
    CHECKED,
    ImplausibleText,
    implausible_message,
    likely_encoding,
    not_csv_message,
    undecodable_message,
    unknown_encoding_message,
)
from clients.corebanking.fastcopy import copy_import
from clients.corebanking.report import ImportReport
from clients.corebanking.stage import (
    STAGE,
    stage_check,
    stage_count,
    stage_create,
    stage_keep_on_file,
    stage_load,
)
from clients.corebanking.upsert import stage_write
from clients.models import Client
from core.actors import Actor
from core.models import User
from core.services import audit_record


def corebanking_import(
    *,
    kind: str,
    file: IO[bytes],
    encoding: str | None = None,
    progress=None,
    actor: User | None = None,
    job: str = "import_corebanking",
    lenient: frozenset[str] = frozenset(),
) -> ImportReport:
    """Import one core-banking CSV file all or nothing (``_import``) and audit it, whether it came
    from the import page (``actor``), the command line or the nightly intake (no actor). The
    clients' change history names ``actor``, else ``system:<job>`` (the command by default, the
    intake passes ``dataruns_intake``; issue 13). A bad value in a ``lenient`` column (the
    intake's ``parse.CONTACT_COLUMNS``) does not refuse the file: its row is imported without it
    and it is reported in ``report.kept_out``."""
    writer = Actor.of_user(actor) if actor is not None else Actor.system(job)
    report = _import(
        kind=kind, file=file, encoding=encoding, progress=progress, actor=writer, lenient=lenient
    )
    audit_record(
        actor=actor,
        event="clients.corebanking_import",
        about=Client,
        detail={
            "kind": report.kind,
            "file": os.path.basename(str(getattr(file, "name", "") or "")),
            "rows": report.rows,
            "ok": report.ok,
        },
    )
    return report


def _import(
    *,
    kind: str,
    file: IO[bytes],
    encoding: str | None,
    progress,
    actor: Actor,
    lenient: frozenset[str] = frozenset(),
) -> ImportReport:
    """Import one core-banking CSV file (SPEC section 2) all or nothing.

    One streaming pass parses each row (bounded memory) and loads the well-formed ones, with their
    line numbers, into a temporary staging table (PostgreSQL: COPY; SQLite: executemany). The
    checks that need the whole file or the database (duplicate keys, unknown clients or branches,
    accounts of another client) are set-based queries on that table, so no set of keys is held in
    memory. With any bad row nothing is written; otherwise ``INSERT ... SELECT ... ON CONFLICT DO
    UPDATE`` upserts from the staging table, rewriting only rows whose values differ, so a second
    import of the same file changes nothing.

    On PostgreSQL a file is first tried on the COPY fast path (``fastcopy.copy_import``); only a file that
    path does not accept whole is parsed row by row, as on SQLite, which reports its errors.

    Without ``encoding``: UTF-8 (with or without BOM), else GB18030 if its text is plausible; a
    file that is neither is refused whole with one error naming the encoding it looks like
    (``clients.corebanking.encoding``)."""
    if kind not in parse.KINDS:
        raise ValueError(kind)
    if refusal := not_csv_message(file, named=encoding is not None):
        return ImportReport(kind=kind, errors=[parse.RowError(1, "", refusal)])
    encodings = [encoding] if encoding else list(AUTO_ENCODINGS)
    # A named encoding is taken at its word; a guessed GB18030 must be plausible (SPEC section 2).
    checked = frozenset() if encoding else CHECKED
    if connection.vendor == "postgresql":
        report = copy_import(kind, file, encodings, progress, actor, checked)
        if report is not None:
            return report
        with transaction.atomic():  # the staging table is dropped at its commit
            return _row_by_row(kind, file, encodings, checked, progress, actor, lenient)
    return _row_by_row(kind, file, encodings, checked, progress, actor, lenient)


def _row_by_row(
    kind: str,
    file: IO[bytes],
    encodings: list[str],
    checked: frozenset,
    progress,
    actor: Actor,
    lenient: frozenset[str] = frozenset(),
) -> ImportReport:
    """Stage, check, then write in one short transaction.

    On SQLite (outside a caller's transaction) the parse, staging and checks write only the
    connection's temporary table and read the rest, so they hold no lock on the database and the
    web's writes go on meanwhile; only the final upsert takes the write lock (one transaction:
    still all or nothing). Inside a caller's transaction (the nightly intake's three files) all of
    it is that transaction's."""
    stage_create(kind)
    try:
        report, readable = _stage_file(kind, file, encodings, checked, progress, lenient)
        if not readable:
            return report  # an unreadable or refused file, or a bad header: no row checked
        stage_check(kind, report)
        report.errors.sort(key=lambda e: (e.line, e.column))
        if report.ok:
            with transaction.atomic():
                if report.kept_out:
                    stage_keep_on_file(kind)
                if connection.vendor != "postgresql":
                    stage_count(kind, report)
                stage_write(kind, report, STAGE, actor)
    finally:
        # PostgreSQL drops it at commit (ON COMMIT DROP); a failed transaction there must not
        # run another statement.
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    return report


def _stage_file(
    kind: str,
    file: IO[bytes],
    encodings: list[str],
    checked: frozenset,
    progress,
    lenient: frozenset[str] = frozenset(),
) -> tuple[ImportReport, bool]:
    """Parse the file into the staging table with the first encoding that reads it: ``(report,
    readable)``, readable False when no row could be looked at (every encoding failed, an
    implausible GB18030 text, an unknown encoding or a bad header)."""
    report = ImportReport(kind=kind)
    for position, candidate in enumerate(encodings):
        report = ImportReport(kind=kind, encoding=candidate)
        try:
            file.seek(0)
            stage_load(kind, file, candidate, report, progress, candidate in checked, lenient)
        except ImplausibleText as exc:
            message = implausible_message(exc, likely_encoding(file))
            report.errors = [parse.RowError(exc.line, "", message)]
            return report, False
        except UnicodeDecodeError:
            if position + 1 < len(encodings):
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {STAGE}")
                continue
            report.errors = [parse.RowError(0, "", undecodable_message(candidate))]
        except LookupError:
            report.errors = [parse.RowError(0, "", unknown_encoding_message(candidate))]
        break
    return report, not (report.errors and report.rows == 0)
