"""Free text staff write on a ticket's page (issue 14): a response, the resolution, an internal
note and a close reason share one limit (``TICKET_TEXT_MAX_LENGTH``, the rule
``feedback.services.handling.ticket_text``), refused with an error on the field, the text kept
for correcting, nothing written; closing a ticket that was not resolved needs a reason, and a
blank one is refused like none."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback.models import TICKET_TEXT_MAX_LENGTH, Survey, TicketMessage, TicketStatus
from feedback.services.handling import ticket_close, ticket_note_add
from feedback.services.replies import ticket_resolve, ticket_respond
from tests.factories.feedback import TicketFactory

pytestmark = pytest.mark.django_db

TOO_LONG = "长" * (TICKET_TEXT_MAX_LENGTH + 1)
# action, form field, the form's id prefix on the page
ACTIONS = [("respond", "body", "id_"), ("resolve", "body", "id_"), ("note", "body", "note_")]


def _post(http, ticket, name, data):
    return http.post(reverse(f"feedback:ticket_{name}", args=[ticket.reference]), data)


def _unchanged(ticket, before):
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at, ticket.closed_at) == before
    assert not TicketMessage.objects.filter(ticket=ticket).exists()
    assert not Survey.objects.exists()


def _state(ticket):
    return (ticket.status, ticket.first_response_at, ticket.closed_at)


@pytest.mark.parametrize(("name", "field", "prefix"), [*ACTIONS, ("close", "reason", "id_")])
@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            f"Keep it to {TICKET_TEXT_MAX_LENGTH} characters (it has {TICKET_TEXT_MAX_LENGTH + 1})",
        ),
        ("zh-hans", f"最多 {TICKET_TEXT_MAX_LENGTH} 个字"),
    ],
)
def test_too_long_text_is_a_field_error_with_the_text_kept_and_nothing_written(
    login, feedback_user, client_of_rm, name, field, prefix, language, text
):
    ticket = TicketFactory(client=client_of_rm, handler=feedback_user)
    before = _state(ticket)

    response = _post(login(feedback_user, language), ticket, name, {field: TOO_LONG})

    assert response.status_code == 200
    page = response.content.decode()
    assert text in page
    # On its field (crispy's invalid-feedback under it), the typed text still in it.
    assert f'id="{prefix}{field}"' in page and "is-invalid" in page
    assert TOO_LONG in page
    _unchanged(ticket, before)
    assert not mail.outbox


def test_a_response_at_the_limit_is_sent(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)
    body = "长" * TICKET_TEXT_MAX_LENGTH

    response = _post(login(feedback_user), ticket, "respond", {"body": body})

    assert response.status_code == 302
    assert ticket.messages.get().body == body


@pytest.mark.parametrize(
    "write",
    [
        lambda t, u: ticket_respond(ticket=t, author=u, body=TOO_LONG),
        lambda t, u: ticket_resolve(ticket=t, actor=u, resolution=TOO_LONG),
        lambda t, u: ticket_note_add(ticket=t, author=u, body=TOO_LONG),
        lambda t, u: ticket_close(ticket=t, actor=u, reason=TOO_LONG),
    ],
    ids=["respond", "resolve", "note", "close"],
)
def test_every_service_refuses_too_long_text(feedback_user, client_of_rm, write):
    ticket = TicketFactory(client=client_of_rm)
    before = _state(ticket)

    with pytest.raises(ValidationError):
        write(ticket, feedback_user)

    _unchanged(ticket, before)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t "])
@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Give the reason for closing a ticket that was not resolved"), ("zh-hans", "请填写")],
)
def test_closing_an_unresolved_ticket_without_a_reason_is_refused(
    login, feedback_user, client_of_rm, reason, language, text
):
    ticket = TicketFactory(client=client_of_rm, status=TicketStatus.IN_PROGRESS)
    before = _state(ticket)

    response = _post(login(feedback_user, language), ticket, "close", {"reason": reason})

    assert response.status_code == 200
    assert text in response.content.decode()
    _unchanged(ticket, before)


def test_the_close_service_refuses_a_blank_reason_for_an_unresolved_ticket(
    feedback_user, client_of_rm
):
    ticket = TicketFactory(client=client_of_rm, status=TicketStatus.RESPONDED)

    with pytest.raises(ValidationError) as refused:
        ticket_close(ticket=ticket, actor=feedback_user, reason="  ")

    assert set(refused.value.message_dict) == {"reason"}
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESPONDED


def test_a_resolved_ticket_closes_without_a_reason(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm, status=TicketStatus.RESOLVED)

    response = _post(login(feedback_user), ticket, "close", {"reason": "  "})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert not ticket.messages.exists()


def test_an_unresolved_ticket_closes_with_its_reason_noted(login, feedback_user, client_of_rm):
    ticket = TicketFactory(client=client_of_rm)

    _post(login(feedback_user), ticket, "close", {"reason": "  重复工单  "})

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.messages.get().body == "Closed: 重复工单"


@pytest.mark.parametrize("body", ["", "   ", "\n"])
def test_resolving_with_a_blank_resolution_changes_nothing(
    login, feedback_user, client_of_rm, body
):
    ticket = TicketFactory(client=client_of_rm, handler=feedback_user)
    before = _state(ticket)

    response = _post(login(feedback_user), ticket, "resolve", {"body": body})

    assert response.status_code == 200
    assert "Write the message first." in response.content.decode()
    _unchanged(ticket, before)
    assert not mail.outbox
