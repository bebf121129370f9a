"""A short id per request, in the response header, on the 500 page, in API errors and in every log
line written while the request runs (issue 13: support can match what a user saw to the logs)."""

import logging
import re
import uuid
from contextvars import ContextVar

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
