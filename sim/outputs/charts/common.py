"""Shared style, colours and drawing helpers of the charts.

Everything is drawn with matplotlib's object API (:class:`matplotlib.figure.Figure` on
the Agg canvas), so no global pyplot state is touched and nothing needs a display.
Nothing is random: positions come from coordinates and colours from fixed tables, and
PNGs are saved without matplotlib's ``Software`` metadata key
(:func:`sim.outputs.charts.png._save`), so the same frames give the same bytes under the
same matplotlib, FreeType and Pillow.

This module holds what several chart modules share: the figure and save helpers, the
colour tables, the metric styles, the fan-panel primitives, the probability bars with
confidence whiskers and the actor selections (states, posture actors, focal outcomes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter

from sim.outcomes import OUTCOME_TABLE
from sim.outcomes import label as outcome_label
from sim.outputs.charts.png import DPI, _save  # noqa: F401 (the chart modules' _save)
from sim.regions.loader import Region

BAND_COLOUR = "#2b6cb0"
BASELINE_COLOUR = "#444444"
GRID_KW = {"color": "#e5e5e5", "linewidth": 0.6}

#: Fixed colour of every holder of power (unknown holders get a fallback colour).
HOLDER_COLOURS: dict[str, str] = {
    "incumbent": "#4c72b0",
    "constitutional_interim": "#8fb8de",
    "emergency_body": "#8172b2",
    "designated_successor": "#2a9d8f",
    "insider_successor": "#55a868",
    "contested": "#dd8452",
    "opposition_led": "#e9c46a",
    "patron_controlled": "#c44e52",
    "rival_takeover": "#8c564b",
}
FALLBACK_COLOURS = ("#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")

#: The focal state's regime outcomes, in display order, with readable labels and colours
#: (:func:`_outcome_labels` names the patron in the takeover label); read from
#: :data:`sim.outcomes.OUTCOME_TABLE`.
FOCAL_OUTCOMES: dict[str, tuple[str, str]] = {
    o.name: (o.label, o.colour) for o in OUTCOME_TABLE}


@dataclass(frozen=True)
class MetricStyle:
    """How one metric is labelled and scaled in the fan charts.

    Every value is in the unit of ``timeseries.csv`` (a share of the public is a
    fraction 0-1 there, and so on every chart).

    Attributes
    ----------
    label : str
        Readable name of the metric.
    unit : str
        Axis label, in the CSV's unit.
    bounds : tuple of float
        Hard bounds of the metric (the model keeps it inside them).
    display : tuple of float
        The fixed y-range of every fan panel of this metric, in every scenario and
        region, so that charts of two scenarios compare directly. A run whose 90% band
        leaves it is drawn on the hard ``bounds`` instead, and its title says so.
    ticks : int
        Number of evenly spaced y-ticks over the display range.
    """

    label: str
    unit: str
    bounds: tuple[float, float]
    display: tuple[float, float]
    ticks: int = 6


METRIC_STYLES: dict[str, MetricStyle] = {
    "stability": MetricStyle("Stability", "stability index (0-1, as in timeseries.csv)",
                             (0.0, 1.0), (0.0, 1.0)),
    # 0-0.05 holds every shipped scenario's 90% band (the largest, Kazakhstan after
    # Russia's incapacity, reaches 0.048) and the 0.02 mass-protest line.
    "unrest": MetricStyle("Unrest", "share of the public protesting (0-1, as in "
                          "timeseries.csv)", (0.0, 1.0), (0.0, 0.05)),
    "posture": MetricStyle("Military posture", "posture index (0-1, as in timeseries.csv)",
                           (0.0, 1.0), (0.0, 1.0)),
}
#: Unrest at or above this share is a mass protest (``outcomes.csv``: ``mass_protest``).
MASS_PROTEST_SHARE = 0.02
MASS_PROTEST_COLOUR = "#c44e52"


# ---------------------------------------------------------------------------- helpers


def _figure(width: float, height: float, layout: str | None = None) -> Figure:
    """A new figure attached to an Agg canvas (no pyplot involved).

    Without ``layout`` the figure has a fixed layout: callers place their axes with
    :func:`_margins` or :func:`_panel_grid`, which is much faster than the constrained
    layout solver (pass ``layout="constrained"`` where a chart still needs it).
    """
    fig = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _margins(fig: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed subplot margins, given in inches from each edge of the figure."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1.0 - right / width,
                        top=1.0 - top / height, bottom=bottom / height)


def _text_width(labels: Sequence[str], fontsize: float) -> float:
    """Estimated width in inches of the longest of ``labels`` (for fixed margins)."""
    longest = max((max(len(line) for line in str(t).split("\n")) for t in labels), default=0)
    return 0.56 * fontsize / 72 * longest


def _names(region: Region) -> dict[str, str]:
    """Display name of each actor id."""
    return dict(zip(region.ids, region.names, strict=True))


def _focal_name(region: Region) -> str:
    """Display name of the focal state (e.g. ``Belarus``)."""
    return _names(region)[region.roles.focal]


def _patron_phrase(region: Region) -> str:
    """The patrons' names joined for titles (``Russia``; empty without patrons)."""
    names = _names(region)
    return " and ".join(names[p] for p in region.roles.patrons)


def _outcome_labels(names: Sequence[str], region: Region) -> list[str]:
    """Readable labels of outcome names, with the patron named in the takeover label."""
    patrons = _patron_phrase(region) or "a patron (this region has none)"
    return [outcome_label(name, patrons) for name in names]


def _members(outcomes: pd.DataFrame) -> int | None:
    """Ensemble size recorded in the outcomes frame, if any."""
    if outcomes.empty or "members" not in outcomes:
        return None
    return int(outcomes["members"].max())


def _grid_shape(n_panels: int, max_cols: int = 4) -> tuple[int, int]:
    """Rows and columns of a panel grid with at least one free cell for the legend.

    Of 2 to ``max_cols`` columns, the one that leaves the fewest empty cells wins (the
    most columns on ties), so that six panels take two rows of four, not three of three.
    """
    def empty(cols: int) -> tuple[int, int]:
        rows = math.ceil((n_panels + 1) / cols)
        return rows * cols - n_panels - 1, -cols

    cols = min(range(2, max_cols + 1), key=empty)
    return math.ceil((n_panels + 1) / cols), cols


@dataclass
class PanelGrid:
    """A fixed-layout grid of panels sharing both axes, and its spare legend cell.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    axes : list of matplotlib.axes.Axes
        One Axes per panel, row by row (no Axes is made for the empty cells).
    legend_box : tuple of float
        Figure-fraction bounds (x, y, width, height) of the first free cell.
    """

    fig: Figure
    axes: list[Axes]
    legend_box: tuple[float, float, float, float]


#: Panel grids made ahead of time (:func:`stock_panel_grids`), by their arguments.
_STOCK: dict[tuple, list[PanelGrid]] = {}


def stock_panel_grids(calls: list[tuple[int, dict]]) -> None:
    """Make the grids of :func:`_panel_grid` for ``calls`` now; it hands them out later.

    ``calls`` holds ``(n_panels, keyword arguments)`` pairs. The forked chart helper
    (:mod:`sim.outputs.chart_fork`) makes the fan charts' grids while the run's ensemble
    steps, before their data exist: creating the panels and their axes is about a third
    of drawing a fan chart, and none of it depends on the data. A grid is the same
    whether made now or when asked for (same arguments, same operations, and nothing
    drawn between depends on it), so the PNG bytes do not change
    (``tests/test_chart_fork.py``); a call that asks for other arguments gets a new one.
    """
    for n_panels, kwargs in calls:
        grid = _new_panel_grid(n_panels, **kwargs)
        _STOCK.setdefault(_grid_key(n_panels, **kwargs), []).append(grid)


def _grid_key(n_panels: int, panel_w: float, panel_h: float, top: float,
              sharey: bool = True, left: float = 0.75, right: float = 0.15,
              bottom: float = 0.6, hspace: float = 0.32, wspace: float = 0.12,
              twin_right: float = 0.0) -> tuple:
    """Every argument of :func:`_panel_grid`, defaults filled in."""
    return (n_panels, panel_w, panel_h, top, sharey, left, right, bottom, hspace, wspace,
            twin_right)


def _panel_grid(n_panels: int, panel_w: float, panel_h: float, top: float,
                sharey: bool = True, left: float = 0.75, right: float = 0.15,
                bottom: float = 0.6, hspace: float = 0.32, wspace: float = 0.12,
                twin_right: float = 0.0) -> PanelGrid:
    """A figure with ``n_panels`` panels in a :func:`_grid_shape` grid, fixed margins.

    Sizes are in inches; ``top`` holds the figure title and ``hspace`` is the share of a
    panel's height left between rows for its title. With ``sharey`` only the first
    column shows y tick labels; x tick labels are shown under the lowest panel of each
    column. ``twin_right`` adds room right of every panel for a second y-axis. A grid
    made ahead with the same arguments (:func:`stock_panel_grids`) is handed out first.
    """
    args = (n_panels, panel_w, panel_h, top, sharey, left, right, bottom, hspace, wspace,
            twin_right)
    ready = _STOCK.get(args)
    if ready:
        return ready.pop(0)
    return _new_panel_grid(*args)


def _new_panel_grid(n_panels: int, panel_w: float, panel_h: float, top: float,
                    sharey: bool = True, left: float = 0.75, right: float = 0.15,
                    bottom: float = 0.6, hspace: float = 0.32, wspace: float = 0.12,
                    twin_right: float = 0.0) -> PanelGrid:
    """A new grid of :func:`_panel_grid` (the same arguments)."""
    rows, cols = _grid_shape(n_panels)
    gap = wspace * panel_w + twin_right
    width = left + right + twin_right + cols * panel_w + (cols - 1) * gap
    height = top + bottom + rows * panel_h + (rows - 1) * hspace * panel_h
    fig = _figure(width, height)
    grid = fig.add_gridspec(rows, cols, left=left / width,
                            right=1.0 - (right + twin_right) / width,
                            top=1.0 - top / height, bottom=bottom / height,
                            hspace=hspace, wspace=gap / panel_w)
    axes: list[Axes] = []
    for i in range(n_panels):
        share = axes[0] if axes else None
        ax = fig.add_subplot(grid[i // cols, i % cols], sharex=share,
                             sharey=share if sharey else None)
        ax.tick_params(labelbottom=i + cols >= n_panels,
                       labelleft=not sharey or i % cols == 0, labelsize=8)
        # Limits are set once by the caller: no autoscaling after every artist.
        ax.set_autoscale_on(False)
        axes.append(ax)
    box = grid[n_panels // cols, n_panels % cols].get_position(fig)
    return PanelGrid(fig, axes, (box.x0, box.y0, box.width, box.height))


# ------------------------------------------------------------------------- fan panels


def _metric_tables(timeseries: pd.DataFrame, metric: str,
                   actors: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Rows of ``metric`` for each of ``actors`` that has any, sorted by week."""
    rows = timeseries[timeseries["metric"] == metric]
    groups = {str(a): t.sort_values("week", kind="stable")
              for a, t in rows.groupby("actor", sort=False)}
    return {a: groups[a] for a in actors if a in groups and not groups[a].empty}


def _metric_table(timeseries: pd.DataFrame, metric: str, actor: str) -> pd.DataFrame:
    """Rows of one actor and metric, sorted by week."""
    rows = timeseries[(timeseries["metric"] == metric) & (timeseries["actor"] == actor)]
    return rows.sort_values("week", kind="stable")


def _baseline(rows: pd.DataFrame) -> float:
    """Week-0 median of a metric table (all members start equal), or the first row's."""
    first = rows[rows["week"] == rows["week"].min()]
    return float(first["p50"].iloc[0])


def fan_limits(metric: str, tables: Sequence[pd.DataFrame]) -> tuple[tuple[float, float], bool]:
    """The y-range of every panel of a fan chart of ``metric``, and whether it was raised.

    The range is the metric's fixed :attr:`MetricStyle.display` range, the same in every
    scenario and region, so the fan charts of two scenarios compare directly. Only when
    some panel's 90% band (p05-p95) leaves it is the hard :attr:`MetricStyle.bounds`
    range used instead (and ``True`` returned, for the chart title to say so).

    Parameters
    ----------
    metric : str
        ``stability``, ``unrest`` or ``posture``.
    tables : sequence of pandas.DataFrame
        The panels' rows of ``timeseries.csv`` (columns ``p05`` and ``p95``).

    Returns
    -------
    tuple
        ``((low, high), raised)``.
    """
    style = METRIC_STYLES[metric]
    low, high = style.display
    shown = [t for t in tables if not t.empty]
    data_low = min((float(t["p05"].min()) for t in shown), default=low)
    data_high = max((float(t["p95"].max()) for t in shown), default=high)
    if data_low < low or data_high > high:
        return style.bounds, True
    return style.display, False


def _range_note(metric: str, limits: tuple[float, float], raised: bool) -> str:
    """What the panels' fixed y-range is, for the chart title."""
    style = METRIC_STYLES[metric]
    span = f"{limits[0]:g}-{limits[1]:g}"
    if raised:
        return (f"every panel spans {span}, the hard bounds: this run leaves the standard "
                f"{style.display[0]:g}-{style.display[1]:g}")
    return f"every panel spans the fixed range {span}, the same for every scenario"


def _centred_window(low: float, high: float, span: float,
                    bounds: tuple[float, float]) -> tuple[float, float]:
    """A window of height ``span`` centred on ``low..high``, kept near ``bounds``."""
    centre = 0.5 * (low + high)
    pad = 0.03 * span
    bottom = min(max(centre - span / 2, bounds[0] - pad), bounds[1] + pad - span)
    return bottom, bottom + span


def _fixed_ticks(limits: tuple[float, float], count: int) -> FixedLocator:
    """Evenly spaced ticks over ``limits``."""
    return FixedLocator(np.linspace(limits[0], limits[1], count))


def _fix_axes(ax: Axes, weeks: pd.Series, limits: tuple[float, float], ticks: int) -> None:
    """Week and value limits and fixed ticks of a panel grid (shared by every panel)."""
    first, last = float(weeks.min()), float(weeks.max())
    ax.set_xlim(first, last)
    ax.set_ylim(*limits)
    step = 20.0 if last - first > 40 else 5.0
    ax.xaxis.set_major_locator(FixedLocator(np.arange(first, last + 1e-9, step)))
    ax.yaxis.set_major_locator(_fixed_ticks(limits, ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))


def _plain_number(value: float, _pos: object = None) -> str:
    """A tick value in the CSV's unit with up to three significant digits (0.01 -> '0.01')."""
    return f"{value:.3g}"


def _draw_fan(ax: Axes, rows: pd.DataFrame, title: str) -> None:
    """One fan panel: 90% and 50% bands, the median and the dashed baseline.

    Limits, ticks and grid are set once for the whole grid (the panels share axes).
    """
    week = rows["week"].to_numpy()
    ax.fill_between(week, rows["p05"].to_numpy(), rows["p95"].to_numpy(), color=BAND_COLOUR,
                    alpha=0.18, linewidth=0)
    ax.fill_between(week, rows["p25"].to_numpy(), rows["p75"].to_numpy(), color=BAND_COLOUR,
                    alpha=0.38, linewidth=0)
    ax.plot(week, rows["p50"].to_numpy(), color=BAND_COLOUR, linewidth=1.6)
    ax.axhline(_baseline(rows), color=BASELINE_COLOUR, linestyle="--", linewidth=0.9)
    # y given: matplotlib then skips placing the title above the x-axis decorations at
    # every draw (tick boxes of every panel measured, about a tenth of a fan chart); the
    # ticks are below the panel, so the title stays at 1.0 and the pixels are the same.
    ax.set_title(title, fontsize=10, y=1.0)
    ax.grid(True, **GRID_KW)


def _fan_handles(mass_protest: bool = False) -> list:
    """Legend entries of the fan charts (with the mass-protest line for unrest)."""
    handles = [
        Line2D([], [], color=BAND_COLOUR, linewidth=1.6,
               label="median (p50 column of timeseries.csv)"),
        Patch(color=BAND_COLOUR, alpha=0.38 + 0.18 * 0.62, label="50% band (p25-p75)"),
        Patch(color=BAND_COLOUR, alpha=0.18, label="90% band (p05-p95)"),
        Line2D([], [], color=BASELINE_COLOUR, linestyle="--", linewidth=0.9,
               label="baseline (week 0)"),
    ]
    if mass_protest:
        handles.append(Line2D([], [], color=MASS_PROTEST_COLOUR, linestyle=":", linewidth=1.0,
                              label=f"mass protest ({MASS_PROTEST_SHARE:g} of the public)"))
    return handles


def _cell_legend(fig: Figure, box: tuple[float, float, float, float], handles: list,
                 **kwargs: object) -> None:
    """A figure legend centred in a free grid cell (no Axes is made for it)."""
    fig.legend(handles=handles, loc="center", bbox_to_anchor=box,
               bbox_transform=fig.transFigure, frameon=False, **kwargs)


# ------------------------------------------------------------------- actor selections


def _state_ids(region: Region) -> list[str]:
    """Ids of actors of kind ``state``, in region order."""
    return [a for a, k in zip(region.ids, region.kinds, strict=True) if k == "state"]


def _posture_ids(region: Region) -> list[str]:
    """The region's reported states (``roles.yaml``) followed by its patrons."""
    ids = list(region.roles.reported)
    return ids + [a for a in region.roles.patrons if a not in ids]


def _posture_title(region: Region) -> str:
    """Who the posture charts show, for titles."""
    patrons = _patron_phrase(region)
    return "the reported states" + (f" and {patrons}" if patrons else "")


# ------------------------------------------------------------------ focal outcomes


def _focal_rows(outcomes: pd.DataFrame, focal: str) -> pd.DataFrame:
    """The five regime outcome rows of the focal state, in display order."""
    rows = outcomes[(outcomes["actor"] == focal)
                    & outcomes["outcome"].isin(list(FOCAL_OUTCOMES))]
    order = {name: i for i, name in enumerate(FOCAL_OUTCOMES)}
    return rows.sort_values("outcome", key=lambda s: s.map(order), kind="stable")


def _bar_with_ci(ax: Axes, labels: Sequence[str], rows: pd.DataFrame,
                 colours: Sequence[str], x_max: float = 1.0) -> None:
    """Horizontal probability bars (top to bottom) with 95% CI whiskers and % labels.

    The axis runs from 0 to ``x_max`` with room to the right for the labels.
    """
    y = np.arange(len(rows))[::-1]
    prob = rows["probability"].to_numpy(dtype=float)
    low = np.clip(prob - rows["ci_low"].to_numpy(dtype=float), 0.0, None)
    high = np.clip(rows["ci_high"].to_numpy(dtype=float) - prob, 0.0, None)
    ax.barh(y, prob, color=colours, height=0.6, edgecolor="white")
    ax.errorbar(prob, y, xerr=[low, high], fmt="none", ecolor="#222222", elinewidth=1.0,
                capsize=4)
    for yi, p, bottom, top in zip(y, prob, rows["ci_low"], rows["ci_high"], strict=True):
        ax.annotate(f"{100 * p:.1f}%", (float(top), yi), xytext=(6, 0),
                    textcoords="offset points", va="bottom", fontsize=9, fontweight="bold")
        ax.annotate(f"CI {100 * bottom:.1f}-{100 * top:.1f}%", (float(top), yi),
                    xytext=(6, 0), textcoords="offset points", va="top", fontsize=7.5,
                    color="#555555")
    ax.set_yticks(y, labels)
    ax.set_xlim(0.0, 1.16 * x_max)
    ax.xaxis.set_major_locator(FixedLocator(np.linspace(0.0, x_max, 6)))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.grid(True, axis="x", **GRID_KW)
    ax.set_axisbelow(True)


def _nice_limit(highs: pd.Series) -> float:
    """Smallest of 10%, 20%, 50% or 100% that holds every upper CI bound."""
    top = float(highs.max()) if len(highs) else 0.0
    return next((v for v in (0.1, 0.2, 0.5) if top <= v), 1.0)


# --------------------------------------------------------------------- holder colours


def _holder_colours(holders: Sequence[str]) -> list[str]:
    """Fixed colour per holder; unknown holders take fallback colours in order."""
    spare = iter(FALLBACK_COLOURS * (1 + len(holders)))
    return [HOLDER_COLOURS.get(h) or next(spare) for h in holders]
