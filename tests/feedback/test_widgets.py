"""Home widgets ("what needs me now?") and the dossier panel."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.registry import registry
from feedback.models import TicketStatus
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


def test_feedback_team_home_shows_the_most_urgent_first(login, feedback_user, client_of_rm):
    now = timezone.now()
    TicketFactory(client=client_of_rm, subject="calm", received_at=now)
    TicketFactory(client=client_of_rm, subject="urgent", received_at=now - timedelta(hours=47))
    html = login(feedback_user).get(HOME).content.decode()
    assert 'data-testid="widget-feedback.queue"' in html
    assert html.index("urgent") < html.index("calm")
    assert "1 warned" in html


def test_rm_home_lists_open_tickets_on_own_clients_only(
    login, rm_user, client_of_rm, client_of_colleague
):
    TicketFactory(client=client_of_rm, subject="on my client")
    TicketFactory(client=client_of_colleague, subject="on colleague's client")
    TicketFactory(client=client_of_rm, subject="finished", status=TicketStatus.CLOSED)
    html = login(rm_user).get(HOME).content.decode()
    assert 'data-testid="widget-feedback.rm_open"' in html
    assert "on my client" in html
    assert "colleague's client" not in html and "finished" not in html


def test_supervisor_home_lists_breached_tickets(login, supervisor, client_of_rm):
    now = timezone.now()
    TicketFactory(
        client=client_of_rm,
        subject="late one",
        received_at=now - timedelta(hours=50),
        breached_at=now - timedelta(hours=2),
    )
    TicketFactory(client=client_of_rm, subject="fine one")
    html = login(supervisor).get(HOME).content.decode()
    assert "late one" in html and "fine one" not in html


def test_branch_staff_home_offers_logging_and_lists_what_they_logged(
    login, branch_staff, client_of_rm
):
    TicketFactory(client=client_of_rm, subject="I logged this", created_by=branch_staff)
    html = login(branch_staff).get(HOME).content.decode()
    assert reverse("feedback:ticket_new") in html
    assert "I logged this" in html


def test_home_widget_queries_do_not_grow_with_tickets(login, feedback_user, client_of_rm):
    http = login(feedback_user)
    TicketFactory(client=client_of_rm)
    http.get(HOME)
    with CaptureQueriesContext(connection) as one:
        http.get(HOME)
    for _ in range(15):
        TicketFactory(client=client_of_rm, handler=feedback_user)
    with CaptureQueriesContext(connection) as many:
        http.get(HOME)
    assert len(one) == len(many)


def test_dossier_panel_lists_the_clients_tickets_in_scope(rm_user, client_of_rm):
    TicketFactory(client=client_of_rm, subject="theirs")
    TicketFactory(subject="someone else's")
    panel = registry.dossier_panels["feedback"]
    request = RequestFactory().get("/")
    request.user = rm_user
    context = panel.context(request, client_of_rm)
    assert [t.subject for t in context["tickets"]] == ["theirs"]

    html = render_to_string(panel.template, context, request=request)
    assert "theirs" in html and f"?client={client_of_rm.pk}" in html
