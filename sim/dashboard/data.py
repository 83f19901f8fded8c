"""Read result folders for the dashboard: runs, scenarios, parameters, events.

Everything here is plain Python over the files a run writes (README, What a run
writes), so it is tested without a browser. Numbers are formatted in one place
(:func:`pct`, :func:`interval`), the same for the page and its tests.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.api import RunResult
from sim.errors import UserError
from sim.model.params import PARAMS
from sim.model.scenario import file_sha256, load_scenario
from sim.paths import ANALYSIS_DIRS, OVERRIDE_MARK, STAGING_NAME

#: Files offered for download, in display order (those present in the folder).
DOWNLOADS: tuple[str, ...] = ("outcomes.csv", "timeseries.csv", "members.csv", "holders.csv",
                              "events.csv", "manifest.json", "report.html")


@dataclass(frozen=True)
class RunEntry:
    """One finished run folder under the results root.

    Attributes
    ----------
    folder : pathlib.Path
    scenario : str
        The scenario's ``name``.
    members, weeks : int
    overrides : dict
        The run's overrides (empty for the scenario's own folder).
    finished : str
        ``finished_utc`` of the manifest.
    """

    folder: Path
    scenario: str
    members: int
    weeks: int
    overrides: dict = field(default_factory=dict)
    finished: str = ""

    @property
    def label(self) -> str:
        """What the run picker shows, e.g. ``incapacity (own results): 1000 members``."""
        what = ("own results" if not self.overrides else
                ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in sorted(self.overrides.items())))
        return f"{self.folder.name}  [{what}; {self.members} members, {self.weeks} weeks]"


@dataclass(frozen=True)
class ScenarioEntry:
    """One scenario file offered by the forms (``problem`` set when it does not load)."""

    name: str
    path: Path
    description: str = ""
    region: str = ""
    members: int = 0
    weeks: int = 0
    problem: str = ""


def read_manifest(folder: Path) -> dict:
    """``manifest.json`` of a result folder (empty dict if missing or unreadable)."""
    try:
        return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def list_runs(root: Path) -> list[RunEntry]:
    """Finished run folders under ``root``: own results first, then override runs.

    Folders of other analyses (``compare``, ``bench`` ...), hidden folders and folders
    without ``manifest.json`` and ``outcomes.csv`` are left out.
    """
    entries = []
    if not Path(root).is_dir():
        return entries
    for folder in sorted(Path(root).iterdir()):
        if (folder.name.startswith(".") or folder.name == STAGING_NAME or folder.is_symlink()
                or folder.name.lower() in ANALYSIS_DIRS or not folder.is_dir()
                or not (folder / "outcomes.csv").is_file()):
            continue
        manifest = read_manifest(folder)
        if not manifest:
            continue
        entries.append(RunEntry(folder=folder, scenario=str(manifest.get("scenario", "?")),
                                members=int(manifest.get("members", 0)),
                                weeks=int(manifest.get("weeks", 0)),
                                overrides=dict(manifest.get("overrides") or {}),
                                finished=str(manifest.get("finished_utc", ""))))
    return sorted(entries, key=lambda e: (e.scenario, OVERRIDE_MARK in e.folder.name,
                                          e.folder.name))


def list_scenarios(folder: Path) -> list[ScenarioEntry]:
    """The scenario files (``*.yaml``) of ``folder``, loaded and checked."""
    out = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            scenario = load_scenario(path)
        except UserError as exc:
            out.append(ScenarioEntry(name=path.stem, path=path, problem=str(exc)))
            continue
        out.append(ScenarioEntry(name=scenario.name, path=path,
                                 description=" ".join(scenario.description.split()),
                                 region=str(scenario.region), members=scenario.members,
                                 weeks=scenario.weeks))
    return out


@functools.lru_cache(maxsize=16)
def _load_cached(folder: str, stamp: float) -> RunResult:
    return RunResult.load(Path(folder))


def load_run(folder: Path) -> RunResult:
    """A run's files as DataFrames (cached until its ``manifest.json`` changes)."""
    stamp = (Path(folder) / "manifest.json").stat().st_mtime
    return _load_cached(str(folder), stamp)


def scenario_file(manifest: dict) -> Path | None:
    """The scenario file a run was made from, if it still exists."""
    name = manifest.get("scenario_file")
    return Path(name) if name and Path(name).is_file() else None


def scenario_description(manifest: dict) -> str:
    """The ``description`` of the run's scenario file ('' if it cannot be read)."""
    path = scenario_file(manifest)
    if path is None:
        return ""
    try:
        return " ".join(load_scenario(path).description.split())
    except UserError:
        return ""


def scenario_yaml(manifest: dict) -> str:
    """The scenario file as run, with a header naming the overrides of this run.

    Says so when the file changed after the run (its sha256 differs from the manifest's).
    """
    path = scenario_file(manifest)
    if path is None:
        return f"# the scenario file {manifest.get('scenario_file')} no longer exists\n"
    lines = [f"# scenario file {path.name} of the run in results/"
             f"{manifest.get('scenario')} (see manifest.json)"]
    overrides = manifest.get("overrides") or {}
    if overrides:
        listed = " ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
        lines.append(f"# this run had overrides applied on top of the file: {listed}")
    if manifest.get("scenario_sha256") not in (None, file_sha256(path)):
        lines.append("# note: the file has changed since the run; this is its current text")
    return "\n".join(lines) + "\n" + path.read_text(encoding="utf-8")


def pct(value: float) -> str:
    """A probability as a percent with one decimal: ``0.89 -> '89.0%'``.

    >>> pct(0.0566667)
    '5.7%'
    """
    return f"{100 * float(value):.1f}%"


def interval(low: float, high: float) -> str:
    """A 95% interval in percent: ``(0.85, 0.92) -> '85.0-92.0%'``.

    >>> interval(0.849544, 0.920595)
    '85.0-92.1%'
    """
    return f"{100 * float(low):.1f}-{100 * float(high):.1f}%"


def signed_pct(value: float) -> str:
    """A difference of probabilities in percentage points with its sign.

    >>> signed_pct(0.123)
    '+12.3 pp'
    """
    return f"{100 * float(value):+.1f} pp"


def parameter_rows(manifest: dict) -> pd.DataFrame:
    """Every declared parameter with the value this run used and its provenance.

    Columns: name, symbol, value, default, changed, unit, plausible, grade, source,
    description.
    """
    used = manifest.get("parameters") or {}
    rows = []
    for p in PARAMS.values():
        value = float(used.get(p.name, p.default))
        rows.append({"name": p.name, "symbol": p.symbol, "value": value,
                     "default": p.default, "changed": value != p.default, "unit": p.unit,
                     "plausible": f"{p.plausible[0]:g} to {p.plausible[1]:g}",
                     "grade": p.grade, "source": p.source, "description": p.description})
    return pd.DataFrame(rows)


def forced_events(manifest: dict) -> list[str]:
    """The scenario's forced events, one readable line each, by week."""
    lines = []
    for event in sorted(manifest.get("events") or [], key=lambda e: e.get("week", 0)):
        details = ", ".join(f"{k} {v}" for k, v in event.items() if k not in ("type", "week"))
        lines.append(f"week {event.get('week')}: {event.get('type')}"
                     + (f" ({details})" if details else ""))
    return lines


def event_summary(events: pd.DataFrame, members: int) -> pd.DataFrame:
    """What happened across members: per event type, how many members and when.

    Columns: event, members, share, first_week (earliest), median_week (of each member's
    first occurrence), last_week.
    """
    columns = ["event", "members", "share", "first_week", "median_week", "last_week"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    first = events.groupby(["event", "member"], sort=False)["week"].min().reset_index()
    table = first.groupby("event")["week"].agg(["count", "min", "median", "max"]).reset_index()
    table.columns = ["event", "members", "first_week", "median_week", "last_week"]
    table["share"] = table["members"] / max(members, 1)
    return table[columns].sort_values("first_week", kind="stable").reset_index(drop=True)


def charts(folder: Path) -> dict[str, Path]:
    """The PNG charts a run or comparison wrote, by file stem."""
    return {p.stem: p for p in sorted((Path(folder) / "charts").glob("*.png"))}


@functools.lru_cache(maxsize=8)
def _region(folder: str):
    from sim.regions.loader import load_region

    return load_region(Path(folder))


def region_of(manifest: dict):
    """The :class:`~sim.regions.loader.Region` a run used (None if it cannot be loaded)."""
    folder = (manifest.get("region") or {}).get("folder")
    try:
        return _region(folder) if folder else _region(str(_default_region_folder()))
    except (UserError, OSError, ValueError):
        return None


def _default_region_folder() -> Path:
    from sim.paths import DATA_DIR

    return DATA_DIR
