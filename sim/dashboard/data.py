"""Read result folders for the dashboard: runs, scenarios, parameters, events.

Everything here is plain Python over the files a run writes (README, What a run
writes), so it is tested without a browser. Numbers are formatted in one place
(:func:`pct`, :func:`interval`), the same for the page and its tests.
"""

from __future__ import annotations

import functools
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.api import RunResult
from sim.dashboard import files
from sim.errors import UserError
from sim.model.scenario import file_sha256, load_scenario
from sim.paths import ANALYSIS_DIRS, OVERRIDE_MARK, STAGING_NAME

#: Files offered for download, in display order (those present in the folder).
DOWNLOADS: tuple[str, ...] = ("results.xlsx", "report.html", "outcomes.csv", "timeseries.csv",
                              "members.csv", "holders.csv", "events.csv", "signposts.csv",
                              "outcomes_conditioned.csv", "observations.csv",
                              "trade_exposure.csv", "manifest.json")
#: Button text of a download where the file name alone says too little.
DOWNLOAD_LABELS: dict[str, str] = {"results.xlsx": "results.xlsx (every table, for Excel)",
                                   "report.html": "report.html (the run's report)"}
#: Content type of a download, by file suffix (others: application/octet-stream).
MIME_TYPES: dict[str, str] = {
    ".csv": "text/csv", ".json": "application/json", ".html": "text/html",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def mime_type(name: str) -> str:
    """The content type a download of ``name`` is sent with.

    >>> mime_type("results.xlsx")
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    """
    return MIME_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


class BrokenFolder(Exception):
    """A result folder whose files are missing or not in the shape a run writes.

    Its message is fit for the page: it names files of the folder, never a server path.
    """


#: The files of a run folder, each required (``RunResult`` reads them all).
RUN_FILES: tuple[str, ...] = ("manifest.json", "outcomes.csv", "timeseries.csv",
                              "members.csv", "holders.csv", "events.csv")
#: Columns the pages use, per CSV file, and which of them must be numbers.
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "outcomes.csv": (("actor", "outcome", "probability", "ci_low", "ci_high", "count",
                      "members"), ("probability", "ci_low", "ci_high", "count", "members")),
    "timeseries.csv": (("week", "actor", "metric", "p05", "p25", "p50", "p75", "p95"),
                       ("week", "p05", "p25", "p50", "p75", "p95")),
    "events.csv": (("member", "week", "event"), ("member", "week")),
}


@dataclass(frozen=True)
class RunEntry:
    """One run folder under the results root (``problem`` set when it cannot be shown).

    Attributes
    ----------
    folder : pathlib.Path
    scenario : str
        The scenario's ``name`` (for a broken folder: its name before ``__``).
    members, weeks : int
    overrides : dict
        The run's overrides (empty for the scenario's own folder).
    finished : str
        ``finished_utc`` of the manifest.
    problem : str
        Why the folder cannot be shown ('' for a good one).
    """

    folder: Path
    scenario: str
    members: int
    weeks: int
    overrides: dict = field(default_factory=dict)
    finished: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        """What the run picker shows, e.g. ``incapacity (own results): 1000 members``."""
        if self.problem:
            return f"{self.folder.name}  [cannot be shown: {self.problem}]"
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


def load_manifest(folder: Path) -> dict:
    """``manifest.json`` of a result folder, checked to be a JSON object.

    Raises
    ------
    BrokenFolder
        If it is missing, a link, not JSON or not an object.
    """
    path = Path(folder) / "manifest.json"
    if not files.is_regular(path):
        raise BrokenFolder("manifest.json is missing or not a regular file")
    try:
        manifest = json.loads(files.read_regular(path).decode("utf-8"))
    except (OSError, files.UnsafeFile):
        raise BrokenFolder("manifest.json cannot be read") from None
    except ValueError:  # also UnicodeDecodeError
        raise BrokenFolder("manifest.json is not valid JSON (truncated?)") from None
    if not isinstance(manifest, dict):
        raise BrokenFolder("manifest.json is not a JSON object")
    return manifest


def read_manifest(folder: Path) -> dict:
    """``manifest.json`` of a result folder ({} if missing, unreadable or no object)."""
    try:
        return load_manifest(folder)
    except BrokenFolder:
        return {}


def whole_number(manifest: dict, key: str) -> int:
    """``manifest[key]`` as a count: a whole number 0 or more.

    Raises
    ------
    BrokenFolder
        Naming the field, if it is missing or anything else.
    """
    value = manifest.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BrokenFolder(f"manifest.json: {key} is not a whole number")
    return value


def run_entry(folder: Path, root: Path | None = None) -> RunEntry:
    """The :class:`RunEntry` of a run folder, its manifest and files checked.

    Raises
    ------
    BrokenFolder
        If the manifest has the wrong shape or a file is missing or not regular.
    """
    manifest = load_manifest(folder)
    scenario = manifest.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        raise BrokenFolder("manifest.json: scenario is not a name")
    overrides = manifest.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise BrokenFolder("manifest.json: overrides is not an object")
    members, weeks = whole_number(manifest, "members"), whole_number(manifest, "weeks")
    odd = files.odd_entries(folder)
    if odd:
        raise BrokenFolder("holds links or special files, which are not followed: "
                           + ", ".join(odd[:5]))
    missing = [n for n in RUN_FILES[1:] if files.result_file(folder, n, root) is None]
    if missing:
        raise BrokenFolder("missing or not a regular file: " + ", ".join(missing))
    return RunEntry(folder=Path(folder), scenario=scenario, members=members, weeks=weeks,
                    overrides=overrides, finished=str(manifest.get("finished_utc", "")))


def list_runs(root: Path) -> list[RunEntry]:
    """Run folders under ``root``: own results first, then override runs.

    Folders of other analyses (``compare``, ``bench`` ...), hidden folders, links and
    folders holding none of a run's files are left out. A folder holding some of them
    whose files are broken is listed with its ``problem``, so the page shows an error
    card for it and the other runs as usual.
    """
    entries = []
    if not Path(root).is_dir():
        return entries
    for folder in sorted(Path(root).iterdir()):
        if (folder.name.startswith(".") or folder.name == STAGING_NAME or folder.is_symlink()
                or folder.name.lower() in ANALYSIS_DIRS or not folder.is_dir()
                or not any(os.path.lexists(folder / n) for n in RUN_FILES[:2])):
            continue
        try:
            entries.append(run_entry(folder, root))
        except BrokenFolder as exc:
            entries.append(RunEntry(folder=folder, members=0, weeks=0, problem=str(exc),
                                    scenario=folder.name.split(OVERRIDE_MARK)[0]))
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


def read_csv(folder: Path, name: str, root: Path | None = None,
             required: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> pd.DataFrame:
    """A CSV file of a result folder, read only if :func:`files.result_file` allows it.

    Columns the pages need (``required``: all columns and the numeric ones; default
    :data:`REQUIRED_COLUMNS` of a run's file) are checked: present, and numbers where
    they must be, with no gaps (a truncated file leaves some).

    Raises
    ------
    BrokenFolder
        Naming the file and what is wrong with it.
    """
    try:
        raw = files.read_result_file(folder, name, root)
    except (files.UnsafeFile, OSError):
        raise BrokenFolder(f"{name} is missing or not a regular file") from None
    try:
        table = pd.read_csv(io.BytesIO(raw))
    except pd.errors.EmptyDataError:
        raise BrokenFolder(f"{name} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        raise BrokenFolder(f"{name} is truncated or not a CSV table") from None
    columns, numeric = required or REQUIRED_COLUMNS.get(name, ((), ()))
    lacking = [c for c in columns if c not in table.columns]
    if lacking:
        raise BrokenFolder(f"{name} lacks the column(s) {', '.join(lacking)}")
    for column in numeric if len(table) else ():  # a header alone reads as text
        if not pd.api.types.is_numeric_dtype(table[column]) or table[column].isna().any():
            raise BrokenFolder(f"{name}: {column} has values that are not numbers "
                               "(truncated?)")
    return table


@functools.lru_cache(maxsize=16)
def _load_cached(folder: str, stamp: float) -> RunResult:
    tables = {name: read_csv(Path(folder), f"{name}.csv")
              for name in ("outcomes", "timeseries", "members", "holders", "events")}
    return RunResult(folder=Path(folder), manifest=load_manifest(Path(folder)), **tables)


def load_run(folder: Path) -> RunResult:
    """A run's files as DataFrames (cached until its ``manifest.json`` changes).

    Raises
    ------
    BrokenFolder
        If a file is missing, a link, truncated or of the wrong shape.
    """
    try:
        stamp = os.lstat(Path(folder) / "manifest.json").st_mtime
    except OSError:
        raise BrokenFolder("manifest.json is missing") from None
    return _load_cached(str(folder), stamp)


def problem_text(exc: BaseException) -> str:
    """What the page says about a folder that failed to show: no path, no traceback.

    >>> problem_text(BrokenFolder("events.csv is empty"))
    'events.csv is empty'
    >>> problem_text(FileNotFoundError(2, "No such file", "/home/u/results/x/a.csv"))
    'a file is missing (a.csv)'
    """
    if isinstance(exc, BrokenFolder):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"a file is missing ({Path(str(exc.filename or '?')).name})"
    if isinstance(exc, UnicodeDecodeError):
        return "a file is not UTF-8 text"
    if isinstance(exc, pd.errors.EmptyDataError | pd.errors.ParserError):
        return "a CSV file is empty, truncated or not a table"
    if isinstance(exc, KeyError):
        return "a file lacks a column or field the page needs"
    if isinstance(exc, ValueError | TypeError | IndexError | AttributeError):
        return "a value in the folder's files has the wrong type or shape"
    return f"the folder could not be read ({type(exc).__name__})"


def scenario_file(manifest: dict) -> Path | None:
    """The scenario file a run was made from, if served (:func:`files.scenario_source`)."""
    return files.scenario_source(manifest)


def scenario_description(manifest: dict) -> str:
    """The ``description`` of the run's scenario file ('' if it cannot be read)."""
    path = scenario_file(manifest)
    if path is None:
        return ""
    try:
        return " ".join(load_scenario(path).description.split())
    except (UserError, OSError):
        return ""


def scenario_yaml(manifest: dict) -> str:
    """The scenario file as run, with a header naming the overrides of this run.

    Says so when the file changed after the run (its sha256 differs from the manifest's),
    and gives only a note when the file is gone or lies outside the scenarios folders.
    """
    path = scenario_file(manifest)
    if path is None:
        return ("# the scenario file of this run is not served: it no longer exists or "
                "is not a file of the scenarios folder\n")
    lines = [f"# scenario file {path.name} of the run in results/"
             f"{manifest.get('scenario')} (see manifest.json)"]
    overrides = manifest.get("overrides") or {}
    if overrides and isinstance(overrides, dict):
        listed = " ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
        lines.append(f"# this run had overrides applied on top of the file: {listed}")
    if manifest.get("scenario_sha256") not in (None, file_sha256(path)):
        lines.append("# note: the file has changed since the run; this is its current text")
    return "\n".join(lines) + "\n" + files.read_regular(path).decode("utf-8")


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
    """The PNG charts a run or comparison wrote, by file stem (regular files only)."""
    found = {}
    for path in sorted((Path(folder) / "charts").glob("*.png")):
        safe = files.result_file(folder, f"charts/{path.name}")
        if safe is not None:
            found[path.stem] = safe
    return found


@functools.lru_cache(maxsize=8)
def _region(folder: str):
    from sim.regions.loader import load_region

    return load_region(Path(folder))


def region_of(manifest: dict):
    """The :class:`~sim.regions.loader.Region` a run used (None if it cannot be loaded)."""
    region = manifest.get("region") if isinstance(manifest, dict) else None
    folder = region.get("folder") if isinstance(region, dict) else None
    try:
        if isinstance(folder, str) and folder:
            return _region(folder)
        return _region(str(_default_region_folder()))
    except Exception:  # noqa: BLE001  (any broken region: the page uses actor ids instead)
        return None


def _default_region_folder() -> Path:
    from sim.paths import DATA_DIR

    return DATA_DIR
