"""A message's parts as a person sent them: its own parts (not those of a message forwarded with
it) and the messages it forwards as attachments."""

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
