"""Locks held for the life of a run, so a dead holder is known at once (issue 11): a worker that
is SIGKILLed, or loses its machine, releases its lock with its process, and the next run sees
the work it left is nobody's without waiting for a timeout.

PostgreSQL: a session-level advisory lock on the run's key (released when the session ends,
whichever host the worker is on). SQLite (one host by nature): ``flock`` on a file under
``VAR_DIR/locks/`` (released by the kernel when the process dies).
"""

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def _key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _path(name: str) -> Path:
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.lock"


@contextmanager
def run_lock(name: str) -> Iterator[bool]:
    """Try to take the lock ``name`` without waiting; yields whether it was taken, and holds it
    until the block ends (or the process dies)."""
    if connection.vendor == "postgresql":
        key = _key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            taken = bool(cursor.fetchone()[0])
        try:
            yield taken
        finally:
            if taken:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    descriptor = os.open(_path(name), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            taken = True
        except BlockingIOError:
            taken = False
        yield taken
    finally:
        os.close(descriptor)  # releases the flock


def run_lock_held(name: str) -> bool:
    """Whether a live process (this one included) holds the lock ``name``."""
    if connection.vendor == "postgresql":
        key = _key(name) & 0xFFFFFFFFFFFFFFFF
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND classid = %s AND objid = %s AND objsubid = 1)""",
                [key >> 32, key & 0xFFFFFFFF],
            )
            return bool(cursor.fetchone()[0])
    path = _path(name)
    if not path.exists():
        return False
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False
