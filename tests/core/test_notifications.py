from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification
from core.services import notification_create
from tests.factories.clients import ClientFactory


def test_bell_counts_unread_notifications(login, supervisor):
    notification_create(recipients=[supervisor], title="Breached ticket", url="/")
    body = login(supervisor).get(reverse("core:home")).content.decode()
    assert 'data-testid="unread-count">1<' in body


def test_dedupe_key_notifies_once(supervisor):
    for _ in range(2):
        notification_create(recipients=[supervisor], title="once", dedupe_key="ticket-1-breach")
    assert Notification.objects.filter(recipient=supervisor).count() == 1


def test_opening_marks_read_and_follows_link(login, supervisor):
    (note,) = notification_create(recipients=[supervisor], title="x", url="/notifications/")
    response = login(supervisor).post(reverse("core:notification_open", args=[note.pk]))
    assert response["Location"] == "/notifications/"
    note.refresh_from_db()
    assert note.is_read


def test_someone_elses_notification_is_404(login, supervisor, rm_user):
    (note,) = notification_create(recipients=[supervisor], title="x")
    response = login(rm_user).post(reverse("core:notification_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert not note.is_read


def test_outsider_cannot_see_notifications(login, outsider):
    assert login(outsider).get(reverse("core:notifications")).status_code == 404


def test_mark_all_read(login, supervisor):
    notification_create(recipients=[supervisor], title="a")
    notification_create(recipients=[supervisor], title="b")
    login(supervisor).post(reverse("core:notifications_read_all"))
    assert not Notification.objects.unread().filter(recipient=supervisor).exists()


def test_a_page_counts_unread_notifications_once(login, supervisor, branch):

    # The dossier renders every app's panel with the request's context processors too.
    client = ClientFactory(branch=branch)
    http = login(supervisor)
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(reverse("clients:detail", args=[client.pk])).status_code == 200
    assert sum("core_notification" in q["sql"] for q in ctx.captured_queries) == 1


def test_a_title_longer_than_the_column_is_shortened_not_refused(supervisor):
    subject = "客户投诉" * 80  # a mail subject quoted into a title: 320 characters
    (note,) = notification_create(recipients=[supervisor], title=subject, email=True)
    note.refresh_from_db()
    assert len(note.title) == 200 and note.title.startswith("客户投诉")
