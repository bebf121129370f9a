"""Seven indexes of ``clients_client`` that others make redundant, dropped: every nightly status
change writes each index of the wide client table (issue 16). Plans kept: benchmarks/REPORT.md
("Client indexes") has the EXPLAIN of the list, search and nightly queries before and after.

- ``status`` and ``branch_id``: prefixes of the (status, client_no) and (branch, status) indexes;
- the ``varchar_pattern_ops`` "_like" copies PostgreSQL gets for ``db_index``/``unique`` text
  fields (status, name, client_no, email, phone_normalized): searches go through the UPPER(...)
  prefix and trigram indexes (0006, 0010), exact look-ups through the plain btree indexes.

The plain name, email and phone indexes stay the same database objects; the state now declares
them in Meta.indexes (the phone one renamed: Meta index names are at most 30 characters).
"""

from django.db import migrations, models

DROPPED = ["clients_client_status_0457c334", "clients_client_branch_id_bfe239b1"]
DROPPED_POSTGRESQL = [
    "clients_client_status_0457c334_like",
    "clients_client_name_f798fa6e_like",
    "clients_client_client_no_b355e298_like",
    "clients_client_email_29ccf6eb_like",
    "clients_client_phone_normalized_b5f0e2a4_like",
]
# Recreated on the way back.
DEFINITIONS = {
    "clients_client_status_0457c334": "(status)",
    "clients_client_branch_id_bfe239b1": "(branch_id)",
    "clients_client_status_0457c334_like": "(status varchar_pattern_ops)",
    "clients_client_name_f798fa6e_like": "(name varchar_pattern_ops)",
    "clients_client_client_no_b355e298_like": "(client_no varchar_pattern_ops)",
    "clients_client_email_29ccf6eb_like": "(email varchar_pattern_ops)",
    "clients_client_phone_normalized_b5f0e2a4_like": "(phone_normalized varchar_pattern_ops)",
}
PHONE_OLD, PHONE_NEW = "clients_client_phone_normalized_b5f0e2a4", "clients_client_phone_norm_idx"


def _names(vendor: str) -> list[str]:
    return DROPPED + (DROPPED_POSTGRESQL if vendor == "postgresql" else [])


def _rename_phone_index(schema_editor, old: str, new: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX IF EXISTS {old} RENAME TO {new}")
    else:
        schema_editor.execute(f"DROP INDEX IF EXISTS {old}")
        schema_editor.execute(f"CREATE INDEX {new} ON clients_client (phone_normalized)")


def drop(apps, schema_editor):
    for name in _names(schema_editor.connection.vendor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    _rename_phone_index(schema_editor, PHONE_OLD, PHONE_NEW)


def recreate(apps, schema_editor):
    for name in _names(schema_editor.connection.vendor):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON clients_client {DEFINITIONS[name]}"
        )
    _rename_phone_index(schema_editor, PHONE_NEW, PHONE_OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0013_record_history"),
        ("core", "0003_job_runs_and_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, recreate)],
            state_operations=[
                migrations.AlterField(
                    model_name="client",
                    name="branch",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.PROTECT,
                        related_name="clients",
                        to="core.branch",
                        verbose_name="branch",
                    ),
                ),
                migrations.AlterField(
                    model_name="client",
                    name="email",
                    field=models.EmailField(blank=True, max_length=254, verbose_name="email"),
                ),
                migrations.AlterField(
                    model_name="client",
                    name="name",
                    field=models.CharField(max_length=200, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="client",
                    name="phone_normalized",
                    field=models.CharField(blank=True, editable=False, max_length=32),
                ),
                migrations.AlterField(
                    model_name="client",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("standard", "Standard client"),
                            ("vip", "VIP client"),
                            ("vip_at_risk", "VIP at risk"),
                        ],
                        default="standard",
                        max_length=12,
                        verbose_name="VIP status",
                    ),
                ),
                migrations.AddIndex(
                    model_name="client",
                    index=models.Index(fields=["name"], name="clients_client_name_f798fa6e"),
                ),
                migrations.AddIndex(
                    model_name="client",
                    index=models.Index(fields=["email"], name="clients_client_email_29ccf6eb"),
                ),
                migrations.AddIndex(
                    model_name="client",
                    index=models.Index(
                        fields=["phone_normalized"], name="clients_client_phone_norm_idx"
                    ),
                ),
            ],
        ),
    ]
