"""A synthetic region of any size, for benchmarks and scaling tests only.

The real focal state of the Belarus region, its patron and its four power centres keep
their roles (the succession rules need them; ``roles.yaml`` is copied, without its
reported states); every other actor is synthetic, with attributes drawn from a seeded
generator and edges from a seeded Watts-Strogatz small-world graph. The tables are
written in the same CSV format as a region folder and loaded through the same checks.
Nothing here is real data.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np

from sim.paths import DATA_DIR
from sim.regions.loader import Region, load_region
from sim.regions.roles import load_roles

_SOURCE = "assumption: synthetic benchmark data, not real"


def _real_rows(name: str, keep: set[str] | None, key: str | tuple[str, ...]) -> list[dict]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    keys = (key,) if isinstance(key, str) else key
    return [row for row in rows if keep is None or all(row[k] in keep for k in keys)]


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def synthetic_region(n_actors: int, seed: int = 0, neighbours: int = 6) -> Region:
    """Build a region of ``n_actors`` actors (at least 7) from seeded generators.

    Parameters
    ----------
    n_actors : int
        Total number of actors, the six role actors included.
    seed : int
        Seed of the attribute generator and of the graph generator.
    neighbours : int
        Each synthetic actor's number of ring neighbours in the Watts-Strogatz graph.
    """
    with tempfile.TemporaryDirectory() as folder:
        return load_region(write_synthetic_region(Path(folder), n_actors, seed, neighbours))


def write_synthetic_region(folder: Path, n_actors: int, seed: int = 0,
                           neighbours: int = 6) -> Path:
    """Write the tables of :func:`synthetic_region` into ``folder`` (a region folder).

    A scenario names the folder as its ``region:`` to run on it from the command line
    (``make bench`` does). Returns ``folder``.
    """
    rng = np.random.default_rng(seed)
    real = load_roles(DATA_DIR / "roles.yaml", _real_kinds(), _real_parents())
    focal, patron = real.focal, real.patrons[0]
    role_ids = (focal, patron, *real.power_centres)
    roles = set(role_ids)
    synthetic = [f"S{i:04d}" for i in range(n_actors - len(role_ids))]
    actors = _real_rows("actors.csv", roles, "id")
    for actor in synthetic:
        actors.append({"id": actor, "name": actor, "kind": "state", "parent": "",
                       "capital": "", "lat": f"{rng.uniform(40, 60):.4f}",
                       "lon": f"{rng.uniform(10, 45):.4f}", "source": _SOURCE})
    attributes = _real_rows("attributes.csv", roles, "actor")
    template = {row["attribute"]: row for row in attributes if row["actor"] == focal}
    draws = {"population_m": (1, 50), "gdp_usd_bn": (10, 500), "capability": (0.0001, 0.01),
             "border_total_km": (500, 3000), "stability0": (0.4, 0.9),
             "alignment0": (-1, 1), "unrest0": (0.001, 0.01), "posture0": (0.2, 0.8),
             "stress0": (0.1, 0.6), "stubbornness": (0.5, 0.95), "repression": (0.1, 0.9),
             "frontline": (0, 0)}
    for actor in synthetic:
        for attribute, (low, high) in draws.items():
            attributes.append({**template[attribute], "actor": actor,
                               "value": f"{rng.uniform(low, high):.6g}", "source": _SOURCE,
                               "grade": "assumption", "note": ""})
    edges = _real_rows("edges.csv", roles, ("source", "target"))
    ring = nx.connected_watts_strogatz_graph(len(synthetic) + 2, neighbours, 0.1, seed=seed)
    names = [focal, patron, *synthetic]
    for a, b in sorted(ring.edges()):
        for layer, value in (("trade", rng.uniform(0.1, 20)), ("border", rng.uniform(50, 500)),
                             ("security", rng.uniform(0.1, 0.8))):
            if {names[a], names[b]} <= {focal, patron} and layer != "border":
                continue  # the real focal-patron rows are kept
            edges.append({"layer": layer, "source": names[a], "target": names[b],
                          "value": f"{value:.6g}", "unit": "", "year": "2024",
                          "source_ref": _SOURCE, "grade": "assumption", "note": ""})
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for row in edges:
        key = (row["layer"], row["source"], row["target"])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    folder_path = Path(folder)
    folder_path.mkdir(parents=True, exist_ok=True)
    _write(folder_path / "actors.csv", actors)
    _write(folder_path / "attributes.csv", attributes)
    _write(folder_path / "edges.csv", unique)
    (folder_path / "layers.csv").write_bytes((DATA_DIR / "layers.csv").read_bytes())
    roles_text = (DATA_DIR / "roles.yaml").read_text(encoding="utf-8")
    roles_text = re.sub(r"^reported:.*$", "reported: []", roles_text, flags=re.M)
    (folder_path / "roles.yaml").write_text(roles_text, encoding="utf-8")
    return folder_path


def _real_kinds() -> dict[str, str]:
    return {row["id"]: row["kind"] for row in _real_rows("actors.csv", None, "id")}


def _real_parents() -> dict[str, str]:
    return {row["id"]: row["parent"] for row in _real_rows("actors.csv", None, "id")}
