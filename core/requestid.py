"""A short id per request, in the response header, on the 500 page, in API errors and in every log
line written while the request runs (issue 13: support can match what a user saw to the logs)."""

import logging
import re
import uuid
from contextvars import ContextVar

from core.masking import mask_pii_text

_current: ContextVar[str] = ContextVar("request_id", default="-")
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"


def current() -> str:
    """The id of the request being served in this context, ``"-"`` outside a request."""
    return _current.get()


def start(incoming: str | None) -> str:
    """Take a proxy's well-formed ``X-Request-ID`` or make one (16 hex characters). It stays set
    until the response is finished (``clear``), so Django's own "Bad Request" and error lines,
    written after the middleware returns, carry it too."""
    request_id = incoming if incoming and _SAFE.match(incoming) else uuid.uuid4().hex[:16]
    _current.set(request_id)
    return request_id


def clear(**kwargs) -> None:
    """``request_finished`` receiver: lines written between requests carry ``-``."""
    _current.set("-")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` for the log format (every handler, every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


def install_log_masking() -> None:
    """Mask ID numbers and mobile numbers in every log record as it is created, whichever logger
    and handler (Django's "Not Found: /path" lines, gunicorn's error log, the tests' capture)."""
    base = logging.getLogRecordFactory()
    if getattr(base, "masks_pii", False):
        return

    def factory(*args, **kwargs):
        record = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        masked = mask_pii_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return record

    factory.masks_pii = True
    logging.setLogRecordFactory(factory)
