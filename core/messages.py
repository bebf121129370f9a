"""Messages kept language-neutral until someone reads them (issue 14): the untranslated message id
and its parameters, rendered in the reader's language by ``str()``. What is stored for later
readers (an import's rejection reasons) is ``Text.to_json()``, never translated text, so a run
uploaded by a Chinese supervisor reads in English to an English one and the other way round.

``neutral`` is imported as ``_`` where such messages are made, so ``makemessages`` extracts their
ids as usual: ``_("bad date (expected %(format)s)") % {"format": "YYYY-MM-DD"}`` is a ``Text``.
A parameter may itself be a ``Text`` (a reason inside a reason), rendered in the same language.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


class Text:
    """A message id and its parameters; ``str()`` renders it in the active language."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: Mapping[str, Any] | None = None):
        self.msgid = msgid
        self.params = dict(params) if params is not None else None

    def __mod__(self, params: Mapping[str, Any]) -> "Text":
        return Text(self.msgid, params)

    def __str__(self) -> str:
        text = gettext(self.msgid)
        if self.params is None:
            return text
        return text % {key: _rendered(value) for key, value in self.params.items()}

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return (self.msgid, self.params) == (other.msgid, other.params)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.msgid)

    def to_json(self) -> dict:
        """``{"msgid": ..., "params": {...}}``, nested ``Text`` parameters likewise."""
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.params is not None:
            data["params"] = {
                key: value.to_json() if isinstance(value, Text) else value
                for key, value in self.params.items()
            }
        return data

    @classmethod
    def from_json(cls, data: Any) -> "Text | str":
        """The ``Text`` that ``to_json`` stored; text stored before messages were kept neutral
        (already translated) is returned as it is."""
        if not isinstance(data, dict) or "msgid" not in data:
            return "" if data is None else str(data)
        params = data.get("params")
        if params is not None:
            params = {
                key: cls.from_json(value) if _is_text(value) else value
                for key, value in params.items()
            }
        return cls(str(data["msgid"]), params)


def _is_text(value: Any) -> bool:
    return isinstance(value, dict) and "msgid" in value


def _rendered(value: Any) -> Any:
    return str(value) if isinstance(value, Text) else value


def neutral(msgid: str) -> Text:
    """A language-neutral message (import it as ``_`` so ``makemessages`` finds the id)."""
    return Text(msgid)


def render(value: Any) -> str:
    """A stored reason in the active language: a ``Text``'s JSON, or legacy text as it is."""
    return str(Text.from_json(value))


# What a message to staff may be given as: plain text (data such as a ticket's subject, or a
# user's words, shown as they are), a lazy message (``gettext_lazy``, a ``Text``), or a function
# without arguments that writes the message with ``gettext`` (formatted text, plurals, dates).
Message = str | Promise | Text | Callable[[], str]


def in_language(language: str, message: Message) -> str:
    """``message`` written in ``language`` (a ``User.language``): the one rule for text that is
    addressed to someone (a notification, its mail), so each recipient reads it in their own
    language whatever language the worker, the request or another recipient is in. A lazy
    message or a function is rendered under ``translation.override``; plain text is data and
    returned as it is. Text formatted with ``gettext`` before the recipient is known is already
    in the sender's language: pass the function that formats it instead. A recipient without a
    language reads the site's default (``LANGUAGE_CODE``), as the pages show it to them, not the
    untranslated message ids."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return message() if callable(message) else str(message)


# The longest part of a value a reason quotes (a bad value may be a whole paragraph).
QUOTED_MAX = 40


def quoted(value: str) -> str:
    """A value as a row reason quotes it: as written, cut to ``QUOTED_MAX`` characters with "…"
    (the one form of an import's reasons: ``what: "value" (expected)``). A NUL character shows
    as ``\\0``: PostgreSQL stores none in text or JSON, and a reader could not see it."""
    value = value.replace("\x00", "\\0")
    return value if len(value) <= QUOTED_MAX else value[:QUOTED_MAX] + "…"
