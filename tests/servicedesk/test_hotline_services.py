"""Hotline calls: who answers (own RM on shift, else on-call RM, else uncovered), the call log and
the supervisor alert for an uncovered call."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import Notification
from core.phone import InvalidPhone
from servicedesk.models import AnsweredBy, CallLog
from servicedesk.services import call_log_create
from tests.factories.managers import RelationshipManagerFactory, ShiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(client_of_rm, phone_indexed):
    return phone_indexed(client_of_rm, "13800138000")


def test_call_goes_to_own_rm_when_on_shift(caller, rm, colleague_rm, branch_staff):
    ShiftFactory(rm=colleague_rm, starts_at=timezone.now() - datetime.timedelta(hours=5))
    ShiftFactory(rm=rm)
    call = call_log_create(
        handled_by=branch_staff, phone="+86 138-0013-8000", topic="enquiry", notes=" 问余额 "
    )
    assert call.client == caller
    assert call.answered_by_kind == AnsweredBy.OWN_RM
    assert call.answered_by_rm == rm
    assert call.phone == "+86 138-0013-8000"
    assert call.phone_normalized == "+8613800138000"
    assert call.notes == "问余额"


def test_call_goes_to_on_call_rm_when_own_rm_is_off(caller, colleague_rm, branch_staff):
    ShiftFactory(rm=colleague_rm)
    call = call_log_create(handled_by=branch_staff, phone="13800138000", topic="wealth")
    assert call.answered_by_kind == AnsweredBy.ON_CALL
    assert call.answered_by_rm == colleague_rm
    assert not Notification.objects.exists()


def test_uncovered_call_notifies_supervisors_once(caller, branch_staff, supervisor):
    call = call_log_create(handled_by=branch_staff, phone="13800138000", topic="complaint")
    assert call.answered_by_kind == AnsweredBy.UNCOVERED
    assert call.answered_by_rm is None
    note = Notification.objects.get()
    assert note.recipient == supervisor
    assert note.level == Notification.Level.DANGER
    assert note.url == "/service/hotline/"  # the number never goes into a URL


def test_an_ended_shift_does_not_cover_the_call(caller, rm, branch_staff, supervisor):
    now = timezone.now()
    ShiftFactory(rm=rm, starts_at=now - datetime.timedelta(hours=8), ends_at=now)
    call = call_log_create(handled_by=branch_staff, phone="13800138000", topic="other", at=now)
    assert call.answered_by_kind == AnsweredBy.UNCOVERED


def test_unknown_caller_is_logged_without_client(db, branch_staff, supervisor):
    ShiftFactory(rm=RelationshipManagerFactory())
    call = call_log_create(handled_by=branch_staff, phone="021-6888 8888", topic="enquiry")
    assert call.client is None
    assert call.phone_normalized == "+862168888888"
    assert call.answered_by_kind == AnsweredBy.ON_CALL


def test_bad_number_or_topic_logs_nothing(caller, branch_staff):
    with pytest.raises(InvalidPhone):
        call_log_create(handled_by=branch_staff, phone="hello", topic="enquiry")
    with pytest.raises(ValidationError):
        call_log_create(handled_by=branch_staff, phone="13800138000", topic="gossip")
    assert not CallLog.objects.exists()
