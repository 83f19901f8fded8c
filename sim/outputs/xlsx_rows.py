"""Rows of plain cells straight into an XlsxWriter constant-memory worksheet.

``results.xlsx`` (:mod:`sim.outputs.workbook`) holds every table of a run, about
200,000 cells for a 1,000-member run; XlsxWriter spends most of its time per cell
(a cell tuple stored, a row flushed, an attribute list escaped). A row whose cells are
all *plain* (a finite float or int, a bool, ``None``, or a string XlsxWriter writes
as an inline string without further thought) is written here as the XML XlsxWriter itself
writes in constant-memory mode for it: the same characters, so the same workbook
bytes (``tests/test_xlsx_rows.py`` compares with XlsxWriter's own ``write_row``). Any
other row (a formula-like or URL-like string, a non-finite number, a very long string)
goes through XlsxWriter's own ``write_row``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

#: Rows formatted at a time (their XML is held in memory, then written).
CHUNK = 4096
#: Longest string handled here; longer ones may need XlsxWriter's UTF-16 truncation.
_SHORT = 16_000


def _plain_string(value: str) -> bool:
    """Whether XlsxWriter writes ``value`` as a plain inline string (constant memory)."""
    return (value != "" and not value.startswith(("=", "{=", "<r>")) and ":" not in value
            and len(value) < _SHORT)


def fast_rows_possible(sheet) -> bool:
    """Whether ``sheet`` is in the state this module's XML assumes.

    Constant-memory mode, Excel 2007 rows, the default row height, and no row, column
    or comment formatting (what :mod:`sim.outputs.workbook` creates).
    """
    return (sheet.constant_memory and sheet.excel_version == 2007
            and sheet.default_row_height == sheet.original_row_height
            and not sheet.row_info and not sheet.col_info and not sheet.comments)


def _cells(i: int, row: Sequence[object]) -> list[str] | None:
    """The ``<c>`` elements of row ``i`` (0-based), or None when a cell is not plain."""
    cells = [_cell(xl_col_to_name(j), i + 1, value) for j, value in enumerate(row)]
    return None if None in cells else [c for c in cells if c]


def _cell(letter: str, number: int, value: object) -> str | None:
    """The ``<c>`` element of one cell ("" for an empty one), None when not plain."""
    kind = value.__class__
    if value is None:
        return ""
    if kind is float or kind is int:
        if kind is float and not math.isfinite(value):
            return None
        return f'<c r="{letter}{number}"><v>{value:.16G}</v></c>'
    if kind is bool:   # XlsxWriter's Boolean cell (a run's *_beyond_data flags)
        return f'<c r="{letter}{number}" t="b"><v>{int(value)}</v></c>'
    if kind is str and _plain_string(value):
        text = XMLwriter._escape_control_characters(value)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<c r="{letter}{number}" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'
    return None


def _column(values: Sequence[object], j: int, first: int) -> list[str | None]:
    """:func:`_cell` of every value of column ``j``, rows from ``first`` (0-based) on."""
    letter = xl_col_to_name(j)
    out: list[str | None] = []
    texts: dict[str, str | None] = {}   # a string's <is> element, once per distinct string
    # A number's text, once per distinct value: formatting "%.16G" is most of the time
    # here, and a column of 10,000 members holds about one distinct value in five. Zeros
    # are not kept: -0.0 and 0.0 are one key but two texts ("-0" and "0").
    numbers: dict[float, str] = {}
    for number, value in enumerate(values, start=first + 1):
        kind = value.__class__
        if kind is float and value - value == 0.0:   # finite: the common case first
            text = numbers.get(value)
            if text is None or not value:
                text = numbers[value] = f"{value:.16G}"
            out.append(f'<c r="{letter}{number}"><v>{text}</v></c>')
        elif kind is str:
            text = texts.get(value, "")
            if text == "":
                cell = _cell("", 0, value)
                text = texts[value] = None if cell is None else cell[cell.index(" t="):]
            out.append(None if text is None else f'<c r="{letter}{number}"{text}')
        else:
            out.append(_cell(letter, number, value))
    return out


def write_columns(sheet, columns: Sequence[Sequence[object]], first: int) -> None:
    """Write a table given by its ``columns`` from row ``first`` on, as ``write_row`` would.

    Parameters
    ----------
    sheet : xlsxwriter.worksheet.Worksheet
        A constant-memory worksheet, rows above ``first`` written already. Not in the
        state :func:`fast_rows_possible` asks for: every row goes to ``write_row``.
    columns : sequence of sequences
        The cell values, column by column (equal lengths).
    first : int
        Row index (0-based) of the table's first row.
    """
    if not fast_rows_possible(sheet):
        for i, row in enumerate(zip(*columns, strict=True), start=first):
            sheet.write_row(i, 0, row)
        return
    rows = len(columns[0]) if columns else 0
    used = [False] * len(columns)
    for start in range(0, rows, CHUNK):   # the XML of CHUNK rows at a time: memory flat
        part = [values[start:start + CHUNK] for values in columns]
        xml = [_column(values, j, first + start) for j, values in enumerate(part)]
        # A column is used when it holds a cell XlsxWriter writes (here or below).
        used = [u or any(c) for u, c in zip(used, xml, strict=True)]
        _write_part(sheet, part, xml, first + start)
    for j in (used.index(True), len(used) - 1 - used[::-1].index(True)) if any(used) else ():
        sheet._check_dimensions(first, j, ignore_row=True)


def _write_part(sheet, part: list, xml: list[list[str | None]], first: int) -> None:
    """Rows ``first ..`` of one chunk: plain ones as XML, the others by ``write_row``."""
    write = sheet.fh.write
    pairs = zip(zip(*part, strict=True), zip(*xml, strict=True), strict=True)
    for i, (row, cells) in enumerate(pairs, start=first):
        if None in cells:   # a cell XlsxWriter must decide on
            sheet.write_row(i, 0, row)
        elif any(cells):    # (a row of empty cells: XlsxWriter writes nothing for it)
            sheet._write_single_row(i)   # the pending row first, as XlsxWriter flushes it
            sheet._check_dimensions(i, 0, ignore_col=True)
            write(f'<row r="{i + 1}">' + "".join(cells) + "</row>")


def write_rows(sheet, rows: Iterable[Sequence[object]], first: int) -> None:
    """Write ``rows`` from row ``first`` on (0-based), as ``sheet.write_row`` would."""
    rows = [list(row) for row in rows]
    if rows:
        write_columns(sheet, list(zip(*rows, strict=True)), first)
