"""Fixed review dates (SPEC section 3, issue 17): downgrades take effect on a review date, the
grace period still applying; a run that misses the review date downgrades at its next run."""

import datetime

import pytest
import time_machine

from clients.models import Client, VipPolicy, VipStatus
from clients.qualification.reclassify import vip_statuses_reclassify
from clients.qualification.window import downgrade_cutoff
from tests.factories.clients import ClientFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def reviewed(db):
    VipPolicy.objects.all().delete()
    return VipPolicy.objects.create(
        version="REV", effective_from=D(2000, 1, 1), grace_days=90, review_dates="06-30,12-31"
    )


def _at_risk(since: D) -> Client:
    # No accounts: the client fails the rule every day.
    return ClientFactory(status=VipStatus.VIP_AT_RISK, vip_since=D(2024, 1, 1), at_risk_since=since)


def test_a_spent_grace_waits_for_the_next_review_date(reviewed):
    client = _at_risk(D(2026, 1, 10))  # grace spent on 10 April
    for day in (D(2026, 4, 10), D(2026, 6, 29)):
        vip_statuses_reclassify(as_of=day)
        assert Client.objects.get(pk=client.pk).status == VipStatus.VIP_AT_RISK
    vip_statuses_reclassify(as_of=D(2026, 6, 30))
    assert Client.objects.get(pk=client.pk).status == VipStatus.STANDARD


def test_the_grace_still_applies_on_a_review_date(reviewed):
    client = _at_risk(D(2026, 5, 1))  # 60 days at risk on 30 June
    vip_statuses_reclassify(as_of=D(2026, 6, 30))
    assert Client.objects.get(pk=client.pk).status == VipStatus.VIP_AT_RISK
    vip_statuses_reclassify(as_of=D(2026, 12, 31))
    assert Client.objects.get(pk=client.pk).status == VipStatus.STANDARD


def test_a_run_after_a_missed_review_date_downgrades(reviewed):
    client = _at_risk(D(2026, 1, 10))
    vip_statuses_reclassify(as_of=D(2026, 7, 2))  # no run on 30 June (data late)
    assert Client.objects.get(pk=client.pk).status == VipStatus.STANDARD


def test_the_cutoff_looks_back_across_the_new_year(reviewed):
    assert downgrade_cutoff(D(2027, 3, 1), reviewed) == D(2026, 12, 31) - datetime.timedelta(90)


def test_without_review_dates_downgrades_take_effect_any_day(db):
    client = _at_risk(D(2026, 1, 10))
    with time_machine.travel(datetime.datetime(2026, 4, 11, 12)):
        vip_statuses_reclassify(as_of=D(2026, 4, 10))
    assert Client.objects.get(pk=client.pk).status == VipStatus.STANDARD
