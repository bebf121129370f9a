"""Outlook's winmail.dat (TNEF): the files inside it are kept on the ticket under their own names
(the long file name from the MAPI properties, in UTF-16 or the OEM code page, else the title in
cp936 as a Chinese Outlook writes it); a winmail.dat that is not TNEF, or is cut short, loses
nothing it holds that can be read and never stops the intake."""

import base64
import struct

import pytest

from feedback.mail import intake
from feedback.mail.tnef import tnef_files
from feedback.models import Ticket, TicketAttachment
from tests.feedback.mailtools import polled

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 statement"
NAME = "对账单（2026年11月）.pdf"


def attribute(level: int, tag: int, kind: int, value: bytes) -> bytes:
    checksum = struct.pack("<H", sum(value) & 0xFFFF)
    return bytes([level]) + struct.pack("<HHI", tag, kind, len(value)) + value + checksum


def mapi_long_name(name: str, unicode: bool = True) -> bytes:
    """An attachment's MAPI properties: a number, a named boolean, then the long file name."""
    raw = (name.encode("utf-16-le") + b"\x00\x00") if unicode else name.encode("cp936") + b"\x00"
    props = struct.pack("<I", 3)
    props += struct.pack("<HHI", 0x0003, 0x0E21, 7)  # PR_ATTACH_NUM, a long
    props += struct.pack("<HH", 0x000B, 0x8001) + b"\x11" * 16 + struct.pack("<III", 0, 5, 1)
    props += struct.pack("<HHII", 0x001F if unicode else 0x001E, 0x3707, 1, len(raw))
    return props + raw + b"\x00" * (-len(raw) % 4)


def winmail(*files: tuple[str, bytes, str]) -> bytes:
    """A TNEF stream from a Chinese Outlook (OEM code page 936) with ``(title, data, long)``."""
    data = struct.pack("<IH", 0x223E9F78, 0x0101)
    data += attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))
    data += attribute(1, 0x9007, 0x0006, struct.pack("<II", 936, 0))
    for title, content, long_name in files:
        data += attribute(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
        data += attribute(2, 0x8010, 0x0001, title.encode("cp936") + b"\x00")
        data += attribute(2, 0x800F, 0x0006, content)
        if long_name:
            data += attribute(2, 0x9005, 0x0006, mapi_long_name(*long_name))
    return data


def outlook_mail(tnef: bytes) -> bytes:
    body = (
        b"--B\r\nContent-Type: text/plain; charset=gb2312\r\n\r\n"
        + "附件是对账单。".encode("gbk")
        + b'\r\n--B\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
        + b'Content-Disposition: attachment; filename="winmail.dat"\r\n'
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(tnef)
        + b"--B--\r\n"
    )
    head = (
        "From: wang.fang@mail.example\r\nSubject: 对账单\r\nMessage-ID: <tnef@mail.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
    )
    return head.encode() + body


CASES = {
    "unicode long name": ((("DUIZHA~1.PDF", PDF, (NAME, True)),), [NAME]),
    "cp936 long name": ((("DUIZHA~1.PDF", PDF, (NAME, False)),), [NAME]),
    "cp936 title only": ((("对账单.pdf", PDF, None),), ["对账单.pdf"]),
    "two files": (
        (("a.pdf", PDF, None), ("照片.jpg", b"\xff\xd8\xff jpeg", None)),
        ["a.pdf", "照片.jpg"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_files_inside_a_winmail_dat_are_kept_under_their_names(maildir, case):
    files, kept = CASES[case]
    maildir.add(outlook_mail(winmail(*files)))
    assert intake.mailbox_poll() == polled(tickets=1)
    assert [a.filename for a in TicketAttachment.objects.order_by("pk")] == kept
    assert TicketAttachment.objects.first().file.read() == files[0][1]
    assert Ticket.objects.get().description == "附件是对账单。"


def test_a_file_of_a_type_not_accepted_inside_it_is_named_as_not_kept(maildir):
    maildir.add(outlook_mail(winmail(("a.pdf", PDF, None), ("setup.exe", b"MZ", None))))
    intake.mailbox_poll()
    assert [a.filename for a in TicketAttachment.objects.all()] == ["a.pdf"]
    assert "setup.exe" in Ticket.objects.get().description


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"not tnef at all",
        lambda data: data[:-7],  # cut inside the last attribute
        lambda data: data[:40],
        lambda data: data[:4],
        lambda data: b"",
    ],
    ids=["not-tnef", "cut-late", "cut-early", "signature-only", "empty"],
)
def test_a_damaged_winmail_dat_never_stops_the_intake(maildir, damage):
    data = damage(winmail(("a.pdf", PDF, None), ("b.pdf", PDF, (NAME, True))))
    maildir.add(outlook_mail(data))
    assert intake.mailbox_poll() == polled(tickets=1)
    names = [a.filename for a in TicketAttachment.objects.all()]
    assert names in ([], ["a.pdf"], ["a.pdf", "b.pdf"])  # what was read before the damage
    if not tnef_files(data):
        assert "winmail.dat" in Ticket.objects.get().description  # named as not kept
