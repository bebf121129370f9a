"""Email intake: a Maildir polled by a job; senders matched to clients; replies threaded; nothing
lost and nothing duplicated when the job crashes or runs twice."""

import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError

from feedback import tasks
from feedback.mail import ImapSource, MaildirSource, intake, mail_source
from feedback.mail.sources import _delivery_order
from feedback.models import Channel, HeldMail, Ticket, TicketMessage, TicketStatus
from feedback.services import notices
from feedback.services.opening import ticket_create
from feedback.services.replies import ticket_respond
from tests.feedback.mailtools import NOTHING, polled

pytestmark = pytest.mark.django_db


def deliver(maildir, *, sender, subject, body, message_id, **headers):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "feedback@bank.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return maildir.add(message.as_bytes())


def _new(path) -> list[str]:
    return list((Path(path) / "new").iterdir())


def test_email_from_a_client_becomes_a_ticket_for_that_client(maildir, client_of_rm, rm_user):
    client_of_rm.email = "Wang.Fang@Mail.Example"
    client_of_rm.save()
    deliver(
        maildir,
        sender="王芳 <wang.fang@mail.example>",
        subject="信用卡年费",
        body="为什么收了年费？",
        message_id="<m1@mail.example>",
    )
    assert tasks.poll_mailbox() == polled(tickets=1)
    ticket = Ticket.objects.get()
    assert ticket.client == client_of_rm
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == "信用卡年费"
    assert "年费" in ticket.description
    assert ticket.sender_email == "wang.fang@mail.example"
    assert rm_user.notifications.filter(dedupe_key__endswith=":created").count() == 1
    assert _new(settings.FEEDBACK_MAILDIR) == []
    assert all("S" in m.get_flags() for m in maildir)


def test_unknown_sender_opens_an_unmatched_ticket_for_triage(maildir, client_of_rm):
    deliver(
        maildir,
        sender="stranger@else.example",
        subject="Hello",
        body="Who am I?",
        message_id="<m2@else.example>",
    )
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    assert ticket.client is None
    assert ticket.sender_email == "stranger@else.example"


def test_reply_is_threaded_onto_its_ticket(maildir, client_of_rm, feedback_user):
    deliver(
        maildir,
        sender=client_of_rm.email,
        subject="Lost card",
        body="Please help",
        message_id="<first@mail.example>",
    )
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    ticket_respond(ticket=ticket, author=feedback_user, body="Blocked it for you.")
    deliver(
        maildir,
        sender=client_of_rm.email,
        subject="Re: Lost card",
        body="Thanks, and the new one?",
        message_id="<second@mail.example>",
        In_Reply_To="<first@mail.example>",
    )
    deliver(
        maildir,
        sender=client_of_rm.email,
        subject=f"Re: [{ticket.reference}] Lost card",
        body="Any news?",
        message_id="<third@mail.example>",
    )
    assert intake.mailbox_poll()["replies"] == 2
    assert Ticket.objects.count() == 1
    bodies = list(
        ticket.messages.filter(kind=TicketMessage.Kind.CLIENT_MESSAGE).values_list(
            "body", flat=True
        )
    )
    assert bodies == ["Thanks, and the new one?", "Any news?"]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_reply_to_our_response_threads_by_its_message_id(maildir, client_of_rm, feedback_user):
    ticket = ticket_create(
        channel="phone", category="inquiry", subject="s", description="d", client=client_of_rm
    )
    response = ticket_respond(ticket=ticket, author=feedback_user, body="Answer")
    deliver(
        maildir,
        sender=client_of_rm.email,
        subject="Re: s",
        body="Follow-up",
        message_id="<fu@mail.example>",
        References=response.message_id,
    )
    intake.mailbox_poll()
    assert ticket.messages.filter(kind=TicketMessage.Kind.CLIENT_MESSAGE).count() == 1


def test_a_write_that_fails_is_quarantined_whole_not_retried(maildir, client_of_rm, monkeypatch):
    deliver(
        maildir, sender=client_of_rm.email, subject="s", body="b", message_id="<crash@x.example>"
    )

    def crash(client):
        raise RuntimeError("a bug after the ticket was written")

    # Called inside ticket_create, after the ticket row is inserted.
    monkeypatch.setattr(notices, "rm_user_of", crash)
    assert intake.mailbox_poll() == polled(quarantined=1)
    assert Ticket.objects.count() == 0 and TicketMessage.objects.count() == 0
    held = HeldMail.objects.get()
    assert (held.kind, held.reason) == (HeldMail.Kind.QUARANTINED, HeldMail.Reason.UNSTORABLE)
    assert "RuntimeError: a bug after the ticket was written" in held.evidence
    assert b"<crash@x.example>" in held.raw.read()
    monkeypatch.undo()
    assert intake.mailbox_poll() == NOTHING
    assert _new(settings.FEEDBACK_MAILDIR) == []


def test_an_unreachable_database_gives_the_message_back_for_the_next_run(
    maildir, client_of_rm, monkeypatch
):
    deliver(maildir, sender=client_of_rm.email, subject="s", body="b", message_id="<db@x.example>")

    def database_away(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(intake, "ticket_create", database_away)
    assert intake.mailbox_poll() == polled(failed=1)
    assert len(_new(settings.FEEDBACK_MAILDIR)) == 1
    assert HeldMail.objects.count() == 0
    monkeypatch.undo()
    assert intake.mailbox_poll() == polled(tickets=1)


def test_crash_after_commit_before_marking_does_not_duplicate(maildir, client_of_rm, monkeypatch):
    deliver(
        maildir, sender=client_of_rm.email, subject="s", body="b", message_id="<twice@x.example>"
    )

    def crash(self, key):
        raise RuntimeError("worker killed before the message was marked seen")

    monkeypatch.setattr(MaildirSource, "done", crash)
    with pytest.raises(RuntimeError):
        intake.mailbox_poll()
    assert Ticket.objects.count() == 1
    monkeypatch.undo()
    # Still claimed by the poll that died: left alone until the claim is stale, then given back.
    assert intake.mailbox_poll() == NOTHING
    with time_machine.travel(datetime.timedelta(minutes=16)):
        assert intake.mailbox_poll() == polled(duplicates=1)
    assert Ticket.objects.count() == 1
    assert _new(settings.FEEDBACK_MAILDIR) == []


def test_the_same_message_delivered_twice_is_one_ticket(maildir, client_of_rm):
    for _ in range(2):
        deliver(
            maildir, sender=client_of_rm.email, subject="s", body="b", message_id="<dup@x.example>"
        )
    result = intake.mailbox_poll()
    assert result["tickets"] == 1 and result["duplicates"] == 1
    assert Ticket.objects.count() == 1


def test_message_without_message_id_is_still_processed_once(maildir, client_of_rm):
    message = EmailMessage()
    message["From"] = client_of_rm.email
    message["Subject"] = "no id"
    message.set_content("body")
    maildir.add(message.as_bytes())
    maildir.add(message.as_bytes())
    intake.mailbox_poll()
    assert Ticket.objects.count() == 1


def test_html_only_and_garbage_mail_do_not_break_the_poll(maildir):
    message = EmailMessage()
    message["From"] = "x@y.example"
    message["Message-ID"] = "<html@y.example>"
    message.set_content("<p>Hello <b>bank</b></p>", subtype="html")
    maildir.add(message.as_bytes())
    maildir.add(b"garbage without headers")
    assert intake.mailbox_poll() == polled(tickets=1, quarantined=1)
    assert Ticket.objects.get().description == "Hello bank"


def test_two_clients_sharing_an_address_are_left_for_triage(
    maildir, client_of_rm, client_elsewhere
):
    client_elsewhere.email = client_of_rm.email
    client_elsewhere.save()
    deliver(maildir, sender=client_of_rm.email, subject="s", body="b", message_id="<sh@x.example>")
    intake.mailbox_poll()
    assert Ticket.objects.get().client is None


def test_maildir_is_read_in_delivery_order():
    keys = ["1700000000.M100000P1Q2.host", "1700000000.M99999P1Q1.host", "1699999999.M5P1Q9.h"]
    assert sorted(keys, key=_delivery_order) == [keys[2], keys[1], keys[0]]


def test_reference_in_the_subject_from_a_stranger_opens_a_new_ticket(maildir, client_of_rm):
    ticket = ticket_create(
        channel="phone", category="inquiry", subject="s", description="d", client=client_of_rm
    )
    deliver(
        maildir,
        sender="mallory@evil.example",
        subject=f"Re: [{ticket.reference}] s",
        body="Injected",
        message_id="<evil@evil.example>",
    )
    intake.mailbox_poll()
    assert ticket.messages.count() == 0
    assert Ticket.objects.filter(sender_email="mallory@evil.example", client=None).exists()


class FakeImap:
    """Records the IMAP commands the adapter sends; holds one unseen message."""

    def __init__(self, raw):
        self.raw, self.calls = raw, []

    def uid(self, command, *args):
        self.calls.append((command, *args))
        if command == "SEARCH":
            return "OK", [b"42"]
        if command == "FETCH":
            return "OK", [(b"42 (UID 42 BODY[] {10}", self.raw), b")"]
        return "OK", [b""]


def test_imap_source_peeks_and_marks_seen_only_when_done(client_of_rm, settings):
    settings.FEEDBACK_IMAP_URL = "imaps://fb%40bank.example:s3cret@imap.bank.example/Feedback"
    source = mail_source()
    assert isinstance(source, ImapSource)
    assert (source.host, source.port, source.user, source.folder) == (
        "imap.bank.example",
        993,
        "fb@bank.example",
        "Feedback",
    )
    message = EmailMessage()
    message["From"] = client_of_rm.email
    message["Message-ID"] = "<imap@x.example>"
    message["Subject"] = "via IMAP"
    message.set_content("hello")
    source._conn = FakeImap(message.as_bytes())
    assert intake.mailbox_poll(source=source)["tickets"] == 1
    assert ("FETCH", b"42", "(BODY.PEEK[])") in source._conn.calls
    assert source._conn.calls[-1] == ("STORE", "42", "+FLAGS", "(\\Seen)")
    assert Ticket.objects.get().client == client_of_rm
