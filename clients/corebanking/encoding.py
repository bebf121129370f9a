"""The text encoding of a core-banking file (SPEC section 2): UTF-8 (with or without BOM), else
GB18030 when it is plausible. GB18030 gives some character for nearly any bytes, so a file in
another encoding (Big5 from a Hong Kong or Taiwan system) decodes without error into nonsense;
what gives it away is characters no Chinese text holds: private-use and unassigned code points.
Such a file is refused whole, with the encoding charset-normalizer sees in it as advice."""

import codecs
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from typing import IO

from charset_normalizer import from_bytes

from core.messages import Text
from core.messages import neutral as _

# Tried in this order when the user names no encoding.
AUTO_ENCODINGS = ("utf-8-sig", "gb18030")
# The encodings the upload page offers, by codec name (``codecs.lookup(...).name``), with the
# label staff see.
UPLOAD_ENCODINGS = {"utf-8-sig": "UTF-8", "gb18030": "GB18030", "big5hkscs": "Big5"}
# Every Big5 variant charset-normalizer may name; the upload reads them all as Big5-HKSCS.
_BIG5 = frozenset({"big5", "big5hkscs", "cp950"})
# Decoded text in these must be plausible: any byte string decodes in them.
CHECKED = frozenset({"gb18030"})
_IMPLAUSIBLE = ("Co", "Cn")
# Bytes charset-normalizer looks at: enough for names, cheap on a large file.
SAMPLE_BYTES = 256 * 1024


class ImplausibleText(ValueError):
    """Decoded text holds a private-use or unassigned character on physical line ``line``."""

    def __init__(self, line: int, char: str):
        super().__init__(line, char)
        self.line, self.char = line, char


@cache
def _implausible_pattern() -> re.Pattern:
    """One character class: the private-use and unassigned code points of the BMP (worked out
    once from the running Python's Unicode data), the unassigned planes 4-13 and the private-use
    planes 15-16. Planes 1-3 and 14 (CJK extensions used in names, symbols) are checked per
    character by ``implausible_char``."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF or unicodedata.category(chr(code)) not in _IMPLAUSIBLE:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    ranges += [(0x40000, 0xDFFFF), (0xF0000, 0x10FFFF)]
    body = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{body}]")


_OTHER_ASTRAL = re.compile("[\U00010000-\U0003ffff\U000e0000-\U000effff]")


def implausible_char(text: str) -> str | None:
    """The first private-use or unassigned character in ``text``, or None."""
    found = _implausible_pattern().search(text)
    if found:
        return found.group()
    for match in _OTHER_ASTRAL.finditer(text):
        if unicodedata.category(match.group()) in _IMPLAUSIBLE:
            return match.group()
    return None


def plausible_lines(lines: Iterable[str]) -> Iterator[str]:
    """``lines`` unchanged; raises ``ImplausibleText`` at the first line that is not plausible."""
    for number, line in enumerate(lines, start=1):
        char = implausible_char(line)
        if char is not None:
            raise ImplausibleText(number, char)
        yield line


def likely_encoding(file: IO[bytes]) -> str | None:
    """The encoding charset-normalizer finds in the file's first ``SAMPLE_BYTES`` (a Python codec
    name, such as ``big5``), or None when it cannot tell or finds one we already tried."""
    file.seek(0)
    best = from_bytes(file.read(SAMPLE_BYTES)).best()
    if best is None or best.encoding in ("utf_8", "gb18030", "ascii"):
        return None
    return best.encoding


def encoding_label(codec: str) -> str:
    """What staff call the Python codec ``codec``: the upload page's label (``Big5`` for every
    Big5 variant), else its canonical name in capitals (``cp1252`` -> ``CP1252``)."""
    try:
        name = codecs.lookup(codec).name
    except LookupError:
        return codec
    if name in _BIG5:
        return "Big5"
    if name.startswith("utf-8"):
        return "UTF-8"
    return UPLOAD_ENCODINGS.get(name, name.upper().replace("_", "-"))


def implausible_message(exc: ImplausibleText, guess: str | None) -> Text:
    """The refusal of a file that is neither UTF-8 nor plausible GB18030 (language-neutral), with advice for the upload page's Encoding field and the command's ``--encoding``
    (``guess``: the codec ``likely_encoding`` found, or None)."""
    found = _(
        "The file is neither UTF-8 nor GB18030: line %(line)d holds a character that no "
        "Chinese text uses, so the core banking system wrote it in another encoding."
    ) % {"line": exc.line}
    if guess is None:
        advice = _(
            "Find out which encoding it is in and choose it under Encoding on the upload page "
            "(on the command line: --encoding ENCODING), or save the file as UTF-8."
        )
    elif codecs.lookup(guess).name in _BIG5:
        advice = _(
            "It looks like %(label)s: choose %(label)s under Encoding on the upload "
            "page (on the command line: --encoding %(codec)s)."
        ) % {"label": "Big5", "codec": "big5hkscs"}
    else:
        advice = _(
            "It looks like %(label)s, which the upload page does not offer: import it on the "
            "command line with --encoding %(codec)s, or save the file as UTF-8."
        ) % {"label": encoding_label(guess), "codec": guess}
    return Text("%(found)s %(advice)s", {"found": found, "advice": advice})


def undecodable_message(codec: str) -> Text:
    """The refusal of a file that is not valid text in ``codec`` (the one chosen, or the last
    one tried), language-neutral, without Python's own wording."""
    return _(
        "The file is not valid %(label)s text. Choose the encoding it was written in under "
        "Encoding on the upload page (on the command line: --encoding ENCODING), or save the "
        "file as UTF-8."
    ) % {"label": encoding_label(codec)}


def unknown_encoding_message(codec: str) -> Text:
    """The refusal of an encoding name Python does not know (the command's ``--encoding``)."""
    return _("Unknown encoding %(encoding)s: use a name such as utf-8, gb18030 or big5hkscs.") % {
        "encoding": codec
    }


# What a file that is not CSV text starts with, and what it is (SPEC section 2: CSV files).
_NOT_CSV = (
    (b"PK\x03\x04", _("an Excel workbook (XLSX) or a zip archive")),
    (b"\xd0\xcf\x11\xe0", _("an Excel workbook (XLS)")),
    (b"\xff\xfe", _('UTF-16 text (Excel\'s "Unicode text")')),
    (b"\xfe\xff", _('UTF-16 text (Excel\'s "Unicode text")')),
    (b"%PDF", _("a PDF document")),
    (b"\x1f\x8b", _("a gzip archive")),
)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def not_csv_message(file: IO[bytes], *, named: bool = False) -> Text | None:
    """The refusal of a file that is, by its first bytes, not CSV text at all (an Excel workbook
    saved instead of exported, an archive), or UTF-16 text when no encoding was ``named``; None
    for any other file. Reads from the start and leaves the file there."""
    file.seek(0)
    start = file.read(8)
    file.seek(0)
    for magic, what in _NOT_CSV:
        if start.startswith(magic) and not (named and magic in _UTF16):
            return _(
                "The file is not a CSV file: it is %(what)s. Save or export it as CSV "
                "(UTF-8) and import that file."
            ) % {"what": what}
    return None
