"""Charts of one run: fan charts, Belarus outcomes, holders of power and the ripple map.

Everything is drawn with matplotlib's object API (:class:`matplotlib.figure.Figure` on
the Agg canvas), so no global pyplot state is touched and nothing needs a display.
Nothing is random: positions come from coordinates and colours from fixed tables, and
PNGs are saved without the ``Software`` metadata key, so the same frames give the same
bytes under the same matplotlib and FreeType.

The only public function is :func:`write_run_charts`.
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
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter

from sim.region import Region

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
    """

    values: dict[str, float]
    norm: Normalize
    cmap: str
    label: Callable[[str], str]
    tag: Callable[[str], str]


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
    for actor in ids:
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


def _draw_inset(ax: Axes, region: Region, layout: MapLayout, paint: NodePaint) -> None:
    """Zoom on Minsk: Belarus and its power centres, labelled away from the centre."""
    inset = ax.inset_axes((0.015, 0.015, 0.4, 0.32))
    _draw_edges(inset, region, layout)
    cluster = [a for a in region.ids
               if INSET_LON[0] <= region.lon[region.index(a)] <= INSET_LON[1]
               and INSET_LAT[0] <= region.lat[region.index(a)] <= INSET_LAT[1]]
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
