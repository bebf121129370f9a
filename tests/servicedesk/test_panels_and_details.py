"""Dossier panels and detail pages run a fixed number of queries whatever the history's size."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.registry import dossier_panels_for
from core.roles import Role
from servicedesk.models import PlanProduct
from tests.factories.servicedesk import (
    CallbackFactory,
    CallLogFactory,
    InvitationFactory,
    ProductFactory,
    WealthPlanFactory,
)

pytestmark = pytest.mark.django_db


def _history(client, rm_user, months, year=2024):
    for month in range(1, months + 1):
        CallbackFactory(
            client=client,
            period=datetime.date(year, month, 1),
            due_on=datetime.date(year, month, 28),
        )
        CallLogFactory(client=client, handled_by=rm_user)
        WealthPlanFactory(client=client)
        InvitationFactory(client=client)


def _render_panels(user, client):
    request = RequestFactory().get("/")
    request.user = user
    html = []
    for panel in dossier_panels_for(user.role):
        if panel.key.startswith("servicedesk."):
            context = panel.context(request, client)
            html.append(render_to_string(panel.template, context, request=request))
    return "".join(html)


def test_panels_are_bounded_and_show_the_history(rm_user, client_of_rm):
    _history(client_of_rm, rm_user, 2)
    _render_panels(rm_user, client_of_rm)  # the user's role is read once, then cached
    with CaptureQueriesContext(connection) as small:
        _render_panels(rm_user, client_of_rm)
    _history(client_of_rm, rm_user, 12, year=2025)
    with CaptureQueriesContext(connection) as large:
        html = _render_panels(rm_user, client_of_rm)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert "2025-12" in html


def test_branch_staff_get_only_the_calls_panel(branch_staff):
    keys = [p.key for p in dossier_panels_for(Role.BRANCH_STAFF) if "servicedesk" in p.key]
    assert keys == ["servicedesk.calls"]


def test_callback_detail_queries_constant(login, rm_user, client_of_rm, django_assert_num_queries):
    current = CallbackFactory(client=client_of_rm)
    url = reverse("servicedesk:callback_detail", args=[current.pk])
    http = login(rm_user)
    _history(client_of_rm, rm_user, 2)
    http.get(url)
    with CaptureQueriesContext(connection) as small:
        http.get(url)
    _history(client_of_rm, rm_user, 10, year=2025)
    with django_assert_num_queries(len(small.captured_queries)):
        assert http.get(url).status_code == 200


def test_plan_detail_queries_constant(login, rm_user, client_of_rm, django_assert_num_queries):

    plan = WealthPlanFactory(client=client_of_rm)
    url = reverse("servicedesk:plan_detail", args=[plan.pk])
    http = login(rm_user)
    PlanProduct.objects.create(plan=plan, product=ProductFactory(risk_rating="R1"))
    http.get(url)
    with CaptureQueriesContext(connection) as small:
        http.get(url)
    for _i in range(8):
        PlanProduct.objects.create(plan=plan, product=ProductFactory(risk_rating="R1"))
    with django_assert_num_queries(len(small.captured_queries)):
        assert http.get(url).status_code == 200
