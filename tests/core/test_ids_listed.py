"""``core.ids.ids_listed``: a list of ids as one query parameter gives exactly the rows of a
literal ``pk__in`` list, on SQLite and PostgreSQL alike, the empty list included."""

import pytest

from core.ids import ids_listed
from core.models import User
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("picked", [[], [0], [0, 2], [0, 1, 2, 3]])
def test_the_listed_ids_select_the_same_rows_as_a_literal_list(picked):
    users = UserFactory.create_batch(4)
    ids = [users[i].pk for i in picked] + [2**63 - 1]  # and an id no row has
    found = set(User.objects.filter(pk__in=ids_listed(ids)).values_list("pk", flat=True))
    assert found == set(User.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert found == {users[i].pk for i in picked}


def test_the_ids_are_one_parameter_however_many():
    query = User.objects.filter(pk__in=ids_listed(list(range(1, 1_001)))).query
    _sql, params = query.sql_with_params()
    assert len(params) == 1
