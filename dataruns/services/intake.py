"""Writes of the data runs: taking the core bank's nightly sets from the inbox (SPEC section 2)
and the "data late" alert."""

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from clients.corebanking.importer import corebanking_import
from clients.corebanking.parse import CONTACT_COLUMNS
from core.messages import Message, Text
from core.models import Notification, User
from core.roles import Role
from core.services import audit_record, notification_create
from dataruns import inbox
from dataruns.inbox import KINDS, InboxSet, SetRefused
from dataruns.models import (
    IntakeFile,
    IntakeOutcome,
    IntakeRun,
)
from dataruns.selectors import newest_imported_date

logger = logging.getLogger(__name__)

# Errors kept per file on the page (the full list is in the report beside the rejected files).
ERRORS_KEPT = 50


@dataclass
class IntakeResult:
    imported: list[date] = field(default_factory=list)
    rejected: list[date] = field(default_factory=list)
    duplicates: list[date] = field(default_factory=list)
    waiting: list[date] = field(default_factory=list)
    busy: bool = False


def _alert_recipients() -> list[User]:
    return list(
        User.objects.filter(
            Q(groups__name=Role.SUPERVISOR.value) | Q(is_superuser=True), is_active=True
        ).distinct()
    )


def _alert(*, title: Message, body: Message, key: str) -> None:
    """Supervisors and administrators alerted, each in their own language."""
    notification_create(
        recipients=_alert_recipients(),
        title=title,
        body=body,
        url=reverse("dataruns:list"),
        level=Notification.Level.DANGER,
        dedupe_key=key,
    )


class _Rejected(Exception):
    def __init__(self, message: Text, files: list[IntakeFile]):
        super().__init__(message)
        self.files = files


def _file_errors(report) -> list[list]:
    """The first ``ERRORS_KEPT`` errors, language-neutral (``IntakeFile.error_rows``), with the
    bad contact values left out of imported rows (``report.kept_out``) in line order."""
    found = sorted([*report.errors, *report.kept_out], key=lambda e: (e.line, e.column))
    rows: list[list] = [[e.line, e.column, e.message.to_json()] for e in found[:ERRORS_KEPT]]
    more = len(found) - ERRORS_KEPT + report.errors_not_listed
    if more > 0:
        rows.append([0, "", Text(gettext_noop("… and %(n)d more"), {"n": more}).to_json()])
    return rows


def _set_errors(record: IntakeFile, rows: list[list]) -> None:
    """``record``'s errors, language-neutral and as text in the active language (the report)."""
    record.error_rows = rows
    record.errors = "\n".join(record.error_lines)


def _import_set(inbox_set: InboxSet, announced: dict) -> tuple[list[IntakeFile], int]:
    """The three files in one transaction (the caller's): all imported, or ``_Rejected``.
    Returns the files' records and how many rows went in without a bad contact value."""
    files, kept_out_rows = [], 0
    for kind in KINDS:
        started = time.monotonic()
        with open(inbox_set.paths[kind], "rb") as handle:
            # A bad phone or e-mail is reported for its row, not a reason to refuse the set.
            report = corebanking_import(
                kind=kind, file=handle, job="dataruns_intake", lenient=CONTACT_COLUMNS
            )
        record = IntakeFile(
            kind=kind,
            name=announced[kind].name,
            sha256=announced[kind].sha256,
            rows_expected=announced[kind].rows,
            rows=report.rows,
            seconds=time.monotonic() - started,
            ok=report.ok,
        )
        _set_errors(record, _file_errors(report))
        files.append(record)
        kept_out_rows += len({error.line for error in report.kept_out})
        if report.ok and report.rows != announced[kind].rows:
            record.ok = False
            count = Text(
                gettext_noop("wrong row count: %(rows)d (the manifest announced %(announced)d)"),
                {"rows": report.rows, "announced": announced[kind].rows},
            )
            _set_errors(record, [[0, "", count.to_json()]])
        if not record.ok:
            refused = Text(gettext_noop("%(name)s is refused."), {"name": record.name})
            raise _Rejected(refused, files)
    return files, kept_out_rows


def intake_run_url(run: IntakeRun) -> str:
    """The run's report: its rows on the data runs page."""
    return f"{reverse('dataruns:list')}#intake-{run.pk}"


def _kept_out_title(run: IntakeRun, rows: int) -> str:
    return ngettext(
        "Core-banking set %(day)s: %(n)d row imported without a bad phone or e-mail",
        "Core-banking set %(day)s: %(n)d rows imported without a bad phone or e-mail",
        rows,
    ) % {"day": run.business_date.isoformat(), "n": rows}


def _kept_out_alert(run: IntakeRun, rows: int) -> None:
    """Tell supervisors and administrators that an imported set left bad contact values out of
    ``rows`` rows (the value on file kept), so someone asks the core bank to correct them. The
    alert names the date and the count only, never a client or a value: the rows, their client
    numbers and the refused values are on the run's report (the data runs page, supervisors and
    administrators only, who may see contact details). In the app only, no e-mail: mail leaves
    the bank's screens."""
    notification_create(
        recipients=_alert_recipients(),
        title=partial(_kept_out_title, run, rows),
        body=gettext_lazy(
            "The value on file was kept for each. The run's report shows the rows and why each "
            "value was refused; ask the core bank to correct them."
        ),
        url=intake_run_url(run),
        level=Notification.Level.WARNING,
        dedupe_key=f"dataruns:kept-out:{run.pk}",
    )


def _checks(inbox_set: InboxSet, manifest_sha: str, announced: dict) -> IntakeRun | None:
    """The set-level refusals; returns the earlier imported run when this is the same set."""
    day = inbox_set.business_date
    previous = IntakeRun.objects.filter(business_date=day, outcome=IntakeOutcome.IMPORTED).first()
    if previous is not None:
        if previous.manifest_sha256 == manifest_sha:
            return previous
        raise SetRefused(
            Text(
                gettext_noop("A different set for %(day)s was imported already."),
                {"day": day.isoformat()},
            )
        )
    newest = newest_imported_date()
    if newest is not None and day < newest:
        # Its clients file would overwrite newer client data with older.
        raise SetRefused(
            Text(
                gettext_noop("%(day)s is older than the newest imported business date %(newest)s."),
                {"day": day.isoformat(), "newest": newest.isoformat()},
            )
        )
    for kind in KINDS:
        if inbox.sha256_of(inbox_set.paths[kind]) != announced[kind].sha256:
            raise SetRefused(
                Text(
                    gettext_noop(
                        "%(name)s does not match the SHA-256 in the manifest (corrupt or "
                        "incomplete)."
                    ),
                    {"name": announced[kind].name},
                )
            )
    return None


def _run_record(run: IntakeRun, files: list[IntakeFile], *, event: str, detail=None) -> None:
    """A finished intake run saved with its files and audited as ``event`` (the business date,
    and ``detail`` besides)."""
    run.finished_at = timezone.now()
    run.save()
    for record in files:
        record.run = run
    IntakeFile.objects.bulk_create(files)
    audit_record(
        actor=None,
        event=event,
        instance=run,
        detail={"business_date": run.business_date.isoformat(), **(detail or {})},
    )


@transaction.atomic
def _reject(inbox_set: InboxSet, run: IntakeRun, message: Message, files: list[IntakeFile]) -> None:
    """``message`` (why, language-neutral) as text in the night's language on the record and in
    the report beside the files; in each recipient's language in the alert."""
    text = str(message)
    report = "\n\n".join([text, *(f"{f.name}:\n{f.errors}" for f in files if f.errors)])
    run.outcome = IntakeOutcome.REJECTED
    run.error = text
    run.error_message = message.to_json() if isinstance(message, Text) else None
    run.moved_to = inbox.set_move(inbox_set, to=inbox.REJECTED, report=report)
    _run_record(run, files, event="dataruns.set_rejected", detail={"error": text})
    transaction.on_commit(
        partial(
            _alert,
            title=Text(
                gettext_noop("Core-banking set %(day)s rejected"),
                {"day": run.business_date.isoformat()},
            ),
            body=message,
            key=f"dataruns:rejected:{run.pk}",
        )
    )


def set_take(inbox_set: InboxSet) -> IntakeRun:
    """Take one complete set: check the manifest and checksums, import clients, balances and
    trades as one all-or-nothing unit, archive the files (or reject them with a report beside
    them and alert supervisors and administrators). A set imported before (same manifest) is a
    duplicate: archived, nothing else changes. A set imported with bad contact values left out
    of some rows alerts them too, with the count and a link to the run's report."""
    started = time.monotonic()
    run = IntakeRun(business_date=inbox_set.business_date, started_at=timezone.now())
    files: list[IntakeFile] = []
    try:
        manifest_sha, announced = inbox.manifest_read(inbox_set)
        run.manifest_sha256 = manifest_sha
        if _checks(inbox_set, manifest_sha, announced) is not None:
            run.outcome = IntakeOutcome.DUPLICATE
            run.moved_to = inbox.set_move(inbox_set, to=inbox.ARCHIVE)
            run.finished_at = timezone.now()
            run.save()
            return run
        with transaction.atomic():
            files, kept_out_rows = _import_set(inbox_set, announced)
            run.outcome = IntakeOutcome.IMPORTED
            run.seconds = time.monotonic() - started
            _run_record(run, files, event="dataruns.set_imported")
            if kept_out_rows:
                transaction.on_commit(partial(_kept_out_alert, run, kept_out_rows))
    except SetRefused as refused:
        run.seconds = time.monotonic() - started
        _reject(inbox_set, run, refused.args[0], files)
        return run
    except _Rejected as rejected:
        run.seconds = time.monotonic() - started
        _reject(inbox_set, run, rejected.args[0], rejected.files)
        return run
    run.moved_to = inbox.set_move(inbox_set, to=inbox.ARCHIVE)
    run.save(update_fields=["moved_to"])
    return run


def inbox_take() -> IntakeResult:
    """Take the inbox's complete sets in business-date order (the beat job, 01:00–06:00). An
    incomplete set waits, and the sets after it wait behind it: a later clients file must not be
    overwritten by an earlier one. Safe to run twice at once: the second finds the inbox locked."""
    result = IntakeResult()
    folder = inbox.inbox_dir()
    with inbox.inbox_lock(folder) as locked:
        if not locked:
            result.busy = True
            return result
        for inbox_set in inbox.inbox_sets(folder):
            # An incomplete set, or one whose business date has not come yet (a demo set, a
            # clock ahead), waits; so do the sets after it.
            if not inbox_set.complete or inbox_set.business_date > timezone.localdate():
                result.waiting.append(inbox_set.business_date)
                break
            run = set_take(inbox_set)
            buckets: dict[str, list[date]] = {
                IntakeOutcome.IMPORTED.value: result.imported,
                IntakeOutcome.REJECTED.value: result.rejected,
                IntakeOutcome.DUPLICATE.value: result.duplicates,
            }
            buckets[run.outcome].append(run.business_date)
    return result


def data_late_check(*, today: date | None = None) -> date | None:
    """At 06:00: when the set of the previous business day (today − 1) is not imported, alert
    supervisors and administrators once, naming what the inbox holds of it. Returns the late
    business date, or None. Silent until the inbox has been used once (hand-fed installations)."""
    today = today or timezone.localdate()
    expected = today - timedelta(days=1)
    newest = newest_imported_date()
    if newest is None or newest >= expected:
        return None
    waiting = {s.business_date: s for s in inbox.inbox_sets(inbox.inbox_dir())}
    missing = waiting[expected].missing if expected in waiting else []
    body = (
        Text(gettext_noop("Still missing: %(files)s"), {"files": ", ".join(missing)})
        if missing
        else Text(gettext_noop("No file of the set has arrived."))
    )
    _alert(
        title=Text(
            gettext_noop("Data late: the core-banking set for %(day)s is not in"),
            {"day": expected.isoformat()},
        ),
        body=body,
        key=f"dataruns:late:{expected.isoformat()}",
    )
    return expected
