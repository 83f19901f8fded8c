"""Ripples in real units in ``make compare``: the difference B - A, member by member.

Both sides' runs write ``ripple_units_members.csv`` (:mod:`sim.analyses.ripple_tables`);
the comparison sets member ``k`` of B beside member ``k`` of A (paired when the runs
pair, :mod:`sim.analyses.compare`) and writes ``ripple_units.csv`` into its folder: per
quantity, the median in A and in B, and the median and 5th-95th percentile of the
member differences B - A (a spread across members, not a confidence interval).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: What each per-member column measures, and its unit.
_MEANINGS = {"people_total": ("people who have left the focal state", "people"),
             "people_peak_week": ("people leaving the focal state in the highest week",
                                  "people/week")}
_SUFFIXES = {"milex_pct": ("extra military spending", "% of GDP"),
             "milex_usd_bn": ("extra military spending", "US$ bn/yr"),
             "troops": ("extra troops the spending pays", "troops")}


def _describe(column: str, focal: str) -> tuple[str, str, str, str]:
    """(actor, quantity, when, unit) of a per-member column."""
    if column in _MEANINGS:
        quantity, unit = _MEANINGS[column]
        return focal, quantity, "by the horizon" if column == "people_total" else "peak", unit
    actor, rest = column.split("_", 1)
    key, when = rest.rsplit("_", 1)
    quantity, unit = _SUFFIXES[key]
    return actor, quantity, when, unit


def compare_units(folder_a: Path, folder_b: Path, paired: bool,
                  focal: str = "") -> pd.DataFrame | None:
    """The difference table, or None when a side has no ``ripple_units_members.csv``.

    ``focal``: the focal state's id, the actor of the people rows.
    """
    paths = [Path(f) / "ripple_units_members.csv" for f in (folder_a, folder_b)]
    if not all(p.is_file() for p in paths):
        return None
    a, b = (pd.read_csv(p) for p in paths)
    members = min(len(a), len(b))
    a, b = a.iloc[:members], b.iloc[:members]
    rows = []
    for column in [c for c in a.columns if c != "member" and c in b.columns]:
        actor, quantity, when, unit = _describe(column, focal)
        xa, xb = a[column].to_numpy(float), b[column].to_numpy(float)
        diff = xb - xa
        p05, p50, p95 = np.percentile(diff, (5, 50, 95)) if members else (np.nan,) * 3
        rows.append({"actor": actor, "quantity": quantity, "when": when, "unit": unit,
                     "median_a": float(np.median(xa)) if members else np.nan,
                     "median_b": float(np.median(xb)) if members else np.nan,
                     "diff_median": p50, "diff_p05": p05, "diff_p95": p95,
                     "paired": paired})
    return pd.DataFrame(rows)
