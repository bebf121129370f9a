"""SPEC section 8 / issue 11: each scheduled job's run is recorded per period; a second run of the
same period (two beats, a retry, a duplicate delivery) does nothing; a failed or orphaned run is
taken over once; a period missed while the workers were down runs once when they return."""

import datetime as dt

import pytest
import time_machine

from core.jobruns import job_execute, jobs_catch_up
from core.models import JobRun
from feedback import tasks as feedback_tasks
from tests.factories.feedback import TicketFactory
from vipservice.schedule import JOBS, SHANGHAI

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 1, 10, 7, tzinfo=SHANGHAI)


def _noop(period_start):
    return {"done": 1}


def test_a_second_run_of_the_same_period_does_nothing():
    with time_machine.travel(AT, tick=False):
        first = feedback_tasks.sla_sweep()
    with time_machine.travel(AT + dt.timedelta(minutes=2), tick=False):
        second = feedback_tasks.sla_sweep()
    assert first == {"warned": 0, "breached": 0, "backlog": 0}
    assert second == {"skipped": "2026-06-01T10:05"}
    run = JobRun.objects.get()
    assert (run.job, run.period, run.outcome) == (
        "feedback-sla-sweep",
        "2026-06-01T10:05",
        "succeeded",
    )
    assert run.counts == {"warned": 0, "breached": 0, "backlog": 0} and run.finished_at is not None


def test_a_failed_run_is_recorded_and_the_retry_takes_it_over():
    def broken(period_start):
        raise RuntimeError("mail server said no")

    with time_machine.travel(AT, tick=False), pytest.raises(RuntimeError):
        job_execute(job="feedback-sla-sweep", work=broken)
    failed = JobRun.objects.get()
    assert failed.outcome == "failed" and "mail server said no" in failed.error

    with time_machine.travel(AT + dt.timedelta(seconds=30), tick=False):
        assert job_execute(job="feedback-sla-sweep", work=_noop) == {"done": 1}
    run = JobRun.objects.get()
    assert (run.outcome, run.attempts, run.error) == ("succeeded", 2, "")


def test_a_message_handed_back_after_its_worker_died_takes_over_its_own_run():
    spec = JOBS["vip-reclassification"]
    JobRun.objects.create(
        job=spec.name,
        period="2026-06-01T02:00",
        period_start=spec.start_of("2026-06-01T02:00"),
        started_at=AT,
        task_id="message-1",
    )
    with time_machine.travel(AT + dt.timedelta(minutes=1), tick=False):
        other = job_execute(job=spec.name, work=_noop, task_id="message-2")
        same = job_execute(job=spec.name, work=_noop, task_id="message-1")
    assert other == {"skipped": "2026-06-01T02:00"}
    assert same == {"done": 1}
    assert JobRun.objects.get().attempts == 2


def test_a_run_left_running_past_its_time_limit_is_taken_over():
    spec = JOBS["feedback-sla-sweep"]
    JobRun.objects.create(
        job=spec.name,
        period="2026-06-01T10:05",
        period_start=spec.start_of("2026-06-01T10:05"),
        started_at=AT - dt.timedelta(seconds=spec.time_limit + 1),
    )
    with time_machine.travel(AT, tick=False):
        assert job_execute(job=spec.name, work=_noop, task_id="late") == {"done": 1}


def test_periods_missed_while_workers_were_down_run_once_when_they_return():
    # Last success: the 02:00 run of 30 May; the workers were down until 1 June 10:09:40.
    spec = JOBS["vip-reclassification"]
    JobRun.objects.create(
        job=spec.name,
        period="2026-05-30T02:00",
        period_start=spec.start_of("2026-05-30T02:00"),
        outcome="succeeded",
    )
    with time_machine.travel(AT.replace(minute=9, second=40), tick=False):
        sent = jobs_catch_up()
        again = jobs_catch_up()
    assert sorted(sent) == sorted(
        [
            "vip-reclassification 2026-06-01T02:00",
            "corebanking-intake 2026-06-01T10:00",
            "feedback-sla-sweep 2026-06-01T10:05",
            "callback-generation 2026-06-01T00:30",
            "mail-intake 2026-06-01T10:08",
            "kpi-snapshot 2026-06-01T03:00",
        ]
    )
    assert again == []
    assert set(JobRun.objects.values_list("outcome", flat=True)) == {"succeeded"}
    assert JobRun.objects.filter(job=spec.name).count() == 2


def test_catch_up_leaves_a_period_alone_while_its_own_beat_message_may_still_come():
    with time_machine.travel(AT.replace(minute=5, second=30), tick=False):
        assert not any(s.startswith("feedback-sla-sweep") for s in jobs_catch_up())


def test_two_beats_over_an_hour_do_each_periods_work_once(client_of_rm):
    start = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
    # One ticket reaches 36 h at 09:30, the other 48 h at 09:30 (its warning is due already).
    for hours in (35.5, 47.5):
        TicketFactory(client=client_of_rm, received_at=start - dt.timedelta(hours=hours))
    results = []
    for minute in range(0, 60, 5):
        for beat in range(2):
            with time_machine.travel(
                start + dt.timedelta(minutes=minute, seconds=beat), tick=False
            ):
                results.append(feedback_tasks.sla_sweep())
    runs = JobRun.objects.filter(job="feedback-sla-sweep")
    assert runs.count() == 12 and set(runs.values_list("outcome", flat=True)) == {"succeeded"}
    assert sum(1 for r in results if "skipped" in r) == 12
    assert sum(r.get("warned", 0) for r in results) == 2
    assert sum(r.get("breached", 0) for r in results) == 1
