"""Which files the dashboard reads and serves: regular files inside their result folder.

A result folder is data anyone can drop into ``results/`` (a copied run, a custom
region's output), so nothing in it is trusted to point where it should: a symbolic link
named ``outcomes.csv`` could lead to any file of the user's, and a manifest's
``scenario_file`` can name any path. Every download, chart and scenario text therefore
goes through :func:`result_file` or :func:`scenario_source`, which resolve the path and
accept only a regular file (not a link, not a hard link to a file elsewhere) that lies
inside the run's own folder under the results root, or inside a scenarios folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sim import paths
from sim.dashboard.settings import results_root, scenarios_dir


class UnsafeFile(Exception):
    """A file the dashboard will not read (outside its folder, a link, not a file)."""


def is_regular(path: Path) -> bool:
    """Whether ``path`` itself (not what it links to) is a regular file with one link."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    # A second hard link may be a file elsewhere pulled into the folder.
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name \
        and "\x00" not in name


def inside_results(folder: Path, root: Path | None = None) -> bool:
    """Whether ``folder`` is a real folder under the results root, no link on the way.

    The root itself may be reached through a link (it is the user's choice); below it,
    the folder as named and as resolved must be the same path.
    """
    named_root = Path(os.path.abspath(root or results_root()))
    named = Path(os.path.abspath(folder))
    try:
        below = named.relative_to(named_root)
        real = named.resolve(strict=True)
    except (ValueError, OSError):
        return False
    return bool(below.parts) and real == named_root.resolve() / below and real.is_dir()


def result_file(folder: Path, name: str, root: Path | None = None) -> Path | None:
    """The file ``name`` of a result folder if it is safe to read, else None.

    Parameters
    ----------
    folder : pathlib.Path
        A run, comparison or exploration folder under the results root.
    name : str
        A file name, or ``charts/<name>`` for a chart.
    root : pathlib.Path, optional
        The results root (default :func:`~sim.dashboard.settings.results_root`).

    Returns
    -------
    pathlib.Path or None
        The resolved path of a regular file directly inside ``folder`` (or its
        ``charts/``), or None for a missing file, a link or anything outside.
    """
    parts = name.split("/")
    if len(parts) > 2 or (len(parts) == 2 and parts[0] != "charts") \
            or not all(_plain_name(p) for p in parts):
        return None
    if not inside_results(folder, root):
        return None
    real = Path(folder).resolve()
    path = real.joinpath(*parts)
    # Resolving catches a linked charts/ folder; lstat catches a linked file.
    if not is_regular(path) or path.resolve().parent != real.joinpath(*parts[:-1]):
        return None
    return path


def odd_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` and its ``charts/`` that are not plain files or folders.

    Links, FIFOs, sockets and devices: code outside the dashboard that reads the folder
    (the exploration summary) opens its files by name and would follow them, so a
    folder holding any is shown as broken instead of read.
    """
    found = []
    for base in (Path(folder), Path(folder) / "charts"):
        if base != Path(folder) and not os.path.lexists(base):
            continue
        try:
            entries = list(os.scandir(base))
        except OSError:
            found.append(base.name)
            continue
        for entry in entries:
            if entry.is_symlink() or not (entry.is_file(follow_symlinks=False)
                                          or entry.is_dir(follow_symlinks=False)):
                found.append(entry.name if base == Path(folder) else f"charts/{entry.name}")
    return sorted(found)


def read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file, read without following a link.

    Opened with ``O_NOFOLLOW`` and checked again once open, so a file swapped for a link
    after an earlier check is not read either.

    Raises
    ------
    UnsafeFile
        If ``path`` is a link or not a regular file.
    OSError
        If it cannot be opened.
    """
    try:
        # O_NONBLOCK: a FIFO under a file's name must not hang the server.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafeFile(f"{Path(path).name} is a link") from None
        raise exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UnsafeFile(f"{Path(path).name} is not a regular file")
        return handle.read()


def read_result_file(folder: Path, name: str, root: Path | None = None) -> bytes:
    """The bytes of :func:`result_file` ``(folder, name)`` (read by :func:`read_regular`).

    Raises
    ------
    UnsafeFile
        If the file is missing, a link or outside its folder.
    """
    path = result_file(folder, name, root)
    if path is None:
        raise UnsafeFile(f"{name} is not a regular file of this result folder")
    return read_regular(path)


def scenario_source(manifest: dict) -> Path | None:
    """The manifest's ``scenario_file`` if it is a scenario file the dashboard may read.

    Only a regular ``.yaml`` file inside the dashboard's scenarios folder or the
    project's ``scenarios/`` qualifies; a manifest naming any other path gets None, so
    its text is neither shown nor offered for download.
    """
    name = manifest.get("scenario_file") if isinstance(manifest, dict) else None
    if not isinstance(name, str) or not name or "\x00" in name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".yaml", ".yml") or not is_regular(path):
        return None
    real = path.resolve()
    for folder in {scenarios_dir().resolve(), Path(paths.SCENARIOS_DIR).resolve()}:
        if real.parent == folder or real.is_relative_to(folder):
            return real
    return None
