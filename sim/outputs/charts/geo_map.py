"""Drawing of the outcome map: the region's states on real borders, coloured by a value.

:func:`draw_outcome_map` fills each modelled state's polygons with the colour of its
value on a fixed colour scale (the focal state on a scale of its own), draws every other
country grey for context, hatches the disputed territories of
:data:`sim.outputs.charts.borders.DISPUTED_FILE`, labels the states and lists the states
that lie off the map or have no polygon. The run's and the comparison's paints are
made in :mod:`sim.outputs.charts.outcome_maps`.

The projection is equirectangular with the aspect set to 1 / cos(mean latitude of the
window), which keeps shapes true at the window's middle latitude and degrees on the
axes; a real projection (pyproj or cartopy) would add a heavy dependency for a regional
map where this distortion is small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from sim.outputs.charts.borders import BORDERS_SOURCE, Borders, Country, Ring, contains
from sim.outputs.charts.common import _names, _state_ids
from sim.regions.loader import Region

SEA_COLOUR = "#dde8f0"
CONTEXT_COLOUR = "#d9d9d9"
CONTEXT_EDGE = "#ffffff"
STATE_EDGE = "#3a3a3a"
HATCH_COLOUR = "#3a3a3a"
LABEL_BOX = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.82}

#: Modelled states whose capital lies within this distance of the focal state's capital
#: frame the map window (with the focal state's own polygons).
MAP_REACH_KM = 2000.0
#: Margin around the framed states, in degrees.
MAP_PAD_DEG = 2.0
#: Smallest window, in degrees of longitude and latitude: wide enough to show the
#: focal state's neighbours and the patron's western part around a small focal state.
MIN_SPAN_LON = 70.0
MIN_SPAN_LAT = 30.0
#: Latitude limits of any window (the equirectangular scale explodes near the poles).
LAT_LIMITS = (-80.0, 84.0)
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class ColourScale:
    """A fixed, classed colour scale and its colour-bar text.

    Attributes
    ----------
    bins : tuple of float
        Class boundaries in colour-bar units (e.g. percent).
    cmap : str
        Name of the matplotlib colormap sampled once per class.
    label : str
        Colour-bar label.
    tick_format : callable
        Text of a class boundary on the colour bar.
    """

    bins: tuple[float, ...]
    cmap: str
    label: str
    tick_format: Callable[[float], str]

    def norm(self) -> BoundaryNorm:
        """The classed norm: one colour per class, values outside clipped to the ends."""
        return BoundaryNorm(self.bins, ncolors=len(self.bins) - 1, clip=True)

    def colormap(self) -> ListedColormap:
        """One colour per class, sampled from ``cmap`` without its near-white end.

        The lightest class must still differ from the grey of the states outside the
        model and from the sea, so sampling starts at 0.12 for sequential maps.
        """
        base = colormaps[self.cmap]
        n = len(self.bins) - 1
        start = 0.0 if self.diverging else 0.12
        return ListedColormap([base(v) for v in np.linspace(start, 1.0 - start / 2, n)])

    @property
    def diverging(self) -> bool:
        """Whether the scale runs through zero (a difference)."""
        return self.bins[0] < 0 < self.bins[-1]

    def colour(self, value: float) -> tuple[float, float, float, float]:
        """RGBA colour of ``value`` on this scale."""
        return tuple(self.colormap()(int(self.norm()(value))))


@dataclass(frozen=True)
class MapPaint:
    """What the map shows: a value and a label per state, and the two colour scales.

    Attributes
    ----------
    values : dict of str to float
        Colour value of each modelled state (focal included), in colour-bar units.
    labels : dict of str to str
        Label text of each state (code and value, possibly with its interval).
    state_scale : ColourScale
        Scale of every state but the focal one.
    focal_scale : ColourScale
        Scale of the focal state (another outcome, so another colormap).
    """

    values: dict[str, float]
    labels: dict[str, str]
    state_scale: ColourScale
    focal_scale: ColourScale


@dataclass(frozen=True)
class MapWindow:
    """Longitude and latitude limits of the map, in degrees."""

    lon0: float
    lon1: float
    lat0: float
    lat1: float

    @property
    def aspect(self) -> float:
        """Axes aspect (y per x) that keeps shapes true at the window's mid-latitude."""
        return 1.0 / math.cos(math.radians((self.lat0 + self.lat1) / 2))

    def overlaps(self, bounds: tuple[float, float, float, float]) -> bool:
        """Whether a (lon0, lat0, lon1, lat1) box meets the window."""
        lon0, lat0, lon1, lat1 = bounds
        return lon1 > self.lon0 and lon0 < self.lon1 and lat1 > self.lat0 and lat0 < self.lat1

    def holds(self, lon: float, lat: float) -> bool:
        """Whether a point lies inside the window (a margin of 1 degree kept free)."""
        return (self.lon0 + 1 <= lon <= self.lon1 - 1) and (self.lat0 + 1 <= lat <= self.lat1 - 1)


@dataclass(frozen=True)
class MapDrawn:
    """What :func:`draw_outcome_map` drew, for the legend, the footnote and tests.

    Attributes
    ----------
    drawn : tuple of str
        Modelled states whose polygons are on the map.
    off_map : tuple of str
        Modelled states with polygons that lie outside the window.
    no_polygon : tuple of str
        Modelled states with no polygon in the boundary file (not drawn).
    window : MapWindow
        The map's limits.
    """

    drawn: tuple[str, ...]
    off_map: tuple[str, ...]
    no_polygon: tuple[str, ...]
    window: MapWindow


# ------------------------------------------------------------------------ geometry


def _area_centroid(ring: Ring) -> tuple[float, tuple[float, float]]:
    """Absolute area (square degrees) and centroid of a ring (shoelace formula)."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return 0.0, (float(x.mean()), float(y.mean()))
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return abs(float(area)), (float(cx), float(cy))


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def map_window(region: Region, borders: Borders) -> MapWindow:
    """The map's limits for a region.

    The window holds the focal state's polygons and the capitals of the modelled
    states within :data:`MAP_REACH_KM` of the focal capital, with a margin of
    :data:`MAP_PAD_DEG`, widened about its centre to at least :data:`MIN_SPAN_LON` by
    :data:`MIN_SPAN_LAT` degrees. For Belarus's region this gives about 10W-60E,
    38N-68N; for Russia's, 11E-192E (Chukotka past 180E) and 39N-84N.
    """
    focal = region.roles.focal
    i = region.index(focal)
    flat, flon = float(region.lat[i]), float(region.lon[i])
    lons, lats = [flon], [flat]
    if focal in borders.countries:
        lon0, lat0, lon1, lat1 = borders.countries[focal].bounds()
        lons += [lon0, lon1]
        lats += [lat0, lat1]
    for actor in _state_ids(region):
        j = region.index(actor)
        if _distance_km(flat, flon, float(region.lat[j]), float(region.lon[j])) <= MAP_REACH_KM:
            lons.append(float(region.lon[j]))
            lats.append(float(region.lat[j]))
    lon0, lon1 = min(lons) - MAP_PAD_DEG, max(lons) + MAP_PAD_DEG
    lat0, lat1 = min(lats) - MAP_PAD_DEG, max(lats) + MAP_PAD_DEG
    if lon1 - lon0 < MIN_SPAN_LON:
        mid = (lon0 + lon1) / 2
        lon0, lon1 = mid - MIN_SPAN_LON / 2, mid + MIN_SPAN_LON / 2
    if lat1 - lat0 < MIN_SPAN_LAT:
        mid = (lat0 + lat1) / 2
        lat0, lat1 = mid - MIN_SPAN_LAT / 2, mid + MIN_SPAN_LAT / 2
    return MapWindow(lon0, lon1, max(lat0, LAT_LIMITS[0]), min(lat1, LAT_LIMITS[1]))


def _inside_point(ring: Ring, box: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """The point of a 12 x 12 grid over ``box`` inside ``ring`` nearest the box's middle."""
    lon0, lat0, lon1, lat1 = box
    mid = np.array([(lon0 + lon1) / 2, (lat0 + lat1) / 2])
    grid = [(x, y) for x in np.linspace(lon0, lon1, 12) for y in np.linspace(lat0, lat1, 12)
            if contains(ring, float(x), float(y))]
    if not grid:
        return None
    best = min(grid, key=lambda p: float(np.hypot(*(np.asarray(p) - mid))))
    return float(best[0]), float(best[1])


def label_point(country: Country, capital: tuple[float, float],
                window: MapWindow) -> tuple[float, float] | None:
    """Where a state's label goes, inside the state and the window; None if off the map.

    The centroid of its largest polygon if it lies in that polygon and the window
    (Estonia's label sits in Estonia, not on Tallinn at the coast); else its capital if
    the window holds it (Moscow on a map of Belarus's region, where Russia's centroid
    lies in Siberia); else, when at least a quarter of the largest polygon's bounding
    box lies in the window, the point of that part inside the polygon nearest its
    middle (western Kazakhstan on Belarus's map, northern China on Russia's). A state
    that meets none of these is off the map (the United States on Russia's map,
    where only Alaska's tip shows).
    """
    polygons = country.polygons + country.occupied
    largest = max(polygons, key=lambda p: _area_centroid(p[0])[0])[0]
    _, (cx, cy) = _area_centroid(largest)
    if window.holds(cx, cy) and contains(largest, cx, cy):
        return cx, cy
    lat, lon = capital
    if window.holds(lon, lat):
        return lon, lat
    lon0, lat0 = largest.min(axis=0)
    lon1, lat1 = largest.max(axis=0)
    box = (max(lon0, window.lon0 + 1), max(lat0, window.lat0 + 1),
           min(lon1, window.lon1 - 1), min(lat1, window.lat1 - 1))
    seen = max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)
    if seen < 0.25 * (lon1 - lon0) * (lat1 - lat0):
        return None
    return _inside_point(largest, box)


# ------------------------------------------------------------------------- drawing


def _patch(polygon_rings: Sequence[Ring], shift: float = 0.0, **kwargs: object) -> PathPatch:
    """One filled polygon (exterior and holes) as a patch, shifted east by ``shift``."""
    path = MplPath.make_compound_path(*[
        MplPath(np.asarray(r) + np.array([shift, 0.0]), closed=True)
        for r in polygon_rings])
    return PathPatch(path, **kwargs)


def _add_country(ax: Axes, country: Country, window: MapWindow, gid: str,
                 **kwargs: object) -> None:
    """Add a country's polygons that meet the window, with a +360 copy past 180E.

    Every patch carries ``gid`` (``state:<id>``, ``context:<id>``) so that tests and
    later code can find a country's patches and read their colours.
    """
    # Planar rings run from -180 to about 192 (borders.planar): a window reaching past
    # 180E also needs the copy of what lies just west of it (Alaska for Chukotka).
    shifts = (0.0, 360.0) if window.lon1 > 180.0 else (0.0,)
    for poly in country.polygons:
        for shift in shifts:
            lon0, lat0 = (poly[0] + [shift, 0.0]).min(axis=0)
            lon1, lat1 = (poly[0] + [shift, 0.0]).max(axis=0)
            if window.overlaps((lon0, lat0, lon1, lat1)):
                patch = _patch(poly, shift, **kwargs)
                patch.set_gid(gid)
                # add_artist, not add_patch: the same drawing, without add_patch's data
                # limits (a Bezier walk of every vertex, 0.3 s a map), which the map's
                # fixed limits (_set_axes) make unused.
                ax.add_artist(patch)


def _add_occupied(ax: Axes, country: Country, facecolor: object, gid: str) -> None:
    """A territory drawn by rule: the drawing state's colour, hatched, dashed edge."""
    for poly in country.occupied:
        patch = _patch(poly, facecolor=facecolor, edgecolor=HATCH_COLOUR, hatch="////",
                       linewidth=0.6, linestyle=(0, (3, 2)), zorder=2)
        patch.set_gid(gid)
        ax.add_patch(patch)


def draw_outcome_map(ax: Axes, region: Region, borders: Borders,
                     paint: MapPaint) -> MapDrawn:
    """Draw the region on its borders, coloured by ``paint``, into ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Target axes; its limits, aspect and ticks are set here.
    region : Region
        The region (states, capitals, focal state).
    borders : Borders
        Country polygons (:func:`sim.outputs.charts.borders.load_borders`).
    paint : MapPaint
        Values, labels and colour scales.

    Returns
    -------
    MapDrawn
        Which states are drawn, off the map or without a polygon, and the window.
    """
    window = map_window(region, borders)
    focal = region.roles.focal
    states = _state_ids(region)
    ax.set_facecolor(SEA_COLOUR)
    for key, country in borders.countries.items():
        if key not in states:
            _add_country(ax, country, window, f"context:{key}", facecolor=CONTEXT_COLOUR,
                         edgecolor=CONTEXT_EDGE, linewidth=0.4, zorder=1)
    _set_axes(ax, window)
    drawn, off_map, missing = [], [], []
    anchors: dict[str, tuple[float, float]] = {}
    for actor in states:
        country = borders.countries.get(actor)
        if country is None:
            missing.append(actor)
            continue
        scale = paint.focal_scale if actor == focal else paint.state_scale
        colour = scale.colour(paint.values.get(actor, 0.0))
        if window.overlaps(country.bounds()):
            _add_country(ax, country, window, f"state:{actor}", facecolor=colour,
                         edgecolor=STATE_EDGE, linewidth=0.8, zorder=2)
            _add_occupied(ax, country, colour, f"occupied:{actor}")
        i = region.index(actor)
        anchor = label_point(country, (float(region.lat[i]), float(region.lon[i])), window)
        if anchor is None:
            off_map.append(actor)
        else:
            drawn.append(actor)
            anchors[actor] = anchor
    _label_states(ax, region, paint, anchors, borders)
    return MapDrawn(drawn=tuple(drawn), off_map=tuple(off_map), no_polygon=tuple(missing),
                    window=window)


#: Offsets (points) tried in turn for a label that would cover another: none, then
#: rings of growing radius, above and below first (labels are wider than tall).
LABEL_OFFSETS: tuple[tuple[float, float], ...] = ((0.0, 0.0),) + tuple(
    (dx * r, dy * r) for r in (16.0, 30.0, 44.0, 58.0)
    for dx, dy in ((0, 1), (0, -1), (2, 0), (-2, 0), (1.5, 1), (-1.5, 1), (1.5, -1),
                   (-1.5, -1)))


def _label_states(ax: Axes, region: Region, paint: MapPaint,
                  anchors: dict[str, tuple[float, float]], borders: Borders) -> None:
    """A boxed label per state at its anchor, moved off other labels with a leader line.

    The focal state is placed first and then the others from the largest to the
    smallest, so a small state's label (Latvia between Estonia and Lithuania on a map
    of Russia's region) is the one that moves.
    """
    renderer = ax.figure.canvas.get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    focal = region.roles.focal
    order = sorted(anchors, key=lambda a: (a != focal, -_country_area(borders.countries[a])))
    placed: list = []
    for actor in order:
        text, xy, bold = paint.labels.get(actor, actor), anchors[actor], actor == focal
        chosen, chosen_box = LABEL_OFFSETS[0], None
        for offset in LABEL_OFFSETS:
            trial = _annotate(ax, text, xy, offset, bold)
            box = trial.get_window_extent(renderer).expanded(1.08, 1.25)
            trial.remove()
            chosen_box = chosen_box or box
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in placed):
                chosen, chosen_box = offset, box
                break
        # No free place at all: the label stays on its state, overlapping.
        else:
            chosen = LABEL_OFFSETS[0]
        _annotate(ax, text, xy, chosen, bold, leader=chosen != LABEL_OFFSETS[0])
        placed.append(chosen_box)


def _annotate(ax: Axes, text: str, xy: tuple[float, float], offset: tuple[float, float],
              bold: bool, leader: bool = False) -> object:
    """A boxed label ``offset`` points from ``xy``, with a leader line when moved."""
    arrow = ({"arrowstyle": "-", "color": "#333333", "lw": 0.7, "shrinkA": 0,
              "shrinkB": 0} if leader else None)
    return ax.annotate(text, xy, xytext=offset, textcoords="offset points", ha="center",
                       va="center", fontsize=7.5, zorder=4, bbox=LABEL_BOX,
                       fontweight="bold" if bold else "normal", arrowprops=arrow)


def _country_area(country: Country) -> float:
    """Area of a country's polygons in square degrees (for ordering labels)."""
    return sum(_area_centroid(p[0])[0] for p in country.polygons + country.occupied)


def _set_axes(ax: Axes, window: MapWindow) -> None:
    """Limits, aspect and degree ticks of the map."""
    ax.set_xlim(window.lon0, window.lon1)
    ax.set_ylim(window.lat0, window.lat1)
    ax.set_aspect(window.aspect)
    span = window.lon1 - window.lon0
    step = 10.0 if span <= 90 else 20.0
    ticks = np.arange(math.ceil(window.lon0 / step) * step, window.lon1 + 1e-9, step)
    ax.set_xticks(ticks, [_degrees(t, "E", "W") for t in ticks], fontsize=8)
    lat_ticks = np.arange(math.ceil(window.lat0 / 5) * 5, window.lat1 + 1e-9, 5.0)
    ax.set_yticks(lat_ticks, [_degrees(t, "N", "S") for t in lat_ticks], fontsize=8)
    ax.grid(True, color="#ffffff", linewidth=0.5, alpha=0.7)
    ax.set_axisbelow(False)


def _degrees(value: float, positive: str, negative: str) -> str:
    """A tick in whole degrees with its hemisphere (180E past the antimeridian)."""
    wrapped = (value + 180.0) % 360.0 - 180.0 if abs(value) > 180 else value
    if wrapped == 0:
        return "0°"
    return f"{abs(wrapped):.0f}°{positive if wrapped > 0 else negative}"


def legend_handles(region: Region, borders: Borders, paint: MapPaint,
                   drawn: MapDrawn) -> list[Patch]:
    """Legend entries: the hatch rule, the grey of other states, off-map states."""
    names = _names(region)
    handles = [Patch(facecolor=CONTEXT_COLOUR, edgecolor="#999999",
                     label="state outside the model")]
    for rule in borders.disputed:
        if rule.drawn_with in drawn.drawn:
            handles.append(Patch(facecolor="white", edgecolor=HATCH_COLOUR, hatch="////",
                                 label=f"{rule.name}: occupied, drawn by rule (see note)"))
    for actor in drawn.off_map:
        scale = paint.focal_scale if actor == region.roles.focal else paint.state_scale
        text = paint.labels.get(actor, actor).replace("\n", " ")
        handles.append(Patch(facecolor=scale.colour(paint.values.get(actor, 0.0)),
                             edgecolor=STATE_EDGE,
                             label=f"off the map: {names.get(actor, actor)}, {text}"))
    return handles


def footnote(region: Region, borders: Borders, drawn: MapDrawn) -> str:
    """The map's footnote: data source, disputed-territory rules, what is not drawn."""
    names = _names(region)
    lines = [f"Borders: {BORDERS_SOURCE}; equirectangular, aspect true at "
             f"{(drawn.window.lat0 + drawn.window.lat1) / 2:.0f}°N. Power centres are not "
             "states and are not drawn."]
    lines += [f"Note: {rule.rule}." for rule in borders.disputed]
    if borders.disputed:
        lines.append("Other areas held by force (the rest of occupied Ukraine, "
                     "Transnistria, Abkhazia, South Ossetia) lie inside the recognised "
                     "borders, as the source draws them, and are not hatched.")
    if drawn.no_polygon:
        listed = ", ".join(f"{names.get(a, a)} ({a})" for a in drawn.no_polygon)
        lines.append(f"No polygon in the boundary data, not drawn: {listed}.")
    return "\n".join(lines)
