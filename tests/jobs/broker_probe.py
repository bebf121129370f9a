"""Tasks the broker tests load into a real worker (``celery worker -I tests.jobs.broker_probe``):
each records the message it consumed in a file, so a test can count deliveries per message."""

import os
from pathlib import Path

from celery import shared_task


def _record(kind: str, n: int) -> None:
    # One short O_APPEND write per message: lines from concurrent pool processes do not interleave.
    path = Path(os.environ["PROBE_OUT"])
    with path.open("a") as handle:
        handle.write(f"{kind} {n} {os.getpid()}\n")


@shared_task(name="probe.record")
def record(n: int) -> None:
    _record("msg", n)


@shared_task(name="probe.tick")
def tick() -> None:
    _record("tick", 0)
