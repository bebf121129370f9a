"""The files inside an Outlook ``winmail.dat`` (TNEF, MS-OXTNEF): Outlook and Exchange wrap a rich
text message's attachments in it, so without reading it a client's statement or photo would be
named on the ticket as a file not kept. Only what the intake needs is read: each attachment's
name (its long file name when the MAPI properties give one, else its title, in the message's OEM
code page, cp936 from a Chinese Outlook) and its bytes. Anything that does not read as TNEF gives
no files, and the ``winmail.dat`` itself is then handled as any other attachment."""

import struct
from dataclasses import dataclass

SIGNATURE = 0x223E9F78
LEVEL_ATTACHMENT = 2
# Attribute ids (the low 16 bits of the attribute tag).
ATT_ATTACH_DATA = 0x800F
ATT_ATTACH_TITLE = 0x8010
ATT_ATTACH_REND_DATA = 0x9002  # starts each attachment
ATT_ATTACHMENT = 0x9005  # the attachment's MAPI properties
ATT_OEM_CODEPAGE = 0x9007
# MAPI: the long file name property and the types a property stream holds.
PR_ATTACH_LONG_FILENAME = 0x3707
PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x1E, 0x1F, 0x102, 0x0D
_VARIABLE = {PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT}
_FIXED = {0x1: 4, 0x2: 4, 0x3: 4, 0x4: 4, 0x5: 8, 0x6: 8, 0x7: 8, 0xA: 4, 0xB: 4, 0x14: 8, 0x40: 8}
_FIXED[0x48] = 16
MULTI = 0x1000


@dataclass
class TnefFile:
    name: str
    data: bytes


class _Reader:
    def __init__(self, data: bytes, offset: int = 0):
        self.data, self.offset = data, offset

    def take(self, size: int) -> bytes:
        if size < 0 or self.offset + size > len(self.data):
            raise ValueError("truncated")
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk

    def u16(self) -> int:
        return int(struct.unpack("<H", self.take(2))[0])

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])


def _text(raw: bytes, codepage: str) -> str:
    for codec in (codepage, "utf-8", "gb18030"):
        try:
            return raw.split(b"\x00")[0].decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.split(b"\x00")[0].decode("latin-1")


def _long_filename(props: bytes, codepage: str) -> str:
    """PR_ATTACH_LONG_FILENAME from an attachment's MAPI property stream, "" if absent or
    unreadable."""
    reader = _Reader(props)
    try:
        for _index in range(reader.u32()):
            kind, tag = reader.u16(), reader.u16()
            if tag >= 0x8000:  # a named property: its GUID and its name or number
                reader.take(16)
                if reader.u32() == 0:
                    reader.take(4)
                else:
                    length = reader.u32()
                    reader.take(length + (-length % 4))
            base = kind & ~MULTI
            count = reader.u32() if base in _VARIABLE or kind & MULTI else 1
            for _value in range(count):
                if base in _VARIABLE:
                    length = reader.u32()
                    value = reader.take(length)
                    reader.take(-length % 4)
                    if tag == PR_ATTACH_LONG_FILENAME and base == PT_UNICODE:
                        return value.decode("utf-16-le", "replace").split("\x00")[0]
                    if tag == PR_ATTACH_LONG_FILENAME and base == PT_STRING8:
                        return _text(value, codepage)
                elif base in _FIXED:
                    reader.take(_FIXED[base])
                else:
                    return ""
    except (ValueError, struct.error):
        return ""
    return ""


def tnef_files(data: bytes) -> list[TnefFile]:
    """The attachments of a TNEF stream, in order; [] when it is not one (or holds none)."""
    reader = _Reader(data)
    files: list[TnefFile] = []
    codepage = "cp1252"
    try:
        if reader.u32() != SIGNATURE:
            return []
        reader.take(2)  # the legacy key
        while reader.offset < len(data):
            level = reader.take(1)[0]
            tag = reader.u32() & 0xFFFF
            value = reader.take(reader.u32())
            reader.take(2)  # checksum
            if tag == ATT_OEM_CODEPAGE and len(value) >= 4:
                codepage = f"cp{struct.unpack('<I', value[:4])[0]}"
            if level != LEVEL_ATTACHMENT:
                continue
            if tag == ATT_ATTACH_REND_DATA or not files:
                files.append(TnefFile(name="", data=b""))
            if tag == ATT_ATTACH_TITLE and not files[-1].name:
                files[-1].name = _text(value, codepage)
            elif tag == ATT_ATTACH_DATA:
                files[-1].data = value
            elif tag == ATT_ATTACHMENT and (long_name := _long_filename(value, codepage)):
                files[-1].name = long_name
    except (ValueError, IndexError, struct.error):
        pass  # a damaged end: the files read so far
    return [f for f in files if f.name or f.data]
