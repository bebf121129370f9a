"""Stored phones renormalised to E.164 (``core.phone``): before, the import, ``Client.save`` and
the hotline each reduced numbers their own way, so a landline stored from ``+86 21 6888 8888``
(``2168888888``) was not found by the hotline (``02168888888``)."""

from django.db import migrations

from clients.corebanking.sql import sql_phone_normalized
from core.phone import phone_key

BATCH = 5000


def renormalize(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    connection = schema_editor.connection
    rest = Client.objects.all()
    if connection.vendor == "postgresql":
        # The common shapes in one statement (the import's fast path SQL), the rest in Python.
        expression = sql_phone_normalized("clients_client")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE clients_client SET phone_normalized = {expression}"
                f" WHERE {expression} IS NOT NULL AND phone_normalized <> {expression}"
            )
            cursor.execute(f"SELECT id FROM clients_client WHERE {expression} IS NULL")
            ids = [pk for (pk,) in cursor.fetchall()]
        rest = Client.objects.filter(pk__in=ids)
    changed = []
    rows = rest.order_by().values_list("pk", "phone", "phone_normalized")
    for pk, phone, stored in rows.iterator(chunk_size=BATCH):
        normalized = phone_key(phone)
        if normalized != stored:
            changed.append(Client(pk=pk, phone_normalized=normalized))
        if len(changed) >= BATCH:
            Client.objects.bulk_update(changed, ["phone_normalized"])
            changed = []
    Client.objects.bulk_update(changed, ["phone_normalized"])


class Migration(migrations.Migration):
    dependencies = [("clients", "0008_policy_tiers_reviews_warnings")]

    operations = [migrations.RunPython(renormalize, migrations.RunPython.noop, elidable=True)]
