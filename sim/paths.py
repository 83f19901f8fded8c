"""Every filesystem location the project uses, in one place.

User-supplied scenario names are resolved here and nowhere else, so a name such as
``../../etc/passwd`` can never read or write outside ``scenarios/`` and ``results/``.

Result folders are ``results/<name>/`` where ``<name>`` is the scenario's ``name``.
Some names are reserved because ``results/`` holds other things under them
(:func:`check_result_name`): the folders of other analyses (:data:`ANALYSIS_DIRS`:
comparisons, benchmarks, calibration, sensitivity), ``.tmp`` the folders of runs in
progress, and files tracked by git such as ``README.md``. Nothing is ever written through a
symbolic link inside ``results/`` (:func:`safe_result_path`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

from sim.errors import UserError

PACKAGE_DIR = Path(__file__).resolve().parent
REGIONS_DIR = PACKAGE_DIR / "regions"
DATA_DIR = REGIONS_DIR / "belarus"
PROJECT_ROOT = PACKAGE_DIR.parent
SCENARIOS_DIR = PROJECT_ROOT / "scenarios"
#: Environment variable that moves results/ elsewhere (used by the benchmark).
RESULTS_ENV = "SIM_RESULTS_DIR"
RESULTS_DIR = Path(os.environ.get(RESULTS_ENV) or PROJECT_ROOT / "results")
BENCH_DIR = RESULTS_DIR / "bench"

#: Folder of results/ holding the temporary folders of runs in progress.
STAGING_NAME = ".tmp"
#: Folders of results/ written by analyses other than a scenario run. An analysis that
#: writes under results/ must take its folder from :func:`analysis_dir` (so from here).
ANALYSIS_DIRS = ("compare", "bench", "backtest", "calibration", "sensitivity", "overview",
                 "explore")
#: Names under results/ that are never a scenario's result folder (compared ignoring
#: case, for case-insensitive file systems). Names starting with "." and the files
#: git tracks under results/ are reserved as well.
RESERVED_RESULT_NAMES = frozenset({*ANALYSIS_DIRS, "readme.md", STAGING_NAME})

#: Marks in result folder names: a run with overrides, a comparison of two scenarios.
OVERRIDE_MARK = "__"
COMPARE_MARK = "_vs_"

# A scenario name becomes a directory name under results/: keep it to a safe alphabet.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def resolve_scenario_file(name_or_path: str) -> Path:
    """Find the scenario file a user named.

    Parameters
    ----------
    name_or_path : str
        Either a bare name (``incapacity``, looked up as ``scenarios/incapacity.yaml``)
        or a path to a ``.yaml``/``.yml`` file anywhere.

    Returns
    -------
    pathlib.Path
        The resolved file path.

    Raises
    ------
    UserError
        If the name is unsafe or no such file exists.
    """
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"}:
        if not candidate.is_file():
            raise UserError(str(candidate), None, "scenario file not found")
        return candidate.resolve()
    if not _SAFE_NAME.match(name_or_path) or ".." in name_or_path:
        raise UserError(
            name_or_path,
            None,
            "not a valid scenario name: use letters, digits, '_', '-' or '.' "
            "(a file in scenarios/), or a path ending in .yaml",
        )
    path = SCENARIOS_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))) or "none"
        raise UserError(str(path), None, f"no such scenario; known scenarios: {known}")
    return path


def safe_result_name(name: str, origin: str) -> str:
    """Check that a scenario's ``name`` is safe to use as a directory under ``results/``.

    Raises
    ------
    UserError
        If the name contains path separators or other unsafe characters, or is
        reserved (see :func:`check_result_name`).
    """
    if not _SAFE_NAME.match(name) or ".." in name:
        raise UserError(
            origin,
            "name",
            "must be 1-64 characters of letters, digits, '_', '-' or '.', "
            "starting with a letter or digit",
        )
    for mark, use in ((OVERRIDE_MARK, "runs with overrides"), (COMPARE_MARK, "comparisons")):
        if mark in name:
            raise UserError(origin, "name", f"must not contain {mark!r}: it names the result "
                            f"folders of {use} (e.g. incapacity{mark}...)")
    return check_result_name(name, origin)


#: Longest folder name derived from a request. A longer name keeps a readable prefix
#: and ends with :data:`HASH_MARK` and a hash of the whole request, never a cut name.
MAX_FOLDER_NAME = 100
#: Starts the hash of a hashed folder name. It is outside the alphabet of readable names
#: (letters, digits, ``_ . -``), so a hashed name never equals a readable one.
HASH_MARK = "~"
_HASH_CHARS = 16
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# A value's text in a readable name: no '_' (it separates settings) and safe characters.
_VALUE = re.compile(r"^[A-Za-z0-9.+-]+$")


def exact_text(value: object) -> str:
    """A value's text for a folder name or a request: exact, with -0 as 0 and 1.0 as 1.

    Examples
    --------
    >>> exact_text(1.0), exact_text(-0.0), exact_text(1.0000004), exact_text(1e16)
    ('1', '0', '1.0000004', '1e16')
    """
    if isinstance(value, float):
        value = 0.0 if value == 0 else value
        text = repr(value).replace("e+", "e")   # 1e+16 -> 1e16, never 1e-16
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _hashed(readable: str, request: object) -> str:
    """A readable prefix of ``readable``, :data:`HASH_MARK` and a hash of ``request``."""
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    prefix = re.sub(r"[^A-Za-z0-9_.-]", "-", readable)
    return f"{prefix[:MAX_FOLDER_NAME - 1 - _HASH_CHARS]}{HASH_MARK}{digest[:_HASH_CHARS]}"


def result_folder_name(name: str, overrides: dict[str, object]) -> str:
    """Folder of a run of scenario ``name`` with ``overrides`` (or of an exploration).

    A scenario file run as written owns ``results/<name>/``. A run with overrides (from
    the command line, the Python API, a web form or an exploration) gets its own folder,
    ``<name>__<overrides>``, so it never replaces the scenario's own results.

    The rule is one-to-one: every setting is written as ``key-value`` with its exact
    text (never rounded). A name that would be longer than :data:`MAX_FOLDER_NAME`, or
    a value whose text cannot be written in a folder name as it is (``>``, ``;``...),
    gives a readable prefix followed by :data:`HASH_MARK` and a hash of the whole
    request (name and every setting), never a cut name.

    Examples
    --------
    >>> result_folder_name("incapacity", {})
    'incapacity'
    >>> result_folder_name("incapacity", {"weeks": 8, "members": 10})
    'incapacity__members-10_weeks-8'
    >>> result_folder_name("x", {"g": 1.0000004}) != result_folder_name("x", {"g": 1.0})
    True
    >>> result_folder_name("x", {"g": -0.0}) == result_folder_name("x", {"g": 0})
    True
    >>> result_folder_name("x", {"g": 1e16}), result_folder_name("x", {"g": 1e-16})
    ('x__g-1e16', 'x__g-1e-16')
    >>> result_folder_name("x", {"cases": "p>0.1"})
    'x__cases-p-0.1~cd1d3a84550c0e25'
    """
    if not overrides:
        return name
    settings = sorted((str(key), exact_text(value)) for key, value in overrides.items())
    readable = name + OVERRIDE_MARK + "_".join(f"{k}-{v}" for k, v in settings)
    if (len(readable) <= MAX_FOLDER_NAME
            and all(_KEY.match(k) and _VALUE.match(v) for k, v in settings)):
        return readable
    return _hashed(readable, ["run", name, settings])


def compare_folder_name(a: str, b: str) -> str:
    """Folder of the comparison of the runs whose result folders are named ``a``, ``b``.

    ``<a>_vs_<b>`` when that text splits back into ``a`` and ``b`` in one way only (it
    holds ``_vs_`` once) and is not too long; otherwise a readable prefix, then
    :data:`HASH_MARK` and a hash of both names.

    Examples
    --------
    >>> compare_folder_name("status_quo", "incapacity")
    'status_quo_vs_incapacity'
    >>> compare_folder_name("x_vs", "yy") != compare_folder_name("x", "vs_yy")
    True
    """
    readable = f"{a}{COMPARE_MARK}{b}"
    # Overlapping matches: "x_vs_vs_yy" holds "_vs_" twice.
    if len(readable) <= MAX_FOLDER_NAME and len(re.findall(r"(?=_vs_)", readable)) == 1:
        return readable
    return _hashed(readable, ["compare", a, b])


@functools.lru_cache(maxsize=1)
def tracked_result_names() -> frozenset[str]:
    """Top-level names under ``results/`` of the files git tracks there (lower case).

    Empty when git or the repository is not available (e.g. an installed package).
    """
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", "results"], cwd=PROJECT_ROOT,
                                capture_output=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names = set()
    for entry in listed.decode("utf-8", "replace").split("\0"):
        parts = Path(entry).parts
        if len(parts) >= 2 and parts[0] == "results":
            names.add(parts[1].lower())
    return frozenset(names)


def check_result_name(name: str, origin: str | None = None) -> str:
    """Refuse a name that cannot be a scenario's result folder under ``results/``.

    Reserved: :data:`RESERVED_RESULT_NAMES` (any case), names starting with ``.``, the
    names of files git tracks under ``results/``, and the name of anything already in
    ``results/`` that is not a plain folder (a file or a symbolic link).

    Parameters
    ----------
    name : str
        The scenario's name.
    origin : str, optional
        The file the name came from, for the error (default: the name).

    Returns
    -------
    str
        ``name``, unchanged.

    Raises
    ------
    UserError
        Naming the file and the field ``name``, and saying to rename the scenario.
    """
    origin = origin or name
    advice = "; give the scenario another name (the 'name:' field)"
    if name.startswith(".") or name.lower() in RESERVED_RESULT_NAMES:
        raise UserError(origin, "name", f"{name!r} is reserved in results/ (the folders "
                        f"{', '.join(ANALYSIS_DIRS)}, README.md and hidden folders){advice}")
    if name.lower() in tracked_result_names():
        raise UserError(origin, "name",
                        f"{name!r} is a file of the repository under results/{advice}")
    existing = RESULTS_DIR / name
    if existing.is_symlink() or (existing.exists() and not existing.is_dir()):
        raise UserError(origin, "name", f"{existing} exists and is not a result folder "
                        f"(a file or a symbolic link){advice}")
    return name


def results_dir_for(name: str) -> Path:
    """Directory holding the results of the scenario called ``name``.

    Raises
    ------
    UserError
        If ``name`` is reserved (see :func:`check_result_name`).
    """
    return RESULTS_DIR / check_result_name(name)


def analysis_dir(kind: str) -> Path:
    """Folder of results/ of an analysis (``compare``, ``bench``, ...).

    Raises
    ------
    ValueError
        If ``kind`` is not in :data:`ANALYSIS_DIRS` (add it there, which reserves the
        name so that no scenario's results can take or delete that folder).
    """
    if kind not in ANALYSIS_DIRS:
        raise ValueError(f"{kind!r} is not a registered analysis folder; add it to "
                         "sim.paths.ANALYSIS_DIRS")
    return RESULTS_DIR / kind


def staging_dir() -> Path:
    """Folder of the temporary folders of runs in progress: ``results/.tmp``."""
    return RESULTS_DIR / STAGING_NAME


def safe_result_path(path: Path) -> Path:
    """Check that writing to ``path`` under ``results/`` cannot go through a link.

    ``results/`` itself may be a symbolic link (e.g. to a larger disk); below it, no
    component of ``path`` that exists may be one, so a link placed inside ``results/``
    can never send results (or the removal of old ones) elsewhere.

    Parameters
    ----------
    path : pathlib.Path
        A path inside ``results/`` (absolute, or relative to the working directory).

    Returns
    -------
    pathlib.Path
        The same location with ``results/`` resolved, for writing.

    Raises
    ------
    UserError
        If ``path`` lies outside ``results/`` or a component below it is a link.
    """
    root = Path(os.path.abspath(RESULTS_DIR))
    real_root = root.resolve()
    target = Path(os.path.abspath(path))
    for base in (root, real_root):
        if target == base or base in target.parents:
            relative = target.relative_to(base)
            break
    else:
        raise UserError(str(path), None, f"not inside the results folder {root}")
    current = real_root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise UserError(str(current), None,
                            "is a symbolic link inside results/; results are never written "
                            "through links: remove it (or move the real folder there)")
    return current


def compare_dir_for(a: str, b: str) -> Path:
    """Directory of the comparison of the runs whose result folders are ``a`` and ``b``.

    For two scenarios run as written these are their names
    (:func:`compare_folder_name`).
    """
    return analysis_dir("compare") / compare_folder_name(a, b)
