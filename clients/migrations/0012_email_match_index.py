"""An index for matching a message's sender to a client by e-mail, case-insensitively
(``clients.selectors.client_from_contact``: mail intake and the web form, issue 14). Django
spells ``email__iexact`` as ``UPPER(email) = UPPER(%s)`` on PostgreSQL, which the plain index on
``email`` cannot serve (a scan of every client per message). SQLite compares with LIKE and needs
none: nothing happens there."""

from django.db import migrations

INDEX = "clients_client_email_upper"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON clients_client (UPPER(email))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0011_corebanking_upload")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
