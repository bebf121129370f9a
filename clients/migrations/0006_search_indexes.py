"""Indexes for the client list's search on PostgreSQL (SPEC section 11: the list at 1,000,000
clients). The search is: ``name`` contains the text (``UPPER(name) LIKE UPPER('%q%')``), or for
fewer than 3 characters starts with it; ``client_no`` equals it, case-insensitively; or the phone's
digits end with it. Without these indexes every search reads the whole table. Trigram indexes
(pg_trgm, a trusted extension) serve "contains" and "ends with" from 3 characters on; expression
indexes serve "starts with" and the case-insensitive equality; a search combines them in one bitmap
scan. SQLite has neither and needs neither: nothing happens there."""

from django.db import migrations

INDEXES = {
    "clients_client_name_upper_trgm": "USING gin (UPPER(name) gin_trgm_ops)",
    # Searches shorter than 3 characters match the start of the name (trigrams need 3).
    "clients_client_name_upper_prefix": "(UPPER(name) text_pattern_ops)",
    "clients_client_client_no_upper": "(UPPER(client_no))",
    "clients_client_phone_trgm": "USING gin (phone_normalized gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON clients_client {definition}")
    # Statistics of the indexed expressions: without them the planner guesses that a name search
    # matches thousands of rows and walks the list's sort index instead (seconds at 1M clients).
    # Autovacuum would only gather them after a tenth of the table has changed.
    schema_editor.execute("ANALYZE clients_client")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_trade_fewer_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
