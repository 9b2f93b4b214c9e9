"""The one CSV writer and the one xlsx writer: tables as Swedish spreadsheets open them.

CSV: UTF-8 with a byte-order mark (so Excel reads å, ä, ö), semicolons, CRLF, and decimal numbers with a
decimal comma (``12,5``), which Swedish Excel reads as numbers. Whole numbers stay plain integers.
xlsx: a bold title row, a bold header, optionally a bold last (total) row, number formats with a thin space
for thousands, and column widths.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def decimal_comma(value: Decimal | float) -> str:
    """``Decimal("25.0000")`` → ``"25"``, ``12.5`` → ``"12,5"``."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def _csv_cell(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | float):
        return decimal_comma(value)
    return "" if value is None else value


def csv_text(header: Sequence, rows: Iterable[Sequence], *, bom: bool = True) -> str:
    """The table as CSV text; ``bom=False`` for a terminal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column) for column in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def xlsx_bytes(
    *,
    sheet_title: str,
    header: Sequence,
    rows: Iterable[Sequence],
    title: str = "",
    bold_last_row: bool = False,
    number_columns: Sequence[str] = (),
    widths: dict[str, int] | None = None,
) -> bytes:
    """The table as an .xlsx workbook with one sheet. ``number_columns`` are letters, e.g. ``("D", "E")``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(sheet_title)[:31]  # Excel's limit
    first_data_row = 2
    if title:
        sheet.append([str(title)])
        sheet["A1"].font = Font(bold=True)
        first_data_row = 3
    sheet.append([str(column) for column in header])
    for cell in sheet[first_data_row - 1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        count += 1
    if bold_last_row and count:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for column in number_columns:
        for cell in sheet[column][first_data_row - 1 :]:
            cell.number_format = "# ##0"
    for column, width in (widths or {}).items():
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_response(content: str | bytes, *, filename: str) -> HttpResponse:
    """An attachment: CSV or xlsx by the file name's extension."""
    content_type = XLSX_CONTENT_TYPE if filename.endswith(".xlsx") else CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
