import datetime

import pytest

from tests.factories.analytics import StatusChangeFactory
from tests.factories.clients import ClientFactory


@pytest.fixture
def history(branch):
    """``history([("2025-03-01", "standard", "vip"), ...])`` → a client with that status history
    (its current status is the last one)."""

    def _history(changes, **client_fields):
        last = changes[-1][2] if changes else "standard"
        upgrades = [
            day for day, before, after in changes if after != "standard" and before == "standard"
        ]
        if last != "standard" and upgrades:
            client_fields.setdefault("vip_since", datetime.date.fromisoformat(upgrades[-1]))
        client = ClientFactory(branch=branch, status=last, **client_fields)
        for day, before, after in changes:
            StatusChangeFactory(
                client=client,
                effective_on=datetime.date.fromisoformat(day),
                from_status=before,
                to_status=after,
            )
        return client

    return _history
