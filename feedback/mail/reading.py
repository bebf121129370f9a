"""Reading one email the way mail clients read it (SPEC section 6, "Mail"): charset labels as the
WHATWG Encoding Standard maps them, HTML as readable text, RFC 3834 automated mail recognised, the
bank's receipt time, attachments with their real names. Pure functions: no database, no files of their own.
"""

import binascii
import codecs
import email
import email.policy
import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses
from pathlib import PurePath
from typing import BinaryIO

from django.utils.translation import gettext as _
from inscriptis import get_text

from feedback.mail.structure import calendar_text, forwarded, own_parts, unflowed
from feedback.mail.tnef import TnefFile, tnef_files

# Labels mail software writes, read as the superset browsers and mail clients use for them
# (WHATWG Encoding Standard, "Legacy multi-byte Chinese" and "Legacy single-byte" sections):
# Outlook labels GBK text gb2312, and Big5 mail from Hong Kong carries HKSCS characters.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "euc_kr": "cp949",
    "iso8859-9": "cp1254",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}

# Headers and senders of automated mail (RFC 3834 sections 2 and 5, RFC 2919 list mail, and what
# Exchange and common auto-responders write instead).
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTO_FLAG_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "List-Id")
DAEMON_SENDERS = {"mailer-daemon", "postmaster"}
# What only a machine sends: a report (RFC 6522) or its machine-readable part (delivery status,
# RFC 3464 and 6533; read receipts, RFC 8098; abuse reports, RFC 5965), wherever a gateway put it
# in the message (a forwarded message's parts are the forwarder's, not looked at).
REPORT_TYPES = frozenset(
    {
        "multipart/report",
        "message/delivery-status",
        "message/global-delivery-status",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "message/feedback-report",
    }
)
_BLANK_LINES = re.compile(r"\n{3,}")
# An HTML body longer than this is cut before it is converted (inline images removed first); its
# text then ends with the note of ``body_text``. Far above any message a person writes.
HTML_MAX_CHARS = 1_000_000
# The text kept of a body (a ticket's description, a reply): a person's message is far shorter; a
# longer one is cut with a note saying how much was left out.
BODY_MAX_CHARS = 200_000
# Parts that are never a file: messages (their own parts are) and multipart types left unsplit.
_NOT_FILES = ("message", "multipart")
# The detached signature of a signed message (RFC 8551, RFC 3156).
SIGNATURES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)
# Forwarded messages inside forwarded messages whose text is kept (a deeper one is an attachment).
FORWARDED_DEPTH = 3
_DATA_URI = re.compile(r"data:[a-z]+/[^\s\"'>)]*", re.IGNORECASE)
# Base64 payloads are decoded this many characters at a time (``payload_write``).
DECODE_CHUNK = 1 << 18
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label (aliases above applied), or None when unknown."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    try:
        name = codecs.lookup(CHARSET_ALIASES.get(name, name)).name
    except LookupError:
        return None
    return CHARSET_ALIASES.get(name, name)


# Labels of legacy Chinese encodings: text labelled with one of them that is valid UTF-8 (and not
# plain ASCII) is UTF-8 mislabelled (a web form or script that sends UTF-8 under a gb2312 label);
# GB18030 and Big5 decode nearly any bytes, so the label alone would give mojibake.
_LEGACY_CJK = frozenset({"gb18030", "big5hkscs"})
# UTF-8 text damaged in places (a line a gateway cut inside a character) has many well-formed
# multi-byte characters for each byte that is not UTF-8; text in another encoding, few or none.
_UTF8_DAMAGE_RATIO = 10


def decode_bytes(data: bytes, label: str | None) -> str:
    """Text of ``data`` in the labelled charset; unlabelled or mislabelled bytes are tried as
    UTF-8, then GB18030 (the two encodings Chinese mail arrives in), never failing. A legacy
    Chinese label on valid UTF-8 is read as UTF-8, and UTF-8 with a few damaged bytes (a line a
    gateway cut inside a character) as UTF-8 with those marked; a leading byte order mark is
    dropped."""
    codec = codec_for(label)
    tried = ["utf-8"] if codec in _LEGACY_CJK and not data.isascii() else []
    for candidate in [*tried, *filter(None, [codec]), "utf-8"]:
        try:
            return data.decode(candidate).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    lenient = data.decode("utf-8", errors="replace")
    damaged = lenient.count("\ufffd")
    if (
        len(lenient) - len(lenient.encode("ascii", "ignore")) - damaged
        >= _UTF8_DAMAGE_RATIO * damaged
    ):
        return lenient.removeprefix("\ufeff")
    try:
        return data.decode("gb18030").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return data.decode(codec or "utf-8", errors="replace")


def unescaped(value: str) -> str:
    """A header value with the raw 8-bit bytes the email package keeps as surrogate escapes (a
    name or subject a mail client wrote unencoded, in UTF-8 or GBK) read as text."""
    if not re.search("[\udc80-\udcff]", value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)


def decode_words(value: str) -> str:
    """A header value with RFC 2047 encoded words decoded. Adjacent words in one charset are
    joined before decoding, so a character split across two words (or two folded lines) comes
    out whole; raw 8-bit header bytes are read as UTF-8 or GB18030, beside encoded words too."""
    value = unescaped(value)
    try:
        chunks = decode_header(value)
    except HeaderParseError:  # a damaged encoded word: show the header as it was sent
        chunks = [(value, None)]
    text = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            text.append(chunk)
        elif charset is None:
            # Text between encoded words, which decode_header returns raw-unicode-escaped.
            text.append(chunk.decode("raw-unicode-escape"))
        else:
            text.append(decode_bytes(chunk, charset))
    return re.sub(r"\s*[\r\n]+\s*", " ", "".join(text)).strip()


def raw_header(part: Message, name: str) -> str | None:
    """The first ``name`` header exactly as it was sent (before the email package decodes it)."""
    wanted = name.lower()
    return next((str(v) for k, v in part.raw_items() if k.lower() == wanted), None)


def header_text(part: Message, name: str) -> str:
    raw = raw_header(part, name)
    return decode_words(raw) if raw else ""


def sender_address(message: Message) -> str:
    """The From (else Sender) address, lower-cased; "" when there is no usable one. The address
    is read before encoded words are decoded (RFC 2047 section 5): a display name encoded as
    ``vip@bank.example`` is a name, not the sender; only a header whose address is itself
    wrongly encoded is read decoded."""
    for name in ("From", "Sender"):
        raw = re.sub(r"\s*[\r\n]+\s*", " ", unescaped(raw_header(message, name) or ""))
        for value in (raw, header_text(message, name)):
            for _display, address in getaddresses([value]):
                address = address.strip().lower()
                local, _at, domain = address.rpartition("@")
                if local and "." in domain and not re.search(r"[\s<>]", address):
                    return address
    return ""


def automated_reason(message: Message) -> tuple[str, str] | None:
    """``(reason, evidence)`` when the message was sent by a machine, else None. Reasons are the
    ``HeldMail.Reason`` values; evidence is the header that shows it."""
    auto_submitted = header_text(message, "Auto-Submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        return "auto_submitted", f"Auto-Submitted: {auto_submitted}"
    precedence = header_text(message, "Precedence")
    if precedence.strip().lower() in AUTO_PRECEDENCE:
        return "precedence", f"Precedence: {precedence}"
    for name in AUTO_FLAG_HEADERS:
        value = raw_header(message, name)
        if value is not None:
            return ("mailing_list" if name == "List-Id" else "autoreply_header"), f"{name}: {value}"
    for part in own_parts(message):
        if part.get_content_type() in REPORT_TYPES:
            report = part.get_param("report-type") or ""
            evidence = f"Content-Type: {part.get_content_type()}"
            return "delivery_report", evidence + (f"; report-type={report}" if report else "")
    sender = sender_address(message)
    if sender.partition("@")[0] in DAEMON_SENDERS:
        return "mailer_daemon", f"From: {sender}"
    if (raw_header(message, "Return-Path") or "").strip() == "<>":
        return "mailer_daemon", "Return-Path: <>"
    return None


def html_to_text(html: str) -> str:
    """Readable text of an HTML mail (inscriptis: style and script dropped, entities decoded,
    block elements as paragraphs and <br> as line breaks). Images pasted into the HTML as
    ``data:`` URIs are dropped first and at most ``HTML_MAX_CHARS`` of the rest is converted:
    the HTML tree costs several times its text in memory (lxml)."""
    if len(html) > HTML_MAX_CHARS:
        html = _DATA_URI.sub("", html)[:HTML_MAX_CHARS]
    return get_text(html)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\xa0", " ").splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def part_text(part: Message) -> str:
    data = decoded_payload(part)
    text = decode_bytes(data, part.get_content_charset())
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    elif str(part.get_param("format") or "").lower() == "flowed":
        text = unflowed(text, delsp=str(part.get_param("delsp") or "").lower() == "yes")
    return _tidy(text)


def body_part(message: EmailMessage) -> Message | None:
    return message.get_body(preferencelist=("plain", "html"))


def _fallback_text(part: Message) -> bool:
    """A part read when a message has no text body: an invitation sent alone, or text under a
    multipart type without its boundary (which the email package leaves unsplit)."""
    unsplit = part.get_content_maintype() == "multipart" and not part.is_multipart()
    return unsplit or part.get_content_type() == "text/calendar"


def _own_text(message: EmailMessage, depth: int = 0) -> str:
    """The message's own text, then each message forwarded with it as an attachment (Outlook's
    "Forward as attachment", a complaint about an earlier letter): who sent it, when, its subject
    and its text, so the ticket holds what the client forwarded."""
    part = body_part(message) or next(filter(_fallback_text, own_parts(message)), None)
    text = part_text(part) if part is not None else ""
    if part is not None and part.get_content_type() == "text/calendar":
        text = calendar_text(text)  # its summary, place and description
    texts = [text]
    if depth < FORWARDED_DEPTH:
        for inner in forwarded(message):
            sender, date, subject = (header_text(inner, h) for h in ("From", "Date", "Subject"))
            title = _("Forwarded email")
            head = [
                f"---------- {title} ----------",
                _("From: %(sender)s") % {"sender": sender} if sender else "",
                _("Date: %(date)s") % {"date": date} if date else "",
                _("Subject: %(subject)s") % {"subject": subject} if subject else "",
            ]
            texts.append("\n".join(filter(None, head)) + "\n\n" + _own_text(inner, depth + 1))
    return "\n\n".join(filter(None, texts))


def body_text(message: EmailMessage) -> str:
    """The message's text: its plain-text body, else its HTML body as text, and the text of the
    messages forwarded with it (``_own_text``); "" when none. At most ``BODY_MAX_CHARS``
    characters, then a note of how many were left out."""
    text = _own_text(message)
    if len(text) <= BODY_MAX_CHARS:
        return text
    note = _("(The email's text continues: %(count)s more characters were not kept.)") % {
        "count": len(text) - BODY_MAX_CHARS
    }
    return f"{text[:BODY_MAX_CHARS]}\n\n{note}"


def _safe_filename(name: str) -> str:
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[-150:]


def part_filename(part: Message) -> str:
    """The attachment's name, decoded whole (RFC 2231 parameters and the encoded words Outlook and
    Foxmail put in quoted names, in any charset), without any path; "" when it has none."""
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        raw = raw_header(part, header)
        if not raw:
            continue
        holder = Message()
        holder[header] = unescaped(raw)  # get_param turns raw 8-bit bytes into U+FFFD
        value = holder.get_param(param, header=header)
        if isinstance(value, tuple):
            charset, _language, text = value
            name = decode_bytes(bytes(text, "raw-unicode-escape"), charset or None)
        elif value:
            name = decode_words(str(value))
        else:
            continue
        if name := _safe_filename(name):
            return name
    return ""


@dataclass(frozen=True)
class MailPart:
    """An attached file of an email: its decoded name, declared type and the part itself (the
    payload is decoded only when it is stored, one part at a time)."""

    filename: str
    content_type: str
    part: Message
    # The bytes, when they were read out of the part already (a file inside a winmail.dat).
    data: bytes | None = None

    def write_to(self, out: BinaryIO) -> int:
        """Decode the file into ``out`` (``payload_write``); returns its size in bytes."""
        if self.data is not None:
            return out.write(self.data)
        return payload_write(self.part, out)


def _transfer_encoding(part: Message) -> str:
    return str(part.get("Content-Transfer-Encoding", "")).strip().lower()


def decoded_payload(part: Message) -> bytes:
    """A part's bytes. Base64 and quoted-printable are decoded straight from the parsed text:
    ``get_payload(decode=True)`` splits and re-joins the payload first, several copies of a large
    attachment at once. Damaged encodings fall back to the email package's lenient decoder."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return b""
    encoding = _transfer_encoding(part)
    try:
        if encoding == "base64":
            return binascii.a2b_base64(payload)
        if encoding == "quoted-printable":
            return binascii.a2b_qp(payload)
    except (binascii.Error, ValueError):
        pass
    decoded = part.get_payload(decode=True)
    return decoded if isinstance(decoded, bytes) else b""


def _base64_chunks(payload: str) -> Iterator[bytes] | None:
    """The bytes of a base64 payload, ``DECODE_CHUNK`` characters at a time, the same bytes
    ``binascii.a2b_base64`` gives for the whole text (characters outside the alphabet skipped);
    None when it holds padding anywhere but at its end (that decoder stops at the first one)."""
    first_pad = payload.find("=")
    if first_pad != -1 and (
        len(payload) - first_pad > 8 or payload[first_pad:].strip("= \t\r\n") != ""
    ):
        return None
    end = len(payload) if first_pad == -1 else first_pad
    return _base64_decoded(payload, end, payload[end:].strip())


def _base64_decoded(payload: str, end: int, padding: str) -> Iterator[bytes]:
    carry = ""
    for start in range(0, end, DECODE_CHUNK):
        # Line breaks removed at C speed; other stray characters (rare) by the expression.
        clean = carry + "".join(payload[start : min(start + DECODE_CHUNK, end)].split())
        if _NOT_BASE64.search(clean):
            clean = _NOT_BASE64.sub("", clean)
        whole = len(clean) - len(clean) % 4
        yield binascii.a2b_base64(clean[:whole])
        carry = clean[whole:]
    if carry or padding:
        yield binascii.a2b_base64(carry + padding)


def _ascii_payload(part: Message) -> str | None:
    """The parsed text of a leaf part when it is pure ASCII, else None. Read from the message
    itself: ``get_payload()`` first encodes the whole text to look for undecodable bytes (a
    transient copy of a 28 MB attachment's text); pure ASCII text has none, and ``isascii()`` is
    known without a scan."""
    payload = part._payload  # the email package's own attribute; see above
    return payload if isinstance(payload, str) and payload.isascii() else None


def payload_write(part: Message, out: BinaryIO) -> int:
    """Write a part's bytes (``decoded_payload``) into ``out`` without holding them whole: a
    base64 payload is decoded a chunk at a time (a 20 MB attachment would otherwise be a second
    20 MB copy beside the parsed message). Returns the number of bytes written."""
    payload = _ascii_payload(part) if _transfer_encoding(part) == "base64" else None
    chunks = _base64_chunks(payload) if payload is not None else None
    start = out.tell()
    if chunks is not None:
        try:
            return sum(out.write(chunk) for chunk in chunks)
        except binascii.Error:  # a damaged end: the whole payload, decoded leniently
            out.seek(start)
            out.truncate()
    return out.write(decoded_payload(part))


def attached_files(message: EmailMessage) -> Iterator[MailPart]:
    """Every file the message carries (attachments and inline images, forwarded mail's too),
    not its text body or that body's alternatives."""
    body = body_part(message)
    for index, part in enumerate(message.walk(), start=1):
        if part.is_multipart() or part is body or part.get_content_maintype() in _NOT_FILES:
            continue
        if part.get_content_type() in SIGNATURES:
            continue  # the signature of a signed message (S/MIME, PGP), not a file the client sent
        filename = part_filename(part)
        disposition = part.get_content_disposition()
        if not filename and disposition != "attachment" and part.get_content_maintype() == "text":
            continue  # another rendering of the text (the HTML beside the plain body)
        content_type = part.get_content_type()
        tnef = content_type == "application/ms-tnef" or filename.lower() == "winmail.dat"
        if tnef and (inner := tnef_files(decoded_payload(part))):
            yield from _tnef_parts(part, inner, index)
            continue
        # A name without an extension (a scanner's "扫描件", a phone's "IMG_0012") is given the
        # declared type's, as a nameless part is: what it is kept as still goes by the name.
        extension = mimetypes.guess_extension(content_type) or ""
        if not filename:
            filename = f"attachment-{index}{extension}"
        elif not PurePath(filename).suffix:
            filename += extension
        yield MailPart(filename=filename, content_type=content_type, part=part)


def _tnef_parts(part: Message, files: list[TnefFile], index: int) -> Iterator[MailPart]:
    """The files inside a winmail.dat, each under its own name (``feedback.mail.tnef``)."""
    for number, file in enumerate(files, start=1):
        name = _safe_filename(file.name) or f"attachment-{index}-{number}"
        yield MailPart(name, "application/octet-stream", part, data=file.data)


def parse(handle: BinaryIO) -> EmailMessage:
    """Parse from a binary file, in chunks, without first reading it whole into memory."""
    message = email.message_from_binary_file(handle, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message
