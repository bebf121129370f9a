"""The wide client table carries no index another one makes redundant: each nightly status change
writes every index of ``clients_client`` (issue 16; clients migration 0014)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

# Each btree index of the table on plain columns: (name, columns, operator classes).
INDEXES_SQL = """
SELECT i.relname,
       array_agg(a.attname ORDER BY k.n),
       array_agg(o.opcname ORDER BY k.n)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam AND am.amname = 'btree'
CROSS JOIN LATERAL unnest(x.indkey, x.indclass) WITH ORDINALITY AS k(attnum, opclass, n)
JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
JOIN pg_opclass o ON o.oid = k.opclass
WHERE x.indrelid = 'clients_client'::regclass AND x.indexprs IS NULL
GROUP BY i.relname
"""


def _indexes() -> dict[str, tuple[list[str], list[str]]]:
    with connection.cursor() as cursor:
        cursor.execute(INDEXES_SQL)
        return {name: (columns, opclasses) for name, columns, opclasses in cursor.fetchall()}


def test_no_client_index_is_the_prefix_of_another():
    indexes = _indexes()
    assert len(indexes) >= 8  # the query did read them
    for name, (columns, _) in indexes.items():
        for other, (longer, _) in indexes.items():
            if other != name and len(longer) > len(columns):
                assert longer[: len(columns)] != columns, f"{name} is a prefix of {other}"


def test_no_client_index_is_a_pattern_ops_copy():
    # Searches use the UPPER(...) prefix and trigram indexes; a varchar_pattern_ops copy of a
    # column serves no query of the product and costs every status update.
    copies = [name for name, (_, ops) in _indexes().items() if "varchar_pattern_ops" in ops]
    assert copies == []
