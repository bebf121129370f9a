"""Issue 11: ``seed_demo`` runs at every ``./dev run`` start; a re-run must not invent history for
clients who became VIP since the first seeding, nor move the satisfaction KPI (not only add no
rows with the same keys)."""

import datetime
import random

import pytest

from clients.models import VipStatus
from feedback import demo as feedback_demo
from feedback.models import Survey, Ticket
from servicedesk import demo as servicedesk_demo
from servicedesk.models import Callback
from tests.factories.clients import ClientFactory, VipClientFactory
from tests.factories.core import UserFactory
from tests.factories.managers import AssignmentFactory

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2026, 11, 28)


def _satisfaction():
    scores = list(
        Callback.objects.exclude(satisfaction_score=None).values_list(
            "satisfaction_score", flat=True
        )
    )
    scores += list(Survey.objects.exclude(score=None).values_list("score", flat=True))
    return sum(s >= 4 for s in scores), len(scores)


def test_a_restart_invents_no_history_for_a_new_vip(rm, branch):
    UserFactory(username="rm")
    for _n in range(5):
        AssignmentFactory(client=VipClientFactory(branch=branch), rm=rm)
    servicedesk_demo.seed(rng=random.Random(1), today=FIRST)
    later_vip = ClientFactory(branch=branch)
    ClientFactory._meta.model.objects.filter(pk=later_vip.pk).update(status=VipStatus.VIP)
    AssignmentFactory(client=later_vip, rm=rm)
    before = (Callback.objects.count(), _satisfaction())

    servicedesk_demo.seed(rng=random.Random(2), today=FIRST + datetime.timedelta(days=40))

    assert not Callback.objects.filter(client=later_vip).exists()
    assert (Callback.objects.count(), _satisfaction()) == before


def test_a_restart_in_a_new_year_adds_no_second_year_of_feedback(branch):
    UserFactory(username="feedback")
    VipClientFactory(branch=branch)
    feedback_demo.seed(rng=random.Random(1), today=FIRST)
    before = (Ticket.objects.count(), _satisfaction())
    feedback_demo.seed(rng=random.Random(2), today=datetime.date(2027, 1, 5))
    assert (Ticket.objects.count(), _satisfaction()) == before
