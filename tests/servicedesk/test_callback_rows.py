"""Every call-back row carries what the RM needs to make the call (issue 14): the client's phone
(in full for the client's own RM, as a tel: link), the contact window and the dossier."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories.clients import VipClientFactory
from tests.factories.managers import AssignmentFactory
from tests.factories.servicedesk import CallbackFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 28, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def due_callback(client_of_rm):
    client_of_rm.contact_window_start = datetime.time(9, 30)
    client_of_rm.contact_window_end = datetime.time(11, 0)
    client_of_rm.save()
    return CallbackFactory(client=client_of_rm, due_on=datetime.date(2026, 11, 27))


def _assert_row_has_what_the_call_needs(page: str, client) -> None:
    assert f'href="tel:{client.phone_normalized}"' in page  # dialable E.164
    assert "09:30–11:00" in page
    assert f'href="{reverse("clients:detail", args=[client.pk])}"' in page


@time_machine.travel(NOW, tick=False)
def test_the_home_widget_row(login, rm_user, due_callback):
    page = login(rm_user).get("/").content.decode()

    _assert_row_has_what_the_call_needs(page, due_callback.client)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("tab", "due_on"),
    [("week", "2026-11-30"), ("open", "2026-11-30"), ("overdue", "2026-11-27")],
)
def test_the_worklist_row(login, rm_user, due_callback, tab, due_on):
    due_callback.due_on = datetime.date.fromisoformat(due_on)
    due_callback.save()
    page = login(rm_user).get(reverse("servicedesk:callbacks"), {"tab": tab}).content.decode()

    _assert_row_has_what_the_call_needs(page, due_callback.client)


@time_machine.travel(NOW, tick=False)
def test_the_supervisors_overdue_widget_row(login, supervisor, due_callback):
    page = login(supervisor).get("/").content.decode()

    _assert_row_has_what_the_call_needs(page, due_callback.client)


@time_machine.travel(NOW, tick=False)
def test_the_worklist_reads_the_same_queries_for_more_rows(
    login, rm_user, due_callback, rm, django_assert_max_num_queries
):
    http = login(rm_user)
    url = reverse("servicedesk:callbacks")
    http.get(url, {"tab": "overdue"})
    with django_assert_max_num_queries(20) as one:
        http.get(url, {"tab": "overdue"})
    for _n in range(5):
        client = VipClientFactory(branch=rm.branch)
        AssignmentFactory(client=client, rm=rm)
        CallbackFactory(client=client, due_on=datetime.date(2026, 11, 27))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = http.get(url, {"tab": "overdue"})
    assert len(response.context["page_obj"].object_list) == 6
