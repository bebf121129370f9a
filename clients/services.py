"""Writes of the clients app that are not the VIP rule or the core-banking import (those are the
``clients.qualification`` and ``clients.corebanking`` packages): the client's preferences, and the
audit records of reading clients (SPEC section 1: every dossier view, PII reveal and export)."""

from typing import Any

from django.db import transaction

from clients.models import Client
from core.models import User
from core.services import audit_record

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


def client_pii_reveal_record(*, user: User, client: Client) -> None:
    """Audit: ``user`` showed the unmasked ID number and phone of ``client``."""
    audit_record(actor=user, event="client.pii_reveal", instance=client)


def client_list_export_record(*, user: User, filters: list[str]) -> None:
    """Audit: ``user`` exported the client list with the named filters (names, never values)."""
    audit_record(actor=user, event="clients.export_list", detail={"filters": filters})
