"""The 02:00 job: reclassify, give each new VIP an RM, and create their call-back the same day."""

import datetime
import io

import pytest
from django.core.management import call_command

from clients.models import VipStatus
from managers.models import Assignment
from programme.tasks import reclassify_vips
from servicedesk.models import Callback
from tests.factories.managers import RelationshipManagerFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 5, 31)


def test_new_vip_gets_an_rm_and_this_months_callback(qualifying, branch):
    rm = RelationshipManagerFactory(branch=branch)
    client = qualifying(as_of=D, branch=branch)

    outcome = reclassify_vips(D.isoformat())

    client.refresh_from_db()
    assert client.status == VipStatus.VIP
    assignment = Assignment.objects.get(client=client, ended_at__isnull=True)
    assert assignment.rm == rm
    callback = Callback.objects.get(client=client)
    assert (callback.period, callback.due_on) == (datetime.date(2026, 5, 1), D)
    assert outcome["assignments"]["assigned"] == 1 and outcome["callbacks_created"] == 1


def test_running_the_night_twice_does_nothing_more(qualifying, branch):
    RelationshipManagerFactory(branch=branch)
    qualifying(as_of=D, branch=branch)
    reclassify_vips(D.isoformat())

    again = reclassify_vips(D.isoformat())

    # Once per business date (issue 17): the second delivery finds the date done.
    assert again["ran"] is False and again["changes"] == 0
    assert Assignment.objects.count() == 1 and Callback.objects.count() == 1


def test_vip_without_a_free_rm_waits_unassigned_but_still_gets_its_callback(qualifying, branch):
    client = qualifying(as_of=D, branch=branch)

    outcome = reclassify_vips(D.isoformat())

    assert outcome["assignments"]["unassigned"] == 1
    assert not Assignment.objects.filter(client=client).exists()
    assert Callback.objects.filter(client=client, rm__isnull=True).exists()


def test_command_runs_the_same_cycle_and_reports_it(qualifying, branch):
    RelationshipManagerFactory(branch=branch)
    qualifying(as_of=D, branch=branch)
    out = io.StringIO()

    call_command("reclassify_vips", "--as-of", D.isoformat(), stdout=out)

    text = out.getvalue()
    assert "RMs assigned: 1" in text
    assert "Call-backs created: 1" in text
