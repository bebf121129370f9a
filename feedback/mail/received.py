"""When the bank received an email (SPEC section 6: the SLA clock starts when the bank's mail
server received it): the newest Received header of the bank's own servers, else Date, read in
the forms mail software writes them."""

import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from django.conf import settings

# China Standard Time by the names Chinese mail servers and Java-based systems write it, as the
# zone at the end of a date (with an optional comment after it).
_CHINA_ZONE = re.compile(r"(?<=\s)(?:CST|BJT|CCT)(?=\s*(?:\(.*\))?$)", re.IGNORECASE)
_BY_HOST = re.compile(r"\bby\s+([^\s;()]+)", re.IGNORECASE)


def _mail_date(value: str) -> datetime | None:
    """A Date or Received time: RFC 5322, else ISO 8601 (some scripts and gateways write it; a
    time without an offset is the bank's). A zone written as a name Chinese systems use for
    China Standard Time (``CST``, which the email package reads as US Central, 14 hours off;
    ``BJT``) is +08:00; "-0000" means "zone unknown" (RFC 5322 section 3.3): read as UTC."""
    text = _CHINA_ZONE.sub("+0800", value.strip())
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _bank_received(message: Message, servers: tuple[str, ...]) -> datetime | None:
    """The time on the newest (topmost) Received header added by one of ``servers``; with no
    servers configured, the topmost one: it is always written by the server that delivered
    the message into our mailbox, which a sender cannot forge."""
    for name, value in message.raw_items():
        if name.lower() != "received":
            continue
        text = re.sub(r"\s+", " ", str(value))
        by = _BY_HOST.search(text.split(";")[0])
        host = by.group(1).lower().rstrip(".") if by else ""
        if servers and not any(host == s or host.endswith("." + s) for s in servers):
            continue
        return _mail_date(text.rpartition(";")[2]) if ";" in text else None
    return None


def received_at(message: Message, *, now: datetime, servers: tuple[str, ...] = ()) -> datetime:
    """When the bank received the message: the bank's newest Received header, else Date:, never
    later than ``now`` (the poll) and so never in the future."""
    date = next((str(value) for name, value in message.raw_items() if name.lower() == "date"), "")
    found = _bank_received(message, servers) or _mail_date(re.sub(r"\s+", " ", date))
    return min(found, now) if found else now
