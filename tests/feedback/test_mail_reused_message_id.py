"""One Message-ID on many emails: scanners, printers, web-form scripts and some mail apps send every
message as ``<1@localhost>``. A redelivery of the same email is still one ticket (or reply, or
held email); another email reusing the Message-ID is taken as the new email it is, never dropped
as a duplicate, whatever the first became."""

import pytest

from feedback.mail import intake
from feedback.models import HeldMail, Ticket, TicketMessage
from tests.feedback.mailtools import polled

pytestmark = pytest.mark.django_db

FIXED_ID = "Message-ID: <1@localhost>"


def mail(*headers: str, body: str = "扫描件见附件。") -> bytes:
    head = ["To: feedback@bank.example", FIXED_ID, *headers]
    if not any(h.startswith("From:") for h in headers):
        head.append("From: scanner@home.example")
    if not any(h.startswith("Subject:") for h in headers):
        head.append("Subject: Scanned document")
    head.append("Content-Type: text/plain; charset=utf-8")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body.encode()


FIRSTS = {
    "ticket": (mail(), polled(tickets=1)),
    "ignored": (mail("Auto-Submitted: auto-generated"), polled(ignored=1)),
    "quarantined": (mail(body="坏\x00字节"), polled(quarantined=1)),
}
OTHERS = {
    "another text": mail(body="第二份扫描件。"),
    "another subject": mail("Subject: 申请表"),
    "another sender": mail("From: li.si@mail.example"),
}


@pytest.mark.parametrize("first", list(FIRSTS))
def test_the_same_email_delivered_again_is_a_duplicate(maildir, first):
    raw, outcome = FIRSTS[first]
    maildir.add(raw)
    assert intake.mailbox_poll() == outcome
    maildir.add(raw)
    assert intake.mailbox_poll() == polled(duplicates=1)


@pytest.mark.parametrize("other", list(OTHERS))
@pytest.mark.parametrize("first", list(FIRSTS))
def test_another_email_reusing_the_message_id_is_taken(maildir, first, other):
    maildir.add(FIRSTS[first][0])
    intake.mailbox_poll()
    tickets = Ticket.objects.count()
    maildir.add(OTHERS[other])
    assert intake.mailbox_poll() == polled(tickets=1)
    assert Ticket.objects.count() == tickets + 1
    maildir.add(OTHERS[other])  # and that one, delivered again, is its duplicate
    assert intake.mailbox_poll() == polled(duplicates=1)


def test_a_reply_reusing_the_id_of_an_earlier_reply_is_a_reply_too(maildir, client_of_rm):
    maildir.add(
        mail("Subject: 信用卡", "Message-ID: <first@mail.example>").replace(
            FIXED_ID.encode() + b"\r\n", b""
        )
    )
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    for text in ("补充一", "补充二", "补充三"):
        maildir.add(mail("In-Reply-To: <first@mail.example>", body=text))
        assert intake.mailbox_poll() == polled(replies=1)
    assert [m.body for m in TicketMessage.objects.order_by("pk")] == ["补充一", "补充二", "补充三"]
    assert {m.ticket for m in TicketMessage.objects.all()} == {ticket}
    assert not HeldMail.objects.exists()
