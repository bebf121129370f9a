"""No full ID number or phone in any log line or audit row written by a whole journey (issue 13):
searching and exporting by phone, the dossier and its reveal, an administrator editing a client,
hotline look-ups and a logged call, the app's API, a core-banking import from the command line."""

import io
import json
import logging
import re

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from feedback.models import Channel
from feedback.services.api_keys import api_key_issue
from tests.factories.core import BranchFactory
from tests.factories.managers import ShiftFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"


def pii_in(text: str) -> list[str]:
    return ID_NUMBER.findall(text) + MOBILE.findall(text)


def journey(login, supervisor, admin_user, rm_user, client_of_rm, tmp_path) -> None:
    phone, id_number = "13800138000", client_of_rm.id_number
    boss = login(supervisor)
    boss.get(reverse("clients:list"), {"q": phone})
    boss.get(reverse("clients:export"), {"q": phone})
    boss.get(reverse("clients:detail", args=[client_of_rm.pk]))
    boss.post(reverse("clients:reveal", args=[client_of_rm.pk]))
    boss.get(f"/nothing-here/{phone}/{id_number}/")  # a 404 with PII in the path
    http = login(rm_user)
    caller = http.post(reverse("servicedesk:hotline"), {"phone": f"+86 {phone}"})["Location"]
    http.get(caller)
    http.post(caller, {"topic": "complaint", "notes": "n"})
    admin = login(admin_user)
    change = reverse("admin:clients_client_change", args=[client_of_rm.pk])
    admin.get(change)
    client_of_rm.phone, client_of_rm.id_number = "13911112222", "110101199003071234"
    client_of_rm.save()
    _key, raw = api_key_issue(name="App", channel=Channel.APP)
    body = {"client_no": client_of_rm.client_no, "category": "inquiry", "subject": "s"}
    http.post(
        reverse("feedback:api_tickets"),
        json.dumps({**body, "description": "d"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    BranchFactory(code="SH009")
    path = tmp_path / "clients.csv"
    path.write_text(
        HEADER
        + "C9001,王芳,personal,310101198001010011,13700001111,a@b.example,SH009,2020-01-01,true\n"
        + "C9002,李明,personal,31010119800101002X,13700002222,,SH009,2020-01-01,maybe\n"
    )
    with pytest.raises(Exception):  # noqa: B017 - the bad row rejects the file, nothing written
        call_command(
            "import_corebanking", "clients", str(path), stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_a_whole_journey_leaves_no_full_id_or_phone_in_logs_or_audit(
    login, supervisor, admin_user, rm_user, rm, client_of_rm, caplog, tmp_path
):
    ShiftFactory(rm=rm)
    with caplog.at_level(logging.DEBUG):
        journey(login, supervisor, admin_user, rm_user, client_of_rm, tmp_path)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) >= 2  # the journey did log
    leaked_logs = [line for line in lines if pii_in(line)]
    assert not leaked_logs, leaked_logs[:5]
    rows = LogEntry.objects.all()
    assert rows.count() > 5
    leaked_rows = []
    for row in rows:
        text = " ".join(
            str(v) for v in (row.object_repr, row.changes, row.changes_text, row.additional_data)
        )
        if pii_in(text):
            leaked_rows.append(text[:200])
    assert not leaked_rows, leaked_rows[:5]
