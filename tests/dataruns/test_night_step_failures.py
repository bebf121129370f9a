"""A step of the night that raises ends its run as failed with the error, whichever step it is:
the early warning (after the rule, the assignments and the call-backs) too. It used to run
outside the run's error handling, so its exception left the run "running" until, its lock gone,
the data runs page called it stopped (a dead worker) with no word of the error."""

import datetime

import pytest
import time_machine

from dataruns.models import NightRun, NightStatus, NightTrigger
from programme import services as programme_services
from programme.services import night_run_execute
from tests.clients.conftest import make_client
from tests.factories.core import BranchFactory
from tests.factories.managers import RelationshipManagerFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 11, 19)
NOW = datetime.datetime(2026, 11, 19, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture
def queued(db):
    branch = BranchFactory()
    RelationshipManagerFactory(branch=branch)
    with time_machine.travel(NOW, tick=False):
        make_client(as_of=D, branch=branch, assets="1000000.00")
        return NightRun.objects.create(
            business_date=D, trigger=NightTrigger.SCHEDULED, status=NightStatus.REQUESTED
        )


def _broken(*args, **kwargs):
    raise RuntimeError("warnings step broke")


@pytest.mark.parametrize("step", ["vip_programme_nightly", "warnings_raise"])
def test_a_step_that_raises_fails_the_run_with_its_error(queued, monkeypatch, step):
    monkeypatch.setattr(programme_services, step, _broken)

    with time_machine.travel(NOW, tick=False), pytest.raises(RuntimeError):
        night_run_execute(run_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == NightStatus.FAILED
    assert "warnings step broke" in queued.error
    assert queued.finished_at is not None
