"""The inbox folder the core bank drops its nightly file sets into (SPEC section 2): finding
complete sets, checking their manifest and checksums, moving them to ``archive/`` or
``rejected/`` with a report. File handling only; ``dataruns.services`` decides and records."""

import fcntl
import hashlib
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings

from core.dates import parse_iso_date
from core.jsontext import json_loads
from core.messages import neutral as _

KINDS = ("clients", "balances", "trades")  # the import order: balances and trades need clients
# Names in any case: mainframes and some Windows exports write CLIENTS_20261119.CSV.
NAME = re.compile(r"^(clients|balances|trades|manifest)_(\d{8})\.(csv|json)$", re.IGNORECASE)
ARCHIVE, REJECTED = "archive", "rejected"


class SetRefused(Exception):
    """The set cannot be taken. The message says why, language-neutral (``core.messages.Text``):
    ``str()`` renders it in the active language, the alert in each supervisor's own."""


@dataclass
class InboxSet:
    business_date: date
    paths: dict[str, Path] = field(default_factory=dict)  # kind or "manifest" -> path

    @property
    def stamp(self) -> str:
        return self.business_date.strftime("%Y%m%d")

    def expected_name(self, kind: str) -> str:
        return f"{kind}_{self.stamp}.{'json' if kind == 'manifest' else 'csv'}"

    @property
    def complete(self) -> bool:
        """The manifest (written last by the core bank) and the three files are there."""
        return all(k in self.paths for k in ("manifest", *KINDS))

    @property
    def missing(self) -> list[str]:
        return [self.expected_name(k) for k in ("manifest", *KINDS) if k not in self.paths]


def inbox_dir() -> Path:
    return Path(settings.COREBANKING_INBOX)


def inbox_sets(inbox: Path) -> list[InboxSet]:
    """The sets in the inbox (complete or not) in business-date order."""
    sets: dict[date, InboxSet] = {}
    if not inbox.is_dir():
        return []
    for path in sorted(inbox.iterdir()):
        match = NAME.match(path.name)
        if not match or not path.is_file():
            continue
        kind, stamp, ext = (group.lower() for group in match.groups())
        if (kind == "manifest") != (ext == "json"):
            continue
        try:
            day = datetime.strptime(stamp, "%Y%m%d").date()
        except ValueError:
            continue
        sets.setdefault(day, InboxSet(day)).paths[kind] = path
    return [sets[d] for d in sorted(sets)]


@contextmanager
def inbox_lock(inbox: Path) -> Iterator[bool]:
    """An exclusive, non-blocking lock on the inbox: yields False when another intake holds it
    (two beats, an overlapping run), so only one process moves files at a time."""
    inbox.mkdir(parents=True, exist_ok=True)
    with open(inbox / ".intake.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Announced:
    name: str
    rows: int
    sha256: str


def manifest_read(inbox_set: InboxSet) -> tuple[str, dict[str, Announced]]:
    """(the manifest's own SHA-256, what it announces per kind). Raises ``SetRefused`` when it
    is not JSON, names another business date, or does not list exactly the set's three files
    with a row count and a SHA-256 each."""
    raw = inbox_set.paths["manifest"].read_bytes()
    try:
        data = json_loads(raw.decode("utf-8-sig"))
        declared = parse_iso_date(str(data["business_date"]))
        entries = {str(f["name"]).lower(): f for f in data["files"]}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SetRefused(
            _("The manifest cannot be read: %(error)s") % {"error": str(exc)}
        ) from None
    if declared != inbox_set.business_date:
        raise SetRefused(
            _("The manifest is for %(declared)s, its file name for %(named)s.")
            % {"declared": declared.isoformat(), "named": inbox_set.business_date.isoformat()}
        )
    announced = {}
    for kind in KINDS:
        name = (
            inbox_set.paths[kind].name if kind in inbox_set.paths else inbox_set.expected_name(kind)
        )
        entry = entries.get(name.lower()) or {}
        try:
            rows, digest = int(entry["rows"]), str(entry["sha256"]).lower()
        except (TypeError, KeyError, ValueError):
            raise SetRefused(
                _("The manifest does not give %(name)s with its rows and SHA-256.") % {"name": name}
            ) from None
        announced[kind] = Announced(name, rows, digest)
    return hashlib.sha256(raw).hexdigest(), announced


def set_move(inbox_set: InboxSet, *, to: str, report: str = "") -> str:
    """Move the set's files to ``archive/<date>/`` or ``rejected/<date>-<n>/`` (a new folder if
    one is there already) with ``report.txt`` beside them; returns the folder relative to the
    inbox."""
    inbox = next(iter(inbox_set.paths.values())).parent
    base = inbox / to / inbox_set.stamp
    target, n = base, 1
    while target.exists():
        n += 1
        target = base.with_name(f"{inbox_set.stamp}-{n}")
    target.mkdir(parents=True)
    for path in inbox_set.paths.values():
        shutil.move(str(path), target / path.name)
    if report:
        (target / "report.txt").write_text(report, encoding="utf-8")
    return str(target.relative_to(inbox))
