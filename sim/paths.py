"""Every filesystem location the project uses, in one place.

User-supplied scenario names are resolved here and nowhere else, so a name such as
``../../etc/passwd`` can never read or write outside ``scenarios/`` and ``results/``.
"""

from __future__ import annotations

import os
import re
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
        If the name contains path separators or other unsafe characters.
    """
    if not _SAFE_NAME.match(name) or ".." in name:
        raise UserError(
            origin,
            "name",
            "must be 1-64 characters of letters, digits, '_', '-' or '.', "
            "starting with a letter or digit",
        )
    return name


def results_dir_for(name: str) -> Path:
    """Directory holding the results of the scenario called ``name``."""
    return RESULTS_DIR / name


def compare_dir_for(a: str, b: str) -> Path:
    """Directory holding the paired comparison of scenarios ``a`` and ``b``."""
    return RESULTS_DIR / "compare" / f"{a}_vs_{b}"
