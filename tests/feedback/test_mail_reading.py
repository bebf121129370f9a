"""Mail as mail clients read it (issue 12, points 1, 2 and 6): charset labels read as their
supersets in every header and body, HTML as readable text, and the SLA clock from the bank's
receipt of the message."""

import base64
import datetime
from email.message import EmailMessage

import pytest
import time_machine

from feedback.mail import intake
from feedback.models import Ticket, TicketMessage
from tests.feedback.mailtools import polled, written

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
GBK_BODY = "这是很坏的Minus ".encode("gbk") + b"\xa8\x43 Blabla"
RIGHT = "这是很坏的Minus – Blabla"


def raw_mail(*headers: str, body: bytes = b"hello", content_type: str = "text/plain") -> bytes:
    head = [
        "From: =?gb2312?B?zfW3vA==?= <wang.fang@mail.example>",
        "To: feedback@bank.example",
        "MIME-Version: 1.0",
        *headers,
    ]
    if not any(h.lower().startswith("content-type") for h in headers):
        head.append(f"Content-Type: {content_type}; charset=utf-8")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def test_gb2312_label_is_read_as_gb18030_in_subject_and_body(maildir):
    maildir.add(
        raw_mail(
            "Subject: =?gb2312?B?1eLKx7rcu7W1xE1pbnVzIKhDIEJsYWJsYQ==?=",
            "Message-ID: <gb@mail.example>",
            'Content-Type: text/plain; charset="gb2312"',
            "Content-Transfer-Encoding: 8bit",
            body=GBK_BODY,
        )
    )
    assert intake.mailbox_poll() == polled(tickets=1)
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description) == (RIGHT, RIGHT)
    assert written() == {"tickets": 1, "messages": 0, "attachments": 0, "held": 0}


def test_an_encoded_word_split_inside_a_character_across_lines_decodes_whole(maildir):
    encoded = RIGHT.encode("gb18030")
    first, second = base64.b64encode(encoded[:3]).decode(), base64.b64encode(encoded[3:]).decode()
    maildir.add(
        raw_mail(
            f"Subject: =?gbk?B?{first}?=\r\n =?gbk?B?{second}?=",
            "Message-ID: <split@mail.example>",
            body=b"x",
        )
    )
    intake.mailbox_poll()
    assert Ticket.objects.get().subject == RIGHT


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        # 镕 is in GBK but not in GB2312; Outlook still labels such mail gb2312.
        ("gb2312", "朱镕基先生的来信", "gbk"),
        ("GBK", "这是很坏的Minus – Blabla", "gb18030"),
        # 𨋢 (a lift, Cantonese) is an HKSCS character: plain Big5 cannot decode it.
        ("big5", "香港的𨋢壞了", "big5hkscs"),
    ],
)
def test_every_chinese_label_is_read_as_its_superset_in_headers_and_bodies(
    maildir, label, text, codec
):
    word = base64.b64encode(text.encode(codec)).decode()
    maildir.add(
        raw_mail(
            f"Subject: =?{label}?B?{word}?=",
            f"Message-ID: <{label}@mail.example>",
            f"Content-Type: text/plain; charset={label}",
            "Content-Transfer-Encoding: base64",
            body=base64.b64encode(text.encode(codec)),
        )
    )
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description) == (text, text)


def test_a_gbk_sender_name_and_unlabelled_8bit_subject_are_read(maildir):
    maildir.add(
        "From: 王芳 <wang.fang@mail.example>\r\nSubject: 信用卡年费\r\n"
        "Message-ID: <8bit@mail.example>\r\n\r\n".encode("gb18030")
        + "为什么？".encode("gb18030")
    )
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description, ticket.sender_email) == (
        "信用卡年费",
        "为什么？",
        "wang.fang@mail.example",
    )


HTML = (
    "<html><head><style>p.MsoNormal{margin:0cm;font-family:等线}</style></head><body>"
    "<p class=MsoNormal>您好&nbsp;，我的信用卡被冻结了&hellip; 余额&lt;1000&gt;元</p></body></html>"
)


def test_html_only_mail_becomes_readable_text(maildir):
    maildir.add(
        raw_mail(
            "Subject: card",
            "Message-ID: <html@mail.example>",
            body=HTML.encode(),
            content_type="text/html",
        )
    )
    intake.mailbox_poll()
    assert Ticket.objects.get().description == "您好 ，我的信用卡被冻结了… 余额<1000>元"
    assert written()["tickets"] == 1 and written()["messages"] == 0


def test_html_keeps_paragraphs_and_line_breaks_and_drops_scripts(maildir):
    message = EmailMessage()
    message["From"] = "wang.fang@mail.example"
    message["Message-ID"] = "<html2@mail.example>"
    message.set_content(
        "<html><head><script>alert('x')</script><title>t</title></head><body>"
        "<p>第一段&amp;</p><p>第二行<br>第三行</p><!-- note --></body></html>",
        subtype="html",
        charset="gb2312",
    )
    maildir.add(message.as_bytes())
    intake.mailbox_poll()
    assert Ticket.objects.get().description == "第一段&\n\n第二行\n第三行"


def test_the_plain_text_alternative_is_preferred_to_the_html(maildir):
    message = EmailMessage()
    message["From"] = "wang.fang@mail.example"
    message["Message-ID"] = "<alt@mail.example>"
    message.set_content("纯文本")
    message.add_alternative("<p>超文本</p>", subtype="html")
    maildir.add(message.as_bytes())
    intake.mailbox_poll()
    assert Ticket.objects.get().description == "纯文本"
    assert written()["attachments"] == 0


POLL = datetime.datetime(2026, 11, 2, 11, 0, tzinfo=SHANGHAI)
RECEIVED_HEADERS = (
    "Received: from mx1.bank.example by mail-in.bank.example with LMTP id 7;"
    " Mon, 2 Nov 2026 09:00:05 +0800",
    "Received: from smtp.client.example by mx1.bank.example with ESMTPS id 6;\r\n"
    " Mon, 2 Nov 2026 09:00:00 +0800",
    "Received: from laptop by smtp.client.example with ESMTPSA id 5; Mon, 2 Nov 2026 08:58:00 +0800",
    "Date: Mon, 2 Nov 2026 08:50:00 +0800",
)


@pytest.fixture
def bank_servers(settings):
    settings.FEEDBACK_MAIL_SERVERS = ("bank.example",)


def _received_at(maildir, *headers, message_id="<sla@mail.example>"):
    maildir.add(raw_mail("Subject: s", f"Message-ID: {message_id}", *headers))
    with time_machine.travel(POLL, tick=False):
        intake.mailbox_poll()
    return Ticket.objects.get().received_at.astimezone(SHANGHAI)


def test_sla_clock_starts_at_the_bank_servers_newest_received_header(maildir, bank_servers):
    at = _received_at(maildir, *RECEIVED_HEADERS)
    assert at == datetime.datetime(2026, 11, 2, 9, 0, 5, tzinfo=SHANGHAI)
    ticket = Ticket.objects.get()
    assert ticket.first_response_due_at == ticket.received_at + datetime.timedelta(hours=48)


def test_received_headers_of_other_servers_are_not_trusted_date_is_used(maildir, bank_servers):
    at = _received_at(maildir, *RECEIVED_HEADERS[2:])
    assert at == datetime.datetime(2026, 11, 2, 8, 50, tzinfo=SHANGHAI)


def test_without_configured_servers_the_topmost_received_header_counts(maildir):
    assert _received_at(maildir, *RECEIVED_HEADERS).time() == datetime.time(9, 0, 5)


@pytest.mark.parametrize(
    "header",
    [
        "Date: Tue, 3 Nov 2026 09:00:00 +0800",  # the sender's clock is a day ahead
        "Received: by mx1.bank.example; Mon, 2 Nov 2026 12:30:00 +0800",  # after the poll
        "Date: not a date",
        "Date: Mon, 2 Nov 2026 99:99:99 +0800",
    ],
)
def test_the_clock_never_starts_after_the_poll_or_in_the_future(maildir, bank_servers, header):
    assert _received_at(maildir, header) == POLL


def test_a_reply_is_dated_when_the_bank_received_it(maildir, bank_servers, client_of_rm):
    ticket = Ticket.objects.create(
        reference="FB-2026-000001",
        channel="email",
        category="inquiry",
        subject="s",
        description="d",
        received_at=POLL - datetime.timedelta(days=1),
        first_response_due_at=POLL,
        warn_due_at=POLL,
        source_message_id="<orig@mail.example>",
    )
    maildir.add(
        raw_mail(
            "Subject: Re: s",
            "Message-ID: <re@mail.example>",
            "In-Reply-To: <orig@mail.example>",
            RECEIVED_HEADERS[0],
        )
    )
    with time_machine.travel(POLL, tick=False):
        assert intake.mailbox_poll() == polled(replies=1)
    reply = TicketMessage.objects.get(ticket=ticket)
    assert reply.created_at == datetime.datetime(2026, 11, 2, 9, 0, 5, tzinfo=SHANGHAI)
