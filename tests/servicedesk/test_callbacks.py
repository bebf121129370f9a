"""Monthly call-backs: one per VIP per month, due at month end, idempotent generation, overdue after
the due date, outcome rules."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client, VipStatus
from servicedesk.models import Callback, CallbackOutcome, CallbackStatus
from servicedesk.selectors import callbacks_tab
from servicedesk.services import callback_complete, callbacks_generate
from servicedesk.tasks import generate_callbacks
from tests.factories.clients import ClientFactory, VipClientFactory
from tests.factories.servicedesk import CallbackFactory

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))


def test_generation_creates_one_per_vip_with_the_assigned_rm(client_of_rm, rm, branch):
    at_risk = VipClientFactory(branch=branch, status=VipStatus.VIP_AT_RISK)
    ClientFactory(branch=branch)  # standard: no call-back
    assert callbacks_generate(on=datetime.date(2026, 11, 15)) == 2
    mine = Callback.objects.get(client=client_of_rm)
    assert mine.rm == rm
    assert mine.period == datetime.date(2026, 11, 1)
    assert mine.due_on == datetime.date(2026, 11, 30)
    assert mine.status == CallbackStatus.PENDING
    assert Callback.objects.get(client=at_risk).rm is None


def test_generating_twice_creates_no_duplicates(client_of_rm, client_of_colleague):
    assert callbacks_generate(on=datetime.date(2026, 11, 1)) == 2
    assert callbacks_generate(on=datetime.date(2026, 11, 20)) == 0
    assert Callback.objects.count() == 2


def test_generation_needs_a_constant_number_of_queries(
    branch, django_assert_num_queries, django_assert_max_num_queries
):
    VipClientFactory.create_batch(3, branch=branch)
    with django_assert_max_num_queries(6) as small:
        callbacks_generate(on=datetime.date(2026, 11, 1))
    VipClientFactory.create_batch(30, branch=branch)
    with django_assert_num_queries(len(small.captured_queries)):
        callbacks_generate(on=datetime.date(2026, 12, 1))


def test_database_refuses_a_second_callback_for_the_same_month(client_of_rm):
    CallbackFactory(client=client_of_rm)
    with pytest.raises(IntegrityError):
        CallbackFactory(client=client_of_rm, due_on=datetime.date(2026, 11, 29))


def test_client_becoming_vip_on_the_31st_gets_a_callback_due_that_day(branch):
    client = ClientFactory(branch=branch)
    assert callbacks_generate(on=datetime.date(2026, 12, 31)) == 0
    Client.objects.filter(pk=client.pk).update(status=VipStatus.VIP)
    assert callbacks_generate(on=datetime.date(2026, 12, 31)) == 1
    callback = Callback.objects.get()
    assert (callback.period, callback.due_on) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 31),
    )
    assert callbacks_generate(on=datetime.date(2027, 1, 1)) == 1
    assert Callback.objects.get(period=datetime.date(2027, 1, 1)).due_on == datetime.date(
        2027, 1, 31
    )


def test_february_callback_is_due_on_its_last_day(client_of_rm):
    callbacks_generate(on=datetime.date(2028, 2, 10))
    assert Callback.objects.get().due_on == datetime.date(2028, 2, 29)


def test_task_generates_for_today_in_shanghai(client_of_rm):
    # 16:45 UTC on 30 Nov is already 1 Dec 00:45 in Shanghai.
    with time_machine.travel(datetime.datetime(2026, 11, 30, 16, 45, tzinfo=datetime.UTC)):
        assert generate_callbacks() == 1
    assert Callback.objects.get().period == datetime.date(2026, 12, 1)


def test_callback_is_overdue_only_after_its_due_date(client_of_rm):
    callback = CallbackFactory(client=client_of_rm)
    with time_machine.travel(datetime.datetime(2026, 11, 30, 23, 59, tzinfo=TZ)):
        today = timezone.localdate()
        assert not callback.is_overdue(today)
        assert not Callback.objects.overdue(today=today).exists()
    with time_machine.travel(datetime.datetime(2026, 12, 1, 0, 0, tzinfo=TZ)):
        today = timezone.localdate()
        assert callback.is_overdue(today)
        assert list(callbacks_tab(Callback.objects.all(), tab="overdue", today=today)) == [callback]


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ))
def test_reached_with_score_completes_the_callback(client_of_rm, rm_user):
    callback = CallbackFactory(client=client_of_rm)
    callback_complete(
        callback=callback,
        by=rm_user,
        outcome=CallbackOutcome.REACHED,
        needs=" 想了解养老规划 ",
        satisfaction_score=5,
    )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DONE
    assert callback.is_completed
    assert callback.needs == "想了解养老规划"
    assert callback.satisfaction_score == 5
    assert callback.completed_by == rm_user


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ))
def test_not_reached_requires_a_retry_date_and_stays_open(client_of_rm, rm_user):
    callback = CallbackFactory(client=client_of_rm)
    with pytest.raises(ValidationError) as excinfo:
        callback_complete(callback=callback, by=rm_user, outcome=CallbackOutcome.NOT_REACHED)
    assert "retry_on" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        callback_complete(
            callback=callback,
            by=rm_user,
            outcome=CallbackOutcome.NOT_REACHED,
            retry_on=datetime.date(2026, 11, 19),
        )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PENDING and callback.outcome == ""
    callback_complete(
        callback=callback,
        by=rm_user,
        outcome=CallbackOutcome.NOT_REACHED,
        retry_on=datetime.date(2026, 11, 20),
    )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.RETRY
    assert not callback.is_completed
    assert callback.retry_on == datetime.date(2026, 11, 20)


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ))
def test_declined_completes_without_score(client_of_rm, rm_user):
    callback = CallbackFactory(client=client_of_rm)
    with pytest.raises(ValidationError):
        callback_complete(
            callback=callback, by=rm_user, outcome=CallbackOutcome.DECLINED, satisfaction_score=4
        )
    callback_complete(callback=callback, by=rm_user, outcome=CallbackOutcome.DECLINED)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DECLINED and callback.is_completed


@pytest.mark.parametrize("score", [0, 6, -1])
def test_satisfaction_score_outside_1_to_5_is_refused(client_of_rm, rm_user, score):
    callback = CallbackFactory(client=client_of_rm)
    with pytest.raises(ValidationError) as excinfo:
        callback_complete(
            callback=callback, by=rm_user, outcome=CallbackOutcome.REACHED, satisfaction_score=score
        )
    assert "satisfaction_score" in excinfo.value.message_dict
    callback.refresh_from_db()
    assert not callback.is_completed


@pytest.mark.parametrize("score", [1, 5])
def test_satisfaction_score_bounds_are_accepted(client_of_rm, rm_user, score):
    callback = CallbackFactory(client=client_of_rm)
    callback_complete(
        callback=callback, by=rm_user, outcome=CallbackOutcome.REACHED, satisfaction_score=score
    )
    callback.refresh_from_db()
    assert callback.satisfaction_score == score


def test_database_refuses_a_score_of_six(client_of_rm):
    with pytest.raises(IntegrityError):
        CallbackFactory(client=client_of_rm, satisfaction_score=6)


def test_a_completed_callback_cannot_be_completed_again(client_of_rm, rm_user):
    callback = CallbackFactory(client=client_of_rm)
    callback_complete(callback=callback, by=rm_user, outcome=CallbackOutcome.DECLINED)
    with pytest.raises(ValidationError):
        callback_complete(callback=callback, by=rm_user, outcome=CallbackOutcome.REACHED)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_first_night_never_rescans_the_call_backs_it_is_filling(
    client_of_rm, client_of_colleague
):
    """An anti-join against the table being filled was planned, on an empty analysed table, as a
    nested loop re-reading every row inserted so far: 214 s for 137,146 VIPs at 1M clients. The
    statement must read the call-backs once, as a set difference, whatever the statistics say."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Callback._meta.db_table}")
    with CaptureQueriesContext(connection) as queries:
        assert callbacks_generate(on=datetime.date(2026, 11, 15)) == 2
    insert = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT"))
    Callback.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {insert}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SetOp" in plan
    assert "Anti Join" not in plan
