"""Issue 11 faults for the SLA sweep: tickets at 35:59, 36:00, 47:59, 48:00 and 48:00+1 s of age
swept three times in a row (and two sweeps at once on PostgreSQL) get one warning and one
escalation each where due; a backlog gives one summary per recipient, not one message per ticket;
a warning never announces a deadline already past as if it were ahead."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection, connections

from core.models import Notification, OutboxMail
from core.outbox import outbox_drain
from feedback.models import Ticket
from feedback.services.escalation import sla_sweep
from tests.factories.feedback import TicketFactory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
AGES = {
    "35:59": timedelta(hours=35, minutes=59),
    "36:00": timedelta(hours=36),
    "47:59": timedelta(hours=47, minutes=59),
    "48:00": timedelta(hours=48),
    "48:00+1s": timedelta(hours=48, seconds=1),
}
WARNED = {"36:00", "47:59", "48:00", "48:00+1s"}
BREACHED = {"48:00", "48:00+1s"}


def _tickets(client):
    return {
        age: TicketFactory(client=client, received_at=NOW - delta, subject=age)
        for age, delta in AGES.items()
    }


def _stamps():
    tickets = Ticket.objects.all()
    return (
        {t.subject for t in tickets if t.warned_at},
        {t.subject for t in tickets if t.breached_at},
    )


@pytest.mark.django_db
def test_three_sweeps_in_a_row_warn_and_escalate_each_ticket_once(
    client_of_rm, supervisor, feedback_user
):
    _tickets(client_of_rm)
    results = [sla_sweep(now=NOW + timedelta(seconds=n)) for n in range(3)]
    assert _stamps() == (WARNED, BREACHED)
    assert [r["warned"] for r in results] == [4, 0, 0]
    assert [r["breached"] for r in results] == [2, 0, 0]
    # The warnings of 47:59, 48:00 and 48:00+1 s were due about 12 hours ago: backlog, in one
    # summary per recipient; 36:00's warning and both escalations are due now, ticket by ticket.
    assert results[0]["backlog"] == 3
    boss = Notification.objects.filter(recipient=supervisor)
    assert boss.filter(dedupe_key__endswith=":breached").count() == 2
    team = Notification.objects.filter(recipient=feedback_user)
    assert team.filter(dedupe_key__endswith=":warned").count() == 1
    assert team.filter(dedupe_key__startswith="feedback:sla-backlog").count() == 1


@pytest.mark.django_db
def test_a_backlog_gives_one_summary_per_recipient(client_of_rm, supervisor, feedback_user):
    supervisor.email, feedback_user.email = "boss@bank.example", "team@bank.example"
    supervisor.language = "en"  # the team member keeps the default, Chinese
    supervisor.save()
    feedback_user.save()
    for n in range(200):
        TicketFactory(client=client_of_rm, received_at=NOW - timedelta(days=3, minutes=n))
    result = sla_sweep(now=NOW)
    assert result == {"warned": 200, "breached": 200, "backlog": 400}
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    assert Notification.objects.filter(recipient=feedback_user).count() == 1
    summary = Notification.objects.get(recipient=supervisor)
    assert "200" in summary.title and "… and 170 more" in summary.body
    # Each summary in its recipient's language.
    assert "另有 170 张" in Notification.objects.get(recipient=feedback_user).body
    assert OutboxMail.objects.count() == 2
    assert outbox_drain()["sent"] == 2 and len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_warning_never_announces_a_past_deadline_as_ahead(client_of_rm, feedback_user):
    ticket = TicketFactory(client=client_of_rm, received_at=NOW - timedelta(hours=1))
    Ticket.objects.filter(pk=ticket.pk).update(
        warn_due_at=NOW - timedelta(minutes=5), first_response_due_at=NOW - timedelta(minutes=1)
    )
    feedback_user.language = "en"  # the reader's language; the wording is the point here
    feedback_user.save(update_fields=["language"])
    sla_sweep(now=NOW)
    warning = Notification.objects.get(recipient=feedback_user, dedupe_key__endswith=":warned")
    assert "missed its response deadline" in warning.title


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_over_the_boundary_ages_notify_once(client_of_rm, supervisor):
    _tickets(client_of_rm)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(sla_sweep(now=NOW))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _stamps() == (WARNED, BREACHED)
    assert sum(r["warned"] for r in results) == 4 and sum(r["breached"] for r in results) == 2
    boss = Notification.objects.filter(recipient=supervisor, dedupe_key__endswith=":breached")
    assert boss.count() == 2
