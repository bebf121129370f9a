"""Logged callers' numbers renormalised to E.164 (``core.phone``), as clients' phones are, so a
number's call history and its client match."""

from django.db import migrations

from core.phone import phone_key

BATCH = 5000


def renormalize(apps, schema_editor):
    CallLog = apps.get_model("servicedesk", "CallLog")
    changed = []
    rows = CallLog.objects.order_by().values_list("pk", "phone", "phone_normalized")
    for pk, phone, stored in rows.iterator(chunk_size=BATCH):
        normalized = phone_key(phone) or stored
        if normalized != stored:
            changed.append(CallLog(pk=pk, phone_normalized=normalized))
        if len(changed) >= BATCH:
            CallLog.objects.bulk_update(changed, ["phone_normalized"])
            changed = []
    CallLog.objects.bulk_update(changed, ["phone_normalized"])


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0001_initial")]

    operations = [migrations.RunPython(renormalize, migrations.RunPython.noop, elidable=True)]
