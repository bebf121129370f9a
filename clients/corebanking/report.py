"""What an import found and did: counts, the encoding used and every row error."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

MAX_REPORTED_ERRORS = 100_000
# What staff read for each kind of file (the kind itself is the file's and the command's name).
KIND_LABELS = {
    "clients": gettext_lazy("Client file"),
    "balances": gettext_lazy("Balance file"),
    "trades": gettext_lazy("Trade file"),
}


@dataclass
class ImportReport:
    kind: str
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    # Clients' changed fields written to their history (``history.client_changes_record``).
    changes_recorded: int = 0
    errors: list = field(default_factory=list)
    errors_not_listed: int = 0
    # Bad contact values left out of imported rows (the intake's ``lenient`` columns): reported
    # for their row, the rest of the file imported.
    kept_out: list = field(default_factory=list)
    # True when the COPY fast path imported the file (PostgreSQL), False when it was parsed row
    # by row.
    copied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.errors_not_listed

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_not_listed

    @property
    def bad_rows(self) -> int:
        """Rows with at least one error (a row can have several); of the listed errors only, so
        a lower bound when ``errors_not_listed``."""
        return len({error.line for error in self.errors})


class Errors:
    """Adds errors to a report, listing at most ``MAX_REPORTED_ERRORS`` and counting the rest."""

    def __init__(self, report: ImportReport):
        self.report = report

    def add(self, error) -> None:
        if len(self.report.errors) < MAX_REPORTED_ERRORS:
            self.report.errors.append(error)
        else:
            self.report.errors_not_listed += 1


def rejection_summary(*, label: str, rows: int, errors: int, bad_rows: int) -> str:
    """One sentence for a refused import, in the active language: errors and rows counted
    apart ("5 errors in 4 of 10 rows"), or, when no row was read (wrong encoding, bad header),
    that the file was refused before its rows. ``label`` names the file for the reader (a
    ``KIND_LABELS`` value, or the command's file name); ``rows`` read, ``errors`` in all,
    ``bad_rows`` with at least one error."""
    if rows == 0:
        return _(
            "%(file)s rejected before any row was read (see the reasons listed). Nothing was "
            "written."
        ) % {"file": label}
    error_text = ngettext("%(n)d error", "%(n)d errors", errors) % {"n": errors}
    row_text = ngettext("%(bad)d of %(rows)d row", "%(bad)d of %(rows)d rows", rows) % {
        "bad": bad_rows,
        "rows": rows,
    }
    return _("%(file)s rejected: %(errors)s in %(rows)s. Nothing was written.") % {
        "file": label,
        "errors": error_text,
        "rows": row_text,
    }
