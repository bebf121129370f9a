"""The IMAP feedback folder as a bank names it: in Chinese (客户反馈), with spaces, nested, or with
an ampersand, written percent-encoded in FEEDBACK_IMAP_URL. It is selected by its IMAP name
(modified UTF-7, RFC 3501 section 5.1.3, quoted when needed); a folder the server refuses is a
clear error, never a poll that searches a mailbox it never opened."""

import imaplib
from urllib.parse import quote

import pytest

from feedback.mail.sources import ImapSource, imap_mailbox

FOLDERS = [
    ("INBOX", "INBOX"),
    ("Feedback", "Feedback"),
    ("台北", "&U,BTFw-"),  # RFC 3501's own example
    ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
    ("客户反馈", "&W6JiN1PNmYg-"),
    ("VIP Feedback", '"VIP Feedback"'),
    ("收件箱/VIP 反馈", '"&ZTZO9nux-/VIP &U82ZiA-"'),
    ("A&B", "A&-B"),
]


class FakeImap:
    def __init__(self, status: str = "OK"):
        self.status, self.selected = status, None

    def login(self, user, password):
        return "OK", [b""]

    def select(self, mailbox):
        self.selected = mailbox
        return self.status, [b"0"]


@pytest.mark.parametrize(("folder", "mailbox"), FOLDERS)
def test_a_folder_named_any_way_is_selected_by_its_imap_name(monkeypatch, folder, mailbox):
    fake = FakeImap()
    monkeypatch.setattr(imaplib, "IMAP4_SSL", lambda host, port: fake)
    source = ImapSource(f"imaps://fb:pw@imap.bank.example/{quote(folder)}")
    assert source.folder == folder
    source._connect()
    assert fake.selected == mailbox == imap_mailbox(folder)


def test_a_folder_the_server_refuses_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(imaplib, "IMAP4_SSL", lambda host, port: FakeImap("NO"))
    source = ImapSource(f"imaps://fb:pw@imap.bank.example/{quote('客户反馈')}")
    with pytest.raises(imaplib.IMAP4.error, match="客户反馈"):
        list(source.pending())
    assert source._conn is None  # the next poll tries again
