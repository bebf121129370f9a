"""Issue 11: Celery settings that fit the work, read from the configured app and the compose file.

- idempotent work is acknowledged late and handed back when its worker dies;
- mail retries are bounded, with backoff, and every wait stays below the visibility timeout;
- every job has a time limit, and the visibility timeout is above the longest;
- Redis never evicts (it holds the queues), and the compose file runs one beat.
"""

import re

import pytest
from django.conf import settings

from vipservice.celery import app
from vipservice.schedule import HOUSEKEEPING_TASK, JOBS, LONGEST_JOB_SECONDS, beat_schedule

from .processes import ROOT

pytestmark = pytest.mark.django_db  # Celery's Django fix-up touches the connection on import


@pytest.fixture
def tasks(db):
    app.loader.import_default_modules()
    return app.tasks


def test_idempotent_work_is_acked_late_and_handed_back_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_every_job_has_a_time_limit_below_the_visibility_timeout(tasks):
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    assert app.conf.task_time_limit == LONGEST_JOB_SECONDS < timeout
    for spec in JOBS.values():
        limit = tasks[spec.task].time_limit
        assert limit and limit <= spec.time_limit < timeout, spec.task
    for name in (HOUSEKEEPING_TASK, "core.tasks.outbox_drain"):
        assert 0 < tasks[name].time_limit < timeout, name


def test_every_scheduled_task_can_be_sent_with_its_limits(tasks):
    """Celery refuses ``apply_async`` when a task's soft limit is above its hard one; a task given
    only a hard limit inherits the global soft limit (the longest job's), so beat could not send
    the every-minute housekeeping at all (seen in a fresh ``./dev run``'s beat.log)."""
    ours = [t for name, t in tasks.items() if not name.startswith("celery.")]
    assert {entry["task"] for entry in beat_schedule().values()} <= set(tasks)
    for task in ours:
        if task.soft_time_limit and task.time_limit:
            assert task.soft_time_limit < task.time_limit, task.name


def test_redis_broker_hands_a_lost_message_back_after_the_longest_job():
    options = {"visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT}
    assert settings.CELERY_VISIBILITY_TIMEOUT > LONGEST_JOB_SECONDS
    if settings.REDIS_URL:
        assert app.conf.broker_transport_options == options


def test_mail_retries_are_bounded_with_backoff_below_the_visibility_timeout(tasks):
    drain = tasks["core.tasks.outbox_drain"]
    assert 0 < drain.max_retries <= 5
    assert drain.retry_backoff and drain.retry_backoff_max < settings.CELERY_VISIBILITY_TIMEOUT
    waits = [settings.OUTBOX_RETRY_SECONDS * 2**n for n in range(settings.OUTBOX_MAX_ATTEMPTS - 1)]
    assert 1 < settings.OUTBOX_MAX_ATTEMPTS <= 10
    # The outbox's waits are kept in the database, not as broker ETAs; still, each is shorter than
    # a visibility timeout so a message is retried within the hour, not the next day.
    assert max(waits) < settings.CELERY_VISIBILITY_TIMEOUT


def test_no_countdown_or_eta_in_the_code_exceeds_the_visibility_timeout():
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "benchmarks"}:
            continue
        for match in re.finditer(r"\b(countdown|eta)\s*=\s*(\d+)", path.read_text()):
            assert int(match.group(2)) < timeout, f"{path}: {match.group(0)}"
    for entry in beat_schedule().values():
        assert entry["options"]["expires"] <= 86400


def test_compose_redis_never_evicts_and_runs_one_beat():
    compose = (ROOT / "docker-compose.yml").read_text()
    redis_command = re.search(r"^  redis:\n(?:    .*\n)*?    command: (.*)$", compose, re.M)
    assert redis_command and '"--maxmemory-policy", "noeviction"' in redis_command.group(1)
    beats = re.findall(r'^    command: \["celery", "-A", "vipservice", "beat"', compose, re.M)
    workers_with_beat = re.findall(r'"worker".*"-B"', compose)
    assert len(beats) == 1 and not workers_with_beat
