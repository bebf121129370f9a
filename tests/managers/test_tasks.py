import pytest

from managers import selectors
from managers.tasks import sync_assignments
from tests.factories.clients import VipClientFactory

pytestmark = pytest.mark.django_db


def test_the_task_assigns_waiting_vips_and_a_second_run_does_nothing(branch, rm):
    client = VipClientFactory(branch=branch)
    first = sync_assignments("2026-11-28")
    second = sync_assignments()
    assert first["assigned"] == 1 and first["as_of"] == "2026-11-28"
    assert second["assigned"] == 0
    assert selectors.rm_of_client(client=client) == rm
