"""The one rule that matches a message from outside the bank to a client (issue 14): mail by the
sender's address, the web form by phone or e-mail; exactly one client, else triage."""

import pytest
from django.db import connection

from clients.selectors import client_from_contact
from tests.factories.clients import ClientFactory

pytestmark = pytest.mark.django_db


def test_an_address_in_any_case_finds_its_client():
    client = ClientFactory(email="Wang.Fang@Example.com")

    assert client_from_contact(email=" wang.fang@example.COM ") == client


def test_a_phone_finds_its_client_by_the_stored_form():
    client = ClientFactory(phone="138 0013 8000")

    assert client_from_contact(phone="+8613800138000") == client


def test_the_phone_and_the_address_of_one_client_find_it():
    client = ClientFactory(phone="13800138000", email="a@example.com")

    assert client_from_contact(phone="+8613800138000", email="a@example.com") == client


@pytest.mark.parametrize(
    "details",
    [
        {},
        {"email": "nobody@example.com"},
        {"phone": "+8613999990000"},
        {"email": "shared@example.com"},
        {"email": "a@example.com", "phone": "+8613911112222"},
    ],
    ids=["nothing", "unknown-address", "unknown-phone", "shared-address", "two-clients"],
)
def test_no_client_or_several_is_no_match(details):
    ClientFactory(email="a@example.com")
    ClientFactory(phone="13911112222")
    ClientFactory(email="shared@example.com")
    ClientFactory(email="SHARED@example.com")

    assert client_from_contact(**details) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_the_address_is_matched_through_an_index_on_postgresql():
    ClientFactory.create_batch(3)
    query = ClientFactory._meta.model.objects.filter(email__iexact="a@example.com")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan TO off")
        plan = query.explain()

    assert "clients_client_email_upper" in plan
