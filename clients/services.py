"""Writes of the clients app that are not the VIP rule or the core-banking import (those are the
``clients.qualification`` and ``clients.corebanking`` packages): the client's preferences."""

from typing import Any

from django.db import transaction

from clients.models import Client

PREFERENCE_FIELDS = [
    "preferred_channel",
    "contact_window_start",
    "contact_window_end",
    "preferred_language",
    "interests",
    "risk_level",
]


@transaction.atomic
def client_preferences_update(*, client: Client, data: dict[str, Any]) -> Client:
    for name in PREFERENCE_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    client.save(update_fields=[*PREFERENCE_FIELDS, "updated_at"])
    return client
