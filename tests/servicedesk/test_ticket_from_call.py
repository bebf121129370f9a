"""'Open a ticket from this call' (issue 14): the call-back page and the dossier's calls panel
link to the new-ticket form, which takes the call's client, topic and notes and records the call
or call-back as the ticket's source; a client, call or call-back outside the user's scope answers
404, as every out-of-scope object."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback.models import Ticket
from feedback.services.opening import ticket_create
from servicedesk.models import CallTopic
from tests.factories.servicedesk import CallbackFactory, CallLogFactory

pytestmark = pytest.mark.django_db

NEW_TICKET = reverse("feedback:ticket_new")


@pytest.fixture
def callback(rm, client_of_rm):
    return CallbackFactory(
        client=client_of_rm,
        rm=rm,
        outcome="reached",
        needs="想了解养老理财",
        notes="理财到期通知太晚",
    )


def test_the_call_back_page_links_to_a_ticket_from_this_call_back(login, rm_user, callback):
    page = login(rm_user).get(reverse("servicedesk:callback_detail", args=[callback.pk]))
    assert f'href="{NEW_TICKET}?channel=phone&amp;callback={callback.pk}"' in page.content.decode()
    assert "Open a feedback ticket from this call" in page.content.decode()


def test_a_ticket_from_a_call_back_carries_its_client_month_needs_and_notes(
    login, rm_user, callback, client_of_rm
):
    response = login(rm_user).get(f"{NEW_TICKET}?channel=phone&callback={callback.pk}")
    assert response.context["form"].initial == {
        "client_no": client_of_rm.client_no,
        "channel": "phone",
        "callback": callback.pk,
        "subject": "Call-back 2026-11",
        "description": "想了解养老理财\n\n理财到期通知太晚",
    }


def test_the_subject_is_in_the_users_language(login, rm_user, callback):
    response = login(rm_user, "zh-hans").get(f"{NEW_TICKET}?callback={callback.pk}")
    assert response.context["form"].initial["subject"] == "回访 2026-11"


def test_a_call_back_outside_the_users_scope_answers_404(
    login, rm_user, colleague_rm, client_of_colleague
):
    theirs = CallbackFactory(client=client_of_colleague, rm=colleague_rm, needs="secret")
    http = login(rm_user)
    assert http.get(reverse("servicedesk:callback_detail", args=[theirs.pk])).status_code == 404
    response = http.get(f"{NEW_TICKET}?channel=phone&callback={theirs.pk}")
    assert response.status_code == 404
    assert "secret" not in response.content.decode()


def test_a_call_or_client_outside_the_users_scope_answers_404(
    login, rm_user, colleague_rm, client_of_colleague
):
    call = CallLogFactory(client=client_of_colleague, handled_by=colleague_rm.user, notes="x")
    http = login(rm_user)
    assert http.get(f"{NEW_TICKET}?channel=phone&call={call.pk}").status_code == 404
    assert http.get(f"{NEW_TICKET}?client={client_of_colleague.pk}").status_code == 404


@pytest.mark.parametrize(
    "query", ["callback=x", "call=99999999", "callback=99999999", "client=-1", "client=99999999"]
)
def test_ids_of_nothing_answer_404(login, rm_user, query):
    assert login(rm_user).get(f"{NEW_TICKET}?{query}").status_code == 404


def test_the_form_without_a_link_opens_blank(login, rm_user):
    response = login(rm_user).get(f"{NEW_TICKET}?channel=branch")
    assert response.status_code == 200 and response.context["form"].initial == {"channel": "branch"}


def test_a_posted_call_back_outside_the_users_scope_is_refused(
    login, rm_user, colleague_rm, client_of_colleague, client_of_rm
):
    theirs = CallbackFactory(client=client_of_colleague, rm=colleague_rm)
    response = login(rm_user).post(
        NEW_TICKET,
        {
            "client_no": client_of_rm.client_no,
            "channel": "phone",
            "category": "complaint",
            "subject": "s",
            "description": "d",
            "callback": theirs.pk,
        },
    )
    assert response.status_code == 200
    assert "The call-back this ticket came from was not found." in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_ticket_from_a_call_back_records_the_call_back_as_its_source(
    login, rm_user, callback, client_of_rm
):
    http = login(rm_user)
    initial = http.get(f"{NEW_TICKET}?channel=phone&callback={callback.pk}").context["form"].initial
    http.post(NEW_TICKET, {**initial, "category": "complaint"})
    ticket = Ticket.objects.get()
    assert ticket.client == client_of_rm and ticket.channel == "phone"
    assert ticket.subject == "Call-back 2026-11" and "养老理财" in ticket.description
    assert ticket.callback_id == callback.pk and ticket.call_id is None
    page = http.get(reverse("feedback:ticket_detail", args=[ticket.reference]))
    assert "from a call-back" in page.content.decode()


def test_the_dossier_calls_panel_opens_a_ticket_from_each_call(login, rm_user, client_of_rm):
    call = CallLogFactory(
        client=client_of_rm, handled_by=rm_user, topic=CallTopic.COMPLAINT, notes="等了很久"
    )
    panel = login(rm_user).get(
        reverse("clients:panel", args=[client_of_rm.pk, "servicedesk.calls"])
    )
    link = f'href="{NEW_TICKET}?client={client_of_rm.pk}&amp;channel=phone&amp;call={call.pk}"'
    assert link in panel.content.decode()

    form = login(rm_user).get(f"{NEW_TICKET}?client={client_of_rm.pk}&channel=phone&call={call.pk}")
    assert form.context["form"].initial == {
        "client_no": client_of_rm.client_no,
        "channel": "phone",
        "call": call.pk,
        "subject": "Complaint",
        "description": "等了很久",
    }


def test_a_ticket_names_one_source_call_never_both(callback, client_of_rm):
    with pytest.raises(ValidationError):
        ticket_create(
            channel="phone",
            category="complaint",
            subject="s",
            description="d",
            client=client_of_rm,
            call_id=1,
            callback_id=callback.pk,
        )
    assert not Ticket.objects.exists()
