"""Where feedback email comes from. The poller asks a source for pending messages and tells it
when one is done (or gives it back); Maildir (the embedded default and the tests) and IMAP
(production, when ``FEEDBACK_IMAP_URL`` is set) implement the same three calls."""

import base64
import imaplib
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlparse

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """One claimed, unprocessed message: ``key`` names it to its source, ``size`` in bytes, and
    ``open()`` streams its raw bytes (the message is never read whole just to be listed)."""

    key: str
    size: int
    opener: Callable[[], BinaryIO]

    def open(self) -> BinaryIO:
        return self.opener()


class MailSource(Protocol):
    def pending(self) -> Iterator[Pending]:
        """Messages not yet processed, each claimed for this poll before it is yielded."""

    def done(self, key: str) -> None:
        """Mark a message processed (called only after its data is committed)."""

    def release(self, key: str) -> None:
        """Give a claimed message back for the next poll (a transient failure)."""


_MAILDIR_KEY = re.compile(r"^(\d+)\.M(\d+)P\d+Q(\d+)")
# A message claimed by a poll sits in cur/ with an empty flag list until it is done (flag S).
CLAIMED = ":2,"
SEEN = ":2,S"


def _delivery_order(key: str) -> tuple:
    """Maildir names start with seconds, microseconds (not zero-padded) and a counter: compare
    them as numbers so a reply is never read before the message it answers."""
    match = _MAILDIR_KEY.match(key)
    return (0, *map(int, match.groups()), key) if match else (1, 0, 0, 0, key)


class MaildirSource:
    """A Maildir handled as a mailbox: new mail is read from ``new/`` only; a poll claims a
    message by renaming it to ``cur/<name>:2,`` (atomic, so two polls never take the same one)
    and marks it done as ``cur/<name>:2,S`` (Seen), as a mail client would. A claim left behind
    by a poll that died is given back to ``new/`` after ``stale_seconds``."""

    def __init__(self, path: str | Path, *, stale_seconds: int = 15 * 60):
        self.root = Path(path)
        self.stale_seconds = stale_seconds
        for sub in ("new", "cur", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def _cur(self, key: str, info: str) -> Path:
        return self.root / "cur" / f"{key}{info}"

    def _recover_stale_claims(self) -> None:
        cutoff = time.time() - self.stale_seconds
        with os.scandir(self.root / "cur") as entries:
            stale = [e for e in entries if e.name.endswith(CLAIMED) and _ctime(e) < cutoff]
        for entry in stale:
            key = entry.name.removesuffix(CLAIMED)
            try:
                os.rename(entry.path, self.root / "new" / key)
            except FileNotFoundError:
                continue  # another poll recovered or finished it first
            logger.warning("feedback mail %s: claim of a stopped poll given back", key)

    def pending(self) -> Iterator[Pending]:
        self._recover_stale_claims()
        with os.scandir(self.root / "new") as entries:
            names = sorted(
                (e.name for e in entries if not e.name.startswith(".")), key=_delivery_order
            )
        for name in names:
            key = name.split(":", 1)[0]
            claimed = self._cur(key, CLAIMED)
            try:
                os.rename(self.root / "new" / name, claimed)
            except FileNotFoundError:
                continue  # another poll claimed it since the listing
            yield Pending(key=key, size=claimed.stat().st_size, opener=_opener(claimed))

    def done(self, key: str) -> None:
        os.rename(self._cur(key, CLAIMED), self._cur(key, SEEN))

    def release(self, key: str) -> None:
        os.rename(self._cur(key, CLAIMED), self.root / "new" / key)


def _opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: path.open("rb")


def _bytes_opener(raw: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(raw)


def _ctime(entry: os.DirEntry) -> float:
    try:
        return entry.stat().st_ctime
    except FileNotFoundError:
        return float("inf")


def imap_mailbox(folder: str) -> str:
    """A folder's name as IMAP commands take it: non-ASCII in IMAP's modified UTF-7 (RFC 3501
    section 5.1.3: 台北 is ``&U,BTFw-``), quoted when it holds a space or a special character."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            encoded = base64.b64encode("".join(run).encode("utf-16-be")).decode()
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            run.clear()

    for char in folder:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    name = "".join(out)
    if re.search(r'[\s"\\(){%*\]]', name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return name


class ImapSource:
    """An IMAP mailbox, ``imaps://user:password@host[:port]/FOLDER`` (``imap://`` without TLS).
    Messages are fetched with BODY.PEEK so reading does not mark them; done sets \\Seen; a
    released message simply stays unseen."""

    def __init__(self, url: str):
        parts = urlparse(url)
        self.ssl = parts.scheme == "imaps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (993 if self.ssl else 143)
        self.user = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        # The folder as written in the URL (percent-decoded: 客户反馈, "VIP Feedback").
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self._conn: imaplib.IMAP4 | None = None

    def _connect(self) -> imaplib.IMAP4:
        if self._conn is None:
            cls = imaplib.IMAP4_SSL if self.ssl else imaplib.IMAP4
            conn = cls(self.host, self.port)
            conn.login(self.user, self.password)
            status, _data = conn.select(imap_mailbox(self.folder))
            if status != "OK":
                raise imaplib.IMAP4.error(f"the feedback folder {self.folder!r} cannot be selected")
            self._conn = conn
        return self._conn

    def pending(self) -> Iterator[Pending]:
        conn = self._connect()
        _status, data = conn.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split():
            _status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw is not None:
                yield Pending(key=uid.decode(), size=len(raw), opener=_bytes_opener(raw))

    def done(self, key: str) -> None:
        self._connect().uid("STORE", key, "+FLAGS", "(\\Seen)")

    def release(self, key: str) -> None:
        """Nothing to do: the message was only peeked at, so it is still unseen."""


def mail_source() -> MailSource:
    if settings.FEEDBACK_IMAP_URL:
        return ImapSource(settings.FEEDBACK_IMAP_URL)
    return MaildirSource(settings.FEEDBACK_MAILDIR)
