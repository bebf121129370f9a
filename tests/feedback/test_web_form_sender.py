"""The web form's sender as they typed it (issue 14): a ticket matched to a client by phone or
e-mail still shows the name, phone and e-mail the sender gave, and flags what differs from the
client's file so staff notice a match that may be someone else's. One rule:
``feedback.selectors.sender_as_typed``."""

import pytest

from feedback.models import Ticket
from feedback.selectors import sender_as_typed
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db

URL = "/feedback/web/"


def _post(http, **changes):
    data = {
        "name": "王芳",
        "phone": "",
        "email": "",
        "category": "complaint",
        "subject": "柜台等候太久",
        "description": "周一上午在陆家嘴支行等了四十分钟。",
        **changes,
    }
    return http.post(URL, data)


def _page(login, user, ticket) -> str:
    return login(user).get(f"/feedback/tickets/{ticket.reference}/").content.decode()


def test_a_matched_ticket_shows_what_the_sender_typed(client, login, feedback_user, client_of_rm):
    _post(client, phone="138 0013 8000", email="wang.fang@home.example")

    ticket = Ticket.objects.get()
    page = _page(login, feedback_user, ticket)
    assert ticket.client == client_of_rm
    assert 'data-testid="sender-contact"' in page
    assert "王芳" in page and "+8613800138000" in page and "wang.fang@home.example" in page


def test_a_typed_name_other_than_the_clients_is_flagged(client, login, feedback_user, client_of_rm):
    _post(client, name="李雷", phone=client_of_rm.phone)

    ticket = Ticket.objects.get()
    page = _page(login, feedback_user, ticket)
    assert ticket.client == client_of_rm
    assert 'data-testid="sender-mismatch"' in page
    assert 'data-testid="name-differs"' in page
    assert "李雷" in page


def test_the_same_details_in_another_spelling_are_no_mismatch(
    client, login, feedback_user, client_of_rm
):
    _post(client, name=" 王 芳 ", phone="+86 138-0013-8000", email=client_of_rm.email.upper())

    page = _page(login, feedback_user, Ticket.objects.get())
    assert 'data-testid="sender-mismatch"' not in page
    assert 'data-testid="sender-contact"' in page


def test_the_mismatch_shows_in_chinese(client, login, feedback_user, client_of_rm):
    _post(client, name="李雷", phone=client_of_rm.phone)

    page = (
        login(feedback_user, language="zh-hans")
        .get(f"/feedback/tickets/{Ticket.objects.get().reference}/")
        .content.decode()
    )
    assert "与客户档案不符" in page


@pytest.mark.parametrize(
    ("typed", "differs"),
    [
        ({"sender_name": "李雷"}, {"name"}),
        ({"sender_phone": "+8613911112222"}, {"phone"}),
        ({"sender_email": "someone.else@example.com"}, {"email"}),
        ({"sender_name": "wang fang"}, {"name"}),
        ({}, set()),  # nothing typed is never a difference
    ],
)
def test_each_detail_that_differs_is_named(client_of_rm, typed, differs):
    ticket = TicketFactory(client=client_of_rm, **typed)

    sender = sender_as_typed(ticket)

    named = {f for f in ("name", "phone", "email") if getattr(sender, f"{f}_differs")}
    assert named == differs
    assert sender.differs is bool(differs)


def test_an_unmatched_ticket_flags_nothing(db):
    ticket = TicketFactory(client=None, sender_name="李雷", sender_phone="+8613911112222")

    assert not sender_as_typed(ticket).differs
