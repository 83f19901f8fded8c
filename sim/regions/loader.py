"""A region as data: actors, sourced attributes, the layered influence graph, and roles.

A region is a folder (``sim/regions/<name>/`` or a folder of the user's own; see
``docs/model.md``, Regions) holding:

* ``actors.csv``: one row per actor (states and the focal state's power centres);
* ``attributes.csv``: one row per (actor, attribute) with value, unit, year, source;
* ``layers.csv``: how each layer's raw values become dependence shares, and the
  weight of each layer in contagion and in influence;
* ``edges.csv``: one row per edge with value, unit, year and source;
* ``roles.yaml``: the focal state, its power centres, its patrons, the reported states
  and the succession rules (:mod:`sim.regions.roles`).

Adding a country is an edit to these tables, never to code. Everything is checked on
load; a bad row raises :class:`DataError` naming the file and the row.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.paths import DATA_DIR
from sim.regions.evidence import RegimeEvidence, load_evidence
from sim.regions.graph import SparseRows
from sim.regions.roles import RegionRoles, load_roles

if TYPE_CHECKING:
    import networkx as nx

#: Attributes of the model (value per actor, documented in docs/model.md).
REQUIRED_ATTRIBUTES: tuple[str, ...] = (
    "population_m", "gdp_usd_bn", "capability", "border_total_km", "stability0",
    "alignment0", "unrest0", "posture0", "stress0", "stubbornness", "repression",
    "frontline", "power_weight",
)
#: Attributes earlier versions read, with why they are gone: a table that still has rows
#: for them gets one error saying so (not a generic "unknown attribute"), so the user
#: deletes data the model ignores rather than believing it matters.
REMOVED_ATTRIBUTES: MappingProxyType[str, str] = MappingProxyType({
    "grievance": "grievance is no longer read: its level cancels out of the protest "
                 "cascade (docs/data-rules.md R3); delete these rows",
})
#: Which kinds of actor each attribute applies to. A row for an actor of another kind
#: is an error; the model reads 0 for it (a power centre has no population of its own,
#: a state no weight inside the focal regime).
APPLIES_TO: dict[str, tuple[str, ...]] = {
    **{a: ("state",) for a in ("population_m", "gdp_usd_bn", "capability",
                               "border_total_km", "unrest0", "repression", "frontline")},
    **{a: ("state", "power_centre") for a in ("stability0", "alignment0", "posture0",
                                              "stress0", "stubbornness")},
    "power_weight": ("power_centre",),
}
#: Provenance grades of a data row (docs/model.md, Data): a figure read from a named
#: publication or dataset, a figure remembered from one but not read here, a judgement.
GRADES: tuple[str, ...] = ("sourced", "recalled", "assumption")
#: Attributes that divide: a baseline of 0 would turn every relative change into NaN.
POSITIVE = ("stability0",)
#: Normalisations that write a pair both ways from one row: a reversed duplicate row
#: would silently overwrite the first.
SYMMETRIC = ("gdp_share_both", "border_share_both", "tie_symmetric", "tie_by_capability")
#: Attributes that are shares and must lie in [0, 1].
UNIT_INTERVAL = ("stability0", "unrest0", "posture0", "stress0", "stubbornness",
                 "repression", "frontline", "power_weight")
NORMALISATIONS = ("gdp_share_both", "share_directed", "tie_symmetric", "tie_by_capability",
                  "border_share_both", "gdp_share_directed", "scale_directed")
KINDS = ("state", "power_centre")


class DataError(UserError):
    """A data table is malformed; names the file, the row and what is allowed."""


@dataclass(frozen=True)
class Region:
    """Actors, attributes and the combined influence matrices of the region.

    Attributes
    ----------
    ids : tuple of str
        Actor ids in axis order (the last axis of every state array).
    names, kinds : tuple of str
        Display names and kinds (``state`` or ``power_centre``).
    lat, lon : numpy.ndarray
        Capital coordinates in degrees, for the map.
    attrs : dict of str to numpy.ndarray
        Attribute values per actor, shape (n_actors,).
    layers : dict of str to numpy.ndarray
        Dependence per layer, ``dep[target, source]`` in [0, 1].
    contagion_raw : numpy.ndarray
        Combined contagion weights ``D[target, source]``, dense, before the row cap that
        :func:`sim.model.context.build_context` applies (``max_dependence_row_sum``).
    influence_raw : numpy.ndarray
        Combined influence weights, dense, before the self weight and row
        normalisation of :func:`sim.model.mechanisms.alignment.influence_matrix`.
    trade, border : SparseRows
        Trade and border dependence, for the reactions mechanism.
    edges : tuple of (str, str, dict)
        Every edge ``source -> target`` (target depends on source) with its dependence
        per layer, in the order of ``edges.csv``; :attr:`graph` holds them as a graph.
    roles : RegionRoles
        Focal state, power centres, patrons, reported states, succession rules.
    name : str
        The region's folder name (e.g. ``belarus``).
    folder : pathlib.Path
        Where its tables were read from.
    evidence : RegimeEvidence
        The focal regime's pre-trigger evidence (``evidence.csv``; neutral if absent).
    layer_weights : dict of str to (float, float)
        Each layer's (contagion, influence) weight from ``layers.csv``, in file order
        (``sim/regions/layer_weights.py`` scales them for an exploration).
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    attrs: dict[str, np.ndarray]
    layers: dict[str, np.ndarray]
    contagion_raw: np.ndarray
    influence_raw: np.ndarray
    border: SparseRows
    edges: tuple[tuple[str, str, dict[str, float]], ...]
    roles: RegionRoles
    name: str
    folder: Path
    evidence: RegimeEvidence = dataclass_field(default_factory=RegimeEvidence)
    layer_weights: dict[str, tuple[float, float]] = dataclass_field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of actors."""
        return len(self.ids)

    def index(self, actor: str) -> int:
        """Axis position of an actor id."""
        return self.ids.index(actor)

    @property
    def is_state(self) -> np.ndarray:
        """Boolean mask of actors that are states (not power centres)."""
        return np.array([k == "state" for k in self.kinds])

    @functools.cached_property
    def graph(self) -> nx.DiGraph:
        """All layers as edge attributes ``source -> target``; nodes carry name and kind.

        Made on first use (the model reads the dense layers; the ripple map and Mesa read
        this), so a run imports networkx, about 0.15 s, only then. Edges in file order,
        then every actor's name and kind: the graph once built while reading the file.
        """
        import networkx as nx

        graph = nx.DiGraph()
        for source, target, data in self.edges:
            graph.add_edge(source, target, **data)
        for actor_id, name, kind in zip(self.ids, self.names, self.kinds, strict=True):
            graph.add_node(actor_id, name=name, kind=kind)
        return graph

    def distance_from(self, actor: str) -> dict[str, int]:
        """Shortest path length (hops, any layer, either direction) from ``actor``."""
        import networkx as nx

        return nx.single_source_shortest_path_length(self.graph.to_undirected(), actor)


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(str(path), None, "data table missing")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(str(path), None, f"not UTF-8 text (byte {exc.start}); save the "
                        "table as UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(str(path), None, f"not a readable CSV table: "
                        f"{' '.join(str(exc).split())}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(str(path), None, f"missing columns {missing}; need {list(columns)}")
    return frame


def _number(path: Path, row: int, field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DataError(str(path), f"row {row + 2}, {field}", f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise DataError(str(path), f"row {row + 2}, {field}", "must be finite")
    return value


def load_region(data_dir: Path = DATA_DIR) -> Region:
    """Load and check the region's tables.

    Parameters
    ----------
    data_dir : pathlib.Path
        Folder holding ``actors.csv``, ``attributes.csv``, ``layers.csv``, ``edges.csv``
        and ``roles.yaml`` (default: the Belarus region).

    Returns
    -------
    Region

    Raises
    ------
    DataError
        On a missing table or column, unknown actor or layer, duplicate row, missing
        attribute, negative or out-of-range value, or a role or succession rule that
        cannot apply (a :class:`sim.errors.UserError` naming ``roles.yaml``).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(str(data_dir), None, "region folder not found")
    actors = _load_actors(data_dir / "actors.csv")
    ids = tuple(actors["id"])
    kinds = dict(zip(ids, actors["kind"], strict=True))
    roles = load_roles(data_dir / "roles.yaml", dict(zip(ids, actors["kind"], strict=True)),
                       dict(zip(ids, actors["parent"], strict=True)))
    attrs = _load_attributes(data_dir / "attributes.csv", ids, kinds)
    elite = [ids.index(roles.security), ids.index(roles.apparatus)]
    if attrs["power_weight"][elite].sum() <= 0:
        raise DataError(str(data_dir / "attributes.csv"), "power_weight",
                        f"the security bloc ({roles.security}) and the apparatus "
                        f"({roles.apparatus}) need a positive power weight between them "
                        "(elite cohesion is their weighted loyalty)")
    layer_table = _load_layers(data_dir / "layers.csv")
    layers, edges = _load_edges(data_dir / "edges.csv", ids, attrs, layer_table)
    n = len(ids)
    contagion = np.zeros((n, n))
    influence = np.zeros((n, n))
    for layer, dep in layers.items():
        contagion += layer_table[layer]["contagion_weight"] * dep
        influence += layer_table[layer]["influence_weight"] * dep
    empty = np.zeros((n, n))
    return Region(
        ids=ids,
        names=tuple(actors["name"]),
        kinds=tuple(actors["kind"]),
        lat=actors["lat"].to_numpy(dtype=float),
        lon=actors["lon"].to_numpy(dtype=float),
        attrs=attrs,
        layers=layers,
        contagion_raw=contagion,
        influence_raw=influence,
        border=SparseRows.from_dense(layers.get("border", empty)),
        edges=tuple((source, target, data) for (source, target), data in edges.items()),
        roles=roles,
        name=data_dir.name,
        folder=data_dir,
        evidence=load_evidence(data_dir, roles.focal),
        layer_weights={layer: (float(spec["contagion_weight"]), float(spec["influence_weight"]))
                       for layer, spec in layer_table.items()},
    )


def _load_actors(path: Path) -> pd.DataFrame:
    frame = _read(path, ("id", "name", "kind", "parent", "lat", "lon", "source"))
    seen: set[str] = set()
    for row, rec in frame.iterrows():
        if not rec["id"] or rec["id"] in seen:
            raise DataError(str(path), f"row {row + 2}, id", f"empty or duplicate id {rec['id']!r}")
        seen.add(rec["id"])
        if rec["kind"] not in KINDS:
            raise DataError(str(path), f"row {row + 2}, kind", f"must be one of {KINDS}")
        for field in ("lat", "lon"):
            _number(path, row, field, rec[field])
    for row, rec in frame.iterrows():
        if rec["parent"] and rec["parent"] not in seen:
            raise DataError(str(path), f"row {row + 2}, parent", f"unknown actor {rec['parent']!r}")
    return frame


def _check_grade(path: Path, row: int, grade: str, source: str) -> None:
    """A row's grade must be one of :data:`GRADES` and agree with its source."""
    where = f"row {row + 2}, grade"
    if grade not in GRADES:
        raise DataError(str(path), where, f"must be one of {', '.join(GRADES)}")
    if (grade == "assumption") != source.strip().startswith("assumption:"):
        raise DataError(str(path), where, "a judgement is graded 'assumption' and its source "
                        "starts with 'assumption:' (with the reason); a figure from a named "
                        "source is 'sourced' or 'recalled'")


def refuse_removed(path: Path, frame: pd.DataFrame, column: str,
                   removed: Mapping[str, str]) -> None:
    """Raise one :class:`DataError` for the rows naming a removed name, if any.

    Parameters
    ----------
    path : pathlib.Path
        The table, named in the error.
    frame : pandas.DataFrame
        The table as read by ``_read`` (row ``k`` is line ``k + 2`` of the file).
    column : str
        The column holding the names (``attribute``, ``indicator``).
    removed : mapping of str to str
        Removed names and the message saying why and what to do.

    Raises
    ------
    DataError
        Naming the first such row and listing the others, so one message says
        everything to delete (a row-by-row error would take one run per row).
    """
    for name, why in removed.items():
        rows = [row + 2 for row in frame.index[frame[column] == name]]
        if rows:
            more = rows[1:]
            others = (f" (and {len(more)} more: row{'s' * (len(more) > 1)} "
                      f"{', '.join(map(str, more))})" if more else "")
            raise DataError(str(path), f"row {rows[0]}{others}, {column}", why)


def _load_attributes(path: Path, ids: tuple[str, ...],
                     kinds: dict[str, str]) -> dict[str, np.ndarray]:
    frame = _read(path, ("actor", "attribute", "value", "unit", "year", "source", "grade"))
    refuse_removed(path, frame, "attribute", REMOVED_ATTRIBUTES)
    values: dict[str, dict[str, float]] = {a: {} for a in REQUIRED_ATTRIBUTES}
    for row, rec in frame.iterrows():
        where = f"row {row + 2}"
        if rec["actor"] not in ids:
            raise DataError(str(path), f"{where}, actor", f"unknown actor {rec['actor']!r}")
        if rec["attribute"] not in values:
            raise DataError(str(path), f"{where}, attribute",
                            f"unknown attribute {rec['attribute']!r}; known: {REQUIRED_ATTRIBUTES}")
        if not rec["source"].strip():
            raise DataError(str(path), f"{where}, source", "every number needs a source")
        _check_grade(path, row, rec["grade"], rec["source"])
        if kinds[rec["actor"]] not in APPLIES_TO[rec["attribute"]]:
            raise DataError(str(path), f"{where}, attribute",
                            f"{rec['attribute']} does not apply to a {kinds[rec['actor']]} "
                            f"(applies to: {', '.join(APPLIES_TO[rec['attribute']])}); "
                            "remove the row")
        if rec["actor"] in values[rec["attribute"]]:
            raise DataError(str(path), where, f"duplicate {rec['actor']}/{rec['attribute']}")
        value = _number(path, row, "value", rec["value"])
        low, high = (-1.0, 1.0) if rec["attribute"] == "alignment0" else (0.0, math.inf)
        if rec["attribute"] in UNIT_INTERVAL:
            high = 1.0
        if not low <= value <= high:
            raise DataError(str(path), f"{where}, value", f"must be in [{low}, {high}]")
        if rec["attribute"] in POSITIVE and value <= 0:
            raise DataError(str(path), f"{where}, value", f"{rec['attribute']} must be above 0 "
                            "(relative distress divides by it)")
        values[rec["attribute"]][rec["actor"]] = value
    out = {}
    for attribute, by_actor in values.items():
        missing = [a for a in ids if a not in by_actor
                   and kinds[a] in APPLIES_TO[attribute]]
        if missing:
            raise DataError(str(path), attribute, f"no value for actors {missing}")
        out[attribute] = np.array([by_actor.get(a, 0.0) for a in ids])
    return out


def _load_layers(path: Path) -> dict[str, dict[str, float | str]]:
    frame = _read(path, ("layer", "normalisation", "scale", "contagion_weight",
                         "influence_weight", "source"))
    table: dict[str, dict[str, float | str]] = {}
    for row, rec in frame.iterrows():
        if rec["layer"] in table:
            raise DataError(str(path), f"row {row + 2}, layer", "duplicate layer")
        if rec["normalisation"] not in NORMALISATIONS:
            raise DataError(str(path), f"row {row + 2}, normalisation",
                            f"must be one of {NORMALISATIONS}")
        spec: dict[str, float | str] = {"normalisation": rec["normalisation"]}
        for field in ("contagion_weight", "influence_weight"):
            spec[field] = _number(path, row, field, rec[field])
            if not 0.0 <= spec[field] <= 1.0:
                raise DataError(str(path), f"row {row + 2}, {field}", "must be in [0, 1]")
        spec["scale"] = _number(path, row, "scale", rec["scale"]) if rec["scale"] else 1.0
        if spec["scale"] <= 0:
            raise DataError(str(path), f"row {row + 2}, scale", "must be positive")
        table[rec["layer"]] = spec
    return table


def _dependence(spec: dict, value: float, source: int, target: int,
                attrs: dict[str, np.ndarray]) -> list[tuple[int, int, float]]:
    """Dependence entries ``(target, source, share)`` implied by one edge row."""
    norm = spec["normalisation"]

    def share(amount: float, denominator: float) -> float:
        return min(1.0, amount / denominator) if denominator > 0 else 0.0

    if norm == "gdp_share_both":
        gdp = attrs["gdp_usd_bn"]
        return [(target, source, share(value, gdp[target])),
                (source, target, share(value, gdp[source]))]
    if norm == "border_share_both":
        km = attrs["border_total_km"]
        return [(target, source, share(value, km[target])),
                (source, target, share(value, km[source]))]
    if norm == "tie_symmetric":
        return [(target, source, min(1.0, value)), (source, target, min(1.0, value))]
    if norm == "tie_by_capability":
        # A tie binds the weaker partner more: i depends on j by the tie times j's
        # share of the pair's capability (CINC), so a 28:1 ally barely depends on its
        # client. Power centres (capability 0) depend fully on a state they are tied to.
        cap = attrs["capability"]
        total = cap[target] + cap[source]
        to_target = cap[source] / total if total > 0 else 0.5
        return [(target, source, min(1.0, value) * to_target),
                (source, target, min(1.0, value) * (1.0 - to_target))]
    if norm == "share_directed":
        return [(target, source, min(1.0, value))]
    if norm == "gdp_share_directed":
        return [(target, source, share(value, attrs["gdp_usd_bn"][target]))]
    return [(target, source, share(value, spec["scale"]))]  # scale_directed


def _load_edges(path: Path, ids: tuple[str, ...], attrs: dict[str, np.ndarray],
                layer_table: dict) -> tuple[dict[str, np.ndarray],
                                            dict[tuple[str, str], dict[str, float]]]:
    frame = _read(path, ("layer", "source", "target", "value", "unit", "year",
                         "source_ref", "grade"))
    n = len(ids)
    layers = {name: np.zeros((n, n)) for name in layer_table}
    edges: dict[tuple[str, str], dict[str, float]] = {}  # (source, target) -> layer deps
    seen: set[tuple[str, str, str]] = set()
    for row, rec in frame.iterrows():
        where = f"row {row + 2}"
        if rec["layer"] not in layer_table:
            raise DataError(str(path), f"{where}, layer",
                            f"unknown layer {rec['layer']!r}; known: {sorted(layer_table)}")
        for field in ("source", "target"):
            if rec[field] not in ids:
                raise DataError(str(path), f"{where}, {field}", f"unknown actor {rec[field]!r}")
        if rec["source"] == rec["target"]:
            raise DataError(str(path), where, "an actor cannot depend on itself")
        key = (rec["layer"], rec["source"], rec["target"])
        reverse = (rec["layer"], rec["target"], rec["source"])
        if key in seen:
            raise DataError(str(path), where, f"duplicate edge {key}")
        if reverse in seen and layer_table[rec["layer"]]["normalisation"] in SYMMETRIC:
            raise DataError(str(path), where, f"duplicate edge {key}: layer {rec['layer']!r} "
                            f"is symmetric and already has the row {reverse[1]} -> "
                            f"{reverse[2]}; keep one row per pair")
        seen.add(key)
        if not rec["source_ref"].strip():
            raise DataError(str(path), f"{where}, source_ref", "every number needs a source")
        _check_grade(path, row, rec["grade"], rec["source_ref"])
        value = _number(path, row, "value", rec["value"])
        if value < 0:
            raise DataError(str(path), f"{where}, value", "weights cannot be negative")
        src, tgt = ids.index(rec["source"]), ids.index(rec["target"])
        for t, s, dep in _dependence(layer_table[rec["layer"]], value, src, tgt, attrs):
            layers[rec["layer"]][t, s] = dep
            edges.setdefault((ids[s], ids[t]), {})[rec["layer"]] = dep
    return layers, edges
