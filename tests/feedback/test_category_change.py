"""The feedback team corrects a ticket's category (issue 14): audited, noted in the thread, and
the needs analysis counts the corrected category."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from analytics import facts
from feedback.models import Category, Ticket, TicketMessage
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db


def _change(http, ticket, category):
    return http.post(
        reverse("feedback:ticket_category", args=[ticket.reference]), {"category": category}
    )


def test_the_team_changes_the_category_and_it_is_audited(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm, category=Category.COMPLAINT)

    response = _change(login(feedback_user), ticket, Category.SUGGESTION)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.category == Category.SUGGESTION
    entry = LogEntry.objects.filter(additional_data__event="feedback.category_change").first()
    assert entry is not None
    assert entry.actor == feedback_user
    assert ticket.messages.filter(kind=TicketMessage.Kind.INTERNAL_NOTE).exists()


def test_the_needs_analysis_counts_the_corrected_category(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm, category=Category.COMPLAINT)
    _change(login(feedback_user), ticket, Category.SUGGESTION)
    today = timezone.localdate()

    frame = facts.tickets(start=today - datetime.timedelta(days=1), end=today)

    assert list(frame["category"]) == [Category.SUGGESTION]


@pytest.mark.parametrize("who", ["rm_user", "branch_staff"])
def test_only_the_team_may_change_it(request, login, client_of_rm, who):
    ticket = TicketFactory(client=client_of_rm, category=Category.COMPLAINT)

    response = _change(login(request.getfixturevalue(who)), ticket, Category.SUGGESTION)

    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).category == Category.COMPLAINT


def test_an_unknown_category_changes_nothing(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm, category=Category.COMPLAINT)

    _change(login(feedback_user), ticket, "gossip")

    assert Ticket.objects.get(pk=ticket.pk).category == Category.COMPLAINT


def test_the_ticket_page_has_one_element_per_id(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)

    page = login(feedback_user).get(reverse("feedback:ticket_detail", args=[ticket.reference]))

    assert page.content.decode().count('id="id_body"') == 1
