"""The console summary printed after a run: who rules at the horizon, and where to look."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.outcomes import LABELS, OUTCOMES, SHORT_LABELS


def console_summary(folder: Path) -> str:
    """A few lines for the terminal from a finished run's ``outcomes.csv`` and manifest.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> rows = [("AAA", o, 0.2, 0.1, 0.3, 200, 1000) for o in OUTCOMES]
    >>> cols = ["actor", "outcome", "probability", "ci_low", "ci_high", "count", "members"]
    >>> pd.DataFrame(rows, columns=cols).to_csv(d / "outcomes.csv", index=False)
    >>> _ = (d / "manifest.json").write_text('{"scenario": "x", "weeks": 104, '
    ...                                      '"members": 1000, "region": {"name": "belarus"}}')
    >>> print(console_summary(d).splitlines()[0])
    x (region belarus): who rules AAA at week 104, 1000 members (95% intervals)
    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    outcomes = pd.read_csv(folder / "outcomes.csv")
    rows = outcomes[outcomes["outcome"].isin(OUTCOMES)]
    focal = rows["actor"].iloc[0] if len(rows) else "?"
    region = manifest.get("region", {}).get("name", "?")
    lines = [f"{manifest['scenario']} (region {region}): who rules {focal} at week "
             f"{manifest['weeks']}, {manifest['members']} members (95% intervals)"]
    for row in rows.itertuples():
        lines.append(f"  {LABELS.get(row.outcome, row.outcome):30s} {100 * row.probability:5.1f}%"
                     f"  ({100 * row.ci_low:.1f}-{100 * row.ci_high:.1f})")
    if len(rows):
        from sim.outputs.narrative import run_narrative

        lines += run_narrative(folder, OUTCOMES, focal)
    from sim.outputs.watching import console_lines

    lines += console_lines(folder, LABELS)
    report = folder / "report.html"
    lines.append(f"results written to {folder}")
    if report.is_file():
        lines.append(f"open the report: {report}")
    return "\n".join(lines)


def compare_summary(folder: Path) -> str:
    """The focal state's outcomes in A and B, the difference and its 95% interval.

    Read from a comparison folder's ``outcomes.csv`` (columns ``probability_a``,
    ``probability_b``, ``diff``, ``ci_low``, ``ci_high``, ``paired``).
    """
    folder = Path(folder)
    outcomes = pd.read_csv(folder / "outcomes.csv")
    rows = outcomes[outcomes["outcome"].isin(OUTCOMES)]
    if rows.empty:
        return f"comparison written to {folder}"
    focal = rows["actor"].iloc[0]
    paired = "paired" if bool(rows["paired"].iloc[0]) else "unpaired"
    lines = [f"who rules {focal} at the horizon: A vs B ({paired}; 95% Newcombe interval "
             "of B - A)",
             f"  {'outcome':30s} {'A':>7s} {'B':>7s} {'B - A':>8s}  interval"]
    for r in rows.itertuples():
        lines.append(f"  {LABELS.get(r.outcome, r.outcome):30s} {100 * r.probability_a:6.1f}%"
                     f" {100 * r.probability_b:6.1f}% {100 * r.diff:+7.1f}%  "
                     f"({100 * r.ci_low:+.1f} to {100 * r.ci_high:+.1f})")
    lines.extend(_units_lines(folder))
    lines.append(f"comparison written to {folder}")
    report = folder / "report.html"
    if report.is_file():
        lines.append(f"open the report: {report}")
    return "\n".join(lines)


def _units_lines(folder: Path, top: int = 6) -> list[str]:
    """The largest ripples in real units, B - A (``ripple_units.csv`` of a comparison).

    People and US$ at the peak (the troops and % of GDP rows say the same in other
    units: they stay in the file), largest median difference first. A figure that rests
    on members beyond any recorded spending is shown as its bound and marked ``*``, with
    a line saying what that means (:mod:`sim.analyses.ripple_beyond`).
    """
    path = folder / "ripple_units.csv"
    if not path.is_file():
        return []
    units = pd.read_csv(path)
    shown = units[units["unit"].isin(("people", "US$ bn/yr"))
                  & units["when"].isin(("by the horizon", "peak"))]
    if shown.empty:
        return []
    shown = shown.reindex(shown["diff_median"].abs().sort_values(ascending=False).index)
    lines = ["ripples in real units, B - A (median across members and 90% of members; "
             "conversions of index changes, order of magnitude: ripple_units.csv)"]
    marked, ceiling = [], ""
    for r in shown.head(top).to_dict("records"):
        name = f"{r['actor']}: {r['quantity']}, {r['when']}"
        text = {q: _difference_text(r, q) for q in ("median", "p05", "p95")}
        star = "*" if any(beyond for _, beyond in text.values()) else ""
        text = {q: t for q, (t, _) in text.items()}
        if star:
            marked.append(f"{r['actor']} {100 * float(r['share_beyond_data']):.1f}%")
            ceiling = ceiling or str(r.get("highest_recorded") or "")
        lines.append(f"  {name[:62]:62s} {text['median']:>10s} {r['unit']:10s} "
                     f"({text['p05']} to {text['p95']}){star}")
    if marked:
        where = ceiling if ceiling not in ("", "nan") else "above the highest in the data"
        lines.append(f"  * beyond any recorded spending: that end rests on members whose military "
                     f"spending would be {where}. Members beyond it: {', '.join(marked)}. "
                     "Shown is the bound the data support, not R5's unbounded extrapolation.")
    return lines


def _difference_text(row: dict, q: str) -> tuple[str, bool]:
    """A difference of the comparison's table as text, and whether it is a bound.

    The figure, or its bound ("> X", "< X") when it rests on members beyond the data.
    """
    from sim.analyses.ripple_beyond import Bounds, shown

    value = float(row[f"diff_{q}"])
    low, high = row.get(f"diff_{q}_at_least"), row.get(f"diff_{q}_at_most")
    if low is None or high is None or pd.isna(low) or pd.isna(high):  # an older table
        low = high = value
    return (shown(value, float(low), float(high), lambda x: _signed(x, row["unit"])),
            Bounds(float(low), float(high)).beyond)


def _signed(value: float, unit: str) -> str:
    """A signed difference: people to two significant digits, money to three.

    Money (US$ bn, % of GDP) is shown to at most two decimals: a median of US$ 90,000
    (``9e-05`` bn) is no figure at the conversions' order-of-magnitude precision, so it
    reads ``0.00``.

    Examples
    --------
    >>> _signed(28347.0, "people"), _signed(27.94, "US$ bn/yr"), _signed(-0.04, "US$ bn/yr")
    ('+28,000', '+27.9', '-0.04')
    >>> _signed(9e-05, "US$ bn/yr"), _signed(0.0204, "% of GDP"), _signed(1234.5, "troops")
    ('0.00', '+0.02', '+1,230')
    """
    if unit == "people":
        return f"{float(f'{value:.2g}'):+,.0f}"
    if unit.startswith(("US$", "%")) and abs(value) < 10:
        return "0.00" if abs(value) < 0.005 else f"{value:+,.2f}"
    return f"{float(f'{value:.3g}'):+,g}"


def overview_summary(table: pd.DataFrame, folder: Path) -> str:
    """Every scenario's headline outcomes in one printed table (percent)."""
    wide = table.pivot_table(index="scenario", columns="outcome", values="probability",
                             sort=False)
    order = [o for o in OUTCOMES if o in wide.columns]
    short = SHORT_LABELS
    lines = [f"{'scenario':28s}" + "".join(f"{short.get(o, o):>15s}" for o in order)]
    for name, row in wide.iterrows():
        lines.append(f"{name:28s}" + "".join(f"{100 * row[o]:14.1f}%" for o in order))
    lines.append(f"overview written to {folder}")
    return "\n".join(lines)
