import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from feedback import tasks
from feedback.models import ApiKey
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db


def test_admin_issues_a_key_shown_once_and_revokes_it(login, admin_user):
    http = login(admin_user)
    response = http.post(
        reverse("admin:feedback_apikey_add"), {"name": "App", "channel": "app"}, follow=True
    )
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"fb_{key.prefix}_" in m for m in shown)
    again = http.get(reverse("admin:feedback_apikey_change", args=[key.pk]))
    assert f"fb_{key.prefix}_" not in again.content.decode()
    http.post(
        reverse("admin:feedback_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_sla_task_and_command_run_the_sweep(supervisor):
    TicketFactory(received_at=timezone.now() - timedelta(hours=49))
    assert tasks.sla_sweep() == {"warned": 1, "breached": 1, "backlog": 2}
    out = io.StringIO()
    call_command("feedback_sla_sweep", stdout=out)
    assert out.getvalue().strip() == "warned 0, breached 0"


def test_mail_command_reports_counts(db):
    out = io.StringIO()
    call_command("feedback_poll_mail", stdout=out)
    assert "tickets 0" in out.getvalue()
