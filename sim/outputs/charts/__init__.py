"""Charts of a run, of a comparison of two scenarios and of one replayed member.

Everything is drawn with matplotlib's object API (:class:`matplotlib.figure.Figure` on
the Agg canvas), so no global pyplot state is touched and nothing needs a display.
Nothing is random: positions come from coordinates and colours from fixed tables, and
PNGs are saved without the ``Software`` metadata key, so the same frames give the same
bytes under the same matplotlib and FreeType.

The public functions are :func:`write_run_charts` (one run's fan charts, Belarus
outcomes, holders of power and ripple map), :func:`write_compare_charts` (paired
differences of two scenarios) and :func:`write_replay_charts` (one ensemble member).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, SymLogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter

from sim.engines.stats import ARRIVAL_TOLERANCE
from sim.regions.loader import Region

DPI = 110
#: PNG metadata: drop the matplotlib version string so bytes do not depend on it.
PNG_METADATA: dict[str, str | None] = {"Software": None}

BAND_COLOUR = "#2b6cb0"
BASELINE_COLOUR = "#444444"
EDGE_COLOUR = "#bdbdbd"
ZOOM_COLOUR = "#1f4e79"
GRID_KW = {"color": "#e5e5e5", "linewidth": 0.6}
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}

#: Fixed colour of every holder of power (unknown holders get a fallback colour).
HOLDER_COLOURS: dict[str, str] = {
    "incumbent": "#4c72b0",
    "constitutional_interim": "#8fb8de",
    "security_council": "#8172b2",
    "insider_successor": "#55a868",
    "contested": "#dd8452",
    "opposition_led": "#e9c46a",
    "russian_controlled": "#c44e52",
}
FALLBACK_COLOURS = ("#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")

#: Belarus regime outcomes, in display order, with readable labels and colours.
BELARUS_OUTCOMES: dict[str, tuple[str, str]] = {
    "regime_and_leader_continue": ("Regime and leader continue", "#4c72b0"),
    "regime_continues_new_leader": ("Regime continues, new leader", "#55a868"),
    "contested": ("Contested (elite split)", "#dd8452"),
    "regime_change": ("Regime change (opposition)", "#e9c46a"),
    "russian_takeover": ("Russian takeover", "#c44e52"),
}
RIPPLE_OUTCOME = "stability_drop_10pct"

#: Map window in degrees east; actors further east are shown at the right edge.
MAP_LON_MIN = 10.0
MAP_LON_MAX = 45.0
MAP_PAD_DEG = 1.5
#: Off-map actors sit this far west of the right edge, with an arrow pointing east.
OFF_MAP_INSET_DEG = 1.8
#: Zoom window around Minsk holding Belarus and its power centres (degrees).
INSET_LON = (25.7, 29.4)
INSET_LAT = (52.8, 55.0)


@dataclass(frozen=True)
class MetricStyle:
    """How one metric is labelled and bounded in the fan charts."""

    label: str
    unit: str
    bounds: tuple[float, float]
    min_span: float
    percent: bool = False


METRIC_STYLES: dict[str, MetricStyle] = {
    "stability": MetricStyle("Stability", "stability index (0-1)", (0.0, 1.0), 0.02),
    "unrest": MetricStyle("Unrest", "share of public protesting (%)", (0.0, 1.0), 0.002,
                          percent=True),
    "posture": MetricStyle("Military posture", "posture index (0-1)", (0.0, 1.0), 0.02),
}


# --------------------------------------------------------------------------- helpers


def _figure(width: float, height: float) -> Figure:
    """A new figure attached to an Agg canvas (no pyplot involved)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    """Save ``fig`` as PNG without version metadata, release it, and return ``path``."""
    fig.savefig(path, dpi=DPI, metadata=PNG_METADATA, facecolor="white")
    fig.clear()
    return path


def _names(region: Region) -> dict[str, str]:
    """Display name of each actor id."""
    return dict(zip(region.ids, region.names, strict=True))


def _members(outcomes: pd.DataFrame) -> int | None:
    """Ensemble size recorded in the outcomes frame, if any."""
    if outcomes.empty or "members" not in outcomes:
        return None
    return int(outcomes["members"].max())


def _grid_shape(n_panels: int, max_cols: int = 4) -> tuple[int, int]:
    """Rows and columns of a panel grid that leaves at least one free cell for the legend."""
    cols = min(max_cols, max(2, math.ceil(math.sqrt(n_panels + 1))))
    rows = math.ceil((n_panels + 1) / cols)
    return rows, cols


# ------------------------------------------------------------------------ fan charts


def _metric_table(timeseries: pd.DataFrame, metric: str, actor: str) -> pd.DataFrame:
    """Rows of one actor and metric, sorted by week."""
    rows = timeseries[(timeseries["metric"] == metric) & (timeseries["actor"] == actor)]
    return rows.sort_values("week", kind="stable")


def _baseline(rows: pd.DataFrame) -> float:
    """Week-0 median of a metric table (all members start equal), or the first row's."""
    first = rows[rows["week"] == rows["week"].min()]
    return float(first["p50"].iloc[0])


def _common_span(tables: Sequence[pd.DataFrame], style: MetricStyle) -> float:
    """Height of the y-window shared by every panel: the widest band, padded."""
    spans = [float(max(t["p95"].max(), _baseline(t)) - min(t["p05"].min(), _baseline(t)))
             for t in tables if not t.empty]
    widest = max(spans, default=0.0)
    low, high = style.bounds
    return min(high - low, max(widest * 1.15, style.min_span))


def _panel_limits(rows: pd.DataFrame, span: float,
                  bounds: tuple[float, float]) -> tuple[float, float]:
    """A y-window of height ``span`` centred on the panel's data, kept near ``bounds``."""
    base = _baseline(rows)
    low = min(float(rows["p05"].min()), base)
    high = max(float(rows["p95"].max()), base)
    return _centred_window(low, high, span, bounds)


def _centred_window(low: float, high: float, span: float,
                    bounds: tuple[float, float]) -> tuple[float, float]:
    """A window of height ``span`` centred on ``low..high``, kept near ``bounds``."""
    centre = 0.5 * (low + high)
    pad = 0.03 * span
    bottom = min(max(centre - span / 2, bounds[0] - pad), bounds[1] + pad - span)
    return bottom, bottom + span


def _short_percent(value: float, _pos: object = None) -> str:
    """A share as a percent with at most three significant digits (0.25 -> '25%')."""
    return f"{100 * value:.3g}%"


def _draw_fan(ax: Axes, rows: pd.DataFrame, title: str, limits: tuple[float, float],
              style: MetricStyle) -> None:
    """One fan panel: 90% and 50% bands, the median and the dashed baseline."""
    week = rows["week"].to_numpy()
    ax.fill_between(week, rows["p05"], rows["p95"], color=BAND_COLOUR, alpha=0.18,
                    linewidth=0)
    ax.fill_between(week, rows["p25"], rows["p75"], color=BAND_COLOUR, alpha=0.38,
                    linewidth=0)
    ax.plot(week, rows["p50"], color=BAND_COLOUR, linewidth=1.6)
    ax.axhline(_baseline(rows), color=BASELINE_COLOUR, linestyle="--", linewidth=0.9)
    ax.set_xlim(week.min(), week.max())
    ax.set_ylim(*limits)
    ax.set_title(title, fontsize=10)
    ax.grid(True, **GRID_KW)
    ax.tick_params(labelsize=8)
    if style.percent:
        ax.yaxis.set_major_formatter(FuncFormatter(_short_percent))


def _fan_legend(ax: Axes) -> None:
    """Use a spare grid cell as the legend of the fan charts."""
    ax.set_axis_off()
    handles = [
        Line2D([], [], color=BAND_COLOUR, linewidth=1.6, label="median"),
        Patch(color=BAND_COLOUR, alpha=0.38 + 0.18 * 0.62, label="50% band (p25-p75)"),
        Patch(color=BAND_COLOUR, alpha=0.18, label="90% band (p05-p95)"),
        Line2D([], [], color=BASELINE_COLOUR, linestyle="--", linewidth=0.9,
               label="baseline (week 0)"),
    ]
    ax.legend(handles=handles, loc="center", frameon=False, fontsize=9)


def _fan_chart(path: Path, timeseries: pd.DataFrame, actors: Sequence[str], metric: str,
               region: Region, heading: str) -> Path:
    """A grid of fan panels of ``metric``, one per actor, with a common y-span."""
    style = METRIC_STYLES[metric]
    tables = [_metric_table(timeseries, metric, a) for a in actors]
    present = [(a, t) for a, t in zip(actors, tables, strict=True) if not t.empty]
    rows, cols = _grid_shape(len(present))
    fig = _figure(3.2 * cols, 2.5 * rows + 0.6)
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
    span = _common_span([t for _, t in present], style)
    names = _names(region)
    for ax, (actor, table) in zip(axes, present, strict=False):
        _draw_fan(ax, table, f"{actor} - {names.get(actor, actor)}",
                  _panel_limits(table, span, style.bounds), style)
    for ax in axes[len(present):]:
        ax.set_axis_off()
    _fan_legend(axes[len(present)])
    fig.supxlabel("week of simulation", fontsize=10)
    fig.supylabel(style.unit, fontsize=10)
    fig.suptitle(f"{heading}\n(every panel spans the same y-range, centred on its own data)",
                 fontsize=12)
    return _save(fig, path)


def _state_ids(region: Region) -> list[str]:
    """Ids of actors of kind ``state``, in region order."""
    return [a for a, k in zip(region.ids, region.kinds, strict=True) if k == "state"]


def _posture_ids(region: Region) -> list[str]:
    """NATO frontline states (``frontline == 1``) followed by Russia."""
    frontline = region.attrs.get("frontline", np.zeros(region.n))
    ids = [a for a, f in zip(region.ids, frontline, strict=True) if f == 1]
    return ids + [a for a in ("RUS",) if a in region.ids and a not in ids]


# ------------------------------------------------------------------- Belarus outcomes


def _belarus_rows(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The five Belarus regime outcome rows, in display order."""
    rows = outcomes[(outcomes["actor"] == "BLR")
                    & outcomes["outcome"].isin(list(BELARUS_OUTCOMES))]
    order = {name: i for i, name in enumerate(BELARUS_OUTCOMES)}
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


def _outcomes_chart(path: Path, outcomes: pd.DataFrame, heading: str) -> Path:
    """Bar chart of Belarus's regime outcomes with 95% CIs."""
    rows = _belarus_rows(outcomes)
    fig = _figure(9.0, 4.2)
    ax = fig.subplots()
    names = rows["outcome"].tolist()
    _bar_with_ci(ax, [BELARUS_OUTCOMES[n][0] for n in names], rows,
                 [BELARUS_OUTCOMES[n][1] for n in names])
    ax.set_xlabel("probability (% of ensemble members; whiskers: 95% Wilson interval)")
    members = _members(outcomes)
    size = f", {members} members" if members else ""
    ax.set_title(f"{heading}\nBelarus: who holds power at the horizon{size}", fontsize=12)
    return _save(fig, path)


# ---------------------------------------------------------------------------- holders


def _holder_colours(holders: Sequence[str]) -> list[str]:
    """Fixed colour per holder; unknown holders take fallback colours in order."""
    spare = iter(FALLBACK_COLOURS * (1 + len(holders)))
    return [HOLDER_COLOURS.get(h) or next(spare) for h in holders]


def _holders_chart(path: Path, holders: pd.DataFrame, heading: str) -> Path:
    """Stacked area of the share of members under each holder of power, per week."""
    order = list(dict.fromkeys(holders["holder"]))
    wide = holders.pivot_table(index="week", columns="holder", values="share",
                               aggfunc="first", fill_value=0.0).reindex(columns=order)
    fig = _figure(10.0, 4.8)
    ax = fig.subplots()
    labels = [h.replace("_", " ") for h in order]
    ax.stackplot(wide.index.to_numpy(), wide.to_numpy().T, labels=labels,
                 colors=_holder_colours(order), linewidth=0)
    ax.set_xlim(wide.index.min(), wide.index.max())
    ax.set_ylim(0.0, 1.0)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("week of simulation")
    ax.set_ylabel("share of ensemble members (%)")
    ax.set_title(f"{heading}\nWho holds power in Belarus, week by week", fontsize=12)
    ax.grid(True, **GRID_KW)
    handles, texts = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], texts[::-1], title="holder of power", loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return _save(fig, path)


# ------------------------------------------------------------------------- ripple map


def _peak_change(timeseries: pd.DataFrame, actors: Sequence[str]) -> dict[str, float]:
    """Per actor: (min over weeks of mean stability - week-0 value) / week-0 value."""
    stab = timeseries[timeseries["metric"] == "stability"]
    out: dict[str, float] = {}
    for actor, rows in stab.groupby("actor", sort=False):
        if actor not in actors:
            continue
        rows = rows.sort_values("week", kind="stable")
        base = float(rows["mean"].iloc[0])
        low = float(rows["mean"].min())
        out[str(actor)] = (low - base) / base if base > 0 else 0.0
    return out


@dataclass(frozen=True)
class MapLayout:
    """Projected positions of the actors on the map."""

    x: dict[str, float]
    y: dict[str, float]
    off_map: tuple[str, ...]
    scale: float


def _map_layout(region: Region) -> MapLayout:
    """Equirectangular positions, x scaled by cos(mean latitude of on-map actors).

    Actors east of :data:`MAP_LON_MAX` are pinned to the right edge at their latitude.
    """
    lon = np.asarray(region.lon, dtype=float)
    lat = np.asarray(region.lat, dtype=float)
    inside = lon <= MAP_LON_MAX
    scale = math.cos(math.radians(float(lat[inside].mean() if inside.any() else lat.mean())))
    pinned = np.minimum(lon, MAP_LON_MAX - OFF_MAP_INSET_DEG)
    x = {a: float(v * scale) for a, v in zip(region.ids, pinned, strict=True)}
    y = {a: float(v) for a, v in zip(region.ids, lat, strict=True)}
    off = tuple(a for a, ok in zip(region.ids, inside, strict=True) if not ok)
    return MapLayout(x=x, y=y, off_map=off, scale=scale)


def _edge_segments(region: Region, layout: MapLayout) -> tuple[list, np.ndarray]:
    """One segment per linked pair, weighted by the larger directed sum of layer weights."""
    weight: dict[tuple[str, str], float] = {}
    for source, target, data in region.graph.edges(data=True):
        key = (source, target) if region.ids.index(source) < region.ids.index(target) \
            else (target, source)
        total = float(sum(float(v) for v in data.values()))
        weight[key] = max(weight.get(key, 0.0), total)
    keys = sorted(weight, key=lambda k: (region.ids.index(k[0]), region.ids.index(k[1])))
    segments = [[(layout.x[a], layout.y[a]), (layout.x[b], layout.y[b])] for a, b in keys]
    return segments, np.array([weight[k] for k in keys])


def _draw_edges(ax: Axes, region: Region, layout: MapLayout) -> float:
    """Grey edges under the nodes, width by weight; return the largest weight."""
    segments, weights = _edge_segments(region, layout)
    top = float(weights.max()) if weights.size else 1.0
    widths = 0.3 + 3.2 * weights / max(top, 1e-12)
    ax.add_collection(LineCollection(segments, colors=EDGE_COLOUR, linewidths=widths,
                                     zorder=1, capstyle="round"))
    return top


def _colour_norm(change: dict[str, float], region: Region) -> Normalize:
    """Colour scale from the states' largest drop (power centres may lie beyond it)."""
    states = [change.get(a, 0.0) for a in _state_ids(region)]
    low = min(min(states, default=0.0), -0.01)
    return Normalize(vmin=100 * low, vmax=0.0, clip=True)


@dataclass(frozen=True)
class NodePaint:
    """How a map colours and labels its actors.

    Attributes
    ----------
    values : dict of str to float
        Colour value of each actor, in colour-bar units (missing actors count as 0).
    norm : matplotlib.colors.Normalize
        Colour scale of ``values``.
    cmap : str
        Colormap name.
    label : callable
        Label under an on-map node (may span two lines).
    tag : callable
        One-line head of the label of an off-map node.
    label_zoomed : bool
        Whether actors shown in the zoom inset are labelled on the main map too.
    """

    values: dict[str, float]
    norm: Normalize
    cmap: str
    label: Callable[[str], str]
    tag: Callable[[str], str]
    label_zoomed: bool = True


def _run_paint(change: dict[str, float], region: Region) -> NodePaint:
    """Paint of the run's ripple map: peak change in % of baseline, yellow to red."""
    return NodePaint(values={a: 100 * change.get(a, 0.0) for a in region.ids},
                     norm=_colour_norm(change, region), cmap="YlOrRd_r",
                     label=lambda a: _node_label(a, change),
                     tag=lambda a: f"{a} {100 * change.get(a, 0.0):+.1f}%")


def _draw_nodes(ax: Axes, ids: Sequence[str], layout: MapLayout, paint: NodePaint,
                size: float, marker: str = "o") -> object:
    """Scatter the given actors coloured by their paint value."""
    values = [paint.values.get(a, 0.0) for a in ids]
    return ax.scatter([layout.x[a] for a in ids], [layout.y[a] for a in ids], c=values,
                      cmap=paint.cmap, norm=paint.norm, s=size, marker=marker,
                      edgecolors="#222222", linewidths=0.8, zorder=3)


def _node_label(actor: str, change: dict[str, float]) -> str:
    """Actor id and its peak change in % of baseline."""
    return f"{actor}\n{100 * change.get(actor, 0.0):+.1f}%"


def _label_states(ax: Axes, ids: Sequence[str], layout: MapLayout, paint: NodePaint,
                  region: Region) -> None:
    """Label states below their marker; off-map states get an arrow and their longitude."""
    lon = dict(zip(region.ids, region.lon, strict=True))
    lat = dict(zip(region.ids, region.lat, strict=True))
    skip = set() if paint.label_zoomed else set(_zoomed(region))
    for actor in (a for a in ids if a not in skip):
        x, y = layout.x[actor], layout.y[actor]
        if actor in layout.off_map:
            text = f"{paint.tag(actor)}\noff map: {lon[actor]:.0f}°E, {lat[actor]:.0f}°N"
            ax.annotate(text, (x, y), xytext=(-12, 0), textcoords="offset points",
                        ha="right", va="center", fontsize=8, zorder=4, bbox=LABEL_BOX)
            ax.annotate("", (MAP_LON_MAX * layout.scale, y), xytext=(x, y), zorder=2,
                        arrowprops={"arrowstyle": "-|>", "color": "#222222", "lw": 1.2,
                                    "shrinkA": 7, "shrinkB": 0})
            continue
        ax.annotate(paint.label(actor), (x, y), xytext=(0, -11),
                    textcoords="offset points", ha="center", va="top", fontsize=8, zorder=4,
                    bbox=LABEL_BOX)


def _set_map_axes(ax: Axes, region: Region, layout: MapLayout) -> None:
    """Limits, equal aspect and degree ticks of the main map."""
    lat = np.asarray(region.lat, dtype=float)
    ax.set_xlim(MAP_LON_MIN * layout.scale, MAP_LON_MAX * layout.scale)
    ax.set_ylim(float(lat.min()) - MAP_PAD_DEG, float(lat.max()) + MAP_PAD_DEG)
    ax.set_aspect("equal")
    ticks = np.arange(math.ceil(MAP_LON_MIN / 5) * 5, MAP_LON_MAX + 0.1, 5.0)
    ax.set_xticks(ticks * layout.scale, [f"{t:.0f}°E" for t in ticks])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}°N"))
    ax.set_xlabel("longitude (degrees east; equirectangular, x scaled by cos of mean latitude)")
    ax.set_ylabel("latitude (degrees north)")
    ax.grid(True, **GRID_KW)
    ax.set_axisbelow(True)


def _edge_legend(ax: Axes, top: float) -> None:
    """Legend of edge widths for a few round weights up to the largest."""
    samples = [w for w in (0.25, 1.0, 2.0, 3.0) if w <= top] or [top]
    handles = [Line2D([], [], color=EDGE_COLOUR, linewidth=0.3 + 3.2 * w / max(top, 1e-12),
                      label=f"{w:g}") for w in samples]
    ax.legend(handles=handles, title="link weight\n(sum of layers)", loc="upper left",
              fontsize=8, title_fontsize=8, framealpha=0.9)


def _inset_offset(actor: str, region: Region) -> tuple[tuple[float, float], str, str]:
    """Label offset (points) and alignment pointing away from the power centres' parent."""
    i = region.index(actor)
    parent = region.index("BLR") if "BLR" in region.ids else i
    dx = float(region.lon[i] - region.lon[parent])
    dy = float(region.lat[i] - region.lat[parent])
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return (0.0, -10.0), "center", "top"
    if abs(dx) >= abs(dy):
        return ((9.0, 0.0), "left", "center") if dx > 0 else ((-9.0, 0.0), "right", "center")
    return ((0.0, 9.0), "center", "bottom") if dy > 0 else ((0.0, -9.0), "center", "top")


def _zoomed(region: Region) -> list[str]:
    """Actors inside the zoom window around Minsk, in region order."""
    return [a for a in region.ids
            if INSET_LON[0] <= region.lon[region.index(a)] <= INSET_LON[1]
            and INSET_LAT[0] <= region.lat[region.index(a)] <= INSET_LAT[1]]


def _draw_inset(ax: Axes, region: Region, layout: MapLayout, paint: NodePaint) -> None:
    """Zoom on Minsk: Belarus and its power centres, labelled away from the centre."""
    inset = ax.inset_axes((0.015, 0.015, 0.4, 0.32))
    _draw_edges(inset, region, layout)
    cluster = _zoomed(region)
    _draw_nodes(inset, cluster, layout, paint, size=110)
    for actor in cluster:
        offset, ha, va = _inset_offset(actor, region)
        inset.annotate(paint.label(actor), (layout.x[actor], layout.y[actor]),
                       xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=7,
                       zorder=4, bbox=LABEL_BOX)
    inset.set_xlim(INSET_LON[0] * layout.scale, INSET_LON[1] * layout.scale)
    inset.set_ylim(*INSET_LAT)
    inset.set_aspect("equal")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_title("Zoom on the dashed box: Belarus and its power centres\n"
                    "(placed 0.6° around Minsk for display only)", fontsize=7.5,
                    color=ZOOM_COLOUR)
    for frame in (ax, inset):
        frame.add_patch(Rectangle((INSET_LON[0] * layout.scale, INSET_LAT[0]),
                                  (INSET_LON[1] - INSET_LON[0]) * layout.scale,
                                  INSET_LAT[1] - INSET_LAT[0], fill=False, ec=ZOOM_COLOUR,
                                  lw=2.0 if frame is inset else 1.0, ls="--", zorder=5))
    for spine in inset.spines.values():
        spine.set_visible(False)


def _draw_map(ax: Axes, region: Region, paint: NodePaint) -> object:
    """Edges, nodes, labels, axes, edge legend and zoom inset; return the states' scatter."""
    layout = _map_layout(region)
    top = _draw_edges(ax, region, layout)
    states = _state_ids(region)
    centres = [a for a in region.ids if a not in states]
    points = _draw_nodes(ax, states, layout, paint, size=170)
    _draw_nodes(ax, centres, layout, paint, size=28)
    _label_states(ax, states, layout, paint, region)
    _set_map_axes(ax, region, layout)
    _edge_legend(ax, top)
    _draw_inset(ax, region, layout, paint)
    return points


def _ripple_map(path: Path, timeseries: pd.DataFrame, region: Region, heading: str) -> Path:
    """Map of the influence graph; nodes coloured by the peak change of mean stability."""
    paint = _run_paint(_peak_change(timeseries, region.ids), region)
    fig = _figure(10.5, 9.0)
    ax = fig.subplots()
    points = _draw_map(ax, region, paint)
    bar = fig.colorbar(points, ax=ax, shrink=0.7, extend="min")
    bar.set_label("peak change in mean stability (% of baseline)")
    ax.set_title(f"{heading}\nRipple map: worst week of mean stability relative to week 0\n"
                 "(labels: actor and its peak change; colours beyond the states' range are "
                 "clipped)", fontsize=11)
    return _save(fig, path)


# --------------------------------------------------------------------- ripple summary


def _ripple_summary(path: Path, outcomes: pd.DataFrame, region: Region,
                    heading: str) -> Path:
    """Bar chart of each state's probability of a >10% stability drop, with 95% CIs."""
    states = _state_ids(region)
    rows = outcomes[(outcomes["outcome"] == RIPPLE_OUTCOME)
                    & outcomes["actor"].isin(states)]
    rows = rows.sort_values("probability", ascending=False, kind="stable")
    names = _names(region)
    fig = _figure(9.0, 0.42 * max(len(rows), 3) + 1.6)
    ax = fig.subplots()
    labels = [f"{names.get(a, a)} ({a})" for a in rows["actor"]]
    _bar_with_ci(ax, labels, rows, [BAND_COLOUR] * len(rows), _nice_limit(rows["ci_high"]))
    ax.set_xlabel("probability (% of ensemble members; whiskers: 95% Wilson interval)")
    ax.set_title(f"{heading}\nChance that stability falls more than 10% below its baseline "
                 "at some week", fontsize=12)
    return _save(fig, path)


# ------------------------------------------------------------- comparison: fan charts

DIFF_COLOUR = "#7b3294"
ZERO_COLOUR = "#222222"
A_COLOUR = "#a6a6a6"
B_COLOUR = BAND_COLOUR
#: Smallest y-span of a difference panel, as a share of the metric's ``min_span``.
DIFF_MIN_SPAN_SHARE = 0.25
#: What a difference of each metric is measured in.
DIFF_UNITS: dict[str, str] = {
    "stability": "difference in stability index (B - A)",
    "unrest": "difference in share of public protesting (percentage points, B - A)",
    "posture": "difference in posture index (B - A)",
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


def _diff_text(value: float, style: MetricStyle) -> str:
    """A difference with two significant digits (percentage points for shares)."""
    if style.percent:
        return f"{100 * value:+.2g} pp"
    return f"{value:+.2g}"


def _points_formatter(value: float, _pos: object = None) -> str:
    """Tick label of a difference of shares in percentage points (0.001 -> '0.1')."""
    return f"{100 * value:.3g}"


def _diff_extent(rows: pd.DataFrame) -> tuple[float, float]:
    """Lowest and highest of the band, the mean and zero (the mean may leave the band)."""
    low = min(float(rows["diff_p05"].min()), float(rows["diff_mean"].min()), 0.0)
    high = max(float(rows["diff_p95"].max()), float(rows["diff_mean"].max()), 0.0)
    return low, high


def _diff_bounds(style: MetricStyle) -> tuple[float, float]:
    """Largest possible difference either way."""
    width = style.bounds[1] - style.bounds[0]
    return -width, width


def _diff_span(tables: Sequence[pd.DataFrame], style: MetricStyle) -> float:
    """Height of the y-window shared by every difference panel: the widest, padded."""
    widths = [high - low for low, high in map(_diff_extent, tables)]
    low, high = _diff_bounds(style)
    floor = DIFF_MIN_SPAN_SHARE * style.min_span
    return min(high - low, max(max(widths, default=0.0) * 1.15, floor))


def _diff_note(rows: pd.DataFrame, arrival: int | None, style: MetricStyle) -> str:
    """Peak mean difference and its week, and the arrival week, for a panel title."""
    means = rows["diff_mean"].to_numpy(dtype=float)
    i = int(np.argmax(np.abs(means)))
    if means[i] == 0.0:
        return "no difference"
    week = int(rows["week"].iloc[i])
    return f"peak {_diff_text(means[i], style)} (wk {week}); {_arrival_text(arrival)}"


def _draw_diff(ax: Axes, rows: pd.DataFrame, title: str, limits: tuple[float, float],
               style: MetricStyle) -> None:
    """One difference panel: 90% band, mean difference and the zero line."""
    week = rows["week"].to_numpy()
    ax.fill_between(week, rows["diff_p05"], rows["diff_p95"], color=DIFF_COLOUR, alpha=0.2,
                    linewidth=0)
    ax.plot(week, rows["diff_mean"], color=DIFF_COLOUR, linewidth=1.5)
    ax.axhline(0.0, color=ZERO_COLOUR, linewidth=0.8)
    ax.set_xlim(week.min(), week.max())
    ax.set_ylim(*limits)
    ax.set_title(title, fontsize=9)
    ax.grid(True, **GRID_KW)
    ax.tick_params(labelsize=8)
    if style.percent:
        ax.yaxis.set_major_formatter(FuncFormatter(_points_formatter))


def _diff_legend(ax: Axes, paired: bool, style: MetricStyle, metric: str) -> None:
    """Use a spare grid cell as the legend of the difference charts."""
    ax.set_axis_off()
    spread = "paired differences" if paired else "differences of independent draws"
    handles = [
        Line2D([], [], color=DIFF_COLOUR, linewidth=1.5, label="mean difference B - A"),
        Patch(color=DIFF_COLOUR, alpha=0.2, label=f"90% band of {spread}\n(p05-p95 of members)"),
        Line2D([], [], color=ZERO_COLOUR, linewidth=0.8, label="zero: no difference"),
    ]
    ax.legend(handles=handles, loc="upper center", frameon=False, fontsize=8.5)
    tolerance = _diff_text(ARRIVAL_TOLERANCE[metric], style).lstrip("+")
    ax.text(0.5, 0.02, "The mean can lie outside the band\nwhen few members differ strongly.\n"
            f"Arrival: first week the band clears\nzero by more than {tolerance} (ripple.csv).",
            transform=ax.transAxes, ha="center", va="bottom", fontsize=8, color="#555555")


def _diff_fan_chart(path: Path, deltas: pd.DataFrame, ripple: pd.DataFrame,
                    actors: Sequence[str], metric: str, region: Region, heading: str) -> Path:
    """A grid of difference panels of ``metric``, one per actor, with a common y-span."""
    style = METRIC_STYLES[metric]
    arrivals = _arrivals(ripple)
    tables = [(a, _metric_table(deltas, metric, a)) for a in actors]
    present = [(a, t) for a, t in tables if not t.empty]
    rows, cols = _grid_shape(len(present))
    fig = _figure(3.2 * cols, 2.6 * rows + 0.8)
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
    span = _diff_span([t for _, t in present], style)
    names = _names(region)
    for ax, (actor, table) in zip(axes, present, strict=False):
        note = _diff_note(table, arrivals.get((actor, metric)), style)
        limits = _centred_window(*_diff_extent(table), span, _diff_bounds(style))
        _draw_diff(ax, table, f"{actor} - {names.get(actor, actor)}\n{note}", limits, style)
    for ax in axes[len(present):]:
        ax.set_axis_off()
    _diff_legend(axes[len(present)], _is_paired(deltas), style, metric)
    fig.supxlabel("week of simulation", fontsize=10)
    fig.supylabel(DIFF_UNITS[metric], fontsize=10)
    fig.suptitle(f"{heading}\n(every panel spans the same y-range, centred on its own data, "
                 "so panels compare at one scale;\nsmall ripples look flat: read their size "
                 "and arrival week in the panel titles)", fontsize=11)
    return _save(fig, path)


# ------------------------------------------------------------- comparison: ripple map

#: The comparison map's colours are linear within this share of the largest difference
#: and logarithmic beyond, so that ripples a hundred times smaller still show.
SYMLOG_SHARE = 0.01


def _compare_paint(ripple: pd.DataFrame, region: Region) -> NodePaint:
    """Paint of the comparison map: peak mean stability difference, centred on zero."""
    rows = ripple[ripple["metric"] == "stability"]
    peak = {str(a): float(v) for a, v in zip(rows["actor"], rows["peak_diff"], strict=True)}
    arrival = {a: w for (a, m), w in _arrivals(rows).items() if m == "stability"}
    limit = max([abs(peak.get(a, 0.0)) for a in _state_ids(region)] + [1e-3])
    norm = SymLogNorm(linthresh=limit * SYMLOG_SHARE, vmin=-limit, vmax=limit, clip=True)
    return NodePaint(
        values=peak, norm=norm, cmap="RdBu", label_zoomed=False,
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
    fig = _figure(10.5, 9.0)
    ax = fig.subplots()
    points = _draw_map(ax, region, _compare_paint(ripple, region))
    bar = fig.colorbar(points, ax=ax, shrink=0.7, extend="both")
    bar.set_ticks(_symlog_ticks(points.norm))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.2g}"))
    bar.ax.yaxis.set_minor_locator(FixedLocator([]))
    bar.set_label("peak mean difference in stability, B - A (red: less stable in B)\n"
                  "symmetric log scale: linear near zero, so small ripples show")
    ax.set_title(f"{heading}\nRipple map: peak difference in mean stability and when it "
                 f"arrives\n(arrival: first week the 90% band of differences clears zero by "
                 f"more than {ARRIVAL_TOLERANCE['stability']:g};\n"
                 "colours beyond the states' range are "
                 "clipped; Belarus is labelled in the zoom)", fontsize=11)
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
                           heading: str) -> Path:
    """Belarus's outcomes in A and B side by side, and their difference with a 95% CI."""
    rows = _belarus_rows(outcomes)
    names = rows["outcome"].tolist()
    fig = _figure(13.0, 4.8)
    left, right = fig.subplots(1, 2, sharey=True, width_ratios=[1.2, 1.0])
    _paired_bars(left, [BELARUS_OUTCOMES[n][0] for n in names], rows, name_a, name_b)
    left.set_title("Probability in A and in B", fontsize=10)
    _diff_whiskers(right, rows, [BELARUS_OUTCOMES[n][1] for n in names])
    kind = "paired" if _is_paired(outcomes) else "UNPAIRED"
    right.set_title(f"Difference B - A with 95% interval ({kind})", fontsize=10)
    right.tick_params(labelleft=False)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    fig.suptitle(f"{heading}\nBelarus: who holds power at the horizon", fontsize=12)
    return _save(fig, path)


# --------------------------------------------------- comparison: arrival vs distance

#: Marker, colour and legend label of each metric in the arrival chart.
ARRIVAL_METRICS: dict[str, tuple[str, str, str]] = {
    "stability": ("o", "#b2182b", "stability (all states)"),
    "posture": ("^", "#2166ac", "military posture (NATO frontline states and Russia)"),
}
#: Sideways step between points that share a distance and an arrival week.
JITTER_STEP = 0.14
#: Points of one group spread over at most this width (distance units).
JITTER_WIDTH = 0.8


def _arrival_rows(ripple: pd.DataFrame, region: Region) -> pd.DataFrame:
    """States' stability rows and the posture rows of frontline states and Russia."""
    metric, actor = ripple["metric"], ripple["actor"]
    keep = (((metric == "stability") & actor.isin(_state_ids(region)))
            | ((metric == "posture") & actor.isin(_posture_ids(region))))
    rows = ripple[keep & ripple["distance_from_BLR"].notna()].copy()
    rows["distance"] = rows["distance_from_BLR"].astype(int)
    rows["arrived"] = rows["arrival_week"].notna()
    rows["rank"] = rows["actor"].map({a: i for i, a in enumerate(region.ids)})
    return rows.sort_values(["distance", "arrival_week", "metric", "rank"], kind="stable",
                            na_position="last")


def _jitter(rows: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """Deterministic sideways offsets: points sharing ``keys`` are spread by their index."""
    groups = rows.groupby(list(keys), sort=False, dropna=False)
    slot = groups.cumcount().to_numpy(dtype=float)
    count = groups["actor"].transform("size").to_numpy(dtype=float)
    step = np.minimum(JITTER_STEP, JITTER_WIDTH / count)
    return (slot - (count - 1) / 2) * step


def _scatter_labelled(ax: Axes, rows: pd.DataFrame, x: np.ndarray, y: np.ndarray) -> None:
    """Scatter each metric with its marker and label every point with its actor id."""
    for metric, (marker, colour, label) in ARRIVAL_METRICS.items():
        mask = (rows["metric"] == metric).to_numpy()
        if mask.any():
            ax.scatter(x[mask], y[mask], marker=marker, color=colour, s=45, zorder=3,
                       edgecolors="white", linewidths=0.6, label=label)
    for actor, xi, yi in zip(rows["actor"], x, y, strict=True):
        ax.annotate(str(actor), (xi, yi), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=7.5, zorder=4)


def _distance_ticks(ax: Axes, distances: Sequence[int]) -> None:
    """Integer distance ticks, naming Belarus at 0."""
    ticks = list(range(min(distances, default=0), max(distances, default=2) + 1))
    names = ["0 (Belarus)" if d == 0 else f"{d} link{'s' if d > 1 else ''}" for d in ticks]
    ax.set_xticks(ticks, names)
    ax.set_xlim(ticks[0] - 0.6, ticks[-1] + 0.6)


def _arrival_chart(path: Path, ripple: pd.DataFrame, region: Region, heading: str) -> Path:
    """Arrival week against network distance from Belarus, plus a 'no clear ripple' strip."""
    rows = _arrival_rows(ripple, region)
    arrived, missing = rows[rows["arrived"]], rows[~rows["arrived"]]
    fig = _figure(10.0, 7.0)
    strip, ax = fig.subplots(2, 1, sharex=True, height_ratios=[1.0, 4.5])
    week = arrived["arrival_week"].to_numpy(dtype=float)
    _scatter_labelled(ax, arrived, arrived["distance"] + _jitter(arrived, ["distance",
                                                                           "arrival_week"]),
                      week)
    _scatter_labelled(strip, missing, missing["distance"] + _jitter(missing, ["distance"]),
                      (np.arange(len(missing)) % 2).astype(float))
    if arrived.empty:
        ax.text(0.5, 0.5, "no state shows a clear ripple", transform=ax.transAxes,
                ha="center", va="center", fontsize=11, color="#555555")
    strip.set_ylim(-0.8, 1.8)
    strip.set_yticks([])
    strip.set_ylabel("no clear\nripple", rotation=0, ha="right", va="center", fontsize=9)
    ax.set_ylim(0.0, max(float(week.max()) if week.size else 0.0, 4.0) * 1.1 + 1.0)
    ax.set_ylabel("arrival week (first week the 90% band of B - A excludes zero)")
    _distance_ticks(ax, rows["distance"].tolist())
    ax.set_xlabel("distance from Belarus in the influence network (links)")
    for frame in (strip, ax):
        frame.grid(True, axis="x", **GRID_KW)
    ax.grid(True, axis="y", **GRID_KW)
    handles = [Line2D([], [], marker=m, color=c, linestyle="none", label=lab)
               for m, c, lab in ARRIVAL_METRICS.values()]
    ax.legend(handles=handles, loc="upper left", fontsize=8.5, framealpha=0.9)
    strip.set_title(f"{heading}\nWhen does the difference arrive, by distance from Belarus?\n"
                    "(points sharing a spot are offset sideways; top strip: states with no "
                    "clear ripple)", fontsize=11)
    return _save(fig, path)


# ---------------------------------------------------------------- replay of a member

STABILITY_COLOUR = BAND_COLOUR
UNREST_COLOUR = "#dd8452"
#: Belarus's power centres in the power chart, with line colours.
POWER_CENTRE_COLOURS: dict[str, str] = {
    "BLR_LEAD": "#1b9e77",
    "BLR_SEC": "#d95f02",
    "BLR_APP": "#7570b3",
    "BLR_PUB": "#e7298a",
}
RUSSIA_SUPPORT_COLOUR = "#222222"
#: Smallest stability window of a member panel.
MEMBER_MIN_SPAN = 0.05


def _holder_runs(model_vars: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Consecutive weeks under one holder: (first week, first week of the next, holder)."""
    rows = model_vars.sort_values("week", kind="stable")
    weeks = rows["week"].to_numpy(dtype=int)
    holders = rows["holder"].astype(str).to_numpy()
    starts = [i for i in range(len(holders)) if i == 0 or holders[i] != holders[i - 1]]
    ends = [int(weeks[j]) for j in starts[1:]] + [int(weeks[-1])] if len(weeks) else []
    return [(int(weeks[i]), end, str(holders[i])) for i, end in zip(starts, ends, strict=True)]


def _holder_changes(runs: Sequence[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Week and new holder of every change of power."""
    return [(start, holder) for start, _, holder in runs[1:]]


def _holder_colour_map(runs: Sequence[tuple[int, int, str]]) -> dict[str, str]:
    """Holder colours as in the run's holders chart (fallbacks in order of appearance)."""
    order = list(dict.fromkeys(holder for _, _, holder in runs))
    return dict(zip(order, _holder_colours(order), strict=True))


def _mark_changes(ax: Axes, changes: Sequence[tuple[int, str]], colours: dict[str, str],
                  names: bool = False) -> None:
    """Dotted vertical lines at changes of power, optionally with the new holder's name.

    Names alternate between the top and the bottom of the panel, so that changes a few
    weeks apart do not print over each other; they lie under the data lines.
    """
    for i, (week, holder) in enumerate(changes):
        ax.axvline(week, color=colours[holder], linestyle=":", linewidth=1.4, zorder=1)
        if names:
            top = i % 2 == 0
            ax.annotate(holder.replace("_", " "), (week, 1.0 if top else 0.0),
                        xycoords=("data", "axes fraction"), xytext=(2, -3 if top else 3),
                        textcoords="offset points", rotation=90, ha="left",
                        va="top" if top else "bottom", fontsize=6.5, color="#555555",
                        zorder=2)


def _member_panel(ax: Axes, rows: pd.DataFrame, title: str, changes: Sequence[tuple[int, str]],
                  colours: dict[str, str], names: bool) -> None:
    """Stability (left axis) and unrest (right axis, %) of one actor in one member."""
    week = rows["week"].to_numpy()
    stability = rows["stability"].to_numpy(dtype=float)
    unrest = rows["unrest"].to_numpy(dtype=float)
    ax.plot(week, stability, color=STABILITY_COLOUR, linewidth=1.5, zorder=3)
    low, high = float(stability.min()), float(stability.max())
    ax.set_ylim(*_centred_window(low, high, max(1.2 * (high - low), MEMBER_MIN_SPAN),
                                 (0.0, 1.0)))
    twin = ax.twinx()
    twin.plot(week, unrest, color=UNREST_COLOUR, linewidth=1.2, zorder=2)
    twin.set_ylim(0.0, max(1.15 * float(unrest.max()), 0.01))
    twin.yaxis.set_major_formatter(FuncFormatter(_short_percent))
    ax.tick_params(axis="y", labelsize=8, colors=STABILITY_COLOUR)
    twin.tick_params(axis="y", labelsize=8, colors=UNREST_COLOUR)
    ax.tick_params(axis="x", labelsize=8)
    _mark_changes(ax, changes, colours, names)
    ax.set_xlim(week.min(), week.max())
    ax.set_title(title, fontsize=9.5)
    ax.grid(True, **GRID_KW)


def _member_legend(ax: Axes, changes: Sequence[tuple[int, str]],
                   colours: dict[str, str]) -> None:
    """Use a spare grid cell as the legend: the two lines and every change of power."""
    ax.set_axis_off()
    handles = [
        Line2D([], [], color=STABILITY_COLOUR, linewidth=1.5, label="stability (left axis)"),
        Line2D([], [], color=UNREST_COLOUR, linewidth=1.2,
               label="unrest, share protesting (right axis)"),
    ]
    handles += [Line2D([], [], color=colours[h], linestyle=":", linewidth=1.4,
                       label=f"wk {w}: {h.replace('_', ' ')}") for w, h in changes]
    title = "Belarus: change of power to ..." if changes else "no change of power"
    ax.legend(handles=handles, loc="center", frameon=False, fontsize=8, title=title,
              title_fontsize=8)


def _member_states_chart(path: Path, agents: pd.DataFrame, runs: list[tuple[int, int, str]],
                         region: Region, heading: str) -> Path:
    """A grid of panels, one per state, of one member's stability and unrest."""
    present = set(agents["actor"])
    states = [a for a in _state_ids(region) if a in present]
    changes, colours = _holder_changes(runs), _holder_colour_map(runs)
    rows, cols = _grid_shape(len(states))
    fig = _figure(3.5 * cols, 2.5 * rows + 0.8)
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
    names = _names(region)
    for ax, actor in zip(axes, states, strict=False):
        table = agents[agents["actor"] == actor].sort_values("week", kind="stable")
        _member_panel(ax, table, f"{actor} - {names.get(actor, actor)}", changes, colours,
                      names=actor == "BLR")
    for ax in axes[len(states):]:
        ax.set_axis_off()
    _member_legend(axes[len(states)], changes, colours)
    fig.supxlabel("week of simulation", fontsize=10)
    fig.suptitle(f"{heading}: stability and unrest of each state\n(each panel has its own "
                 "y-ranges; dotted lines: changes of who holds power in Belarus)", fontsize=12)
    return _save(fig, path)


def _holder_band(ax: Axes, runs: Sequence[tuple[int, int, str]], colours: dict[str, str],
                 total: float) -> None:
    """Who holds power as coloured spans, named inside when wide enough."""
    for start, end, holder in runs:
        width = max(end - start, 0.5)
        ax.broken_barh([(start, width)], (0.0, 1.0), color=colours[holder], edgecolor="white")
        if width >= 0.1 * total:
            ax.text(start + width / 2, 0.5, holder.replace("_", " "), ha="center",
                    va="center", fontsize=8.5)
    handles = [Patch(color=c, label=h.replace("_", " ")) for h, c in colours.items()]
    ax.legend(handles=handles, title="holder of power", loc="upper left",
              bbox_to_anchor=(1.01, 1.15), frameon=False, fontsize=8, title_fontsize=8)
    ax.set_ylim(0.0, 1.0)
    ax.set_yticks([])


def _loyalty_lines(ax: Axes, agents: pd.DataFrame, model_vars: pd.DataFrame,
                   region: Region) -> None:
    """Loyalty (stability) of Belarus's power centres and Russia's support, 0-1."""
    names = _names(region)
    for actor, colour in POWER_CENTRE_COLOURS.items():
        rows = agents[agents["actor"] == actor].sort_values("week", kind="stable")
        if rows.empty:
            continue
        name = names.get(actor, actor).split(" (")[0]
        ax.plot(rows["week"], rows["stability"], color=colour, linewidth=1.5,
                label=f"{actor}: {name}")
    support = model_vars.sort_values("week", kind="stable")
    ax.plot(support["week"], support["russia_support"], color=RUSSIA_SUPPORT_COLOUR,
            linestyle="--", linewidth=1.4, label="Russia's support for the rulers")
    ax.set_ylim(0.0, 1.02)
    ax.set_ylabel("loyalty / support (0-1)")
    ax.set_xlabel("week of simulation")
    ax.grid(True, **GRID_KW)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5,
              title="loyalty of power centres\n(leader: capacity to rule)", title_fontsize=8)


def _member_power_chart(path: Path, agents: pd.DataFrame, model_vars: pd.DataFrame,
                        runs: list[tuple[int, int, str]], region: Region,
                        heading: str) -> Path:
    """Top: who holds power over the weeks; bottom: loyalty of the power centres."""
    colours = _holder_colour_map(runs)
    weeks = model_vars["week"].to_numpy(dtype=float)
    fig = _figure(11.5, 6.4)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.0, 4.0])
    _holder_band(top, runs, colours, float(np.ptp(weeks)) if weeks.size else 1.0)
    _loyalty_lines(bottom, agents, model_vars, region)
    _mark_changes(bottom, _holder_changes(runs), colours)
    bottom.set_xlim(weeks.min(), weeks.max())
    top.set_title(f"{heading}: who holds power in Belarus, and the loyalty behind it\n"
                  "(dotted lines: changes of power)", fontsize=12)
    return _save(fig, path)


# ----------------------------------------------------------------------------- public


def write_run_charts(out_dir: Path, timeseries: pd.DataFrame, holders: pd.DataFrame,
                     outcomes: pd.DataFrame, region: Region, scenario_name: str) -> list[Path]:
    """Write the PNG charts of one run into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder for the charts; created if missing.
    timeseries : pandas.DataFrame
        :func:`sim.outputs.timeseries_frame`: week, actor, metric, mean, p05 ... p95.
    holders : pandas.DataFrame
        :func:`sim.outputs.holders_frame`: week, holder, share.
    outcomes : pandas.DataFrame
        :func:`sim.outputs.outcomes_frame`: actor, outcome, probability, ci_low, ci_high,
        count, members.
    region : Region
        The region the run used (names, kinds, coordinates, graph).
    scenario_name : str
        Named in every chart title.

    Returns
    -------
    list of pathlib.Path
        ``fan_stability.png``, ``fan_unrest.png``, ``fan_posture.png``,
        ``outcomes_belarus.png``, ``holders.png``, ``ripple_map.png`` and
        ``ripple_summary.png``, in that order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    states = _state_ids(region)
    name = f"Scenario '{scenario_name}'"
    return [
        _fan_chart(out_dir / "fan_stability.png", timeseries, states, "stability", region,
                   f"{name}: stability of each state"),
        _fan_chart(out_dir / "fan_unrest.png", timeseries, states, "unrest", region,
                   f"{name}: unrest (share of the public protesting) in each state"),
        _fan_chart(out_dir / "fan_posture.png", timeseries, _posture_ids(region), "posture",
                   region, f"{name}: military posture of NATO frontline states and Russia"),
        _outcomes_chart(out_dir / "outcomes_belarus.png", outcomes, name),
        _holders_chart(out_dir / "holders.png", holders, name),
        _ripple_map(out_dir / "ripple_map.png", timeseries, region, name),
        _ripple_summary(out_dir / "ripple_summary.png", outcomes, region, name),
    ]


def write_compare_charts(out_dir: Path, deltas: pd.DataFrame, ripple: pd.DataFrame,
                         outcomes: pd.DataFrame, region: Region, name_a: str,
                         name_b: str) -> list[Path]:
    """Write the PNG charts of a comparison of scenario B with scenario A into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder for the charts; created if missing.
    deltas : pandas.DataFrame
        :func:`sim.compare.deltas_frame`: week, actor, metric, mean_a, mean_b, diff_mean,
        diff_p05, diff_p50, diff_p95, paired.
    ripple : pandas.DataFrame
        :func:`sim.compare.ripple_frame`: actor, kind, metric, peak_diff, peak_week,
        arrival_week (empty: no clear ripple), persists_at_horizon, diff_at_horizon,
        distance_from_BLR, paired.
    outcomes : pandas.DataFrame
        :func:`sim.compare.outcomes_frame`: actor, outcome, probability_a, probability_b,
        diff, ci_low, ci_high, paired.
    region : Region
        The region both runs used (names, kinds, coordinates, graph).
    name_a, name_b : str
        Names of scenarios A and B, used in every chart title.

    Returns
    -------
    list of pathlib.Path
        ``diff_fan_stability.png``, ``diff_fan_unrest.png``, ``diff_fan_posture.png``,
        ``ripple_map.png``, ``outcomes_side_by_side.png`` and ``arrival_vs_distance.png``,
        in that order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    states = _state_ids(region)
    names = f"A = '{name_a}', B = '{name_b}'"
    heading = f"{names}; {_pairing_phrase(_is_paired(deltas))}"
    return [
        _diff_fan_chart(out_dir / "diff_fan_stability.png", deltas, ripple, states,
                        "stability", region, f"Stability of each state\n{heading}"),
        _diff_fan_chart(out_dir / "diff_fan_unrest.png", deltas, ripple, states, "unrest",
                        region, f"Unrest (share of the public protesting) of each state\n"
                        f"{heading}"),
        _diff_fan_chart(out_dir / "diff_fan_posture.png", deltas, ripple,
                        _posture_ids(region), "posture", region,
                        f"Military posture of NATO frontline states and Russia\n{heading}"),
        _compare_ripple_map(out_dir / "ripple_map.png", ripple, region, heading),
        _outcomes_side_by_side(out_dir / "outcomes_side_by_side.png", outcomes, name_a,
                               name_b, f"Comparison: {names}"),
        _arrival_chart(out_dir / "arrival_vs_distance.png", ripple, region, heading),
    ]


def write_replay_charts(out_dir: Path, agents: pd.DataFrame, model_vars: pd.DataFrame,
                        region: Region, scenario_name: str, member: int) -> list[Path]:
    """Write the PNG charts of one replayed ensemble member into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder for the charts; created if missing.
    agents : pandas.DataFrame
        :meth:`sim.model.RegionModel.agent_table` with a ``kind`` column: week, actor,
        kind, stability, alignment, unrest, posture, stress.
    model_vars : pandas.DataFrame
        The model's data collector frame: week, holder, russia_support, leader_capable.
    region : Region
        The region the run used (names and kinds).
    scenario_name : str
        Named in every chart title.
    member : int
        The replayed member, named in every chart title.

    Returns
    -------
    list of pathlib.Path
        ``member_states.png`` and ``member_power.png``, in that order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = _holder_runs(model_vars)
    heading = f"Scenario '{scenario_name}', member {member}"
    return [
        _member_states_chart(out_dir / "member_states.png", agents, runs, region, heading),
        _member_power_chart(out_dir / "member_power.png", agents, model_vars, runs, region,
                            heading),
    ]
