"""The fast row writer of ``results.xlsx`` gives XlsxWriter's own bytes.

:func:`sim.outputs.xlsx_rows.write_rows` writes rows of plain cells as XML itself;
every other row goes to XlsxWriter. Each test writes the same rows both ways and
compares the workbook files byte for byte.
"""

import math
import zipfile

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from sim.outputs import workbook
from sim.outputs.xlsx_rows import _cells, fast_rows_possible, write_rows

AWKWARD = ["plain", " leading", "trailing ", "a & b < c > d", 'quote "x"', "=1+1",
           "{=SUM(A1)}", "http://example.org", "mailto:x", "a:b", "", "_x0041_", "tab\there",
           "line\nbreak", "ctrl\x01char", "<r>rich</r>", "x" * 20_000, "ünïcode ✓"]
NUMBERS = [0, -0.0, 1, -7, 2**40, 0.1, 1e-300, 1.2345678901234567e22, math.nan, math.inf,
           -math.inf, None, True, False]


def _book(path, rows, fast: bool) -> bytes:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "nan_inf_to_errors": True})
    book.set_properties({"created": workbook.FIXED_DATE})
    sheet = book.add_worksheet("s")
    sheet.write_row(0, 0, ["a", "b", "c"])
    if fast:
        write_rows(sheet, rows, first=1)
    else:
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
    book.add_worksheet("second").write_row(0, 0, ["after"])
    book.close()
    return path.read_bytes()


@pytest.mark.parametrize("seed", range(6))
def test_random_rows_give_xlsxwriters_bytes(tmp_path, seed):
    rng = np.random.default_rng(seed)
    pool = AWKWARD + NUMBERS + list(rng.normal(size=20)) + list(range(5))
    rows = [[pool[k] for k in rng.integers(0, len(pool), size=3)] for _ in range(60)]
    rows += [[None, None, None], ["", None, None], [1.5, None, None], [None, None, "end"]]
    assert _book(tmp_path / "fast.xlsx", rows, True) == _book(tmp_path / "slow.xlsx", rows,
                                                              False)


def test_plain_rows_take_the_fast_path_and_others_do_not():
    assert _cells(1, [1.5, "x", None]) == ['<c r="A2"><v>1.5</v></c>',
                                           '<c r="B2" t="inlineStr"><is><t>x</t></is></c>']
    for odd in ("=1", "http://x", math.nan, "", np.float64(1.0)):
        assert _cells(1, [odd]) is None
    # a bool is plain: XlsxWriter's Boolean cell (a run's *_beyond_data flags)
    assert _cells(1, [True, False]) == ['<c r="A2" t="b"><v>1</v></c>',
                                        '<c r="B2" t="b"><v>0</v></c>']


def test_rows_of_bools_give_xlsxwriters_bytes(tmp_path):
    rows = [[True, 0.5, False], [False, None, True], [True, "x", 3]]
    assert _book(tmp_path / "fast.xlsx", rows, True) == _book(tmp_path / "slow.xlsx", rows,
                                                              False)


def test_a_formatted_sheet_is_left_to_xlsxwriter(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet()
    assert fast_rows_possible(sheet)
    sheet.set_row(3, 30)
    assert not fast_rows_possible(sheet)
    book.close()


def test_a_run_folders_workbook_is_unchanged(tmp_path):
    """A table with every kind of column, through write_workbook, both ways."""
    frame = pd.DataFrame({"week": np.arange(50), "actor": ["BLR", "RUS"] * 25,
                          "value": np.linspace(0, 1, 50), "flag": [True, False] * 25,
                          "note": ["a & b", None] * 25})
    frame.loc[3, "value"] = np.nan
    frame.to_csv(tmp_path / "outcomes.csv", index=False)
    fast = workbook.write_workbook(tmp_path, name="fast.xlsx").read_bytes()
    original = workbook._sheet

    def slow_sheet(book, name, table):
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, list(table.columns))
        for i, row in enumerate(zip(*workbook._columns(table), strict=True), start=1):
            sheet.write_row(i, 0, row)

    workbook._sheet = slow_sheet
    try:
        slow = workbook.write_workbook(tmp_path, name="slow.xlsx").read_bytes()
    finally:
        workbook._sheet = original
    assert fast == slow
    assert zipfile.ZipFile(tmp_path / "fast.xlsx").testzip() is None


def test_chunks_give_the_same_bytes(tmp_path, monkeypatch):
    from sim.outputs import xlsx_rows

    rng = np.random.default_rng(9)
    pool = AWKWARD + NUMBERS
    rows = [[pool[k] for k in rng.integers(0, len(pool), size=3)] for _ in range(40)]
    monkeypatch.setattr(xlsx_rows, "CHUNK", 7)
    assert _book(tmp_path / "fast.xlsx", rows, True) == _book(tmp_path / "slow.xlsx", rows,
                                                              False)


def test_repeated_numbers_and_signed_zeros_keep_their_text(tmp_path):
    """A number's text is kept per column; -0.0 and 0.0 (one key) keep "-0" and "0"."""
    column = [0.0, -0.0, 0.0, -0.0, 2.5, 2.5, -2.5, 0.1, 0.1, 1e-300, 1e-300]
    rows = [[v, -v, None] for v in column]
    assert _book(tmp_path / "fast.xlsx", rows, True) == _book(tmp_path / "slow.xlsx", rows,
                                                              False)
    assert _cells(1, [-0.0, 0.0]) == ['<c r="A2"><v>-0</v></c>', '<c r="B2"><v>0</v></c>']


def test_columns_give_the_values_of_an_object_array():
    """numpy columns take tolist (NaN -> None); the values and their types are unchanged."""
    import pandas as pd

    frame = pd.DataFrame({"f": [1.5, math.nan, -0.0, 2**60 + 0.0], "i": [1, -2, 3, 2**40],
                          "b": [True, False, True, False], "s": ["a", None, "c", "d"],
                          "nan": [math.nan] * 4})
    slow = [frame[c].astype(object).where(frame[c].notna(), None).tolist()
            for c in frame.columns]
    fast = workbook._columns(frame)
    assert [[(type(v), repr(v)) for v in col] for col in fast] == \
        [[(type(v), repr(v)) for v in col] for col in slow]
