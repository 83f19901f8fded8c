"""Matplotlib figures drawn on demand for the dashboard (shown by ``FigureMatplotlib``).

The fan charts of the run page redraw for the metric and actors a user picks, from
``timeseries.csv``; they use the colours of the report's charts
(:mod:`sim.outputs.charts.common`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.outputs.charts.common import BAND_COLOUR, BASELINE_COLOUR, GRID_KW

#: Label and natural bounds of each metric of ``timeseries.csv``.
METRIC_LABELS: dict[str, tuple[str, tuple[float, float]]] = {
    "stability": ("stability index (0-1)", (0.0, 1.0)),
    "unrest": ("share of the public protesting", (0.0, 1.0)),
    "posture": ("military posture (0-1)", (0.0, 1.0)),
    "stress": ("economic stress (0-1)", (0.0, 1.0)),
    "alignment": ("alignment (-1 Moscow, +1 West)", (-1.0, 1.0)),
}


def fan_figure(timeseries: pd.DataFrame, metric: str, actors: Sequence[str],
               names: dict[str, str], shared_y: bool = False) -> Figure:
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
    shared_y : bool
        Give every panel the metric's full range instead of zooming on its data.

    Returns
    -------
    matplotlib.figure.Figure
        Median, 50% and 90% bands across members, and the week-0 value dashed.
    """
    label, bounds = METRIC_LABELS[metric]
    rows = timeseries[timeseries["metric"] == metric]
    actors = [a for a in actors if (rows["actor"] == a).any()][:12]
    cols = min(3, max(1, len(actors)))
    nrows = max(1, math.ceil(len(actors) / cols))
    fig = Figure(figsize=(3.6 * cols, 2.5 * nrows + 0.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, cols, squeeze=False, sharex=True).ravel()
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
        if shared_y:
            ax.set_ylim(*bounds)
        ax.grid(True, **GRID_KW)
        ax.tick_params(labelsize=8)
        if metric == "unrest":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.2g}%"))
    for ax in axes[len(actors):]:
        ax.set_axis_off()
    if actors:
        axes[0].legend(fontsize=7, loc="best", frameon=False)
    fig.supxlabel("week of simulation", fontsize=9)
    fig.supylabel(label, fontsize=9)
    return fig
