"""The audit log is append-only in the database itself (issue 13): a trigger refuses UPDATE and
DELETE of ``auditlog_logentry`` rows, whoever connects (the application, a shell, an admin action).
The one update allowed is Django's ``SET NULL`` of the actor when a staff user is deleted.

PostgreSQL can also keep the application role to INSERT and SELECT on the table (README, "Audit
log"); the trigger holds either way. ``audit_purge`` exists for the test suite's database flush
only: it lifts the trigger for one statement as the schema owner.
"""

from django.db import connection

TABLE = "auditlog_logentry"
MESSAGE = "the audit log is append-only"
# Every column but the actor: an UPDATE touching any of them is refused.
_COLUMNS = (
    "action, additional_data, changes, changes_text, content_type_id, cid, object_id, object_pk,"
    " object_repr, remote_addr, remote_port, serialized_data, timestamp, actor_email"
)

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE OF {_COLUMNS} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_actor_change BEFORE UPDATE OF actor_id ON {TABLE}
    WHEN NEW.actor_id IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_actor_change",
    "DROP TRIGGER IF EXISTS audit_no_delete",
]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;  -- SET NULL of a deleted user's id
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END $$""",
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_append_only()",
]


def create_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])


def drop_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])


def audit_purge() -> None:
    """Empty the audit log: for the test suite's flush between transactional tests only (on
    PostgreSQL the flush's TRUNCATE does not fire row triggers, so this is SQLite's case)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for statement in drop_statements(vendor):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {TABLE}")
        for statement in create_statements(vendor):
            cursor.execute(statement)
