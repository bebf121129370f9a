"""What an import found and did: counts, the encoding used and every row error."""

from dataclasses import dataclass, field

MAX_REPORTED_ERRORS = 100_000


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
    # True when the COPY fast path imported the file (PostgreSQL), False when it was parsed row
    # by row.
    copied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.errors_not_listed


class Errors:
    """Adds errors to a report, listing at most ``MAX_REPORTED_ERRORS`` and counting the rest."""

    def __init__(self, report: ImportReport):
        self.report = report

    def add(self, error) -> None:
        if len(self.report.errors) < MAX_REPORTED_ERRORS:
            self.report.errors.append(error)
        else:
            self.report.errors_not_listed += 1
