"""A message's parts as a person sent them: its own parts (not those of a message forwarded with
it), the messages it forwards as attachments, what an invitation says, and flowed text."""

import re
from collections.abc import Iterator
from email.message import EmailMessage, Message


def own_parts(part: Message) -> Iterator[Message]:
    """``part`` and its parts, as ``walk()``, but not the parts of a forwarded message
    (message/rfc822): those are another message's."""
    yield part
    if part.get_content_type() == "message/rfc822":
        return
    payload = part.get_payload() if part.is_multipart() else None
    for sub in payload or ():
        if isinstance(sub, Message):
            yield from own_parts(sub)


def forwarded(message: Message) -> Iterator[EmailMessage]:
    """The messages forwarded as attachments of ``message`` (not those inside them)."""
    for part in own_parts(message):
        if part is not message and part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, EmailMessage):
                yield inner


# What a person wrote in an invitation (RFC 5545), each once, in this order.
CALENDAR_FIELDS = ("SUMMARY", "LOCATION", "DESCRIPTION")
_ICS_ESCAPE = re.compile(r"\\([\\,;nN])")


def calendar_text(ics: str) -> str:
    """The summary, location and description of an iCalendar text, unfolded and unescaped."""
    found: dict[str, str] = {}
    for line in re.sub(r"\r?\n[ \t]", "", ics).splitlines():
        name, _colon, value = line.partition(":")
        field = name.split(";")[0].strip().upper()
        if field in CALENDAR_FIELDS and value.strip() and field not in found:
            found[field] = _ICS_ESCAPE.sub(lambda m: "\n" if m[1] in "nN" else m[1], value)
    return "\n".join(found[field] for field in CALENDAR_FIELDS if field in found)


def unflowed(text: str, *, delsp: bool) -> str:
    """Text sent as format=flowed (RFC 3676; Apple Mail, iOS) as it was written: a line ending
    in a space goes on in the next (with delsp=yes, as Chinese text is sent, without that
    space), space-stuffing is removed, and the signature separator stays a line of its own."""
    lines: list[str] = []
    pending = ""
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        line = line[1:] if line.startswith(" ") else line
        if line.endswith(" ") and line != "-- ":
            pending += line[:-1] if delsp else line
            continue
        lines.append(pending + line)
        pending = ""
    return "\n".join([*lines, pending] if pending else lines)
