"""Issue 13: writes by imports and jobs leave per-record history with an actor. The VIP status
history names the nightly job, the supervisor of an override or the approver; the core-banking
import keeps each changed field's old and new value (PII masked as the audit masks it) with the
importing user or the job, on the COPY fast path and the row-by-row path; the dossier shows it."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from approvals import services as approvals
from clients.corebanking.importer import corebanking_import
from clients.four_eyes import status_override_request
from clients.models import Client, ClientChange, StatusChange, VipStatus
from clients.qualification.overrides import status_override_create
from clients.qualification.reclassify import vip_statuses_reclassify
from core.masking import mask_audit_value
from core.roles import Role
from tests.clients.conftest import make_client
from tests.factories.core import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 5, 31)
HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
WANG_ID, WANG_PHONE = "310101198001010011", "13800138000"


def clients_file(wang: str = "王芳", li: str = "李强", phone: str = WANG_PHONE) -> str:
    return (
        HEADER
        + f"C001,{wang},personal,{WANG_ID},{phone},wf@mail.example,SH001,2020-01-01,true\n"
        + f"C002,{li},personal,,,,SH001,2019-06-30,false\n"
    )


def run(text: str, **kwargs):
    report = corebanking_import(kind="clients", file=io.BytesIO(text.encode()), **kwargs)
    assert report.ok, report.errors
    return report


@pytest.fixture
def sh001(db):
    return BranchFactory(code="SH001")


@pytest.fixture
def second_supervisor(db):
    return UserFactory(username="boss2", branch=None, role=Role.SUPERVISOR)


# --- status history ------------------------------------------------------------------------------


def test_the_nightly_run_names_itself_in_the_status_history():
    client = make_client(as_of=D)
    vip_statuses_reclassify(as_of=D)
    change = StatusChange.objects.get(client=client)
    assert (change.to_status, change.actor, change.changed_by) == (
        VipStatus.VIP,
        "system:reclassify_vips",
        None,
    )


def test_an_override_names_the_supervisor_who_made_it(supervisor):
    client = make_client(as_of=timezone.localdate(), assets="10")
    status_override_create(
        client=client,
        status=VipStatus.VIP,
        reason="retention",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        created_by=supervisor,
    )
    change = StatusChange.objects.get(client=client)
    assert (change.actor, change.changed_by) == (supervisor.username, supervisor)


def test_an_approved_override_names_the_approver(client_elsewhere, supervisor, second_supervisor):
    proposal = status_override_request(
        client=client_elsewhere,
        status="vip",
        reason="战略客户",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        by=supervisor,
    )
    assert not StatusChange.objects.filter(client=client_elsewhere).exists()
    approvals.proposal_approve(proposal_id=proposal.pk, by=second_supervisor)
    change = StatusChange.objects.get(client=client_elsewhere)
    assert (change.actor, change.changed_by) == ("boss2", second_supervisor)
    assert change.override.created_by == supervisor


def test_the_status_history_panel_shows_who(login, supervisor, client_of_rm):
    make_client(as_of=D)  # another client: only the dossier's own rows show
    client_of_rm.status_changes.create(
        effective_on=D, from_status="standard", to_status="vip", actor="system:reclassify_vips"
    )
    response = login(supervisor).get(
        reverse("clients:panel", args=[client_of_rm.pk, "clients.status"]),
        headers={"X-Fragment": "1"},
    )
    assert "system job: reclassify_vips" in response.content.decode()


# --- the core-banking import's change history ----------------------------------------------------


def test_renaming_two_clients_by_import_keeps_both_old_names_with_the_importer(sh001, supervisor):
    run(clients_file())
    assert not ClientChange.objects.exists()  # new clients: nothing replaced
    report = run(clients_file(wang="王芳芳", li="李强强"), actor=supervisor)
    assert report.changes_recorded == 2
    rows = ClientChange.objects.order_by("client__client_no")
    assert [(r.client.client_no, r.field, r.old_value, r.new_value) for r in rows] == [
        ("C001", "name", "王芳", "王芳芳"),
        ("C002", "name", "李强", "李强强"),
    ]
    assert {(r.actor, r.changed_by) for r in rows} == {(supervisor.username, supervisor)}


def test_a_changed_phone_is_kept_masked_as_the_audit_masks_it(sh001):
    run(clients_file())
    run(clients_file(phone="13900139000"))
    change = ClientChange.objects.get()
    assert (change.field, change.actor) == ("phone", "system:import_corebanking")
    assert (change.old_value, change.new_value) == ("*******8000", "*******9000")
    assert change.old_value == mask_audit_value(WANG_PHONE)
    every_value = "".join(ClientChange.objects.values_list("old_value", "new_value").get())
    assert WANG_PHONE not in every_value


def test_every_field_the_import_writes_is_recorded(sh001):
    BranchFactory(code="SH002")
    run(clients_file())
    changed = (
        HEADER
        + "C001,王芳,corporate,310101198001019999,13800138000,new@mail.example,SH002,"
        + "2021-02-03,false\n"
    )
    run(changed, job="dataruns_intake")
    rows = {r.field: r for r in ClientChange.objects.filter(client__client_no="C001")}
    assert {f: (r.old_value, r.new_value) for f, r in rows.items()} == {
        "kind": ("personal", "corporate"),
        "id_number": (mask_audit_value(WANG_ID), mask_audit_value("310101198001019999")),
        "email": (mask_audit_value("wf@mail.example"), mask_audit_value("new@mail.example")),
        "branch_code": ("SH001", "SH002"),
        "relationship_since": ("2020-01-01", "2021-02-03"),
        "good_standing": ("true", "false"),
    }
    assert {r.actor for r in rows.values()} == {"system:dataruns_intake"}


def test_an_unchanged_file_adds_no_history(sh001):
    run(clients_file())
    run(clients_file(wang="王芳芳"))
    report = run(clients_file(wang="王芳芳"))
    assert report.changes_recorded == 0
    assert ClientChange.objects.count() == 1


def test_a_refused_file_leaves_no_history(sh001):
    run(clients_file())
    bad = clients_file(wang="王芳芳") + "C003,赵六,personal,,,,NOPE,2019-06-30,false\n"
    report = corebanking_import(kind="clients", file=io.BytesIO(bad.encode()))
    assert not report.ok
    assert not ClientChange.objects.exists()
    assert Client.objects.get(client_no="C001").name == "王芳"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY fast path")
def test_both_import_paths_record_the_same_history(sh001):
    run(clients_file())
    fast = run(clients_file(wang="王芳芳"))
    # A quoted field sends a file down the row-by-row path.
    slow = run(clients_file(wang='"王 芳"'))
    assert (fast.copied, slow.copied) == (True, False)
    assert list(
        ClientChange.objects.order_by("id").values_list("old_value", "new_value", "actor")
    ) == [
        ("王芳", "王芳芳", "system:import_corebanking"),
        ("王芳芳", "王 芳", "system:import_corebanking"),
    ]


def test_the_command_names_itself(sh001, tmp_path):
    run(clients_file())
    path = tmp_path / "clients.csv"
    path.write_text(clients_file(li="李强强"), encoding="utf-8")
    call_command("import_corebanking", "clients", str(path), stdout=io.StringIO())
    assert ClientChange.objects.get().actor == "system:import_corebanking"


@pytest.mark.parametrize("persona", ["supervisor", "rm_user", "branch_staff"])
def test_the_dossier_shows_the_old_values_to_whoever_may_see_the_client(
    request, login, persona, client_of_rm, supervisor
):
    ClientChange.objects.create(
        client=client_of_rm,
        field="name",
        old_value="王芳",
        new_value=client_of_rm.name,
        actor=supervisor.username,
        changed_by=supervisor,
    )
    ClientChange.objects.create(
        client=client_of_rm,
        field="phone",
        old_value=mask_audit_value(WANG_PHONE),
        new_value=mask_audit_value("13900139000"),
        actor="system:dataruns_intake",
    )
    url = reverse("clients:panel", args=[client_of_rm.pk, "clients.changes"])
    page = login(request.getfixturevalue(persona)).get(url, headers={"X-Fragment": "1"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "王芳" in text and str(supervisor) in text
    assert "*******8000" in text and "system job: dataruns_intake" in text


def test_the_history_stays_out_of_scope(login, other_branch_staff, client_of_rm):
    url = reverse("clients:panel", args=[client_of_rm.pk, "clients.changes"])
    assert login(other_branch_staff).get(url).status_code == 404
