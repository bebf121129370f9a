"""The SLA state is one rule (feedback.sla): the badge, the counts above the queue, the queue's
"SLA" filter, the supervisor's breached list and the export agree at every boundary."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from feedback import sla
from feedback.models import SlaState, Ticket, TicketStatus
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 4, 0, tzinfo=UTC)
H = timedelta(hours=1)
S = timedelta(seconds=1)


@pytest.fixture
def tickets(client_of_rm):
    """One ticket on each side of each boundary, at NOW, with the state it must be in."""

    def make(received_ago, state, **extra):
        t = TicketFactory(client=client_of_rm, received_at=NOW - received_ago, **extra)
        return t, state

    return [
        make(36 * H - S, SlaState.ON_TIME),
        make(36 * H, SlaState.WARNED),  # exactly 75 %: warned
        make(48 * H - S, SlaState.WARNED),
        make(48 * H, SlaState.BREACHED),  # exactly 48 h: breached
        make(60 * H, SlaState.BREACHED, status=TicketStatus.IN_PROGRESS),
        # Answered exactly at the deadline is met; a second later is late.
        make(50 * H, SlaState.MET, first_response_at=NOW - 2 * H, status=TicketStatus.RESPONDED),
        make(
            50 * H,
            SlaState.LATE,
            first_response_at=NOW - 2 * H + S,
            status=TicketStatus.RESPONDED,
            breached_at=NOW - 2 * H,
        ),
        # Closed as a duplicate without an answer: never breached, whatever its age.
        make(60 * H, SlaState.NOT_NEEDED, status=TicketStatus.CLOSED),
    ]


def test_python_and_sql_rules_agree_on_every_boundary(tickets):
    for ticket, state in tickets:
        assert sla.state_of(ticket, NOW) == state, ticket.received_at
    for state in SlaState:
        in_sql = set(Ticket.objects.filter(sla.state_q(state, NOW)).values_list("pk", flat=True))
        assert in_sql == {t.pk for t, s in tickets if s == state}, state


def test_queue_counts_and_filter_agree(login, feedback_user, tickets):
    http = login(feedback_user)
    with time_machine.travel(NOW, tick=False):
        page = http.get(reverse("feedback:queue"))
        counts = page.context["counts"]
        assert counts == {"waiting": 5, "breached": 2, "warned": 2}
        for state in ("breached", "warned", "on_time"):
            listed = http.get(reverse("feedback:queue"), {"breached": state, "status": "all"})
            shown = {t.pk for t in listed.context["tickets"]}
            assert shown == {t.pk for t, s in tickets if s == state}, state
        assert len(shown) == counts["waiting"] - counts["breached"] - counts["warned"]


def test_the_supervisors_breached_list_is_the_breached_filter(login, supervisor, tickets):
    with time_machine.travel(NOW, tick=False):
        html = login(supervisor).get("/").content.decode()
    for ticket, state in tickets:
        assert (ticket.subject in html) == (state == SlaState.BREACHED), (ticket.subject, state)


def test_counts_move_across_the_boundaries_with_the_clock(tickets):
    # A second earlier the tickets exactly at 36 h and 48 h were one state younger.
    assert sla.queue_counts(Ticket.objects.all(), now=NOW - S) == {
        "waiting": 5,
        "breached": 1,
        "warned": 2,
    }
    # A minute later the one at 48 h - 1 s is breached and the one at 36 h - 1 s warned.
    with time_machine.travel(NOW + 60 * S, tick=False):
        assert sla.queue_counts(Ticket.objects.all()) == {"waiting": 5, "breached": 3, "warned": 2}
