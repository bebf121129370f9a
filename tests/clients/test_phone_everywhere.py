"""One phone rule everywhere: a number stored in any form (by the core-banking import or by saving
a client) is found in any dialled form by the hotline and by the client search, and stored
numbers are renormalised by the migration."""

import importlib
import io
import random
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from clients.corebanking.importer import corebanking_import
from clients.corebanking.sql import sql_phone_normalized
from clients.models import Client
from core.phone import normalize_phone, phone_key
from servicedesk.forms import PhoneLookupForm
from servicedesk.models import CallLog
from servicedesk.selectors import client_by_phone
from servicedesk.services import call_log_create
from tests.factories.clients import ClientFactory
from tests.factories.core import BranchFactory
from tests.factories.servicedesk import CallLogFactory

pytestmark = pytest.mark.django_db

MOBILE_FORMS = ["13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "8613800138000"]
LANDLINE_FORMS = ["021-6888 8888", "+86 21 6888 8888", "0086 21 68888888", "(021) 68888888"]
# How staff type a landline they hear without its area code.
LANDLINE_LOCAL = ["6888 8888", "6888-8888"]
CASES = [(stored, MOBILE_FORMS) for stored in MOBILE_FORMS] + [
    (stored, LANDLINE_FORMS + LANDLINE_LOCAL) for stored in LANDLINE_FORMS
]


def imported(phone: str) -> Client:
    """A client created by the core-banking import (the COPY fast path on PostgreSQL)."""
    BranchFactory(code="SH001")
    text = (
        "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
        f"C001,王芳,personal,,{phone},,SH001,2020-01-01,true\n"
    )
    report = corebanking_import(kind="clients", file=io.BytesIO(text.encode()))
    assert report.ok, report.errors
    return Client.objects.get(client_no="C001")


def saved(phone: str) -> Client:
    return ClientFactory(phone=phone)


@pytest.mark.parametrize("store", [imported, saved], ids=["import", "save"])
@pytest.mark.parametrize(("stored", "dialled_forms"), CASES)
def test_a_stored_number_is_found_by_the_hotline_in_any_form(
    store, stored, dialled_forms, branch_staff
):
    client = store(stored)
    ClientFactory(phone="13900139000")  # another client, never found instead
    for dialled in dialled_forms:
        assert client_by_phone(normalized=normalize_phone(dialled)) == client, dialled
        call = call_log_create(handled_by=branch_staff, phone=dialled, topic="enquiry")
        assert call.client == client, dialled


@pytest.mark.parametrize("store", [imported, saved], ids=["import", "save"])
@pytest.mark.parametrize(("stored", "dialled_forms"), CASES)
def test_a_stored_number_is_found_by_the_search_in_any_form(
    store, stored, dialled_forms, login, supervisor
):
    client = store(stored)
    ClientFactory(phone="13900139000")
    http = login(supervisor)
    for dialled in dialled_forms:
        response = http.get(reverse("clients:list"), {"q": dialled})
        assert response.status_code == 302, dialled  # one match opens the dossier
        assert response.url == reverse("clients:detail", args=[client.pk]), dialled


def test_a_local_number_shared_by_two_cities_is_not_guessed(branch_staff):
    ClientFactory(phone="021-6888 8888")
    ClientFactory(phone="010-6888 8888")
    assert client_by_phone(normalized=normalize_phone("6888 8888")) is None


def test_a_local_number_does_not_find_a_mobile_ending_the_same_way():
    ClientFactory(phone="139 6888 8888")
    assert client_by_phone(normalized=normalize_phone("6888 8888")) is None


def test_the_hotline_form_cleans_the_number_to_e164():
    form = PhoneLookupForm({"phone": "0086 21 6888-8888"})
    assert form.is_valid()
    assert form.cleaned_data["phone"] == "+862168888888"


def test_the_migration_renormalises_stored_numbers():
    mobile = ClientFactory(phone="+86 138 0013 8000")
    landline = ClientFactory(phone="+86 21 6888 8888")
    unusual = ClientFactory(phone="2168888888")  # no trunk 0: left to Python on PostgreSQL
    blank = ClientFactory(phone="n/a")
    # As the old normalisers stored them.
    for client, old in [(mobile, "13800138000"), (landline, "2168888888"), (unusual, "x")]:
        Client.objects.filter(pk=client.pk).update(phone_normalized=old)
    call = CallLogFactory(phone="021-6888 8888", phone_normalized="02168888888")
    editor = SimpleNamespace(connection=connection)

    importlib.import_module("clients.migrations.0009_phone_e164").renormalize(apps, editor)
    importlib.import_module("servicedesk.migrations.0002_calllog_phone_e164").renormalize(
        apps, editor
    )

    stored = dict(Client.objects.values_list("pk", "phone_normalized"))
    assert stored[mobile.pk] == "+8613800138000"
    assert stored[landline.pk] == "+862168888888"
    assert stored[unusual.pk] == "+862168888888"
    assert stored[blank.pk] == ""
    assert CallLog.objects.get(pk=call.pk).phone_normalized == "+862168888888"


def _written_numbers(rng: random.Random) -> str:
    """A Chinese number as people write them: mobile or landline, with or without country
    code, trunk 0, area code, brackets, spaces and dashes."""
    digits = "0123456789"
    if rng.random() < 0.4:
        number = "1" + rng.choice("3456789") + "".join(rng.choices(digits, k=9))
        prefix = rng.choice(["", "+86", "0086", "86", "+86 ", "0086-", "86 "])
    else:
        area = rng.choice(
            [
                "10",
                "2" + rng.choice(digits),
                "".join([rng.choice("3456789"), *rng.choices(digits, k=2)]),
            ]
        )
        local = rng.choice("23456789") + "".join(rng.choices(digits, k=rng.choice([6, 7])))
        number = f"{area} {local}"
        prefix = rng.choice(["0", "", "+86 ", "0086 ", "+86 0", "+86-"])
        if rng.random() < 0.2:
            prefix, number = f"({prefix}", f"{area}) {local}"
    text = prefix + number
    return text.replace(" ", "-") if rng.random() < 0.3 else text


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_the_import_fast_path_sql_normalises_as_the_python_rule():
    rng = random.Random(20261129)
    phones = sorted({_written_numbers(rng) for _ in range(5000)})
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE phones (phone text)")
        cursor.executemany("INSERT INTO phones VALUES (%s)", [(p,) for p in phones])
        cursor.execute(f"SELECT phones.phone, {sql_phone_normalized('phones')} FROM phones")
        rows = cursor.fetchall()
    by_sql = [(phone, sql) for phone, sql in rows if sql is not None]
    assert len(by_sql) > 0.8 * len(phones)  # the SQL takes the common shapes
    assert [(phone, phone_key(phone)) for phone, _sql in by_sql] == by_sql
