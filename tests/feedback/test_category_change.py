"""The feedback team corrects a ticket's category (issue 14): audited, noted in the thread, and
the needs analysis counts the corrected category."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from analytics import facts
from core.models import Notification
from feedback.models import Category, Ticket, TicketMessage
from feedback.services import handling
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


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "already has this category; nothing changed"), ("zh-hans", "未作更改")],
)
def test_the_category_it_has_already_writes_nothing_and_says_so(
    login, feedback_user, client_of_rm, language, text
):
    """Issue 14: no "category changed" note or audit row for a change to the same category."""
    ticket = TicketFactory(client=client_of_rm, category=Category.COMPLAINT)
    http = login(feedback_user, language)

    response = http.post(
        reverse("feedback:ticket_category", args=[ticket.reference]),
        {"category": Category.COMPLAINT},
        follow=True,
    )

    assert text in response.content.decode()
    assert not LogEntry.objects.filter(additional_data__event="feedback.category_change").exists()
    assert not ticket.messages.exists()


def test_the_service_says_whether_it_changed(feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm, category=Category.COMPLAINT)

    assert handling.ticket_category_set(
        ticket=ticket, category=Category.SUGGESTION, actor=feedback_user
    )
    assert not handling.ticket_category_set(
        ticket=ticket, category=Category.SUGGESTION, actor=feedback_user
    )
    assert LogEntry.objects.filter(additional_data__event="feedback.category_change").count() == 1
    assert ticket.messages.count() == 1


def test_linking_the_client_it_has_already_tells_no_one_again(
    login, feedback_user, client_of_rm, rm_user
):
    """The same kind: a no-op link writes nothing and does not notify the RM a second time."""
    ticket = TicketFactory(client=None, sender_email="x@example.com")
    http = login(feedback_user)
    url = reverse("feedback:ticket_link_client", args=[ticket.reference])
    http.post(url, {"client_no": client_of_rm.client_no})
    told = Notification.objects.filter(recipient=rm_user).count()

    response = http.post(url, {"client_no": client_of_rm.client_no}, follow=True)

    assert "is already linked to this client; nothing changed" in response.content.decode()
    assert Notification.objects.filter(recipient=rm_user).count() == told >= 1
