import csv
import datetime
import io
import re

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from clients.models import VipStatus
from programme.tasks import reclassify_vips
from tests.clients.conftest import make_client
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 5, 31)


def test_reclassify_command_prints_counts_and_changes():
    make_client(as_of=D)
    out = io.StringIO()
    call_command("reclassify_vips", "--as-of", "2026-05-31", stdout=out)
    text = out.getvalue()
    assert "2026-05-31" in text
    assert "vip          1" in text
    assert "Changes: 1" in text
    assert re.search(r"Seconds: rule \d+\.\d\d, RMs \d+\.\d\d, call-backs \d+\.\d\d", text)
    assert "standard → vip: 1" in text


def test_reclassify_command_rejects_a_bad_date():
    with pytest.raises(CommandError) as excinfo:
        call_command("reclassify_vips", "--as-of", "31/05/2026", stdout=io.StringIO())
    assert excinfo.value.returncode == 1
    assert "YYYY-MM-DD" in str(excinfo.value)


def test_reclassify_task_calls_the_service():

    make_client(as_of=D)
    assert reclassify_vips("2026-05-31")["changes"] == 1


def test_export_vips_writes_one_row_per_vip_with_rm_and_is_audited(tmp_path):
    today = datetime.date.today()
    vip = make_client(as_of=today, status=VipStatus.VIP, vip_since=datetime.date(2025, 3, 1))
    at_risk = make_client(
        as_of=today,
        status=VipStatus.VIP_AT_RISK,
        vip_since=datetime.date(2024, 1, 1),
        at_risk_since=today,
    )
    make_client(as_of=today)  # standard: not exported
    rm = RelationshipManagerFactory(employee_no="E0042")
    AssignmentFactory(client=vip, rm=rm)
    path = tmp_path / "vips.csv"
    call_command("export_vips", "--output", str(path), stderr=io.StringIO())
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0].keys()) == [
        "client_no",
        "kind",
        "status",
        "vip_since",
        "assets",
        "trades_3m",
        "relationship_since",
        "rm_employee_no",
    ]
    by_no = {r["client_no"]: r for r in rows}
    assert set(by_no) == {vip.client_no, at_risk.client_no}
    assert by_no[vip.client_no]["rm_employee_no"] == "E0042"
    assert by_no[vip.client_no]["trades_3m"] == "5"
    assert by_no[vip.client_no]["vip_since"] == "2025-03-01"
    assert by_no[at_risk.client_no]["status"] == "vip_at_risk"
    assert LogEntry.objects.filter(changes_text="clients.export_vips").count() == 1
