"""Where a region lives and what its files hash to.

:func:`region_folder` resolves the region a scenario names (a shipped region of
``sim/regions/`` or a folder of the user's own); :func:`region_sha256` fingerprints a
region folder's tables for result manifests and the calibration. Reading and checking
the tables is :mod:`sim.regions.loader`'s work.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sim.paths import REGIONS_DIR
from sim.regions.loader import DataError

#: A shipped region's name: a folder of ``sim/regions/``.
_REGION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def region_sha256(folder: Path) -> str:
    """sha256 over a region folder's tables and roles (names and bytes, sorted)."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).iterdir()):
        if path.suffix in {".csv", ".yaml"} and path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def region_folder(name_or_path: str, relative_to: Path | None = None) -> Path:
    """Find the folder of the region a scenario names.

    Parameters
    ----------
    name_or_path : str
        A region shipped with the project (``belarus``, ``russia``: a folder of
        ``sim/regions/``) or a path to a folder of the user's own.
    relative_to : pathlib.Path, optional
        Folder against which a relative path is tried first (the scenario file's).

    Raises
    ------
    DataError
        If no such region folder exists.
    """
    if _REGION_NAME.match(name_or_path):
        folder = REGIONS_DIR / name_or_path
        if (folder / "roles.yaml").is_file():
            return folder
    candidates = [Path(name_or_path).expanduser()]
    if relative_to is not None and not candidates[0].is_absolute():
        candidates.insert(0, relative_to / name_or_path)
    for folder in candidates:
        if folder.is_dir():
            return folder.resolve()
    shipped = sorted(p.parent.name for p in REGIONS_DIR.glob("*/roles.yaml"))
    raise DataError(name_or_path, None, "no such region: name a shipped region "
                    f"({', '.join(shipped)}) or a folder holding actors.csv, attributes.csv, "
                    "layers.csv, edges.csv and roles.yaml")
