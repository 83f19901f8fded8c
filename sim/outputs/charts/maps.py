"""The ripple map: the influence graph drawn on longitude and latitude.

:func:`_draw_map` draws edges, nodes, labels, axes, an edge legend and a zoom inset on
Minsk for any :class:`NodePaint`; :func:`_ripple_map` is the run's map, coloured by the
peak change of each actor's mean stability. The comparison map in
:mod:`sim.outputs.charts.compare_charts` reuses the same drawing with its own paint.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from sim.outputs.charts.common import GRID_KW, _figure, _focal_name, _save, _state_ids
from sim.regions.loader import Region

EDGE_COLOUR = "#bdbdbd"
ZOOM_COLOUR = "#1f4e79"
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}

#: Map window in degrees east; actors further east are shown at the right edge.
MAP_LON_MIN = 10.0
MAP_LON_MAX = 45.0
MAP_PAD_DEG = 1.5
#: Off-map actors sit this far west of the right edge, with an arrow pointing east.
OFF_MAP_INSET_DEG = 1.8
#: Half-width and half-height (degrees) of the zoom window around the focal state's
#: capital, which holds the focal state and its power centres.
INSET_HALF_LON = 1.85
INSET_HALF_LAT = 1.1


def _inset_window(region: Region) -> tuple[tuple[float, float], tuple[float, float]]:
    """Longitude and latitude ranges of the zoom window around the focal state."""
    focal = region.index(region.roles.focal)
    lon, lat = float(region.lon[focal]), float(region.lat[focal])
    return ((lon - INSET_HALF_LON, lon + INSET_HALF_LON),
            (lat - INSET_HALF_LAT, lat + INSET_HALF_LAT))


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

    Actors east of :data:`MAP_LON_MAX` are pinned to the right edge at their latitude,
    actors west of :data:`MAP_LON_MIN` to the left edge.
    """
    lon = np.asarray(region.lon, dtype=float)
    lat = np.asarray(region.lat, dtype=float)
    inside = (lon >= MAP_LON_MIN) & (lon <= MAP_LON_MAX)
    scale = math.cos(math.radians(float(lat[inside].mean() if inside.any() else lat.mean())))
    pinned = np.clip(lon, MAP_LON_MIN + OFF_MAP_INSET_DEG, MAP_LON_MAX - OFF_MAP_INSET_DEG)
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


#: Fixed colour classes of the run's ripple map: the peak fall of mean stability in % of
#: its week-0 value, from the hard bound (-100%: stability 0) to no fall. The same for
#: every scenario and region, so two scenarios' maps compare directly; the classes
#: narrow towards zero so that falls of a tenth of a percent still show.
RIPPLE_BINS: tuple[float, ...] = (-100.0, -50.0, -20.0, -10.0, -5.0, -2.0, -1.0, -0.5,
                                  -0.2, -0.1, 0.0)


def ripple_norm() -> BoundaryNorm:
    """The fixed colour scale of the run's ripple map (:data:`RIPPLE_BINS`, in %)."""
    return BoundaryNorm(RIPPLE_BINS, ncolors=256, clip=True)


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
    """Paint of the run's ripple map: peak change in % of baseline on the fixed classes."""
    return NodePaint(values={a: 100 * change.get(a, 0.0) for a in region.ids},
                     norm=ripple_norm(), cmap="YlOrRd_r", label_zoomed=False,
                     label=lambda a: _node_label(a, change),
                     tag=lambda a: f"{a} {_percent_change(change.get(a, 0.0))}")


def _draw_nodes(ax: Axes, ids: Sequence[str], layout: MapLayout, paint: NodePaint,
                size: float, marker: str = "o") -> object:
    """Scatter the given actors coloured by their paint value."""
    values = [paint.values.get(a, 0.0) for a in ids]
    return ax.scatter([layout.x[a] for a in ids], [layout.y[a] for a in ids], c=values,
                      cmap=paint.cmap, norm=paint.norm, s=size, marker=marker,
                      edgecolors="#222222", linewidths=0.8, zorder=3)


def _percent_change(change: float) -> str:
    """A relative change in %, with two decimals below 1% (never ``-0.0%``)."""
    value = 100 * change
    text = f"{value:+.2f}%" if abs(value) < 1 else f"{value:+.1f}%"
    return "0%" if float(text[:-1]) == 0 else text


def _node_label(actor: str, change: dict[str, float]) -> str:
    """Actor id and its peak change in % of baseline."""
    return f"{actor}\n{_percent_change(change.get(actor, 0.0))}"


def _label_states(ax: Axes, ids: Sequence[str], layout: MapLayout, paint: NodePaint,
                  region: Region) -> None:
    """Label states below their marker; off-map states get an arrow and their longitude."""
    lon = dict(zip(region.ids, region.lon, strict=True))
    lat = dict(zip(region.ids, region.lat, strict=True))
    skip = set() if paint.label_zoomed else set(_zoomed(region))
    for actor in (a for a in ids if a not in skip):
        x, y = layout.x[actor], layout.y[actor]
        if actor in layout.off_map:
            east = lon[actor] > MAP_LON_MAX
            where = f"{abs(lon[actor]):.0f}°{'E' if lon[actor] >= 0 else 'W'}"
            text = f"{paint.tag(actor)}\noff map: {where}, {lat[actor]:.0f}°N"
            ax.annotate(text, (x, y), xytext=(-12 if east else 12, 0),
                        textcoords="offset points", ha="right" if east else "left",
                        va="center", fontsize=8, zorder=4, bbox=LABEL_BOX)
            edge = MAP_LON_MAX if east else MAP_LON_MIN
            ax.annotate("", (edge * layout.scale, y), xytext=(x, y), zorder=2,
                        arrowprops={"arrowstyle": "-|>", "color": "#222222", "lw": 1.2,
                                    "shrinkA": 7, "shrinkB": 0})
            continue
        offset, ha, va = _label_offset(actor, region)
        ax.annotate(paint.label(actor), (x, y), xytext=offset, textcoords="offset points",
                    ha=ha, va=va, fontsize=8, zorder=4, bbox=LABEL_BOX)


def _label_offset(actor: str, region: Region) -> tuple[tuple[float, float], str, str]:
    """Label under the marker, or beside it, away from the zoom box, when the box is near.

    A label under a state just west or east of the dashed zoom box would run into the
    box and the focal state's marker (Lithuania next to Belarus).
    """
    (lon0, lon1), (lat0, lat1) = _inset_window(region)
    i = region.index(actor)
    lon, lat = float(region.lon[i]), float(region.lat[i])
    near_lat = lat0 - 1.0 <= lat <= lat1 + 0.5
    if near_lat and lon0 - 2.5 <= lon < lon0:
        return (-9.0, 0.0), "right", "center"
    if near_lat and lon1 < lon <= lon1 + 2.5:
        return (9.0, 0.0), "left", "center"
    # A state just below would sit on this label (Helsinki above Tallinn): label above.
    crowded = any(other != actor and 0.0 < lat - float(region.lat[j]) <= 2.0
                  and abs(float(region.lon[j]) - lon) <= 2.0
                  for j, other in enumerate(region.ids) if region.kinds[j] == "state")
    if crowded:
        return (0.0, 11.0), "center", "bottom"
    return (0.0, -11.0), "center", "top"


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
    parent = region.index(region.roles.focal)
    dx = float(region.lon[i] - region.lon[parent])
    dy = float(region.lat[i] - region.lat[parent])
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return (0.0, -10.0), "center", "top"
    if abs(dx) >= abs(dy):
        return ((9.0, 0.0), "left", "center") if dx > 0 else ((-9.0, 0.0), "right", "center")
    return ((0.0, 9.0), "center", "bottom") if dy > 0 else ((0.0, -9.0), "center", "top")


def _zoomed(region: Region) -> list[str]:
    """Actors inside the zoom window around the focal state, in region order."""
    (lon0, lon1), (lat0, lat1) = _inset_window(region)
    return [a for a in region.ids
            if lon0 <= region.lon[region.index(a)] <= lon1
            and lat0 <= region.lat[region.index(a)] <= lat1]


#: Corners where the zoom inset may go (axes fractions: x, y, width, height), in order of
#: preference; the upper left holds the edge legend.
INSET_SPOTS: tuple[tuple[float, float, float, float], ...] = (
    (0.015, 0.015, 0.4, 0.32), (0.585, 0.015, 0.4, 0.32), (0.585, 0.59, 0.4, 0.32))


def _inset_spot(ax: Axes, region: Region,
                layout: MapLayout) -> tuple[float, float, float, float]:
    """The corner for the zoom inset that hides the fewest states (first on ties)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()

    def hidden(spot: tuple[float, float, float, float]) -> int:
        left, bottom, width, height = spot
        count = 0
        for actor in _state_ids(region):
            fx = (layout.x[actor] - x0) / (x1 - x0)
            fy = (layout.y[actor] - y0) / (y1 - y0)
            count += left - 0.03 <= fx <= left + width + 0.03 and \
                bottom - 0.05 <= fy <= bottom + height + 0.05
        return count

    return min(INSET_SPOTS, key=hidden)


def _draw_inset(ax: Axes, region: Region, layout: MapLayout, paint: NodePaint,
                spot: tuple[float, float, float, float]) -> None:
    """Zoom on the focal state and its power centres, labelled away from the centre."""
    (lon0, lon1), (lat0, lat1) = _inset_window(region)
    focal_name = dict(zip(region.ids, region.names, strict=True))[region.roles.focal]
    inset = ax.inset_axes(spot)
    _draw_edges(inset, region, layout)
    cluster = _zoomed(region)
    _draw_nodes(inset, cluster, layout, paint, size=110)
    for actor in cluster:
        offset, ha, va = _inset_offset(actor, region)
        inset.annotate(paint.label(actor), (layout.x[actor], layout.y[actor]),
                       xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=7,
                       zorder=4, bbox=LABEL_BOX)
    inset.set_xlim(lon0 * layout.scale, lon1 * layout.scale)
    inset.set_ylim(lat0, lat1)
    inset.set_aspect("equal")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_title(f"Zoom on the dashed box: {focal_name} and its power centres\n"
                    "(placed 0.6° around the capital for display only)", fontsize=7.5,
                    color=ZOOM_COLOUR)
    for frame in (ax, inset):
        frame.add_patch(Rectangle((lon0 * layout.scale, lat0),
                                  (lon1 - lon0) * layout.scale,
                                  lat1 - lat0, fill=False, ec=ZOOM_COLOUR,
                                  lw=2.0 if frame is inset else 1.0, ls="--", zorder=5))
    for spine in inset.spines.values():
        spine.set_visible(False)


def _draw_map(ax: Axes, region: Region, paint: NodePaint) -> object:
    """Edges, nodes, labels, axes, edge legend and zoom inset; return the states' scatter."""
    layout = _map_layout(region)
    _set_map_axes(ax, region, layout)
    spot = _inset_spot(ax, region, layout)
    _clear_of_inset(ax, layout, spot)
    top = _draw_edges(ax, region, layout)
    states = _state_ids(region)
    centres = [a for a in region.ids if a not in states]
    points = _draw_nodes(ax, states, layout, paint, size=170)
    _draw_nodes(ax, centres, layout, paint, size=28)
    _label_states(ax, states, layout, paint, region)
    _edge_legend(ax, top)
    _draw_inset(ax, region, layout, paint, spot)
    return points


def _clear_of_inset(ax: Axes, layout: MapLayout,
                    spot: tuple[float, float, float, float]) -> None:
    """Move off-map markers that the inset would hide to just above it.

    An off-map marker only points toward a far state (its label gives the true
    coordinates), so its height on the map edge is free to move.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    left, bottom, width, height = spot
    top = y0 + (bottom + height + 0.1) * (y1 - y0)  # above the inset and its caption
    for actor in layout.off_map:
        fx = (layout.x[actor] - x0) / (x1 - x0)
        fy = (layout.y[actor] - y0) / (y1 - y0)
        if left - 0.03 <= fx <= left + width + 0.03 and bottom - 0.05 <= fy <= bottom + height:
            layout.y[actor] = top


def _map_figure() -> tuple[Figure, Axes, Axes]:
    """The map figure with fixed places for the map and its colour bar."""
    fig = _figure(10.0, 8.6)
    ax = fig.add_axes((0.085, 0.065, 0.72, 0.84))
    cax = fig.add_axes((0.83, 0.2, 0.022, 0.56))
    return fig, ax, cax


def _ripple_map(path: Path, timeseries: pd.DataFrame, region: Region, heading: str) -> Path:
    """Save :func:`_ripple_figure` as ``path``."""
    return _save(_ripple_figure(timeseries, region, heading), path)


def _ripple_figure(timeseries: pd.DataFrame, region: Region, heading: str) -> Figure:
    """Map of the influence graph; nodes coloured by the peak fall of MEAN stability.

    The statistic is the mean across members (column ``mean`` of ``timeseries.csv``),
    as on the comparison map; the fan charts show medians, and both titles say which.
    """
    paint = _run_paint(_peak_change(timeseries, region.ids), region)
    fig, ax, cax = _map_figure()
    points = _draw_map(ax, region, paint)
    bar = fig.colorbar(points, cax=cax, spacing="uniform", extend="neither")
    bar.set_ticks(list(RIPPLE_BINS), labels=[f"{b:g}%" for b in RIPPLE_BINS])
    bar.set_label("peak fall of MEAN stability (column 'mean' of timeseries.csv)\n"
                  "in % of its week-0 value; fixed classes, the same for every scenario",
                  fontsize=9)
    ax.set_title(f"{heading}\nRipple map: worst week of mean stability (mean across "
                 "members, not the median of the fan charts) relative to week 0\n"
                 f"(labels: actor and its peak change; {_focal_name(region)} is labelled in "
                 "the zoom)", fontsize=10.5)
    return fig
