import io
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from feedback import demo, sla
from feedback.models import ApiKey, Channel, Survey, Ticket, TicketStatus

pytestmark = pytest.mark.django_db


def _seed():
    out = io.StringIO()
    demo.seed(rng=random.Random(7), today=timezone.localdate(), stdout=out)
    return out.getvalue()


def test_demo_covers_every_channel_and_status_and_is_idempotent(client_of_rm, feedback_user):
    output = _seed()
    counts = (Ticket.objects.count(), Survey.objects.count(), ApiKey.objects.count())
    _seed()
    assert (Ticket.objects.count(), Survey.objects.count(), ApiKey.objects.count()) == counts
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Ticket.objects.values_list("status", flat=True)) == set(TicketStatus.values)
    now = timezone.now()
    states = {sla.state_of(t, now) for t in Ticket.objects.filter(first_response_at__isnull=True)}
    assert {"on_time", "warned", "breached"} <= states
    answered = Survey.objects.filter(score__isnull=False)
    assert answered.filter(score__gte=4).count() / answered.count() > 0.8
    assert Survey.objects.filter(responded_at__isnull=True).exists()
    assert Ticket.objects.filter(client__isnull=True).exists()
    assert "fb_" not in output  # no secret printed
    assert len(list((Path(settings.FEEDBACK_MAILDIR) / "new").iterdir())) == 2


def test_seed_demo_command_runs_with_the_feedback_seeder(db):
    call_command("seed_demo", stdout=io.StringIO())
    assert Ticket.objects.filter(channel=Channel.APP).exists()
