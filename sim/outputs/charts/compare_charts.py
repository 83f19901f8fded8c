"""Charts of a paired comparison of scenario B with scenario A.

Difference fan charts, the comparison ripple map and the focal state's outcomes side by side;
the arrival-versus-distance chart is drawn by :mod:`sim.outputs.charts.arrival_charts`.
The public function is :func:`write_compare_charts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import SymLogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter

from sim.engines.stats import ARRIVAL_TOLERANCE
from sim.outputs.charts.arrival_charts import _arrival_chart
from sim.outputs.charts.common import (
    BAND_COLOUR,
    FOCAL_OUTCOMES,
    GRID_KW,
    METRIC_STYLES,
    _cell_legend,
    _figure,
    _fix_axes,
    _focal_name,
    _focal_rows,
    _metric_tables,
    _names,
    _nice_limit,
    _outcome_labels,
    _panel_grid,
    _posture_ids,
    _posture_title,
    _save,
    _state_ids,
)
from sim.outputs.charts.maps import NodePaint, _draw_map, _map_figure
from sim.outputs.charts.outcome_maps import _compare_outcome_map
from sim.regions.loader import Region

# ------------------------------------------------------------- comparison: fan charts

DIFF_COLOUR = "#7b3294"
ZERO_COLOUR = "#222222"
A_COLOUR = "#a6a6a6"
B_COLOUR = BAND_COLOUR
#: What a difference of each metric is measured in (the unit of ``deltas.csv``).
DIFF_UNITS: dict[str, str] = {
    "stability": "difference in stability index (B - A, as in deltas.csv)",
    "unrest": "difference in share of the public protesting (0-1, B - A, as in deltas.csv)",
    "posture": "difference in posture index (B - A, as in deltas.csv)",
}


def _is_paired(frame: pd.DataFrame) -> bool:
    """Whether a comparison frame is paired (its ``paired`` column; True if absent)."""
    if frame.empty or "paired" not in frame:
        return True
    return bool(frame["paired"].astype(str).str.lower().eq("true").all())


def _pairing_phrase(paired: bool) -> str:
    """How the difference was formed, for titles."""
    if paired:
        return "B minus A, member by member (paired)"
    return "B minus A (UNPAIRED: independent draws)"


def _arrivals(ripple: pd.DataFrame) -> dict[tuple[str, str], int | None]:
    """Arrival week of each (actor, metric) in the ripple frame (None: no clear ripple)."""
    weeks = zip(ripple["actor"], ripple["metric"], ripple["arrival_week"], strict=True)
    return {(str(a), str(m)): None if pd.isna(w) else int(w) for a, m, w in weeks}


def _arrival_text(week: int | None) -> str:
    """``arrives wk N`` or ``no clear ripple``."""
    return "no clear ripple" if week is None else f"arrives wk {week}"


def _diff_text(value: float) -> str:
    """A difference in the CSV's unit with two significant digits, never in e-notation."""
    return np.format_float_positional(value, precision=2, unique=False, fractional=False,
                                      trim="-", sign=True)


def _diff_extent(rows: pd.DataFrame) -> tuple[float, float]:
    """Lowest and highest of the band, the mean and zero (the mean may leave the band)."""
    low = min(float(rows["diff_p05"].min()), float(rows["diff_mean"].min()), 0.0)
    high = max(float(rows["diff_p95"].max()), float(rows["diff_mean"].max()), 0.0)
    return low, high


def diff_limits(metric: str,
                tables: Sequence[pd.DataFrame]) -> tuple[tuple[float, float], bool]:
    """The y-range of every panel of a difference chart of ``metric``; whether raised.

    The fixed range is plus or minus half the width of the metric's fan range
    (:data:`~sim.outputs.charts.common.METRIC_STYLES`: stability and posture -0.5 to
    0.5, unrest -0.025 to 0.025), the same for every pair of scenarios. Only when a
    panel's band or mean leaves it is the widest possible difference (the hard bounds'
    width either way) used instead, and ``True`` returned.
    """
    style = METRIC_STYLES[metric]
    half = (style.display[1] - style.display[0]) / 2
    extents = [_diff_extent(t) for t in tables if not t.empty]
    low = min((e[0] for e in extents), default=0.0)
    high = max((e[1] for e in extents), default=0.0)
    if low < -half or high > half:
        width = style.bounds[1] - style.bounds[0]
        return (-width, width), True
    return (-half, half), False


def _diff_note(rows: pd.DataFrame, arrival: int | None) -> str:
    """Peak mean difference and its week, and the arrival week, for a panel title."""
    means = rows["diff_mean"].to_numpy(dtype=float)
    i = int(np.argmax(np.abs(means)))
    if means[i] == 0.0:
        return "no difference"
    week = int(rows["week"].iloc[i])
    return f"peak {_diff_text(means[i])} (wk {week}); {_arrival_text(arrival)}"


def _draw_diff(ax: Axes, rows: pd.DataFrame, title: str) -> None:
    """One difference panel: 90% band, mean difference and the zero line."""
    week = rows["week"].to_numpy()
    ax.fill_between(week, rows["diff_p05"].to_numpy(), rows["diff_p95"].to_numpy(),
                    color=DIFF_COLOUR, alpha=0.2, linewidth=0)
    ax.plot(week, rows["diff_mean"].to_numpy(), color=DIFF_COLOUR, linewidth=1.5)
    ax.axhline(0.0, color=ZERO_COLOUR, linewidth=0.8)
    ax.set_title(title, fontsize=9)
    ax.grid(True, **GRID_KW)


def _diff_handles(paired: bool) -> list:
    """Legend entries of the difference charts."""
    spread = "paired differences" if paired else "differences of independent draws"
    return [
        Line2D([], [], color=DIFF_COLOUR, linewidth=1.5, label="mean difference B - A"),
        Patch(color=DIFF_COLOUR, alpha=0.2, label=f"90% band of {spread}\n(p05-p95 of members)"),
        Line2D([], [], color=ZERO_COLOUR, linewidth=0.8, label="zero: no difference"),
    ]


def _diff_fan_chart(path: Path, deltas: pd.DataFrame, ripple: pd.DataFrame,
                    actors: Sequence[str], metric: str, region: Region, heading: str) -> Path:
    """Save :func:`_diff_fan_figure` as ``path``."""
    return _save(_diff_fan_figure(deltas, ripple, actors, metric, region, heading), path)


def _diff_fan_figure(deltas: pd.DataFrame, ripple: pd.DataFrame,
                    actors: Sequence[str], metric: str, region: Region, heading: str) -> Figure:
    """A grid of difference panels of ``metric``, one per actor, on a fixed y-range."""
    arrivals = _arrivals(ripple)
    tables = _metric_tables(deltas, metric, actors)
    limits, raised = diff_limits(metric, list(tables.values()))
    grid = _panel_grid(len(tables), panel_w=2.75, panel_h=1.85, top=1.25, hspace=0.5,
                       left=1.0)
    if grid.axes:
        _fix_axes(grid.axes[0], deltas["week"], limits, 5)
    names = _names(region)
    for ax, (actor, table) in zip(grid.axes, tables.items(), strict=False):
        note = _diff_note(table, arrivals.get((actor, metric)))
        _draw_diff(ax, table, f"{actor} - {names.get(actor, actor)}\n{note}")
    _cell_legend(grid.fig, grid.legend_box, _diff_handles(_is_paired(deltas)), fontsize=8)
    tolerance = _diff_text(ARRIVAL_TOLERANCE[metric]).lstrip("+")
    span = f"{limits[0]:g} to {limits[1]:g}"
    scale = (f"every panel spans {span}, the widest possible difference: this pair leaves "
             "the standard range" if raised else
             f"every panel spans the fixed range {span}, the same for every pair")
    grid.fig.supxlabel("week of simulation", fontsize=10, y=0.01, va="bottom")
    grid.fig.supylabel(DIFF_UNITS[metric], fontsize=10, x=0.01, ha="left")
    grid.fig.suptitle(f"{heading}\n({scale}; small ripples look flat: read their size and "
                      "arrival week in the panel titles.\nThe mean can lie outside the band "
                      "when few members differ strongly. Arrival: first week the band clears "
                      f"zero by more than {tolerance}, ripple.csv)", fontsize=10.5, y=0.995,
                      va="top")
    return grid.fig


# ------------------------------------------------------------- comparison: ripple map

#: The comparison map's fixed colour scale: from the largest possible difference of
#: stability (-1 to 1, its hard bounds), linear within +-0.001 and logarithmic beyond,
#: so that ripples a thousand times smaller than the limit still show. The same for
#: every pair of scenarios.
COMPARE_LIMIT = 1.0
COMPARE_LINTHRESH = 1e-3


def compare_norm() -> SymLogNorm:
    """The fixed colour scale of the comparison ripple map."""
    return SymLogNorm(linthresh=COMPARE_LINTHRESH, vmin=-COMPARE_LIMIT, vmax=COMPARE_LIMIT,
                      clip=True)


def _compare_paint(ripple: pd.DataFrame, region: Region) -> NodePaint:
    """Paint of the comparison map: peak mean stability difference, centred on zero."""
    rows = ripple[ripple["metric"] == "stability"]
    peak = {str(a): float(v) for a, v in zip(rows["actor"], rows["peak_diff"], strict=True)}
    arrival = {a: w for (a, m), w in _arrivals(rows).items() if m == "stability"}
    return NodePaint(
        values=peak, norm=compare_norm(), cmap="RdBu", label_zoomed=False,
        label=lambda a: f"{a} {peak.get(a, 0.0):+.2g}\n{_arrival_text(arrival.get(a))}",
        tag=lambda a: f"{a} {peak.get(a, 0.0):+.2g}, {_arrival_text(arrival.get(a))}")


def _symlog_ticks(norm: SymLogNorm) -> list[float]:
    """Zero, the powers of ten beyond the linear threshold and the limit, both signs."""
    low = math.ceil(math.log10(norm.linthresh * 1.0001))
    high = math.floor(math.log10(norm.vmax))
    decades = [10.0 ** k for k in range(low, high + 1)]
    if not decades or norm.vmax > 1.5 * decades[-1]:
        decades.append(float(norm.vmax))
    return [-d for d in decades[::-1]] + [0.0] + decades


def _compare_ripple_map(path: Path, ripple: pd.DataFrame, region: Region,
                        heading: str) -> Path:
    """Map of the influence graph; nodes coloured by the peak stability difference."""
    fig, ax, cax = _map_figure()
    points = _draw_map(ax, region, _compare_paint(ripple, region))
    bar = fig.colorbar(points, cax=cax)
    bar.set_ticks(_symlog_ticks(points.norm))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.2g}"))
    bar.ax.yaxis.set_minor_locator(FixedLocator([]))
    bar.set_label("peak difference of MEAN stability, B - A (red: less stable in B);\n"
                  "fixed symmetric log scale (linear within +-0.001), same for every pair",
                  fontsize=9)
    ax.set_title(f"{heading}\nRipple map: peak difference in mean stability and when it "
                 f"arrives\n(arrival: first week the p05-p95 spread of member differences "
                 f"clears zero by more than {ARRIVAL_TOLERANCE['stability']:g}; "
                 f"{_focal_name(region)} is labelled in the zoom)", fontsize=10.5)
    return _save(fig, path)


# ----------------------------------------------------------- comparison: outcomes


def _paired_bars(ax: Axes, labels: Sequence[str], rows: pd.DataFrame, name_a: str,
                 name_b: str) -> None:
    """Grouped horizontal bars of each outcome's probability in A and in B, in %."""
    y = np.arange(len(rows))[::-1]
    sides = ((0.2, "probability_a", A_COLOUR, f"A: {name_a}"),
             (-0.2, "probability_b", B_COLOUR, f"B: {name_b}"))
    for offset, column, colour, label in sides:
        values = rows[column].to_numpy(dtype=float)
        ax.barh(y + offset, values, height=0.38, color=colour, label=label)
        for yi, value in zip(y + offset, values, strict=True):
            ax.annotate(f"{100 * value:.1f}%", (value, yi), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8)
    x_max = _nice_limit(rows[["probability_a", "probability_b"]].max(axis=1))
    ax.set_yticks(y, labels)
    ax.set_xlim(0.0, 1.16 * x_max)
    ax.xaxis.set_major_locator(FixedLocator(np.linspace(0.0, x_max, 6)))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("probability at the horizon (% of members)")
    ax.grid(True, axis="x", **GRID_KW)
    ax.set_axisbelow(True)


def _signed_points(value: float, _pos: object = None) -> str:
    """A difference of probabilities in percentage points (0.25 -> '+25 pp')."""
    return "0" if value == 0 else f"{100 * value:+.0f} pp"


def _diff_whiskers(ax: Axes, rows: pd.DataFrame, colours: Sequence[str]) -> None:
    """Bars of each outcome's difference B - A with 95% interval whiskers, in pp."""
    y = np.arange(len(rows))[::-1]
    diff = rows["diff"].to_numpy(dtype=float)
    low, high = rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)
    ax.barh(y, diff, height=0.5, color=colours, alpha=0.85)
    ax.errorbar(diff, y, xerr=[np.clip(diff - low, 0, None), np.clip(high - diff, 0, None)],
                fmt="none", ecolor="#222222", elinewidth=1.0, capsize=4)
    for yi, d, lo, hi in zip(y, diff, low, high, strict=True):
        right = d >= 0
        ax.annotate(f"{100 * d:+.1f} pp\n[{100 * lo:+.1f}, {100 * hi:+.1f}]",
                    (hi if right else lo, yi), xytext=(5 if right else -5, 0),
                    textcoords="offset points", ha="left" if right else "right",
                    va="center", fontsize=7.5)
    limit = _nice_limit(pd.Series(np.abs(np.concatenate([low, high, [0.0]]))))
    ax.set_xlim(-1.5 * limit, 1.5 * limit)
    ax.xaxis.set_major_locator(FixedLocator(np.linspace(-limit, limit, 5)))
    ax.xaxis.set_major_formatter(FuncFormatter(_signed_points))
    ax.axvline(0.0, color=ZERO_COLOUR, linewidth=0.8)
    ax.set_xlabel("difference B - A (percentage points; whiskers: 95% interval)")
    ax.grid(True, axis="x", **GRID_KW)
    ax.set_axisbelow(True)


def _outcomes_side_by_side(path: Path, outcomes: pd.DataFrame, name_a: str, name_b: str,
                           region: Region, heading: str) -> Path:
    """The focal state's outcomes in A and B side by side, and their difference (95% CI)."""
    rows = _focal_rows(outcomes, region.roles.focal)
    names = rows["outcome"].tolist()
    fig = _figure(13.0, 4.8, layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True, width_ratios=[1.2, 1.0])
    _paired_bars(left, _outcome_labels(names, region), rows, name_a, name_b)
    left.set_title("Probability in A and in B", fontsize=10)
    _diff_whiskers(right, rows, [FOCAL_OUTCOMES[n][1] for n in names])
    kind = "paired" if _is_paired(outcomes) else "UNPAIRED"
    right.set_title(f"Difference B - A with 95% interval ({kind})", fontsize=10)
    right.tick_params(labelleft=False)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    fig.suptitle(f"{heading}\n{_focal_name(region)}: who holds power at the horizon",
                 fontsize=12)
    return _save(fig, path)


# ----------------------------------------------------------------------------- public


def write_compare_charts(out_dir: Path, deltas: pd.DataFrame, ripple: pd.DataFrame,
                         outcomes: pd.DataFrame, region: Region, name_a: str,
                         name_b: str) -> list[Path]:
    """Write the PNG charts of a comparison of scenario B with scenario A into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder for the charts; created if missing.
    deltas : pandas.DataFrame
        :func:`sim.analyses.compare.deltas_frame`: week, actor, metric, mean_a, mean_b, diff_mean,
        diff_p05, diff_p50, diff_p95, paired.
    ripple : pandas.DataFrame
        :func:`sim.analyses.compare.ripple_frame`: actor, kind, metric, peak_diff, peak_week,
        arrival_week (empty: no clear ripple), persists_at_horizon, diff_at_horizon,
        distance_from_focal, paired.
    outcomes : pandas.DataFrame
        :func:`sim.analyses.compare.outcomes_frame`: actor, outcome, probability_a, probability_b,
        diff, ci_low, ci_high, paired.
    region : Region
        The region both runs used (names, kinds, coordinates, graph).
    name_a, name_b : str
        Names of scenarios A and B, used in every chart title.

    Returns
    -------
    list of pathlib.Path
        ``diff_fan_stability.png``, ``diff_fan_unrest.png``, ``diff_fan_posture.png``,
        ``map.png`` (left out when no state has a polygon), ``ripple_map.png``,
        ``outcomes_side_by_side.png`` and ``arrival_vs_distance.png``, in that order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    states = _state_ids(region)
    names = f"A = '{name_a}', B = '{name_b}'"
    heading = f"{names}; {_pairing_phrase(_is_paired(deltas))}"
    paths = [
        _diff_fan_chart(out_dir / "diff_fan_stability.png", deltas, ripple, states,
                        "stability", region, f"Stability of each state\n{heading}"),
        _diff_fan_chart(out_dir / "diff_fan_unrest.png", deltas, ripple, states, "unrest",
                        region, f"Unrest (share of the public protesting) of each state\n"
                        f"{heading}"),
        _diff_fan_chart(out_dir / "diff_fan_posture.png", deltas, ripple,
                        _posture_ids(region), "posture", region,
                        f"Military posture of {_posture_title(region)}\n{heading}"),
        _compare_outcome_map(out_dir / "map.png", outcomes, region, heading),
        _compare_ripple_map(out_dir / "ripple_map.png", ripple, region, heading),
        _outcomes_side_by_side(out_dir / "outcomes_side_by_side.png", outcomes, name_a,
                               name_b, region, f"Comparison: {names}"),
        _arrival_chart(out_dir / "arrival_vs_distance.png", ripple, region, heading),
    ]
    return [p for p in paths if p is not None]
