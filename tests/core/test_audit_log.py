"""The audit log is append-only in the database (issue 13): UPDATE and DELETE are refused on
SQLite and PostgreSQL, whoever connects; deleting a staff user still only clears the actor. Change
records mask PII; export records name the filters used, never their values."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from core.services import audit_record
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(supervisor):
    return audit_record(actor=supervisor, event="dossier.view")


def test_an_audit_row_cannot_be_updated(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes_text="nothing happened")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET object_repr = 'x'")
    entry.refresh_from_db()
    assert entry.changes_text == "dossier.view"


def test_an_audit_row_cannot_be_deleted(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM auditlog_logentry")
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_the_actor_cannot_be_rewritten_but_a_deleted_user_is_cleared(entry, supervisor):
    other = UserFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(actor=other)
    supervisor.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None
    assert entry.changes_text == "dossier.view"


def test_client_change_records_mask_id_number_and_phone(client_of_rm):
    client_of_rm.phone = "13912345678"
    client_of_rm.id_number = "110101199003071234"
    client_of_rm.save()
    record = LogEntry.objects.get_for_object(client_of_rm).latest("pk")
    text = str(record.changes)
    assert "13912345678" not in text and "13800138000" not in text
    assert "110101199003071234" not in text
    assert "5678" in text  # old and new can still be told apart


def test_the_export_records_filter_names_not_values(login, supervisor, client_of_rm):
    http = login(supervisor)
    http.get(reverse("clients:export"), {"q": "13800138000", "status": "vip"})
    record = LogEntry.objects.get(changes_text="clients.export_list")
    assert record.additional_data["filters"] == ["q", "status"]
    assert "13800138000" not in str(record.additional_data)
