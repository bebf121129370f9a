import datetime

import pytest
import time_machine

from tests.factories.analytics import StatusChangeFactory
from tests.factories.clients import ClientFactory
from tests.factories.managers import AssignmentFactory


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(
        datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


def vip(branch, *, since="2026-03-01", lost_on=None, rm=None):
    client = ClientFactory(branch=branch, status="standard" if lost_on else "vip")
    StatusChangeFactory(client=client, effective_on=datetime.date.fromisoformat(since))
    if lost_on:
        StatusChangeFactory(
            client=client,
            effective_on=datetime.date.fromisoformat(lost_on),
            from_status="vip",
            to_status="standard",
        )
    if rm is not None:
        AssignmentFactory(client=client, rm=rm)
    return client


def test_figures_per_branch(supervisor, login, branch, other_branch, django_assert_max_num_queries):
    vip(branch)
    vip(branch, since="2025-05-01", lost_on="2026-06-01")
    vip(other_branch, since="2025-05-01")
    http = login(supervisor)

    with django_assert_max_num_queries(20):
        response = http.get("/analytics/breakdown/?year=2026&sort=-vip_count")

    rows = {r.label: r for r in response.context["rows"]}
    assert (
        rows[branch.name].vip_count,
        rows[branch.name].new_vips,
        rows[branch.name].churned,
    ) == (1, 1, 1)
    assert (rows[other_branch.name].vip_count, rows[other_branch.name].new_vips) == (1, 0)
    assert rows[branch.name].satisfaction_rate is None
    assert 'aria-sort="descending"' in response.content.decode()
    assert "<canvas" in response.content.decode()


def test_figures_per_rm_follow_the_current_assignment(supervisor, login, rm, colleague_rm, branch):
    vip(branch, rm=rm)
    vip(branch, rm=rm)
    vip(branch, rm=colleague_rm, since="2025-01-05")

    response = login(supervisor, language="zh-hans").get("/analytics/breakdown/?year=2026&by=rm")

    rows = {r.label: r for r in response.context["rows"]}
    mine = rows[f"{rm.name} ({rm.employee_no})"]
    theirs = rows[f"{colleague_rm.name} ({colleague_rm.employee_no})"]
    assert (mine.vip_count, mine.new_vips) == (2, 2)
    assert (theirs.vip_count, theirs.new_vips) == (1, 0)
    assert response.status_code == 200


def test_bad_sort_falls_back_to_the_name(supervisor, login, branch):
    response = login(supervisor).get("/analytics/breakdown/?sort=drop_table")
    assert response.status_code == 200
    assert response.context["sort"] == "label"


@pytest.mark.parametrize("persona", ["rm_user", "branch_staff", "feedback_user", "outsider"])
def test_breakdown_is_for_supervisors_only(request, login, persona):
    assert login(request.getfixturevalue(persona)).get("/analytics/breakdown/").status_code == 404
