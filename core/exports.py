"""Every CSV and XLSX file the product writes goes through this module (SPEC section 9 exports;
issue 12 point 12, OWASP "CSV injection").

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
tab or carriage return let the same text hide behind whitespace. A client's name or a ticket's
subject comes from outside the bank, so a text cell starting with one of those characters is
neutralised:

- in CSV it gets a leading apostrophe (``'=HYPERLINK(...)``), which spreadsheet programs show as
  text and which a reader can strip;
- in XLSX it stays exactly as typed but is written as a string cell (never a formula) and marked
  "quote prefix", so Excel keeps it text even when the cell is edited.

Only text is touched: numbers (``int``, ``Decimal``), dates and times are written as what they are,
so negative money stays a number (``-1234.50``) and is formatted by the cell's number format in
XLSX, never prefixed. That is why this is one small helper and not ``defusedcsv``: that library
covers the ``csv`` module only, would leave the XLSX path to a second rule, and escapes every cell
by its text (so ``-1234.50`` written as text is prefixed too).
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A BOM so Excel opens the Chinese text as UTF-8.
BOM = "\ufeff"

# Number formats by column kind (XLSX); CSV writes the exact value.
NUMBER_FORMATS = {
    "money": "¥#,##0.00",
    "rate": "0.00%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "multiple": "0.00",
    "int": "0",
}


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet program would run or hide: it starts with one of
    ``FORMULA_TRIGGERS``."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value: object) -> object:
    """One value as the CSV cell to write: ``None`` → ``""``; an aware datetime → local
    ``YYYY-MM-DD HH:MM``; a date → ISO; a bool/number unchanged (so ``Decimal("-1.50")`` is
    written ``-1.50``); any other value as text, with a leading ``'`` when it is formula-like."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool | int | Decimal | float):
        return value
    text = str(value)
    return "'" + text if is_formula_like(text) else text


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming."""

    def write(self, text: str) -> str:
        return text


def csv_lines(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True
) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` one line at a time (every cell through
    ``csv_cell``), starting with a BOM unless ``bom=False``."""
    writer = csv.writer(_Echo())
    yield (BOM if bom else "") + writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_write(out: _Writable, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``header`` and ``rows`` as CSV to ``out`` (no BOM: for files and standard output);
    returns the number of data rows."""
    lines = csv_lines(header, rows, bom=False)
    out.write(next(lines))
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


def csv_response(
    *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM) named ``filename``; ``rows`` may be a lazy
    iterator, so a million-row list never sits in memory."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclass(frozen=True)
class Column:
    """One column: its title (text or lazy translation) and kind — ``text`` (default), ``int``,
    ``rate`` (a fraction, 0.25 = 25 %), ``money`` (Decimal yuan), ``date``, ``datetime``,
    ``multiple`` (a ratio such as ROI) or ``mixed`` (the kind is given per row by
    ``Table.row_kinds``)."""

    title: Any
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """One table to export: a CSV file or an XLSX sheet named by ``title``."""

    key: str
    title: Any
    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    row_kinds: list[str] | None = field(default=None)

    @property
    def header(self) -> list[str]:
        return [str(c.title) for c in self.columns]


def table_csv_response(table: Table, *, filename: str) -> StreamingHttpResponse:
    """``table`` as a streamed CSV download."""
    return csv_response(filename=filename, header=table.header, rows=table.rows)


def _xlsx_value(value: object) -> object:
    if isinstance(value, str):
        # Control characters other than tab and line breaks are not allowed in an XLSX file.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel has no time zones: the local wall time, as the CSV writes it.
        return timezone.make_naive(value)
    return value


def _xlsx_format(cell: Cell, kind: str) -> None:
    value = cell.value
    if isinstance(value, str):
        # openpyxl turns text starting with "=" into a formula; a string cell it must stay.
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    fmt = NUMBER_FORMATS.get(kind)
    if fmt and value is not None and not isinstance(value, str):
        cell.number_format = fmt


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    """An .xlsx workbook with one sheet per table (title cut to Excel's 31 characters), a bold
    header, money and rates as numbers with number formats (Decimal keeps the exact digits) and
    every text cell a string cell, never a formula."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=str(table.title)[:31])
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.data_type = "s"
            cell.font = Font(bold=True)
        for index, row in enumerate(table.rows):
            sheet.append([_xlsx_value(v) for v in row])
            for column, cell in zip(table.columns, sheet[sheet.max_row], strict=True):
                kind = column.kind
                if kind == "mixed":
                    kind = table.row_kinds[index] if table.row_kinds else "text"
                _xlsx_format(cell, kind)
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
                12, len(str(column.title)) * 2
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(tables: Iterable[Table], *, filename: str) -> HttpResponse:
    """``tables`` as an .xlsx download named ``filename``."""
    response = HttpResponse(xlsx_bytes(tables), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
