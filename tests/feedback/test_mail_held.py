"""Mail that must not become a ticket (issue 12, points 3 and 7): automated mail is ignored and
listed with its reason, never opening, reopening or changing a ticket; unreadable or unstorable
mail is quarantined with its raw bytes, listed for the team lead, and never retried."""

import random
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

from core.models import Notification
from feedback.mail import intake
from feedback.models import HeldMail, Ticket, TicketMessage, TicketStatus
from feedback.services.opening import ticket_create
from feedback.services.replies import ticket_respond
from tests.feedback.mailtools import NOTHING, polled, written

pytestmark = pytest.mark.django_db

VACATION = "我正在休假，6月10日返回。"


def mail(sender, body=VACATION, message_id="<auto@mail.example>", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "feedback@bank.example"
    message["Subject"] = "自动回复: 信用卡"
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def test_an_auto_reply_from_the_clients_own_address_opens_no_ticket(maildir, client_of_rm):
    maildir.add(mail(client_of_rm.email, Auto_Submitted="auto-replied").as_bytes())
    assert intake.mailbox_poll() == polled(ignored=1)
    held = HeldMail.objects.get()
    assert (held.kind, held.reason) == (HeldMail.Kind.IGNORED, HeldMail.Reason.AUTO_SUBMITTED)
    assert held.evidence == "Auto-Submitted: auto-replied"
    assert (held.sender, held.body) == (client_of_rm.email.lower(), VACATION)
    assert written() == {"tickets": 0, "messages": 0, "attachments": 0, "held": 1}
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-generated"}, "auto_submitted"),
        ({"Auto_Submitted": "auto-notified; owner-email=x@y.example"}, "auto_submitted"),
        ({"Precedence": "bulk"}, "precedence"),
        ({"Precedence": "junk"}, "precedence"),
        ({"Precedence": "list"}, "precedence"),
        ({"Precedence": "auto_reply"}, "precedence"),
        ({"X_Autoreply": "yes"}, "autoreply_header"),
        ({"X_Autorespond": "yes"}, "autoreply_header"),
        ({"X_Auto_Response_Suppress": "All"}, "autoreply_header"),
        ({"List_Id": "<news.mail.example>"}, "mailing_list"),
        ({"Return_Path": "<>"}, "mailer_daemon"),
    ],
)
def test_every_automated_header_is_ignored(maildir, client_of_rm, headers, reason):
    maildir.add(mail(client_of_rm.email, **headers).as_bytes())
    assert intake.mailbox_poll() == polled(ignored=1)
    assert HeldMail.objects.get().reason == reason
    assert written()["tickets"] == 0


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.mail.example", "postmaster@mail.example"])
def test_mail_from_mail_servers_is_ignored(maildir, sender):
    maildir.add(mail(f"Mail Delivery System <{sender}>").as_bytes())
    assert intake.mailbox_poll() == polled(ignored=1)
    assert HeldMail.objects.get().reason == HeldMail.Reason.MAILER_DAEMON


def test_a_delivery_status_notification_is_ignored(maildir):
    report = (
        b"From: Mail System <mailer@mx.mail.example>\r\nTo: feedback@bank.example\r\n"
        b"Subject: Undelivered Mail\r\nMessage-ID: <dsn@mx.mail.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    maildir.add(report)
    assert intake.mailbox_poll() == polled(ignored=1)
    held = HeldMail.objects.get()
    assert held.reason == HeldMail.Reason.DELIVERY_REPORT
    assert "delivery-status" in held.evidence


def test_auto_submitted_no_is_a_person(maildir, client_of_rm):
    maildir.add(mail(client_of_rm.email, Auto_Submitted="no").as_bytes())
    assert intake.mailbox_poll() == polled(tickets=1)


@pytest.mark.parametrize(
    "status", [TicketStatus.RESPONDED, TicketStatus.RESOLVED, TicketStatus.CLOSED]
)
def test_a_threaded_auto_reply_leaves_the_ticket_as_it_was(
    maildir, client_of_rm, feedback_user, status
):
    ticket = ticket_create(
        channel="email",
        category="inquiry",
        subject="s",
        description="d",
        client=client_of_rm,
        source_message_id="<orig@mail.example>",
    )
    ticket_respond(ticket=ticket, author=feedback_user, body="Answer")
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    before = written()
    maildir.add(
        mail(
            client_of_rm.email, Auto_Submitted="auto-replied", In_Reply_To="<orig@mail.example>"
        ).as_bytes()
    )
    assert intake.mailbox_poll() == polled(ignored=1)
    ticket.refresh_from_db()
    assert ticket.status == status
    assert HeldMail.objects.get().ticket == ticket
    assert written() == {**before, "held": 1}


def _quarantined(maildir, raw: bytes, reason: str) -> HeldMail:
    maildir.add(raw)
    assert intake.mailbox_poll() == polled(quarantined=1)
    held = HeldMail.objects.get()
    assert (held.kind, held.reason) == (HeldMail.Kind.QUARANTINED, reason)
    assert held.raw.read() == raw
    assert written() == {"tickets": 0, "messages": 0, "attachments": 0, "held": 1}
    # Listed once; never read again.
    assert intake.mailbox_poll() == NOTHING
    assert list((Path(settings.FEEDBACK_MAILDIR) / "new").iterdir()) == []
    return held


def test_a_nul_byte_in_the_body_is_quarantined_not_retried(
    maildir, client_of_rm, feedback_user, django_capture_on_commit_callbacks
):
    raw = (
        f"From: {client_of_rm.email}\r\nSubject: card\r\nMessage-ID: <nul@mail.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode() + b"hello\x00world"
    with django_capture_on_commit_callbacks(execute=True):
        held = _quarantined(maildir, raw, "nul")
    assert held.message_id == "<nul@mail.example>"
    note = Notification.objects.get(recipient=feedback_user)
    assert note.url == "/feedback/mail/held/"


def test_an_empty_file_is_quarantined(maildir):
    _quarantined(maildir, b"", HeldMail.Reason.EMPTY)


def test_random_bytes_are_quarantined(maildir):
    _quarantined(maildir, random.Random(12).randbytes(3000), HeldMail.Reason.UNPARSEABLE)


@pytest.mark.parametrize("sender", [None, "", "undisclosed-recipients:;", "王芳", "<@>"])
def test_mail_without_a_usable_sender_is_quarantined(maildir, sender):
    message = mail("x@y.example", message_id="<nosender@mail.example>")
    del message["From"]
    if sender is not None:
        message["From"] = sender
    held = _quarantined(maildir, message.as_bytes(), HeldMail.Reason.NO_SENDER)
    assert held.subject == "自动回复: 信用卡"


def test_a_message_over_the_size_limit_is_quarantined_unread(maildir, settings):
    settings.FEEDBACK_MAIL_MAX_BYTES = 1000
    _quarantined(maildir, mail("x@y.example", body="长" * 1000).as_bytes(), "too_large")


def test_the_held_list_is_for_the_feedback_team_only(maildir, login, feedback_user, rm_user):
    maildir.add(mail("x@y.example", Auto_Submitted="auto-replied").as_bytes())
    maildir.add(b"")
    intake.mailbox_poll()
    page = login(feedback_user).get("/feedback/mail/held/")
    assert page.status_code == 200
    assert len(page.context["items"]) == 2
    ignored = login(feedback_user).get("/feedback/mail/held/?kind=ignored")
    assert [h.reason for h in ignored.context["items"]] == ["auto_submitted"]
    assert login(rm_user).get("/feedback/mail/held/").status_code == 404
    quarantined = HeldMail.objects.get(kind="quarantined")
    raw = login(feedback_user).get(f"/feedback/mail/held/{quarantined.pk}/raw/")
    assert raw.status_code == 200 and raw["Content-Disposition"].startswith("attachment")
    assert login(rm_user).get(f"/feedback/mail/held/{quarantined.pk}/raw/").status_code == 404


def test_replies_of_the_ticket_thread_are_untouched_by_quarantine(maildir, client_of_rm):
    ticket = ticket_create(
        channel="phone", category="inquiry", subject="s", description="d", client=client_of_rm
    )
    maildir.add(b"\x00\x01\x02")
    intake.mailbox_poll()
    assert TicketMessage.objects.filter(ticket=ticket).count() == 0


def test_a_damaged_encoded_word_is_shown_as_sent(maildir, client_of_rm):
    maildir.add(
        f"From: {client_of_rm.email}\r\nSubject: =?utf-8?B?YWJjZ?=\r\n"
        "Auto-Submitted: =?utf-8?B?YWJjZ?=\r\nMessage-ID: <dmg@mail.example>\r\n\r\nhi".encode()
    )
    assert intake.mailbox_poll() == polled(ignored=1)
    assert HeldMail.objects.get().evidence == "Auto-Submitted: =?utf-8?B?YWJjZ?="


def test_a_message_nobody_foresaw_is_held_once_not_retried(maildir, client_of_rm, monkeypatch):
    maildir.add(mail(client_of_rm.email, message_id="<odd@mail.example>").as_bytes())

    def unforeseen(message):
        raise RuntimeError("a parser bug")

    monkeypatch.setattr(intake.reading, "automated_reason", unforeseen)
    assert intake.mailbox_poll() == polled(quarantined=1)
    held = HeldMail.objects.get()
    assert (held.reason, held.evidence) == ("unparseable", "RuntimeError: a parser bug")
    assert intake.mailbox_poll() == NOTHING
