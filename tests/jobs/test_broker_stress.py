"""Issue 11: the broker must survive beat's schedule plus tasks enqueued from another process at a
high rate: no worker or beat crash, and every message consumed exactly once. Runs on the embedded
default (kombu's SQLAlchemy transport on a SQLite file) in the SQLite run, and on a private
redis-server in the PostgreSQL + Redis run."""

import os
import subprocess
import sys
from collections import Counter

import pytest
from django.db import connection

from tests.jobs.processes import (
    CELERY,
    ROOT,
    child_env,
    private_redis,
    start,
    stop,
    wait_for,
    worker_args,
)

pytestmark = pytest.mark.django_db(transaction=True)

SECONDS = int(os.environ.get("BROKER_STRESS_SECONDS", "15"))
# On a quiet machine the producer outruns the single test worker several times over; the test is
# about crashes and exactly-once delivery, not throughput, so the burst is capped where the worker
# can drain it within the wait below; beat keeps writing for the whole window.
MAX_MESSAGES = int(os.environ.get("BROKER_STRESS_MAX_MESSAGES", "800"))

PRODUCER = """
import sys, time
from vipservice.celery import app
deadline = time.monotonic() + float(sys.argv[1])
limit = int(sys.argv[2])
n = 0
while time.monotonic() < deadline:
    if n < limit:
        app.send_task("probe.record", args=[n])
        n += 1
    else:
        time.sleep(0.05)
print(n)
"""


def _lines(path, kind):
    if not path.exists():
        return []
    return [int(line.split()[1]) for line in path.read_text().splitlines() if line.startswith(kind)]


def _run_stress(tmp_path, redis_url=""):
    out = tmp_path / "consumed.txt"
    env = child_env(tmp_path, redis_url=redis_url, PROBE_OUT=str(out))
    worker = start(worker_args("-I", "tests.jobs.broker_probe"), env, tmp_path / "worker.log")
    beat = start(
        [
            CELERY,
            "-A",
            "tests.jobs.beat_probe",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        env,
        tmp_path / "beat.log",
    )
    try:
        # Start the clock when both are up: on a loaded machine a Django start takes seconds.
        wait_for(lambda: "ready." in (tmp_path / "worker.log").read_text(), timeout=90)
        wait_for(lambda: "probe-tick" in (tmp_path / "beat.log").read_text(), timeout=90)
        produced = subprocess.run(
            [sys.executable, "-c", PRODUCER, str(SECONDS), str(MAX_MESSAGES)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SECONDS + 60,
            check=True,
        )
        sent = int(produced.stdout.strip().splitlines()[-1])
        alive = (worker.poll(), beat.poll())
        stop(beat)
        ticks = (tmp_path / "beat.log").read_text().count("Sending due task probe-tick")
        wait_for(
            lambda: len(_lines(out, "msg")) >= sent and len(_lines(out, "tick")) >= ticks,
            timeout=120,
            interval=0.5,
        )
    finally:
        stop(beat)
        stop(worker)
    logs = (tmp_path / "worker.log").read_text() + (tmp_path / "beat.log").read_text()
    return sent, ticks, _lines(out, "msg"), _lines(out, "tick"), alive, logs


def _assert_every_message_once(sent, ticks_sent, consumed, ticks, alive, logs):
    # The figures for docs/RELIABILITY.md (shown with -s).
    print(f"broker stress: {sent} sent, {len(consumed)} consumed, beat {ticks_sent}/{len(ticks)}")
    assert alive == (None, None), logs[-3000:]
    assert "Unrecoverable error" not in logs and "CRITICAL" not in logs, logs[-3000:]
    counts = Counter(consumed)
    assert sent > 100, "the producer was too slow to stress anything"
    assert sorted(counts) == list(range(sent)), f"lost: {set(range(sent)) - set(counts)}"
    assert max(counts.values()) == 1, "a message was consumed twice"
    # Beat starts in seconds on a busy machine; a third of the window still means it wrote to the
    # broker twice a second alongside the producer.
    assert ticks_sent >= SECONDS // 3, "beat did not keep sending"
    assert len(ticks) == ticks_sent, "a message beat sent was lost or consumed twice"


@pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")), reason="the embedded broker is tested in the SQLite run"
)
def test_embedded_broker_survives_beat_and_a_fast_producer(tmp_path):
    assert connection.vendor == "sqlite"
    _assert_every_message_once(*_run_stress(tmp_path))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Redis run tests Redis")
def test_redis_broker_survives_beat_and_a_fast_producer(tmp_path):
    with private_redis(tmp_path / "redis") as redis:
        _assert_every_message_once(*_run_stress(tmp_path, redis.url))
