"""A bad phone or e-mail in one row of the nightly client set (a landline without its area code,
an address that is not one) is reported for that row and left out of it, the client's value on
file kept; the rest of the set is imported (it used to refuse the whole night). Uploads and the
command line still refuse a file with any bad value (SPEC section 2, all or nothing)."""

import io

import pytest
from django.urls import reverse

from clients.corebanking.importer import corebanking_import
from clients.models import Client
from dataruns.models import IntakeOutcome, IntakeRun
from programme.services import inbox_night
from tests.dataruns.conftest import D1, D2, drop_set

pytestmark = pytest.mark.django_db


def _accepted_clients_file():
    run = IntakeRun.objects.get(business_date=D2)
    assert run.outcome == IntakeOutcome.IMPORTED, run.error
    return run.files.get(kind="clients")


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"c002_phone": "6888 8888"}, "phone"),  # a landline without its area code
        ({"c002_phone": "12345"}, "phone"),
        ({"c002_phone": "1" * 41}, "phone"),  # longer than the column
        ({"c002_email": "not-an-address"}, "email"),
    ],
)
def test_a_bad_contact_value_is_reported_for_its_row_and_the_set_imported(night, changes, column):
    drop_set(D2, **changes)

    inbox_night(check_late=False)

    clients = _accepted_clients_file()
    assert [(line, col) for line, col, _reason in clients.error_rows] == [(3, column)]
    assert "row imported without it (the value on file kept)" in clients.errors
    assert set(Client.objects.values_list("client_no", flat=True)) == {"C001", "C002"}
    new = Client.objects.get(client_no="C002")
    assert getattr(new, column) == ""  # a new client: nothing on file to keep
    assert Client.objects.get(client_no="C001").phone == "13800138000"


def test_the_value_on_file_is_kept_and_no_change_is_recorded(night):
    drop_set(D1)
    inbox_night(check_late=False)
    assert Client.objects.get(client_no="C002").phone_normalized == "+8613900139000"

    drop_set(D2, c002_phone="6888 8888", c002_email="nope")
    inbox_night(check_late=False)

    _accepted_clients_file()
    kept = Client.objects.get(client_no="C002")
    assert (kept.phone, kept.phone_normalized, kept.email) == ("13900139000", "+8613900139000", "")
    assert not kept.changes.filter(field__in=["phone", "email"]).exists()


def test_the_data_runs_page_shows_the_rows_reason(night, login, supervisor):
    drop_set(D2, c002_phone="6888 8888")
    inbox_night(check_late=False)

    page = login(supervisor).get(reverse("dataruns:list")).content.decode()
    assert "3:phone:" in page and "the value on file kept" in page


def test_other_bad_rows_still_refuse_the_set(night):
    drop_set(D2, c002_phone="6888 8888", bad_trade=True)
    inbox_night(check_late=False)

    assert IntakeRun.objects.get(business_date=D2).outcome == IntakeOutcome.REJECTED
    assert not Client.objects.exists()


def test_an_upload_still_refuses_a_file_with_a_bad_phone(db):
    text = (
        "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
        "C002,李雷,personal,,6888 8888,,SH001,2020-01-01,true\n"
    )
    report = corebanking_import(kind="clients", file=io.BytesIO(text.encode()))
    assert not report.ok and report.errors[0].column == "phone"
    assert not Client.objects.exists()
