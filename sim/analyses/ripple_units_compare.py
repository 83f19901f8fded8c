"""Ripples in real units in ``make compare``: the difference B - A, member by member.

Both sides' runs write ``ripple_units_members.csv`` (:mod:`sim.analyses.ripple_tables`);
the comparison sets member ``k`` of B beside member ``k`` of A (paired when the runs
pair, :mod:`sim.analyses.compare`) and writes ``ripple_units.csv`` into its folder: per
quantity, the median in A and in B, and the median and 5th-95th percentile of the
member differences B - A (a spread across members, not a confidence interval).

Spending and troops rows also say which of these figures rest on members beyond the
region's data (a posture above its highest recorded one, where R5's inverse has no data:
:mod:`sim.analyses.ripple_beyond`): ``share_beyond_data`` (members beyond the data in A or
B), ``<figure>_beyond_data`` for ``median_a``, ``median_b``, ``diff_median``, ``diff_p05``
and ``diff_p95``, the bounds the data support, ``median_a_at_least`` and
``median_b_at_least`` (the median when it does not rest on such members) and, for the
differences, ``diff_<q>_at_least`` and ``diff_<q>_at_most`` (equal to the figure when no
member beyond the data can move it; ``inf`` where nothing bounds it), and
``highest_recorded``, the ceiling in words. The columns of earlier versions keep their
names and meaning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyses.ripple_beyond import difference_bounds, level_bounds

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


def _limits(folder: Path) -> dict[tuple[str, str, str], tuple[float, str]]:
    """Each row's ``data_limit`` and ``highest_recorded`` by (actor, when, unit).

    From the side's ``ripple_units.csv``; empty when the table predates these columns: its
    members beyond the data are then bounded by nothing.
    """
    path = Path(folder) / "ripple_units.csv"
    if not path.is_file():
        return {}
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    if not {"data_limit", "highest_recorded"} <= set(table.columns):
        return {}
    return {(str(r.actor), str(r.when), str(r.unit)):
            (float(r.data_limit), "" if pd.isna(r.highest_recorded) else str(r.highest_recorded))
            for r in table.itertuples()}


def _value_columns(columns) -> list[str]:
    """The per-member value columns (people, spending, troops), not the ``beyond`` flags."""
    return [c for c in columns if c in _MEANINGS
            or ("_" in c and c.split("_", 1)[1].rsplit("_", 1)[0] in _SUFFIXES)]


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
    limits = _limits(folder_a), _limits(folder_b)
    rows = []
    for column in [c for c in _value_columns(a.columns) if c in b.columns]:
        actor, quantity, when, unit = _describe(column, focal)
        xa, xb = a[column].to_numpy(float), b[column].to_numpy(float)
        diff = xb - xa
        p05, p50, p95 = np.percentile(diff, (5, 50, 95)) if members else (np.nan,) * 3
        row = {"actor": actor, "quantity": quantity, "when": when, "unit": unit,
               "median_a": float(np.median(xa)) if members else np.nan,
               "median_b": float(np.median(xb)) if members else np.nan,
               "diff_median": p50, "diff_p05": p05, "diff_p95": p95, "paired": paired}
        flag = f"{actor}_beyond_data_{when}"
        if column not in _MEANINGS and members:
            beyond_a, beyond_b = (
                side[flag].to_numpy(bool) if flag in side.columns else np.zeros(members, bool)
                for side in (a, b))
            (limit_a, top), (limit_b, _) = (lim.get((actor, when, unit), (np.nan, ""))
                                            for lim in limits)
            row["share_beyond_data"] = float(np.mean(beyond_a | beyond_b))
            row["highest_recorded"] = top
            for side, x, beyond, limit in (("a", xa, beyond_a, limit_a),
                                           ("b", xb, beyond_b, limit_b)):
                bounds = level_bounds(x, beyond, limit, 50.0)
                row[f"median_{side}_beyond_data"] = bounds.beyond
                row[f"median_{side}_at_least"] = bounds.at_least
            for name, q in (("median", 50.0), ("p05", 5.0), ("p95", 95.0)):
                bounds = difference_bounds(xa, xb, beyond_a, beyond_b, limit_a, limit_b, q)
                row[f"diff_{name}_beyond_data"] = bounds.beyond
                row[f"diff_{name}_at_least"] = bounds.at_least
                row[f"diff_{name}_at_most"] = bounds.at_most
        else:  # people: nothing to extrapolate
            row.update(median_a_beyond_data=False, median_b_beyond_data=False,
                       median_a_at_least=row["median_a"], median_b_at_least=row["median_b"],
                       highest_recorded="")
            for name in ("median", "p05", "p95"):
                row.update({f"diff_{name}_beyond_data": False,
                            f"diff_{name}_at_least": row[f"diff_{name}"],
                            f"diff_{name}_at_most": row[f"diff_{name}"]})
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


#: Columns of a comparison's ``ripple_units.csv``: the first ten as in earlier versions.
COLUMNS = ("actor", "quantity", "when", "unit", "median_a", "median_b", "diff_median",
           "diff_p05", "diff_p95", "paired", "share_beyond_data", "median_a_beyond_data",
           "median_b_beyond_data", "diff_median_beyond_data", "diff_p05_beyond_data",
           "diff_p95_beyond_data", "median_a_at_least", "median_b_at_least",
           "diff_median_at_least", "diff_median_at_most",
           "diff_p05_at_least", "diff_p05_at_most", "diff_p95_at_least", "diff_p95_at_most",
           "highest_recorded")
