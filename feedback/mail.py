"""Where feedback email comes from. The poller asks a source for pending messages and tells it
when one is done; Maildir (the embedded default and the tests) and IMAP (production, when
``FEEDBACK_IMAP_URL`` is set) implement the same two calls."""

import email
import email.policy
import imaplib
import mailbox
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from django.conf import settings

Pending = tuple[str, EmailMessage, bytes]


class MailSource(Protocol):
    def pending(self) -> Iterator[Pending]:
        """Messages not yet processed: (key, parsed message, raw bytes)."""

    def done(self, key: str) -> None:
        """Mark a message processed (called only after its data is committed)."""


_MAILDIR_KEY = re.compile(r"^(\d+)\.M(\d+)P\d+Q(\d+)")


def _delivery_order(key: str) -> tuple:
    """Maildir names start with seconds, microseconds (not zero-padded) and a counter: compare
    them as numbers so a reply is never read before the message it answers."""
    match = _MAILDIR_KEY.match(key)
    return (0, *map(int, match.groups()), key) if match else (1, 0, 0, 0, key)


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


class MaildirSource:
    """A Maildir: unprocessed messages are those in ``new``, or in ``cur`` without the Seen flag;
    done moves a message to ``cur`` with the Seen flag, as a mail client would."""

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(str(path), factory=None, create=True)

    def pending(self) -> Iterator[Pending]:
        for key in sorted(self.maildir.keys(), key=_delivery_order):
            try:
                message = self.maildir.get_message(key)
            except KeyError:
                continue  # removed by someone else since the listing
            if message.get_subdir() == "cur" and "S" in message.get_flags():
                continue
            with self.maildir.get_file(key) as handle:
                raw = handle.read()
            yield key, _parse(raw), raw

    def done(self, key: str) -> None:
        message = self.maildir.get_message(key)
        message.set_subdir("cur")
        message.add_flag("S")
        self.maildir[key] = message


class ImapSource:
    """An IMAP mailbox, ``imaps://user:password@host[:port]/FOLDER`` (``imap://`` without TLS).
    Messages are fetched with BODY.PEEK so reading does not mark them; done sets \\Seen."""

    def __init__(self, url: str):
        parts = urlparse(url)
        self.ssl = parts.scheme == "imaps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (993 if self.ssl else 143)
        self.user = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.folder = parts.path.lstrip("/") or "INBOX"
        self._conn: imaplib.IMAP4 | None = None

    def _connect(self) -> imaplib.IMAP4:
        if self._conn is None:
            cls = imaplib.IMAP4_SSL if self.ssl else imaplib.IMAP4
            self._conn = cls(self.host, self.port)
            self._conn.login(self.user, self.password)
            self._conn.select(self.folder)
        return self._conn

    def pending(self) -> Iterator[Pending]:
        conn = self._connect()
        _status, data = conn.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split():
            _status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw is not None:
                yield uid.decode(), _parse(raw), raw

    def done(self, key: str) -> None:
        self._connect().uid("STORE", key, "+FLAGS", "(\\Seen)")


def mail_source() -> MailSource:
    if settings.FEEDBACK_IMAP_URL:
        return ImapSource(settings.FEEDBACK_IMAP_URL)
    return MaildirSource(settings.FEEDBACK_MAILDIR)
