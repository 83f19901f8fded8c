"""Matplotlib figures drawn on demand for the dashboard (shown by ``FigureMatplotlib``).

The fan charts of the run page redraw for the metric and actors a user picks, from
``timeseries.csv``; they use the colours of the report's charts
(:mod:`sim.outputs.charts.common`). By default every panel has the fixed y-range of the
report's PNG fan charts (:func:`sim.outputs.charts.common.fan_limits`: stability and
posture 0-1, unrest 0-0.05), so a change of under 1% looks as small as it is; zooming
each panel on its own data is an option, and the chart says so in red when it is on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.outputs.charts.common import (
    BAND_COLOUR,
    BASELINE_COLOUR,
    GRID_KW,
    METRIC_STYLES,
    fan_limits,
)

#: Label and natural bounds of each metric of ``timeseries.csv``.
METRIC_LABELS: dict[str, tuple[str, tuple[float, float]]] = {
    "stability": ("stability index (0-1)", (0.0, 1.0)),
    "unrest": ("share of the public protesting", (0.0, 1.0)),
    "posture": ("military posture (0-1)", (0.0, 1.0)),
    "stress": ("economic stress (0-1)", (0.0, 1.0)),
    "alignment": ("alignment (-1 Moscow, +1 West)", (-1.0, 1.0)),
}


#: Title line of a zoomed chart (red), so that a screenshot of it cannot pass for the
#: fixed-range chart.
ZOOM_NOTE = "ZOOMED: each panel's y-axis fits its own data, so small changes look large"


def fixed_range(timeseries: pd.DataFrame, metric: str, actors: Sequence[str]
                ) -> tuple[tuple[float, float], str]:
    """The fixed y-range of a fan chart of ``metric`` and a note saying what it is.

    The report's range (:func:`~sim.outputs.charts.common.fan_limits`) for the metrics
    it charts, raised to the hard bounds when a band leaves it; the natural bounds of
    :data:`METRIC_LABELS` for the others.
    """
    if metric not in METRIC_STYLES:
        low, high = METRIC_LABELS[metric][1]
        return (low, high), f"fixed range {low:g} to {high:g} (the metric's bounds)"
    rows = timeseries[(timeseries["metric"] == metric) & timeseries["actor"].isin(actors)]
    (low, high), raised = fan_limits(metric, [t for _, t in rows.groupby("actor")])
    if raised:
        display = METRIC_STYLES[metric].display
        return (low, high), (f"fixed range {low:g} to {high:g}: this run leaves the "
                             f"report's usual {display[0]:g} to {display[1]:g}")
    return (low, high), f"fixed range {low:g} to {high:g}, as in the report's charts"


def fan_figure(timeseries: pd.DataFrame, metric: str, actors: Sequence[str],
               names: dict[str, str], zoom: bool = False) -> Figure:
    """A grid of fan panels of ``metric``, one per actor.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        ``timeseries.csv`` of a run.
    metric : str
        One of :data:`METRIC_LABELS`.
    actors : sequence of str
        Actor ids, one panel each (at most 12 are drawn).
    names : dict of str to str
        Display names of the actor ids.
    zoom : bool
        Fit each panel's y-axis to its own data (marked in the title) instead of the
        fixed range of :func:`fixed_range`.

    Returns
    -------
    matplotlib.figure.Figure
        Median, 50% and 90% bands across members, and the week-0 value dashed.
    """
    label, _bounds = METRIC_LABELS[metric]
    rows = timeseries[timeseries["metric"] == metric]
    actors = [a for a in actors if (rows["actor"] == a).any()][:12]
    cols = min(3, max(1, len(actors)))
    nrows = max(1, math.ceil(len(actors) / cols))
    fig = Figure(figsize=(3.6 * cols, 2.5 * nrows + 0.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, cols, squeeze=False, sharex=True).ravel()
    limits, note = fixed_range(timeseries, metric, actors)
    for ax, actor in zip(axes, actors, strict=False):
        table = rows[rows["actor"] == actor].sort_values("week")
        week = table["week"].to_numpy()
        ax.fill_between(week, table["p05"], table["p95"], color=BAND_COLOUR, alpha=0.18,
                        linewidth=0, label="90% band")
        ax.fill_between(week, table["p25"], table["p75"], color=BAND_COLOUR, alpha=0.38,
                        linewidth=0, label="50% band")
        ax.plot(week, table["p50"], color=BAND_COLOUR, linewidth=1.6, label="median")
        ax.axhline(float(table["p50"].iloc[0]), color=BASELINE_COLOUR, linestyle="--",
                   linewidth=0.9, label="week 0")
        ax.set_title(f"{actor} - {names.get(actor, actor)}", fontsize=10)
        ax.set_xlim(week.min(), max(week.max(), week.min() + 1))
        if not zoom:
            ax.set_ylim(*limits)
        ax.grid(True, **GRID_KW)
        ax.tick_params(labelsize=8)
        if metric == "unrest":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.2g}%"))
    for ax in axes[len(actors):]:
        ax.set_axis_off()
    if actors:
        axes[0].legend(fontsize=7, loc="best", frameon=False)
    if zoom:
        fig.suptitle(ZOOM_NOTE, fontsize=10, color="#c62828", fontweight="bold")
    else:
        fig.suptitle(note, fontsize=9, color="#444444")
    fig.supxlabel("week of simulation", fontsize=9)
    fig.supylabel(label, fontsize=9)
    return fig
