"""Real processes for the job tests: a private redis-server on a free port (never the shared one),
and Celery worker and beat run as ``./dev run`` runs them, against the test's database."""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class RedisServer:
    """``redis-server`` on a free loopback port, with the settings docker-compose gives the real
    one; ``stop`` and ``start`` simulate an outage mid-test."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, timeout=10), "private redis-server did not start"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def pause(self) -> None:
        """Unreachable but alive, its data kept (SIGSTOP): a network partition, not a restart."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        assert wait_for(self.answers, timeout=10), "private redis-server did not come back"

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def private_redis(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def database_url_for_children(tmp_path: Path) -> str:
    """A URL other processes can open with the test's schema: the PostgreSQL test database
    itself, or on SQLite a file copy of the in-memory test database."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"]
        return f"postgres://{user}@{host}:{port or 5432}/{settings['NAME']}"
    target = tmp_path / "jobs-test.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")  # as migrate leaves a real one (core.apps)
    return f"sqlite:///{target}"


def child_env(tmp_path: Path, *, redis_url: str = "", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "vipservice.settings",
            "VIPSERVICE_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": database_url_for_children(tmp_path),
            "FEEDBACK_MAILDIR": str(tmp_path / "var" / "mail"),
            **extra,  # overrides
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def worker_args(*extra: str) -> list[str]:
    return [CELERY, "-A", "vipservice", "worker", "--loglevel=INFO", "--concurrency=2", *extra]


def stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """SIGTERM the process group (Celery's warm shutdown), then SIGKILL what is left."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def end_other_sessions() -> int:
    """PostgreSQL: end every other session on the test database. A SIGKILLed child's server
    process lives on until its statement ends and it writes to the dead socket; until then the
    test database cannot be dropped. Returns the number ended (0 on SQLite)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]
