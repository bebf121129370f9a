"""Values read from the database and kept in this process for a short while.

For what every page shows and hardly ever changes (the hundreds of RMs of a filter, today's grace
period): read once per period and process instead of on every request (SPEC section 11). A change
shows within ``seconds``; nothing here may decide access. Tests forget every memo between tests
(``ProcessMemo.forget_all``), since ids are reused from one test's database to the next.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, ClassVar


class ProcessMemo:
    """``get(key, compute)`` returns ``compute()``'s value, computed at most once per ``seconds``
    and key in this process. Thread-safe enough for gthread workers: two threads may compute the
    same value at once, and either result is kept."""

    _every: ClassVar[list["ProcessMemo"]] = []

    def __init__(self, *, seconds: float) -> None:
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        ProcessMemo._every.append(self)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and now - kept[0] < self.seconds:
            return kept[1]
        value = compute()
        with self._lock:
            # Keys are few (one per branch or day); expired ones go when any key is refreshed.
            self._values = {k: v for k, v in self._values.items() if now - v[0] < self.seconds} | {
                key: (now, value)
            }
        return value

    def forget(self) -> None:
        with self._lock:
            self._values = {}

    @classmethod
    def forget_all(cls) -> None:
        for memo in cls._every:
            memo.forget()
