"""``results.xlsx``: every table of a result folder as one Excel workbook.

One sheet per CSV (same name, same columns, same rows), plus a first sheet ``about``
that says what each sheet holds and a sheet ``outcome_labels`` with the one vocabulary
of :mod:`sim.outcomes` (holder, outcome, label, backtest class). The CSVs stay the
reference; the workbook is a convenience for spreadsheet users. Written with XlsxWriter
in constant-memory mode (rows streamed to disk). A table longer than a sheet can hold
(:data:`MAX_ROWS`) is left out and the ``about`` sheet says so. It is written beside
``report.html`` (``--no-report`` skips both); rows of plain cells are written by
:mod:`sim.outputs.xlsx_rows` (the same bytes, faster): a 1,000-member run's workbook
takes about 0.5 s, a 10,000-member run's about 2.5-3 s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: Rows of data a sheet holds (Excel's limit, less the header).
MAX_ROWS = 1_048_575
WORKBOOK = "results.xlsx"
FIXED_DATE = dt.datetime(2000, 1, 1)

#: What each table is, for the ``about`` sheet (unknown tables: no description).
DESCRIPTIONS: dict[str, str] = {
    "outcomes": "outcome probabilities with 95% intervals (focal state's outcomes, every "
                "state's ripple outcomes); labels in outcome_labels",
    "timeseries": "per week, actor and metric: mean and percentiles across members",
    "holders": "per week: share of members under each holder of power",
    "members": "one row per member: outcome, incapacity, holder at the end, end and peak "
               "values",
    "events": "every logged event (member, week, actor)",
    "deltas": "per week, actor and metric: means in A and B and the member-by-member "
              "difference B - A (mean and percentiles across members)",
    "ripple": "per actor and metric: peak mean difference, arrival week, persistence at the "
              "horizon (rules in docs/model.md section 10)",
    "ripple_units": "ripples in real units (people, US$, troops): conversions of index "
                    "changes, order of magnitude; a *_beyond_data flag marks a figure "
                    "resting on members beyond any recorded military spending, whose "
                    "supported bound is the matching *_at_least / *_at_most column "
                    "(docs/model.md 3.4)",
}


def _columns(frame: pd.DataFrame) -> list[list[object]]:
    """The frame's columns as lists of plain Python values, missing values as None."""
    return [_plain(frame[c]) for c in frame.columns]


def _plain(column: pd.Series) -> list[object]:
    """One column as plain Python values (None where missing).

    A numpy bool, int or float column is converted by numpy's ``tolist`` (the same
    Python values as through an object array, in a fraction of the time), its NaN set to
    None and an infinity to the text ``inf`` or ``-inf`` as in the CSV (an unbounded
    figure, e.g. a comparison's ``diff_p95_at_most``; Excel has no infinity, and
    XlsxWriter would write the formula ``=1/0``, shown as ``#DIV/0!``); any other column
    goes through an object array.
    """
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf":
        array = column.to_numpy()
        values = array.tolist()
        if array.dtype.kind == "f":
            for i in np.flatnonzero(np.isnan(array)).tolist():
                values[i] = None
            for i in np.flatnonzero(np.isinf(array)).tolist():
                values[i] = "inf" if array[i] > 0 else "-inf"
        return values
    return column.astype(object).where(column.notna(), None).tolist()


def _sheet(book, name: str, frame: pd.DataFrame) -> None:
    """One sheet: the header row, then the frame's rows (empty cells for missing values)."""
    from sim.outputs.xlsx_rows import write_columns

    sheet = book.add_worksheet(name[:31])
    sheet.write_row(0, 0, list(frame.columns))
    # Rows of plain cells are written as XlsxWriter's own XML (same bytes, about three
    # times faster: sim/outputs/xlsx_rows.py); any other row by XlsxWriter's write_row.
    write_columns(sheet, _columns(frame), first=1)


def write_workbook(folder: Path, tables: Sequence[str] | None = None,
                   name: str = WORKBOOK) -> Path:
    """Write ``folder/results.xlsx`` from the CSVs in ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        A result folder (a run's or a comparison's).
    tables : sequence of str, optional
        CSV stems to include, in sheet order (default: every ``*.csv``, sorted, with
        ``outcomes`` first).
    name : str
        File name of the workbook.

    Returns
    -------
    pathlib.Path
        The workbook written.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"a": [1, 2], "b": [0.5, None]}).to_csv(d / "outcomes.csv", index=False)
    >>> import re, zipfile
    >>> xml = zipfile.ZipFile(write_workbook(d)).read("xl/workbook.xml").decode()
    >>> re.findall(r'sheet name="([^"]+)"', xml)
    ['about', 'outcomes', 'outcome_labels']
    """
    import xlsxwriter

    from sim.outcomes import mapping_frame

    folder = Path(folder)
    if tables is None:
        stems = sorted(p.stem for p in folder.glob("*.csv"))
        tables = sorted(stems, key=lambda s: s != "outcomes")
    frames = {stem: pd.read_csv(folder / f"{stem}.csv") for stem in tables}
    about = [("sheet", "rows", "what it holds")]
    for stem, frame in frames.items():
        note = DESCRIPTIONS.get(stem, "")
        if len(frame) > MAX_ROWS:
            note = f"left out: {len(frame)} rows, more than a sheet holds; read {stem}.csv"
        about.append((stem, len(frame), note))
    about += [("outcome_labels", None, "holder -> outcome -> label -> backtest class "
               "(sim/outcomes.py), the names used in every sheet"),
              ("source", None, "the CSV files beside this workbook; the CSVs are the "
               "reference")]
    target = folder / name
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True,
                                             "nan_inf_to_errors": True})
    # A fixed creation date and no folder name (runs are written in a staging folder): the
    # same CSVs give the same bytes, as the CSVs themselves do.
    book.set_properties({"created": FIXED_DATE, "title": "simulation results"})
    try:
        _sheet(book, "about", pd.DataFrame(about[1:], columns=list(about[0])))
        for stem, frame in frames.items():
            if len(frame) <= MAX_ROWS:
                _sheet(book, stem, frame)
        _sheet(book, "outcome_labels", mapping_frame())
    finally:
        book.close()
    return target
