"""Held email is the feedback team lead's (issue 12, point 7: "listed for the feedback team
lead"), who processes a quarantined email again once its cause is fixed, or opens an ignored one
as a ticket anyway: once each, audited."""

import threading
from email.message import EmailMessage

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection, connections

from core.roles import Role
from feedback.mail import intake
from feedback.mail.review import HeldMailClosed, held_mail_reprocess, held_mail_ticket_open
from feedback.models import HeldMail, Ticket
from tests.factories.core import UserFactory
from tests.feedback.mailtools import polled, written

pytestmark = pytest.mark.django_db

BODY = "我的信用卡被冻结了，请尽快处理。"


def mail(sender: str, message_id: str = "<card@mail.example>", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "feedback@bank.example"
    message["Subject"] = "信用卡冻结"
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 02 Nov 2026 09:00:00 +0800"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(BODY)
    return message.as_bytes()


@pytest.fixture
def lead(feedback_user):
    feedback_user.user_permissions.add(Permission.objects.get(codename="lead_team"))
    return feedback_user


@pytest.fixture
def team_member(db):
    return UserFactory(username="fb_li", branch=None, role=Role.FEEDBACK_TEAM)


def _too_large(maildir, settings, sender: str) -> HeldMail:
    settings.FEEDBACK_MAIL_MAX_BYTES = 300
    maildir.add(mail(sender))
    assert intake.mailbox_poll() == polled(quarantined=1)
    return HeldMail.objects.get()


def _audits(event: str) -> list[dict]:
    return [
        e.additional_data
        for e in LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
        if (e.additional_data or {}).get("event") == event
    ]


def test_a_quarantined_email_processed_again_after_the_limit_is_raised_becomes_a_ticket(
    maildir, settings, login, lead, client_of_rm
):
    held = _too_large(maildir, settings, client_of_rm.email)
    settings.FEEDBACK_MAIL_MAX_BYTES = 50 * 1024 * 1024
    response = login(lead).post(f"/feedback/mail/held/{held.pk}/process/")
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/tickets/{ticket.reference}/"
    assert (ticket.client, ticket.description, ticket.subject) == (client_of_rm, BODY, "信用卡冻结")
    assert ticket.source_message_id == "<card@mail.example>"
    # The clock starts when the bank received the email, not when it was processed again.
    assert ticket.received_at.isoformat() == "2026-11-02T01:00:00+00:00"
    held.refresh_from_db()
    assert (held.outcome, held.result_ticket, held.reprocessed_by) == ("tickets", ticket, lead)
    assert held.reprocessed_at is not None
    assert _audits("feedback.held_mail_reprocessed") == [
        {
            "event": "feedback.held_mail_reprocessed",
            "outcome": "tickets",
            "ticket": ticket.reference,
        }
    ]
    assert written() == {"tickets": 1, "messages": 0, "attachments": 0, "held": 1}
    page = login(lead).get("/feedback/mail/held/")
    assert ticket.reference in page.content.decode()
    assert b'data-testid="held-process"' not in page.content


def test_a_double_click_processes_it_once(maildir, settings, login, lead, client_of_rm):
    held = _too_large(maildir, settings, client_of_rm.email)
    settings.FEEDBACK_MAIL_MAX_BYTES = 50 * 1024 * 1024
    http = login(lead)
    http.post(f"/feedback/mail/held/{held.pk}/process/")
    again = http.post(f"/feedback/mail/held/{held.pk}/process/", follow=True)
    assert "This email was processed again already." in again.content.decode()
    with pytest.raises(HeldMailClosed):
        held_mail_reprocess(held=held, user=lead)
    assert Ticket.objects.count() == 1
    assert len(_audits("feedback.held_mail_reprocessed")) == 1


def test_an_email_still_at_fault_is_quarantined_again_with_todays_reason(
    maildir, settings, lead, client_of_rm
):
    held = _too_large(maildir, settings, client_of_rm.email)
    settings.FEEDBACK_MAIL_MAX_BYTES = 200  # lowered further: still too large
    held = held_mail_reprocess(held=held, user=lead)
    assert (held.outcome, held.result_ticket) == ("quarantined", None)
    again = HeldMail.objects.exclude(pk=held.pk).get()
    assert (again.kind, again.reason, again.reprocessed_at) == ("quarantined", "too_large", None)
    assert again.raw.read() == held.raw.read()
    assert written()["tickets"] == 0
    # The new held email can be processed again in its turn.
    settings.FEEDBACK_MAIL_MAX_BYTES = 50 * 1024 * 1024
    assert held_mail_reprocess(held=again, user=lead).outcome == "tickets"


def test_processing_again_an_email_that_meanwhile_arrived_finds_the_duplicate(
    maildir, settings, lead, client_of_rm
):
    held = _too_large(maildir, settings, client_of_rm.email)
    settings.FEEDBACK_MAIL_MAX_BYTES = 50 * 1024 * 1024
    maildir.add(mail(client_of_rm.email))  # the client sent it again, and it got through
    assert intake.mailbox_poll() == polled(tickets=1)
    held = held_mail_reprocess(held=held, user=lead)
    assert held.outcome == "duplicates"
    assert Ticket.objects.count() == 1


def test_an_ignored_email_is_opened_as_a_ticket_anyway_once(maildir, login, lead, client_of_rm):
    maildir.add(mail(client_of_rm.email, Auto_Submitted="auto-replied"))
    assert intake.mailbox_poll() == polled(ignored=1)
    held = HeldMail.objects.get()
    http = login(lead)
    response = http.post(f"/feedback/mail/held/{held.pk}/open-ticket/")
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/feedback/tickets/{ticket.reference}/"
    assert (ticket.channel, ticket.client, ticket.subject, ticket.description) == (
        "email",
        client_of_rm,
        "信用卡冻结",
        BODY,
    )
    assert (ticket.sender_email, ticket.source_message_id) == (
        client_of_rm.email.lower(),
        "<card@mail.example>",
    )
    assert ticket.received_at == held.created_at
    held.refresh_from_db()
    assert (held.outcome, held.result_ticket, held.reprocessed_by) == ("tickets", ticket, lead)
    assert _audits("feedback.held_mail_ticket_opened") == [
        {"event": "feedback.held_mail_ticket_opened", "ticket": ticket.reference}
    ]
    http.post(f"/feedback/mail/held/{held.pk}/open-ticket/")
    assert Ticket.objects.count() == 1


def test_each_action_only_for_its_kind(maildir, settings, lead, client_of_rm):
    quarantined = _too_large(maildir, settings, client_of_rm.email)
    settings.FEEDBACK_MAIL_MAX_BYTES = 50 * 1024 * 1024
    maildir.add(mail("x@mail.example", "<auto@mail.example>", Precedence="bulk"))
    intake.mailbox_poll()
    ignored = HeldMail.objects.get(kind="ignored")
    with pytest.raises(HeldMailClosed):
        held_mail_ticket_open(held=quarantined, user=lead)
    with pytest.raises(HeldMailClosed):
        held_mail_reprocess(held=ignored, user=lead)
    assert HeldMail.objects.filter(reprocessed_at__isnull=False).count() == 0
    assert Ticket.objects.count() == 0


def test_held_mail_is_for_team_leads_supervisors_and_administrators(
    maildir, settings, login, lead, team_member, supervisor, admin_user, rm_user
):
    held = _too_large(maildir, settings, "x@mail.example")
    pages = ["/feedback/mail/held/", f"/feedback/mail/held/{held.pk}/raw/"]
    for user in (lead, supervisor, admin_user):
        assert [login(user).get(url).status_code for url in pages] == [200, 200]
    for user in (team_member, rm_user):
        assert [login(user).get(url).status_code for url in pages] == [404, 404]
        for action in ("process", "open-ticket"):
            assert login(user).post(f"/feedback/mail/held/{held.pk}/{action}/").status_code == 404
    held.refresh_from_db()
    assert held.reprocessed_at is None
    assert b"held-mail-link" in login(lead).get("/feedback/").content
    assert b"held-mail-link" not in login(team_member).get("/feedback/").content


def test_while_no_lead_is_named_the_whole_team_leads(maildir, settings, login, team_member):
    # As for the SLA warnings (feedback.selectors.team_leads): whoever is told may look.
    held = _too_large(maildir, settings, "x@mail.example")
    assert login(team_member).get("/feedback/mail/held/").status_code == 200
    assert login(team_member).get(f"/feedback/mail/held/{held.pk}/raw/").status_code == 200


def test_processing_again_is_a_post(maildir, settings, login, lead):
    held = _too_large(maildir, settings, "x@mail.example")
    assert login(lead).get(f"/feedback/mail/held/{held.pk}/process/").status_code == 405


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_leads_at_once_on_postgresql_process_it_once(maildir, settings, lead, client_of_rm):
    held = _too_large(maildir, settings, client_of_rm.email)
    settings.FEEDBACK_MAIL_MAX_BYTES = 50 * 1024 * 1024
    outcomes, failures = [], []

    def process():
        try:
            outcomes.append(held_mail_reprocess(held=held, user=lead).outcome)
        except HeldMailClosed:
            outcomes.append("closed")
        except Exception as error:  # the assertion below shows it
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted(outcomes) == ["closed", "tickets"]
    assert Ticket.objects.count() == 1
