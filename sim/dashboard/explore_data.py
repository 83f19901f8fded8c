"""Read exploration folders (``make explore``) for the Explorations page.

An exploration lives in ``<results>/explore/<scenario>_<method>/`` (README, Which
assumptions drive the answer?). The headline spreads, top drivers and noise shares are
those of :func:`sim.outputs.explore_report.summarise_exploration`, the same numbers as
the exploration's ``report.html``; nothing is recomputed here. Plain Python, tested
without a browser.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.dashboard import files
from sim.dashboard.data import BrokenFolder, load_manifest, whole_number
from sim.outputs.explore_report import CHARTS, summarise_exploration

#: Files of an exploration offered for download, in display order.
EXPLORE_DOWNLOADS: tuple[str, ...] = ("report.html", "indices.csv", "outcomes.csv",
                                      "design.csv")
#: Above this Monte Carlo noise share an output's indices partly measure noise.
NOISE_WARNING = 0.2
#: Per method: the index columns offered for sorting (the first is the default) and
#: the column of each index's 95% interval half-width.
INDEX_COLUMNS: dict[str, tuple[str, ...]] = {"morris": ("mu_star", "sigma"),
                                             "sobol": ("ST", "S1")}
CONF_COLUMNS: dict[str, str] = {"mu_star": "mu_star_conf", "ST": "ST_conf", "S1": "S1_conf"}
#: What each method is, in one line.
METHOD_TEXT: dict[str, str] = {
    "morris": "Morris screening (elementary effects): mu* is the mean absolute change of "
              "an output when a parameter goes across its whole range",
    "sobol": "Sobol variance decomposition: ST is the share of an output's variance due "
             "to a parameter and all its interactions, S1 to the parameter alone",
    "lhs": "Latin hypercube sample: spreads and PRIM boxes, no sensitivity indices",
}


@dataclass(frozen=True)
class ExplorationEntry:
    """One finished exploration folder.

    Attributes
    ----------
    folder : pathlib.Path
    scenario, method : str
    points, replicates, weeks, parameters : int
        Design points, replicate members per point, horizon, uncertain parameters.
    started : str
        ``started_utc`` of the manifest.
    problem : str
        Why the folder cannot be shown ('' for a good one).
    """

    folder: Path
    scenario: str
    method: str
    points: int
    replicates: int
    weeks: int
    parameters: int
    started: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        """What the picker's caption shows about the exploration."""
        if self.problem:
            return f"cannot be shown: {self.problem}"
        return (f"{self.method}: {self.points} points x {self.replicates} replicates, "
                f"{self.parameters} uncertain parameters, {self.weeks} weeks; made "
                f"{self.started or '?'}")


def list_explorations(root: Path) -> list[ExplorationEntry]:
    """Explorations under ``root/explore/``, by folder name.

    Hidden folders, symbolic links and folders holding neither ``manifest.json`` nor
    ``outcomes.csv`` are left out; one whose files are broken is listed with its
    ``problem`` (the page shows an error card for it).
    """
    base = Path(root) / "explore"
    if not base.is_dir():
        return []
    entries = []
    for folder in sorted(base.iterdir()):
        if (folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir()
                or not any(os.path.lexists(folder / n) for n in ("manifest.json",
                                                                 "outcomes.csv"))):
            continue
        try:
            entries.append(_entry(folder, root))
        except BrokenFolder as exc:
            entries.append(ExplorationEntry(folder=folder, scenario="?", method="?", points=0,
                                            replicates=0, weeks=0, parameters=0,
                                            problem=str(exc)))
    return entries


def _entry(folder: Path, root: Path) -> ExplorationEntry:
    """The :class:`ExplorationEntry` of a folder, its manifest and files checked."""
    manifest = load_manifest(folder)
    odd = files.odd_entries(folder)
    if odd:
        raise BrokenFolder("holds links or special files, which are not followed: "
                           + ", ".join(odd[:5]))
    missing = [n for n in ("outcomes.csv", "noise.csv")
               if files.result_file(folder, n, root) is None]
    if missing:
        raise BrokenFolder("missing or not a regular file: " + ", ".join(missing))
    method, uncertainties = manifest.get("method"), manifest.get("uncertainties") or {}
    if not isinstance(method, str) or not isinstance(uncertainties, dict):
        raise BrokenFolder("manifest.json: method or uncertainties of the wrong shape")
    return ExplorationEntry(
        folder=folder, scenario=str(manifest.get("scenario", "?")), method=method,
        points=whole_number(manifest, "points"),
        replicates=whole_number(manifest, "replicates"),
        weeks=whole_number(manifest, "weeks"), parameters=len(uncertainties),
        started=str(manifest.get("started_utc", "")))


def _stamp(folder: Path) -> float:
    return (Path(folder) / "manifest.json").stat().st_mtime


@functools.lru_cache(maxsize=8)
def _summary(folder: str, stamp: float) -> dict:
    return summarise_exploration(Path(folder), top=3)


def summary(folder: Path) -> dict:
    """:func:`~sim.outputs.explore_report.summarise_exploration` of ``folder`` (top 3).

    Cached until the folder's ``manifest.json`` changes.
    """
    return _summary(str(folder), _stamp(folder))


@functools.lru_cache(maxsize=8)
def _indices(folder: str, stamp: float) -> pd.DataFrame | None:
    path = files.result_file(Path(folder), "indices.csv")
    return pd.read_csv(path) if path is not None else None


def indices(folder: Path) -> pd.DataFrame | None:
    """``indices.csv`` of the exploration (None for a design without indices)."""
    return _indices(str(folder), _stamp(folder))


def top_indices(table: pd.DataFrame, output: str, sort_by: str, top: int = 15
                ) -> pd.DataFrame:
    """The ``top`` rows of ``output`` in ``indices.csv``, largest ``sort_by`` first.

    Ties keep the file's order (as :func:`summarise_exploration` does).
    """
    rows = table[table["output"] == output]
    return rows.nlargest(top, sort_by).reset_index(drop=True)


def index_outputs(table: pd.DataFrame, headline: list[str]) -> list[str]:
    """Outputs of ``indices.csv``: the headline ones first, then the others in file order."""
    present = list(dict.fromkeys(table["output"]))
    return [o for o in headline if o in present] + [o for o in present if o not in headline]


def prim_boxes(folder: Path, manifest: dict) -> list[dict]:
    """PRIM boxes of the manifest, each with its ``limits`` (``prim_<k>.csv`` rows).

    A case without a box keeps its ``note``; ``chart`` is the path of ``prim_<k>.png``
    or None.
    """
    boxes = []
    for k, stats in enumerate(manifest.get("prim") or [], start=1):
        limits = files.result_file(folder, f"prim_{k}.csv")
        boxes.append({**stats, "limits": pd.read_csv(limits).to_dict("records")
                      if "coverage" in stats and limits is not None else [],
                      "chart": files.result_file(folder, f"charts/prim_{k}.png")})
    return boxes


def design_charts(folder: Path) -> list[tuple[str, Path]]:
    """(title, path) of the tornado or Sobol chart and the fans chart, those present."""
    found = [(title, files.result_file(folder, f"charts/{name}"))
             for name, title in CHARTS.items() if not name.startswith("prim_")]
    return [(title, path) for title, path in found if path is not None]


def num(value: float | None) -> str:
    """An output value or index with three decimals ('n/a' when missing).

    >>> num(0.18333)
    '0.183'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{float(value):.3f}"


def noise_text(share: float | None) -> str:
    """A noise share in percent, or why there is none.

    >>> noise_text(0.0427817)
    '4.3%'
    """
    if share is None or math.isnan(share):
        return "n/a (constant)"
    return f"{100 * float(share):.1f}%"


def noisy(share: float | None) -> bool:
    """Whether a noise share is above :data:`NOISE_WARNING`."""
    return share is not None and not math.isnan(share) and share > NOISE_WARNING
