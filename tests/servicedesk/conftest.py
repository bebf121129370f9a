import pytest


@pytest.fixture
def phone_indexed():
    """Set a client's phone; ``save`` stores it normalised (E.164, ``core.phone``)."""

    def _index(client, phone=None):
        phone = phone or client.phone
        client.phone = phone
        client.save(update_fields=["phone"])
        client.refresh_from_db()
        return client

    return _index
