"""Rows of plain cells straight into an XlsxWriter constant-memory worksheet.

``results.xlsx`` (:mod:`sim.outputs.workbook`) holds every table of a run, about
200,000 cells for a 1,000-member run; XlsxWriter spends most of its time per cell
(a cell tuple stored, a row flushed, an attribute list escaped). A row whose cells are
all *plain* (a finite float or int, ``None``, or a string XlsxWriter writes as an
inline string without further thought) is written here as the XML XlsxWriter itself
writes in constant-memory mode for it: the same characters, so the same workbook
bytes (``tests/test_xlsx_rows.py`` compares with XlsxWriter's own ``write_row``). Any
other row (a formula-like or URL-like string, a bool, a non-finite number, a very long
string) goes through XlsxWriter's own ``write_row``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from xlsxwriter.utility import _preserve_whitespace, xl_rowcol_to_cell_fast
from xlsxwriter.xmlwriter import XMLwriter

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
    """The ``<c>`` elements of row ``i``, or None when a cell is not plain."""
    out = []
    for j, value in enumerate(row):
        kind = value.__class__
        if value is None:
            continue
        if kind is float or kind is int:
            if kind is float and not math.isfinite(value):
                return None
            out.append(f'<c r="{xl_rowcol_to_cell_fast(i, j)}"><v>{value:.16G}</v></c>')
        elif kind is str and _plain_string(value):
            text = XMLwriter._escape_control_characters(value)
            preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
            text = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    if ("&" in text or "<" in text or ">" in text) else text)
            out.append(f'<c r="{xl_rowcol_to_cell_fast(i, j)}" t="inlineStr"><is>'
                       f'<t{preserve}>{text}</t></is></c>')
        else:
            return None
    return out


def write_rows(sheet, rows: Iterable[Sequence[object]], first: int) -> None:
    """Write ``rows`` from row ``first`` on (0-based), as ``sheet.write_row`` would.

    Parameters
    ----------
    sheet : xlsxwriter.worksheet.Worksheet
        A constant-memory worksheet (:func:`fast_rows_possible`), rows above ``first``
        written already.
    rows : iterable of sequences
        One sequence of cell values per row.
    first : int
        Row index of the first of ``rows``.
    """
    fast = fast_rows_possible(sheet)
    for i, row in enumerate(rows, start=first):
        cells = _cells(i, row) if fast else None
        if cells is None:
            sheet.write_row(i, 0, row)
            continue
        if not cells:   # every cell empty: XlsxWriter writes nothing for the row
            continue
        sheet._write_single_row(i)   # the pending row first, as XlsxWriter flushes it
        columns = [j for j, value in enumerate(row) if value is not None]
        for col in (columns[0], columns[-1]):
            sheet._check_dimensions(i, col)
        sheet.fh.write(f'<row r="{i + 1}">' + "".join(cells) + "</row>")
