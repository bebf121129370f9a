"""Indexes for the search of issue 14 on PostgreSQL: any part of a client number (a trigram index,
from 3 characters on) and the end of a name (a Chinese given name: 王芳 found by "芳"), served as
a prefix of the reversed name. SQLite needs none: nothing happens there."""

from django.db import migrations

INDEXES = {
    "clients_client_client_no_upper_trgm": "USING gin (UPPER(client_no) gin_trgm_ops)",
    "clients_client_name_reversed_prefix": "(REVERSE(UPPER(name)) text_pattern_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON clients_client {definition}")
    schema_editor.execute("ANALYZE clients_client")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0009_phone_e164")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
