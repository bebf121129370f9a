"""The audit's PII masking in SQL (``mask_audit_sql``, used by history written set-based) gives
exactly what the Python rule (``mask_audit_value``) gives, on the database under test."""

import pytest
from django.db import connection

from core.masking import mask_audit_sql, mask_audit_value

VALUES = [
    "",
    "1",
    "1234",
    "12345",
    "13800138000",
    "+86 138-0013-8000",
    "310101198001010011",
    "31010119800101001X",
    "wf@mail.example",
    "王芳芳的邮箱@例子.中国",
    "x" * 254,
]


@pytest.mark.django_db
@pytest.mark.parametrize("value", VALUES)
def test_sql_masks_as_the_audit_does(value):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {mask_audit_sql('v')} FROM (SELECT %s AS v) t", [value])
        assert cursor.fetchone()[0] == mask_audit_value(value)
