"""Two call-back generations racing (the 00:30 job and the nightly reclassification) still give one
call-back per client and month: the unique constraint decides."""

import datetime
import threading

import pytest
from django.db import connection, connections

from servicedesk.models import Callback
from servicedesk.services import callbacks_generate
from tests.factories.clients import VipClientFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_creates_each_callback_once(branch):
    VipClientFactory.create_batch(40, branch=branch)
    barrier = threading.Barrier(2)
    results = []

    def run():

        barrier.wait()
        try:
            results.append(callbacks_generate(on=datetime.date(2026, 11, 1)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Callback.objects.count() == 40
    assert len(results) == 2
