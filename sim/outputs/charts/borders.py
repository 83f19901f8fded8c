"""Country borders for the outcome map, read from the vendored Natural Earth file.

The borders are Natural Earth's admin-0 countries at 1:50m (version 4.1.0), as
redistributed in TopoJSON by the npm package ``world-atlas`` 2.0.2; the file ships in
``sim/outputs/mapdata/`` byte for byte as published, with its source, licence and
sha256 in the README beside it. Nothing is downloaded: the file is read from the
package folder and decoded here with numpy (no GIS library is needed for filled
polygons on a longitude-latitude plot).

The one change made to the published borders is the disputed-territory rule of
:data:`DISPUTED_FILE` (Crimea, see ``docs/model.md``, "Map of outcomes").
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

#: Folder of the vendored boundary data and its README.
MAPDATA_DIR = Path(__file__).resolve().parents[1] / "mapdata"
#: The Natural Earth 50m admin-0 countries, TopoJSON, as in world-atlas 2.0.2.
BORDERS_FILE = MAPDATA_DIR / "countries-50m.json"
#: ISO 3166-1 numeric code -> alpha-3 code for every country in :data:`BORDERS_FILE`.
ISO_FILE = MAPDATA_DIR / "iso3166.csv"
#: Where the data come from, as the chart footnote cites them.
BORDERS_SOURCE = "Natural Earth 4.1.0 admin-0 1:50m (public domain) via world-atlas 2.0.2"

Ring = np.ndarray
"""An (n, 2) array of longitude, latitude in degrees; first point equals the last.

Longitudes run from -180 to about 192: see :func:`planar`."""


@dataclass(frozen=True)
class Disputed:
    """A territory drawn by a stated rule rather than as the source file has it.

    Attributes
    ----------
    name : str
        Name in the chart's footnote.
    drawn_with : str
        ISO alpha-3 code of the state the territory is drawn as part of.
    held_by : str
        ISO alpha-3 code of the state that holds it de facto.
    lon, lat : float
        A point inside the territory: a source polygon containing it is the territory.
    rule : str
        The rule, as written in the footnote and in ``docs/model.md``.
    """

    name: str
    drawn_with: str
    held_by: str
    lon: float
    lat: float
    rule: str


#: Disputed territories drawn by a stated rule, one row each: name, drawn_with, held_by,
#: lon, lat, rule, source (data, so that no code names a country).
DISPUTED_FILE = MAPDATA_DIR / "disputed.csv"


def read_disputed(path: Path = DISPUTED_FILE) -> tuple[Disputed, ...]:
    """The disputed-territory rules of ``path`` (default :data:`DISPUTED_FILE`).

    Natural Earth 4.1.0 puts Crimea in Russia (a separate polygon of Russia's
    multipolygon); later versions changed it back. The rule makes the map independent
    of that choice.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(Disputed(name=r["name"], drawn_with=r["drawn_with"],
                              held_by=r["held_by"], lon=float(r["lon"]), lat=float(r["lat"]),
                              rule=r["rule"]) for r in csv.DictReader(handle))


@dataclass
class Country:
    """One country's polygons.

    Attributes
    ----------
    iso3 : str
        ISO 3166-1 alpha-3 code, or the source's name where it has no code (Kosovo,
        N. Cyprus, Somaliland, ...).
    name : str
        Name as in the source file.
    polygons : list of list of Ring
        Each polygon is its exterior ring followed by its holes.
    occupied : list of list of Ring
        Polygons of this country held by another state (drawn hatched).
    """

    iso3: str
    name: str
    polygons: list[list[Ring]] = field(default_factory=list)
    occupied: list[list[Ring]] = field(default_factory=list)

    def bounds(self) -> tuple[float, float, float, float]:
        """Longitude min, latitude min, longitude max, latitude max of every polygon."""
        points = np.vstack([ring for poly in self.polygons + self.occupied for ring in poly])
        return (float(points[:, 0].min()), float(points[:, 1].min()),
                float(points[:, 0].max()), float(points[:, 1].max()))


def _decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute coordinates of every arc of a quantized TopoJSON topology.

    Quantized arcs hold delta-encoded integer positions: the cumulative sum, times
    ``scale`` plus ``translate``, gives degrees (TopoJSON specification, 2.1.4).
    """
    scale = np.asarray(topology["transform"]["scale"], dtype=float)
    translate = np.asarray(topology["transform"]["translate"], dtype=float)
    return [np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate
            for arc in topology["arcs"]]


def _ring(indices: list[int], arcs: list[np.ndarray]) -> Ring:
    """Join arcs into a ring; a negative index ``~i`` is arc ``i`` reversed."""
    parts = []
    for k, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point: keep it once.
        parts.append(arc if k == 0 else arc[1:])
    return np.vstack(parts)


def planar(ring: Ring) -> Ring:
    """The ring with longitudes continuous on a plane, east of 180E written past 180.

    The source's rings live on the sphere: Russia's mainland runs across the
    antimeridian (its longitude jumps from 180 to -180 and back), and drawn on a plane
    as given it would fill a band round the whole world. Such a ring, and any ring
    lying wholly just east of the antimeridian (Chukotka's and Wrangel Island's, west
    of 168W), is written with longitude + 360 for its western-hemisphere points. Rings
    round a pole (an odd number of jumps: Antarctica) are left as they are.
    """
    lon = ring[:, 0]
    jumps = int(np.count_nonzero(np.abs(np.diff(lon)) > 180.0))
    if (jumps and jumps % 2 == 0) or lon.max() < -168.0:
        out = ring.copy()
        out[:, 0] = np.where(lon < 0.0, lon + 360.0, lon)
        return out
    return ring


def _polygons(geometry: dict, arcs: list[np.ndarray]) -> list[list[Ring]]:
    """Planar polygons of a Polygon or MultiPolygon geometry (other types have none)."""
    if geometry["type"] == "Polygon":
        return [[planar(_ring(r, arcs)) for r in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[planar(_ring(r, arcs)) for r in poly] for poly in geometry["arcs"]]
    return []


def contains(ring: Ring, lon: float, lat: float) -> bool:
    """Whether the point lies inside ``ring`` (even-odd rule, ray cast eastwards)."""
    x, y = ring[:, 0], ring[:, 1]
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    crosses = (y > lat) != (y2 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x + (lat - y) * (x2 - x) / (y2 - y)
    return bool(np.count_nonzero(crosses & (lon < at)) % 2)


def _read_iso() -> dict[str, str]:
    """ISO numeric code -> alpha-3 code, from :data:`ISO_FILE`."""
    with ISO_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["numeric"]: row["alpha3"] for row in csv.DictReader(handle)}


def apply_disputed(countries: dict[str, Country],
                   rules: tuple[Disputed, ...]) -> list[Disputed]:
    """Move each disputed polygon to the state of its rule; return the rules applied.

    A rule applies where a polygon of the holding state contains the rule's point
    (the source draws the territory as the holder's, as Natural Earth 4.1.0 does with
    Crimea): that polygon becomes an ``occupied`` polygon of ``drawn_with``. A rule
    whose point lies in no polygon of the holder changes nothing and is not returned.
    """
    applied = []
    for rule in rules:
        holder, owner = countries.get(rule.held_by), countries.get(rule.drawn_with)
        if holder is None or owner is None:
            continue
        moved = [p for p in holder.polygons if contains(p[0], rule.lon, rule.lat)]
        if not moved:
            continue
        holder.polygons = [p for p in holder.polygons if not any(p is m for m in moved)]
        owner.occupied.extend(moved)
        applied.append(rule)
    return applied


@dataclass(frozen=True)
class Borders:
    """Every country of the boundary file, after the disputed-territory rules.

    Attributes
    ----------
    countries : dict of str to Country
        By ISO alpha-3 code (or source name where there is none).
    disputed : tuple of Disputed
        The rules that were applied.
    """

    countries: dict[str, Country]
    disputed: tuple[Disputed, ...]


@lru_cache(maxsize=1)
def load_borders() -> Borders:
    """Read and decode :data:`BORDERS_FILE` once per process.

    Returns
    -------
    Borders
        Countries by ISO alpha-3 code with the rules of :data:`DISPUTED_FILE`
        applied. Callers must
        not change the result (it is cached).
    """
    topology = json.loads(BORDERS_FILE.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    iso = _read_iso()
    countries: dict[str, Country] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = str(geometry["properties"]["name"])
        key = iso.get(str(geometry.get("id")), name)
        # Several source features can share a code (Australia and its Ashmore and
        # Cartier Islands): they are one country on the map.
        country = countries.setdefault(key, Country(iso3=key, name=name))
        country.polygons.extend(_polygons(geometry, arcs))
    applied = apply_disputed(countries, read_disputed())
    return Borders(countries=countries, disputed=tuple(applied))
