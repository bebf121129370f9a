"""The core-banking import's per-record history (issue 13: writes by imports leave a trace of what
they replaced). Before the upsert rewrites the clients, one ``INSERT ... SELECT`` writes a
``ClientChange`` row for every field whose value differs, old and new, with the import's actor:
set-based in SQL like the upsert itself, so no row passes through Python and the cost is one more
join of the file with the clients (benchmarks/REPORT.md). PII fields are masked by the audit's own
rule (``core.masking.mask_audit_sql``, the SQL form of ``mask_audit_value``)."""

from django.db import connection
from django.utils import timezone

from clients.models import CLIENT_PII_FIELDS
from clients.qualification.dialect import date_text_sql
from core.actors import Actor
from core.masking import mask_audit_sql


def _bool_text(expr: str) -> str:
    return f"CASE WHEN {expr} THEN 'true' ELSE 'false' END"


# (field, the client's value, the file's value) as SQL text over ``c`` (clients_client), ``ob``
# (the client's branch) and ``s`` (the staged file). Exactly the fields the upsert compares.
_FIELDS = (
    ("name", "c.name", "s.name"),
    ("kind", "c.kind", "s.kind"),
    ("id_number", "c.id_number", "s.id_number"),
    ("phone", "c.phone", "s.phone"),
    ("email", "c.email", "s.email"),
    ("branch_code", "ob.code", "s.branch_code"),
    (
        "relationship_since",
        date_text_sql("c.relationship_since"),
        date_text_sql("s.relationship_since"),
    ),
    ("good_standing", _bool_text("c.good_standing"), _bool_text("s.good_standing")),
)
CHANGE_FIELDS = tuple(name for name, _old, _new in _FIELDS)


def _stored(field: str, expr: str) -> str:
    return mask_audit_sql(expr) if field in CLIENT_PII_FIELDS else expr


def client_changes_record(cursor, *, source: str, actor: Actor) -> int:
    """Write the history of the clients ``source`` (the staging table or the fast path's typed
    query, ``stage_write``) is about to change: one row per changed field. Call it before the
    upsert, in its transaction. Returns the number of rows written."""
    columns = ", ".join(f"{old} AS o{n}, {new} AS n{n}" for n, (_f, old, new) in enumerate(_FIELDS))
    differs = " OR ".join(f"o{n} <> n{n}" for n in range(len(_FIELDS)))
    branches = " UNION ALL ".join(
        f"SELECT client_id, '{field}', {_stored(field, f'o{n}')}, {_stored(field, f'n{n}')},"
        f" %(actor)s, CAST(%(actor_id)s AS bigint), %(now)s FROM d WHERE o{n} <> n{n}"
        for n, (field, _old, _new) in enumerate(_FIELDS)
    )
    cursor.execute(
        # INSERT first, the WITH inside its query: SQLite's driver counts rows only for a
        # statement that starts with INSERT.
        f"""INSERT INTO clients_clientchange (client_id, field, old_value, new_value, actor,
                changed_by_id, changed_at)
            WITH j AS (
                SELECT c.id AS client_id, {columns} FROM {source} s
                JOIN clients_client c ON c.client_no = s.client_no
                JOIN core_branch ob ON ob.id = c.branch_id
            ), d AS (SELECT * FROM j WHERE {differs})
            {branches}""",
        {
            "actor": actor.label,
            "actor_id": actor.user_id,
            "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        },
    )
    return max(cursor.rowcount, 0)
