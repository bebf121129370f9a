"""Attachments kept and shown to those who may see the ticket (issue 12, point 5) and a client's
reply reopening a resolved or closed ticket (point 4)."""

import base64
from email.message import EmailMessage

import pytest
from auditlog.models import LogEntry

from core.models import Notification
from feedback.mail import intake
from feedback.models import Ticket, TicketAttachment, TicketMessage, TicketStatus
from feedback.services.handling import ticket_close
from feedback.services.opening import ticket_create
from feedback.services.replies import ticket_resolve
from tests.feedback.mailtools import polled, written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def mail(sender, body="请看附件", message_id="<att@mail.example>", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = "对账单"
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if body is not None:
        message.set_content(body)
    return message


def test_an_attachment_is_kept_listed_and_downloadable_by_those_who_see_the_ticket(
    maildir, client_of_rm, rm_user, other_branch_staff, login
):
    message = mail(client_of_rm.email)
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="对账单.pdf")
    maildir.add(message.as_bytes())
    assert intake.mailbox_poll() == polled(tickets=1)
    ticket = Ticket.objects.get()
    attachment = TicketAttachment.objects.get()
    assert (attachment.ticket, attachment.message, attachment.filename) == (
        ticket,
        None,
        "对账单.pdf",
    )
    assert (attachment.size, attachment.content_type) == (len(PDF), "application/pdf")
    assert attachment.file.read() == PDF
    assert ticket.description == "请看附件"
    assert written() == {"tickets": 1, "messages": 0, "attachments": 1, "held": 0}

    url = f"/feedback/tickets/{ticket.reference}/attachments/{attachment.pk}/"
    page = login(rm_user).get(f"/feedback/tickets/{ticket.reference}/")
    assert url in page.content.decode()
    download = login(rm_user).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    entry = LogEntry.objects.get(additional_data__event="feedback.attachment_downloaded")
    assert (entry.actor, entry.additional_data["attachment"]) == (rm_user, attachment.pk)
    assert login(other_branch_staff).get(url).status_code == 404
    other = f"/feedback/tickets/{ticket.reference}/attachments/{attachment.pk + 1}/"
    assert login(rm_user).get(other).status_code == 404


def test_mail_with_only_an_attachment_says_so_in_the_description(maildir, client_of_rm):
    message = mail(client_of_rm.email, body=None)
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="statement.pdf")
    maildir.add(message.as_bytes())
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    assert ticket.description == "(No text: the client sent only attachments: statement.pdf.)"
    assert ticket.attachments.get().filename == "statement.pdf"


def test_files_of_a_type_not_accepted_or_too_large_are_not_kept_and_the_ticket_says_so(
    maildir, client_of_rm, settings
):
    settings.FEEDBACK_ATTACHMENT_MAX_BYTES = 5000
    message = mail(client_of_rm.email)
    message.add_attachment(
        b"MZ\x90", maintype="application", subtype="octet-stream", filename="invoice.pdf.exe"
    )
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="big.pdf")
    message.add_attachment(b"small", maintype="text", subtype="plain", filename="note.txt")
    maildir.add(message.as_bytes())
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    assert ticket.description == (
        "请看附件\n\n"
        "Attachment not kept: invoice.pdf.exe (this type of file is not accepted)\n\n"
        "Attachment not kept: big.pdf (larger than 0 MB)"
    )
    assert [a.filename for a in ticket.attachments.all()] == ["note.txt"]


def test_names_in_any_charset_and_inline_images_are_kept(maildir, client_of_rm):
    raw = (
        f"From: {client_of_rm.email}\r\nSubject: x\r\nMessage-ID: <names@mail.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
        "--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename*=gb2312''%D6%EC%E9F%BB%F9.pdf\r\n\r\n"
        f"{base64.b64encode(PDF).decode()}\r\n"
        "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: inline; filename="=?gbk?B?vdjNvA==?=.png"\r\n\r\n'
        f"{base64.b64encode(b'png').decode()}\r\n"
        "--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{base64.b64encode(b'jpg').decode()}\r\n--b--\r\n"
    ).encode()
    maildir.add(raw)
    intake.mailbox_poll()
    names = [a.filename for a in TicketAttachment.objects.all()]
    assert names == ["朱镕基.pdf", "截图.png", "attachment-5.jpg"]


@pytest.mark.parametrize("status", [TicketStatus.RESOLVED, TicketStatus.CLOSED])
def test_a_clients_reply_to_a_finished_ticket_reopens_it_and_tells_the_handler(
    maildir, client_of_rm, feedback_user, status, django_capture_on_commit_callbacks
):
    feedback_user.language = "en"  # the handler is told in their own language
    feedback_user.save(update_fields=["language"])
    ticket = ticket_create(
        channel="email",
        category="inquiry",
        subject="Lost card",
        description="d",
        client=client_of_rm,
        source_message_id="<orig@mail.example>",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_resolve(ticket=ticket, actor=feedback_user, resolution="Blocked.")
    if status == TicketStatus.CLOSED:
        ticket_close(ticket=ticket, actor=feedback_user)
    reply = mail(
        client_of_rm.email,
        body="还是不行",
        message_id="<again@mail.example>",
        In_Reply_To="<orig@mail.example>",
    )
    reply.add_attachment(b"jpg", maintype="image", subtype="jpeg", filename="photo.jpg")
    maildir.add(reply.as_bytes())
    before = written()
    assert intake.mailbox_poll() == polled(replies=1)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.resolved_at is None and ticket.closed_at is None
    thread = list(ticket.messages.values_list("kind", "body"))
    assert thread[-2:] == [
        (TicketMessage.Kind.CLIENT_MESSAGE, "还是不行"),
        (TicketMessage.Kind.INTERNAL_NOTE, "Reopened: the client replied by email."),
    ]
    assert TicketAttachment.objects.get().message.body == "还是不行"
    assert written() == {
        **before,
        "messages": before["messages"] + 2,
        "attachments": 1,
    }
    note = Notification.objects.get(title__contains="reopened")
    assert note.recipient == feedback_user
    assert note.url == f"/feedback/tickets/{ticket.reference}/"


def test_a_reply_to_an_open_ticket_does_not_reopen_or_notify(maildir, client_of_rm):
    ticket = ticket_create(
        channel="email",
        category="inquiry",
        subject="s",
        description="d",
        client=client_of_rm,
        source_message_id="<o@mail.example>",
    )
    maildir.add(
        mail(
            client_of_rm.email, message_id="<r@mail.example>", In_Reply_To="<o@mail.example>"
        ).as_bytes()
    )
    intake.mailbox_poll()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert not Notification.objects.filter(title__contains="reopened").exists()
