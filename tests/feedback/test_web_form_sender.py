"""The web form's sender as they typed it (issue 14): a ticket matched to a client by phone or
e-mail still shows the name, phone and e-mail the sender gave, and flags what differs from the
client's file so staff notice a match that may be someone else's. One rule:
``feedback.selectors.sender_as_typed``."""

import pytest

from feedback.models import Ticket
from feedback.selectors import sender_as_typed
from tests.factories.clients import ClientFactory
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
    assert "王芳" in page and "wang.fang@home.example" in page
    # The phone exactly as typed; the call link dials its E.164 form.
    assert '<a href="tel:+8613800138000" data-testid="sender-phone">138 0013 8000</a>' in page
    assert ticket.sender_phone == "+8613800138000" and ticket.sender_phone_typed == "138 0013 8000"


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


def test_an_unmatched_sender_shows_the_phone_as_typed(client, login, feedback_user):
    _post(client, phone="+86 139-9999-0000")

    page = _page(login, feedback_user, Ticket.objects.get())
    assert '<a href="tel:+8613999990000" data-testid="sender-phone">+86 139-9999-0000</a>' in page


def test_a_ticket_kept_before_the_typed_phone_shows_its_e164_form(login, feedback_user):
    ticket = TicketFactory(client=None, sender_phone="+8613911112222", sender_email="x@example.com")

    assert sender_as_typed(ticket).phone_shown == "+8613911112222"


def _why(login, user, language="en") -> str:
    page = login(user, language).get(f"/feedback/tickets/{Ticket.objects.get().reference}/")
    text = page.content.decode()
    start = text.find('data-testid="unmatched-why"')
    return text[start : text.find('data-testid="sender-contact"', start)] if start >= 0 else ""


def test_phone_of_one_client_and_e_mail_of_another_says_so(client, login, feedback_user):
    a = ClientFactory(name="张三", client_no="C-A", phone="13811112222", email="a@example.com")
    b = ClientFactory(name="李四", client_no="C-B", phone="13833334444", email="b@example.com")

    _post(client, phone="138 1111 2222", email="b@example.com")

    assert Ticket.objects.get().client is None
    why = _why(login, feedback_user)
    assert 'data-testid="why-two-clients"' in why
    assert f"phone number is on the file of {a.name} (C-A)" in why
    assert f"e-mail address on the file of {b.name} (C-B)" in why
    zh = _why(login, feedback_user, "zh-hans")
    assert "张三（C-A）" in zh and "李四（C-B）" in zh and "两位不同的客户" in zh


def test_a_phone_shared_by_two_clients_names_both(client, login, feedback_user):
    ClientFactory(name="张三", client_no="C-A", phone="13811112222")
    ClientFactory(name="李四", client_no="C-B", phone="13811112222")

    _post(client, phone="13811112222")

    why = _why(login, feedback_user)
    assert 'data-testid="why-phone-shared"' in why and "C-A" in why and "C-B" in why


def test_details_on_no_file_say_so(client, login, feedback_user):
    _post(client, email="stranger@example.com")

    assert 'data-testid="why-no-file"' in _why(login, feedback_user)


def test_a_matched_ticket_needs_no_explanation(client, login, feedback_user, client_of_rm):
    _post(client, phone=client_of_rm.phone)

    assert _why(login, feedback_user) == ""
