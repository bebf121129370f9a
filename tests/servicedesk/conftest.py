import pytest

from clients.models import Client


@pytest.fixture
def phone_indexed():
    """Fill Client.phone_normalized the way the clients app stores it (digits, no +86)."""

    def _index(client, phone=None):
        phone = phone or client.phone
        Client.objects.filter(pk=client.pk).update(phone=phone, phone_normalized=phone)
        client.refresh_from_db()
        return client

    return _index
