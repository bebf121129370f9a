"""Generated mail: hundreds of messages combining what real mail clients send (charsets and their
labels, transfer encodings, HTML and plain bodies, attachments with names in any form, forwarded
messages, signatures, odd dates and Message-IDs), then the same messages damaged (cut, bytes
flipped, headers doubled). One poll takes them all: none is lost, none crashes the poll, every
intact one becomes a ticket with its text and files, and a damaged one is a ticket or is held."""

import base64
import quopri
import random

import pytest
from django.utils import translation

from feedback.mail import intake
from feedback.models import HeldMail, Ticket, TicketAttachment

pytestmark = pytest.mark.django_db

TEXTS = [
    "您好，我的信用卡被冻结了，请尽快回电。",
    "香港的客戶來信",
    "Dear bank, 王芳 here.",
    "こんにちは",
]
CODECS = {
    "utf-8": "utf-8",
    "gb2312": "gbk",
    "gbk": "gbk",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
}
NAMES = ["对账单.pdf", "扫描件", "photo.jpg", "申请表（签字）.docx", "report.PDF"]


def _encoded(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    cte = rng.choice(["8bit", "base64", "quoted-printable"])
    if cte == "base64":
        return cte, base64.encodebytes(data)
    if cte == "quoted-printable":
        return cte, quopri.encodestring(data)
    return cte, data


def _text_part(text: str, rng: random.Random, html: bool = False) -> bytes:
    label = rng.choice([*CODECS, None])
    codec = CODECS.get(label or "", "utf-8")
    if not _encodable(text, codec):
        label, codec = "utf-8", "utf-8"
    body = f"<html><style>p{{}}</style><p>{text}</p></html>" if html else text
    cte, data = _encoded(body.encode(codec), rng)
    kind = "text/html" if html else "text/plain"
    charset = f"; charset={label}" if label else ""
    return (
        f"Content-Type: {kind}{charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n".encode() + data
    )


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _name_param(name: str, rng: random.Random) -> bytes:
    form = rng.randrange(4)
    if form == 0:  # RFC 2231
        quoted = "".join(f"%{b:02X}" for b in name.encode())
        return f"filename*=utf-8''{quoted}".encode()
    if form == 1:  # an encoded word in quotes (Outlook, Foxmail)
        return f'filename="=?utf-8?B?{base64.b64encode(name.encode()).decode()}?="'.encode()
    codec = rng.choice(["utf-8", "gbk"])  # raw 8-bit
    return b'filename="' + name.encode(codec) + b'"'


def _attachment(rng: random.Random) -> tuple[bytes, str]:
    name = rng.choice(NAMES)
    kind = {"pdf": "application/pdf", "jpg": "image/jpeg"}.get(name.rsplit(".", 1)[-1].lower())
    kind = kind or ("application/pdf" if "." not in name else "application/octet-stream")
    head = f"Content-Type: {kind}\r\nContent-Transfer-Encoding: base64\r\n".encode()
    head += b"Content-Disposition: attachment; " + _name_param(name, rng) + b"\r\n\r\n"
    return head + base64.encodebytes(b"%PDF-1.4 " + rng.randbytes(50)), name


def message(index: int, rng: random.Random) -> tuple[bytes, str]:
    text = rng.choice(TEXTS)
    parts = [_text_part(text, rng)]
    if rng.random() < 0.3:
        parts = [
            b'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n--ALT\r\n'
            + parts[0]
            + b"\r\n--ALT\r\n"
            + _text_part(text, rng, html=True)
            + b"\r\n--ALT--\r\n"
        ]
    for _ in range(rng.randrange(3)):
        parts.append(_attachment(rng)[0])
    if rng.random() < 0.2:
        parts.append(
            b"Content-Type: message/rfc822\r\n\r\nFrom: li.si@other.example\r\nSubject: old\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "转发的正文".encode() + b"\r\n"
        )
    subject = rng.choice(["信用卡", "=?gb2312?B?0MXTw7+o?=", "=?utf-8?Q?=E4=BF=A1=E7=94=A8?=", ""])
    date = rng.choice(["Mon, 2 Nov 2026 09:00:00 +0800", "Mon, 2 Nov 2026 09:00:00 CST", "x", ""])
    headers = [
        f"From: =?utf-8?B?{base64.b64encode('王芳'.encode()).decode()}?= <c{index}@mail.example>",
        "To: feedback@bank.example",
        f"Subject: {subject}",
        f"Message-ID: <gen-{index}@mail.example>",
        f"Date: {date}",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="MIX"',
    ]
    body = b"".join(b"--MIX\r\n" + part + b"\r\n" for part in parts) + b"--MIX--\r\n"
    return "\r\n".join(headers).encode() + b"\r\n\r\n" + body, text


def damaged(data: bytes, rng: random.Random) -> bytes:
    how = rng.randrange(4)
    if how == 0:
        return data[: rng.randrange(len(data))]
    if how == 1:
        data = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if how == 2:
        head, _sep, rest = data.partition(b"\r\n\r\n")
        return head + b"\r\n" + head + b"\r\n\r\n" + rest  # every header twice
    return data.replace(b"\r\n", b"\n")


def test_every_generated_message_becomes_a_ticket_with_its_text_and_files(maildir):
    rng = random.Random(20261130)
    expected = {}
    for index in range(250):
        data, text = message(index, rng)
        maildir.add(data)
        expected[f"<gen-{index}@mail.example>"] = text
    with translation.override("en"):
        counts = intake.mailbox_poll()
    assert counts["tickets"] == 250, counts
    assert not HeldMail.objects.exists()
    for ticket in Ticket.objects.all():
        assert ticket.description.startswith(expected[ticket.source_message_id]), ticket.description
        assert "\ufffd" not in ticket.description + ticket.subject
        assert "not kept" not in ticket.description, ticket.description
    assert TicketAttachment.objects.exists()
    assert not TicketAttachment.objects.filter(filename__contains="\ufffd").exists()


def test_damaged_messages_never_stop_the_poll_and_none_is_lost(maildir):
    rng = random.Random(7)
    for index in range(250):
        maildir.add(damaged(message(index, rng)[0], rng))
    counts = intake.mailbox_poll()
    assert counts["failed"] == 0
    assert sum(counts.values()) == 250, counts
    kept = Ticket.objects.count() + HeldMail.objects.count()
    assert kept == 250 - counts["duplicates"] - counts["replies"]
    assert not list(maildir.iterkeys()) or all(
        "S" in maildir.get_message(key).get_flags() for key in maildir.iterkeys()
    )
