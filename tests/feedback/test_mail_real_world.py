"""Mail as Chinese mail clients, gateways and scripts really send it: raw 8-bit names and subjects
(UTF-8 or GBK, beside encoded words too), UTF-8 under a legacy Chinese label, a byte order mark,
delivery reports and read receipts wherever a gateway nests them, messages forwarded as
attachments, and replies whose In-Reply-To/References are written any way. Each becomes the right
ticket, reply or held email; none is quarantined for how it was written."""

import base64
import datetime

import pytest
import time_machine

from feedback.mail import intake
from feedback.models import HeldMail, Ticket, TicketAttachment, TicketMessage
from tests.feedback.mailtools import polled

pytestmark = pytest.mark.django_db

NAME = "对账单（2026年11月）.pdf"
TEXT = "您好，我的信用卡被冻结了，请尽快回电。"


def mail(*headers: str, body: bytes = b"hello") -> bytes:
    head = ["From: wang.fang@mail.example", "To: feedback@bank.example", *headers]
    if not any(h.lower().startswith("message-id") for h in headers):
        head.append("Message-ID: <real-world@mail.example>")
    return "\r\n".join(head).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


def raw(text: str, codec: str) -> str:
    """``text`` as raw 8-bit header bytes (what the email package keeps as surrogates)."""
    return text.encode(codec).decode("ascii", "surrogateescape")


def with_attachment(disposition: str, content_type: str = "application/pdf") -> bytes:
    body = (
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
        + f"--B\r\nContent-Type: {content_type}\r\nContent-Disposition: {disposition}\r\n\r\n".encode(
            "utf-8", "surrogateescape"
        )
        + b"%PDF-1.4\r\n--B--\r\n"
    )
    return mail("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="B"', body=body)


@pytest.mark.parametrize("codec", ["utf-8", "gbk", "gb18030"])
@pytest.mark.parametrize(
    "where",
    [
        lambda name: with_attachment(f'attachment; filename="{name}"'),
        lambda name: with_attachment("attachment", f'application/pdf; name="{name}"'),
        lambda name: with_attachment(f"attachment; filename={name}"),
    ],
    ids=["filename", "content-type-name", "unquoted"],
)
def test_an_attachment_named_in_raw_8_bit_is_kept_under_its_name(maildir, codec, where):
    maildir.add(where(raw(NAME, codec)))
    assert intake.mailbox_poll() == polled(tickets=1)
    assert TicketAttachment.objects.get().filename == NAME


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
@pytest.mark.parametrize("charset", ["utf-8", "gb2312", "gbk"])
def test_raw_8_bit_text_beside_encoded_words_reads_whole(maildir, codec, charset):
    word = base64.b64encode("冻结".encode("gb18030" if charset != "utf-8" else "utf-8")).decode()
    maildir.add(
        mail(
            f"Subject: {raw('信用卡', codec)} =?{charset}?B?{word}?=",
            f"From: {raw('王芳', codec)} =?{charset}?B?{word}?= <wang.fang@mail.example>",
        )
    )
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.sender_email) == ("信用卡 冻结", "wang.fang@mail.example")


@pytest.mark.parametrize("label", ["gb2312", "GBK", "gb18030", "big5", "cp936"])
def test_utf_8_under_a_legacy_chinese_label_is_read_as_utf_8(maildir, label):
    word = base64.b64encode("信用卡冻结".encode()).decode()
    maildir.add(
        mail(
            f"Subject: =?{label}?B?{word}?=",
            "MIME-Version: 1.0",
            f"Content-Type: text/plain; charset={label}",
            "Content-Transfer-Encoding: 8bit",
            body=TEXT.encode(),
        )
    )
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description) == ("信用卡冻结", TEXT)


@pytest.mark.parametrize(("label", "codec"), [("gb2312", "gbk"), ("big5", "big5hkscs")])
def test_text_in_its_labelled_legacy_charset_is_still_read_by_its_label(maildir, label, codec):
    text = "香港的客戶來信" if codec == "big5hkscs" else TEXT
    maildir.add(
        mail(
            "MIME-Version: 1.0",
            f"Content-Type: text/plain; charset={label}",
            "Content-Transfer-Encoding: 8bit",
            body=text.encode(codec),
        )
    )
    intake.mailbox_poll()
    assert Ticket.objects.get().description == text


@pytest.mark.parametrize("label", ["utf-8", "gbk", None])
def test_a_byte_order_mark_is_not_part_of_the_text(maildir, label):
    data = b"\xef\xbb\xbf" + TEXT.encode()
    content_type = f"text/plain; charset={label}" if label else "text/plain"
    maildir.add(mail("MIME-Version: 1.0", f"Content-Type: {content_type}", body=data))
    intake.mailbox_poll()
    assert Ticket.objects.get().description == TEXT


REPORTS = [
    ("multipart/report; report-type=delivery-status", "message/delivery-status"),
    ("multipart/report; report-type=disposition-notification", "message/disposition-notification"),
    ("multipart/mixed", "message/delivery-status"),  # a bounce some servers send as mixed
    ("multipart/mixed", "message/global-delivery-status"),
    ("multipart/mixed", "message/disposition-notification"),  # a read receipt
    ("multipart/mixed", "message/feedback-report"),
]


def report_mail(outer: str, machine_part: str, nested: bool) -> bytes:
    inner = (
        f"--C\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        f"--C\r\nContent-Type: {machine_part}\r\n\r\nStatus: 5.1.1\r\n--C--\r\n"
    )
    if nested:  # a gateway wrapped the report in a message of its own
        body = f"--B\r\nContent-Type: {outer}; boundary=C\r\n\r\n{inner}--B--\r\n"
        top = 'multipart/mixed; boundary="B"'
    else:
        body, top = inner, f"{outer}; boundary=C"
    return mail("MIME-Version: 1.0", f"Content-Type: {top}", body=body.encode())


@pytest.mark.parametrize("nested", [False, True], ids=["top", "nested"])
@pytest.mark.parametrize(("outer", "machine_part"), REPORTS)
def test_reports_and_receipts_are_ignored_wherever_they_are_nested(
    maildir, client_of_rm, outer, machine_part, nested
):
    maildir.add(report_mail(outer, machine_part, nested))
    assert intake.mailbox_poll() == polled(ignored=1)
    held = HeldMail.objects.get()
    assert (held.kind, held.reason) == (HeldMail.Kind.IGNORED, "delivery_report")
    assert not Ticket.objects.exists()


def test_a_client_forwarding_a_bounce_they_got_is_a_person_writing(maildir):
    bounce = report_mail(
        "multipart/report; report-type=delivery-status", "message/delivery-status", False
    )
    body = (
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "我给客户经理的邮件被退回了。".encode()
        + b"\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
        + bounce
        + b"\r\n--B--\r\n"
    )
    maildir.add(
        mail(
            "Subject: Fwd: 退信",
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="B"',
            body=body,
        )
    )
    assert intake.mailbox_poll() == polled(tickets=1)


def forwarding(outer_text: str, depth: int) -> bytes:
    message = (
        "From: =?utf-8?B?5p2O5Zub?= <li.si@other.example>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0800\r\n"
        f"Subject: level {depth}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n正文 {depth}\r\n"
    ).encode()
    for level in range(depth - 1, 0, -1):
        message = (
            (
                f"From: li.si@other.example\r\nSubject: level {level}\r\n"
                f'Content-Type: multipart/mixed; boundary="F{level}"\r\n\r\n'
                f"--F{level}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n正文 {level}\r\n"
                f"--F{level}\r\nContent-Type: message/rfc822\r\n\r\n"
            ).encode()
            + message
            + f"\r\n--F{level}--\r\n".encode()
        )
    parts = b""
    if outer_text:
        parts = (
            b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + outer_text.encode()
            + b"\r\n"
        )
    parts += b"--B\r\nContent-Type: message/rfc822\r\n\r\n" + message + b"\r\n--B--\r\n"
    return mail(
        "Subject: Fwd: level 1",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="B"',
        body=parts,
    )


@pytest.mark.parametrize("outer_text", ["请看下面这封信。", ""])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_message_forwarded_as_an_attachment_keeps_its_text(maildir, outer_text, depth):
    maildir.add(forwarding(outer_text, depth))
    assert intake.mailbox_poll() == polled(tickets=1)
    description = Ticket.objects.get().description
    assert description.startswith(outer_text or "---------- 转发的邮件")
    for level in range(1, depth + 1):
        assert f"正文 {level}" in description
        assert f"主题：level {level}" in description  # in the intake's language, Chinese
    assert "发件人：李四 <li.si@other.example>" in description
    assert description.count("正文") == depth  # each text once, however deep


THREAD_HEADERS = [
    "In-Reply-To: {id}",
    "References: <older@mail.example>{id}",  # no space between ids
    "References: <older@mail.example>, {id}",  # commas
    "References: <older@mail.example>\r\n\t{id}",  # folded with a tab
    "In-Reply-To: Your message of Mon, 2 Nov 2026 09:00:00 +0800\r\n {id}",  # an old mailer's
    "In-Reply-To: {id} (王芳's message)",
]


@pytest.mark.parametrize("header", THREAD_HEADERS)
def test_a_reply_is_threaded_however_its_ids_are_written(maildir, client_of_rm, header):
    maildir.add(mail("Subject: 信用卡", "Message-ID: <first@mail.example>"))
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    maildir.add(
        mail(
            "Subject: no reference here",
            "Message-ID: <second@mail.example>",
            header.format(id="<first@mail.example>"),
            body="补充一下".encode(),
        )
    )
    assert intake.mailbox_poll() == polled(replies=1)
    assert TicketMessage.objects.get().ticket == ticket


@pytest.mark.parametrize(
    "prefix",
    ["回复:", "回复：", "答复:", "答复: 答复:", "RE:", "Re: RE:", "Fwd:", "FW:", "转发:", "AW:"],
)
def test_a_reply_with_the_reference_in_any_prefixed_subject_is_threaded(maildir, prefix):
    maildir.add(mail("Subject: 信用卡", "Message-ID: <first@mail.example>"))
    intake.mailbox_poll()
    ticket = Ticket.objects.get()
    maildir.add(
        mail(f"Subject: {prefix} [{ticket.reference}] 信用卡", "Message-ID: <second@mail.example>")
    )
    assert intake.mailbox_poll() == polled(replies=1)
    assert TicketMessage.objects.get().ticket == ticket


NINE_IN_SHANGHAI = datetime.datetime(2026, 11, 2, 1, 0, tzinfo=datetime.UTC)
DATES = [
    ("Mon, 2 Nov 2026 09:00:00 +0800", NINE_IN_SHANGHAI),
    ("Mon, 2 Nov 2026 09:00:00 CST", NINE_IN_SHANGHAI),  # China's, not US Central
    ("Mon, 2 Nov 2026 09:00:00 CST (China Standard Time)", NINE_IN_SHANGHAI),
    ("Mon, 2 Nov 2026 09:00:00 +0800 (CST)", NINE_IN_SHANGHAI),
    ("Mon, 2 Nov 2026 09:00:00 BJT", NINE_IN_SHANGHAI),
    ("2026-11-02T09:00:00+08:00", NINE_IN_SHANGHAI),  # ISO 8601 from a script
    ("2026-11-02 09:00:00", NINE_IN_SHANGHAI),  # no offset: the bank's time
    ("2 Nov 2026 01:00:00 GMT", NINE_IN_SHANGHAI),
    ("Mon, 2 Nov 2026 01:00:00 -0000", NINE_IN_SHANGHAI),
]
NOT_DATES = [
    "2026年11月2日 上午9点",
    "Mon, 2 Nov 99999 09:00:00 +0800",
    "Mon, 2 Nov 2026 09:00:00 +9999",
    "",
]


@pytest.mark.parametrize(("date", "expected"), DATES)
@pytest.mark.parametrize("header", ["Date", "Received"])
def test_the_clock_starts_at_a_date_written_any_common_way(maildir, date, expected, header):
    written = (
        f"Date: {date}" if header == "Date" else f"Received: from a by mx.bank.example; {date}"
    )
    maildir.add(mail("Subject: x", written))
    with time_machine.travel("2026-11-30 09:00 +08:00", tick=False):
        intake.mailbox_poll()
    assert Ticket.objects.get().received_at == expected


@pytest.mark.parametrize("date", NOT_DATES)
def test_a_date_nobody_can_read_starts_the_clock_at_the_poll(maildir, date):
    maildir.add(mail("Subject: x", f"Date: {date}"))
    with time_machine.travel("2026-11-30 09:00 +08:00", tick=False):
        assert intake.mailbox_poll() == polled(tickets=1)
    assert Ticket.objects.get().received_at == datetime.datetime(
        2026, 11, 30, 1, 0, tzinfo=datetime.UTC
    )


@pytest.mark.parametrize(
    ("name", "content_type", "kept_as"),
    [
        ("扫描件", "application/pdf", "扫描件.pdf"),
        ("IMG_0012", "image/jpeg", "IMG_0012.jpg"),
        (
            "申请表",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "申请表.docx",
        ),
        ("对账单.PDF", "application/octet-stream", "对账单.PDF"),  # the name's own extension counts
    ],
)
def test_a_file_named_without_an_extension_is_kept_by_its_declared_type(
    maildir, name, content_type, kept_as
):
    maildir.add(with_attachment(f'attachment; filename="{raw(name, "utf-8")}"', content_type))
    assert intake.mailbox_poll() == polled(tickets=1)
    assert TicketAttachment.objects.get().filename == kept_as


@pytest.mark.parametrize("name", ["setup", "run.exe", "扫描件.pdf.exe"])
def test_a_file_of_a_type_not_accepted_is_still_not_kept_whatever_its_name(maildir, name):
    maildir.add(
        with_attachment(f'attachment; filename="{raw(name, "utf-8")}"', "application/octet-stream")
    )
    intake.mailbox_poll()
    assert not TicketAttachment.objects.exists()
    assert name in Ticket.objects.get().description  # named as not kept (setup as setup.bin)


def _word(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode('gb18030' if charset != 'utf-8' else 'utf-8')).decode()}?="


FROMS = [
    # A display name that reads as an address is a name: the sender is the address in <>.
    (f"{_word('vip.client@mail.example')} <wang.fang@mail.example>", "wang.fang@mail.example"),
    ('"vip.client@mail.example" <wang.fang@mail.example>', "wang.fang@mail.example"),
    (f"{_word('王, 芳')} <wang.fang@mail.example>", "wang.fang@mail.example"),
    (f"{_word('王芳', 'gb2312')} <Wang.Fang@Mail.Example>", "wang.fang@mail.example"),
    ("王芳 <wang.fang@mail.example>", "wang.fang@mail.example"),
    ("wang.fang@mail.example (王芳)", "wang.fang@mail.example"),
    # A mailer that encoded the whole header, address too: read decoded, as before.
    (_word("王芳 <wang.fang@mail.example>"), "wang.fang@mail.example"),
]


@pytest.mark.parametrize(("sender", "address"), FROMS)
def test_the_sender_is_the_address_not_what_its_display_name_says(maildir, sender, address):
    maildir.add(mail(f"From: {sender}").replace(b"From: wang.fang@mail.example\r\n", b"", 1))
    assert intake.mailbox_poll() == polled(tickets=1)
    assert Ticket.objects.get().sender_email == address


@pytest.mark.parametrize(
    ("protocol", "signature"),
    [
        ("application/pkcs7-signature", 'application/pkcs7-signature; name="smime.p7s"'),
        ("application/x-pkcs7-signature", 'application/x-pkcs7-signature; name="smime.p7s"'),
        ("application/pgp-signature", "application/pgp-signature"),
    ],
)
def test_a_signed_message_is_its_text_and_files_without_its_signature(maildir, protocol, signature):
    body = (
        b'--S\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b"--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT.encode() + b"\r\n"
        b'--M\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="a.pdf"'
        b"\r\n\r\n%PDF-1.4\r\n--M--\r\n"
        + f"--S\r\nContent-Type: {signature}\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode()
        + b"MIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--S--\r\n"
    )
    maildir.add(
        mail(
            "MIME-Version: 1.0",
            f'Content-Type: multipart/signed; protocol="{protocol}"; micalg=sha-256; boundary="S"',
            body=body,
        )
    )
    assert intake.mailbox_poll() == polled(tickets=1)
    assert Ticket.objects.get().description == TEXT  # no "attachment not kept: smime.p7s"
    assert [a.filename for a in TicketAttachment.objects.all()] == ["a.pdf"]


LONG = TEXT * 8


@pytest.mark.parametrize("label", ["utf-8", None])
@pytest.mark.parametrize("cut", [1, 31, 100, 238])
def test_utf_8_with_a_line_cut_inside_a_character_stays_utf_8(maildir, label, cut):
    data = LONG.encode()
    data = data[:cut] + b"\r\n" + data[cut:]  # a gateway folding at its line limit
    content_type = f"text/plain; charset={label}" if label else "text/plain"
    maildir.add(mail("MIME-Version: 1.0", f"Content-Type: {content_type}", body=data))
    intake.mailbox_poll()
    description = Ticket.objects.get().description
    assert description.count("\ufffd") <= 3  # the cut character only, marked
    assert len(description.replace("\ufffd", "").replace("\n", "")) >= len(LONG) - 1
    assert LONG[-40:] in description


@pytest.mark.parametrize(
    "text",
    ["Dear sir, I am 王芳 and I write about my card." * 3, "短", TEXT],
)
def test_unlabelled_gbk_text_is_still_read_as_gbk(maildir, text):
    maildir.add(mail("MIME-Version: 1.0", "Content-Type: text/plain", body=text.encode("gbk")))
    intake.mailbox_poll()
    assert Ticket.objects.get().description == text


ICS = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "SUMMARY;LANGUAGE=zh-CN:关于理财产品的面谈\r\n"
    "LOCATION:陆家嘴支行\\, 三楼\r\n"
    "DESCRIPTION:王经理您好\\n我想下周当面谈谈理财产\r\n 品的赎回问题\\; 请确认时间。\r\n"
    "DTSTART:20261105T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
SAID = "关于理财产品的面谈\n陆家嘴支行, 三楼\n王经理您好\n我想下周当面谈谈理财产品的赎回问题; 请确认时间。"


@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
@pytest.mark.parametrize("wrapped", [False, True], ids=["alone", "in-mixed"])
def test_an_invitation_sent_alone_keeps_what_it_says(maildir, charset, wrapped):
    codec = "utf-8" if charset == "utf-8" else "gbk"
    part = f"Content-Type: text/calendar; method=REQUEST; charset={charset}\r\n\r\n".encode()
    part += ICS.encode(codec)
    if wrapped:
        message = mail(
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="B"',
            body=b"--B\r\n" + part + b"\r\n--B--\r\n",
        )
    else:
        head, _sep, body = part.partition(b"\r\n\r\n")
        message = mail("MIME-Version: 1.0", head.decode(), body=body)
    maildir.add(message)
    assert intake.mailbox_poll() == polled(tickets=1)
    assert Ticket.objects.get().description == SAID
    assert not TicketAttachment.objects.exists()


FLOWED = [
    # (as sent, delsp, as written)
    (
        "您好，我的信用卡 \r\n被冻结了，请尽快 \r\n回电。\r\n\r\n王芳",
        "yes",
        "您好，我的信用卡被冻结了，请尽快回电。\n\n王芳",
    ),
    (
        "Dear bank, my card \r\nwas blocked.\r\n-- \r\nWang",
        "no",
        "Dear bank, my card was blocked.\n--\nWang",
    ),
    (" From the branch \r\n visit.", "no", "From the branch visit."),  # space-stuffed
]


@pytest.mark.parametrize(("sent", "delsp", "written"), FLOWED)
def test_flowed_text_reads_as_it_was_written(maildir, sent, delsp, written):
    content_type = f"text/plain; charset=utf-8; format=flowed; delsp={delsp}"
    maildir.add(mail("MIME-Version: 1.0", f"Content-Type: {content_type}", body=sent.encode()))
    intake.mailbox_poll()
    assert Ticket.objects.get().description == written


@pytest.mark.parametrize("kind", ["multipart/mixed", "multipart/alternative", "multipart/related"])
@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
def test_text_under_a_multipart_type_without_its_boundary_is_kept(maildir, kind, charset):
    codec = "utf-8" if charset == "utf-8" else "gbk"
    maildir.add(
        mail(
            "MIME-Version: 1.0", f"Content-Type: {kind}; charset={charset}", body=TEXT.encode(codec)
        )
    )
    assert intake.mailbox_poll() == polled(tickets=1)
    assert Ticket.objects.get().description == TEXT
    assert not TicketAttachment.objects.exists()
