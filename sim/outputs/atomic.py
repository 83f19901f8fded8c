"""Atomic replacement of a result folder, safe under a kill at any instant.

A run writes into a fresh folder under ``results/.tmp/`` and, once everything is
written, swaps it with ``results/<name>/`` in a single atomic step. A reader (or a kill
at any instant) sees either the complete old folder or the complete new one.

How the swap is made atomic
---------------------------
On Linux, ``renameat2(RENAME_EXCHANGE)`` exchanges two directory entries in one
system call (called through ``ctypes``). The alternatives were weighed:

* two renames (old aside, new in) leave no folder under the name between them;
* making ``results/<name>`` a symbolic link to a versioned folder, replaced by
  ``os.replace`` of a new link, is atomic too, but it puts a link inside ``results/``,
  which every writer must then follow: that defeats the rule that nothing is ever
  written through a link there (:func:`sim.paths.safe_result_path`), and tools that
  copy or archive ``results/`` would copy links instead of results.

With the exchange, ``results/<name>`` stays a real folder, so readers (``compare``
reads stored results, ``replay`` reads ``manifest.json``) find files exactly where they
always were. Where the exchange is not available (other systems, or a file system that
refuses it), the fallback is two renames with a journal: the target's path is written
to ``<staging>.target`` first, so that if the run is killed between the two renames,
the next run puts the old folder back (the folder is then missing only until that
next run, never lost).

Leftovers
---------
Temporary folders are named ``<pid>_<host>_<random>_<name>`` and live only in
``results/.tmp/``. At every swap, the folders there whose process is gone (same host,
``os.kill(pid, 0)`` says no such process) are removed, as are the leftovers of earlier
versions (``.<name>.tmp-*`` older than a day, ``.<name>.old-<pid>`` of dead processes)
beside result folders. Folders of live processes, or of other hosts sharing the
folder, are never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sim import paths
from sim.errors import UserError

__all__ = ["atomic_directory", "exchange", "remove_stale"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_OWNER = re.compile(r"^(?P<pid>\d+)_(?P<host>[A-Za-z0-9.-]+)_")
_LEGACY = re.compile(r"^\..+\.(?:tmp-[A-Za-z0-9_]+|old-(?P<pid>\d+))$")
_LEGACY_AGE_S = 86_400.0


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())[:64] or "host"


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (on this host)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return True
    return True


def _renameat2():
    """The C library's ``renameat2``, or None where it does not exist."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths; False if the system cannot.

    Raises
    ------
    OSError
        For errors other than "not supported".
    """
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                  _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _journal(tmp: Path) -> Path:
    return tmp.with_name(tmp.name + ".target")


def _aside(tmp: Path) -> Path:
    return tmp.with_name(tmp.name + ".old")


def _swap(tmp: Path, target: Path) -> Path | None:
    """Put ``tmp`` in place of ``target``; return where the old folder went, if any."""
    for _ in range(3):  # retried only if another run creates or removes target meanwhile
        if not os.path.lexists(target):
            try:
                os.rename(tmp, target)
                return None
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
                continue
        if target.is_symlink() or not target.is_dir():
            raise UserError(str(target), None, "exists and is not a folder; refusing to "
                            "replace it with results")
        try:
            if exchange(tmp, target):
                return tmp
        except FileNotFoundError:
            continue
        journal, aside = _journal(tmp), _aside(tmp)
        journal.write_text(str(target), encoding="utf-8")
        os.rename(target, aside)
        try:
            os.rename(tmp, target)
        except BaseException:
            os.rename(aside, target)
            raise
        finally:
            journal.unlink()
        return aside
    raise OSError(errno.EBUSY, "result folder kept changing during the swap", str(target))


def remove_stale(staging: Path | None = None) -> list[Path]:
    """Remove the temporary folders of runs that are gone; return what was removed.

    A folder in ``staging`` (default ``results/.tmp``) is stale when it was made on this
    host by a process that no longer exists. If such a run was killed between the two
    renames of the fallback swap, its old result folder is first put back.
    """
    staging = staging or paths.staging_dir()
    removed: list[Path] = []
    if not staging.is_dir() or staging.is_symlink():
        return removed
    host = _host()
    dead = []
    for entry in staging.iterdir():
        owner = _OWNER.match(entry.name)
        if owner is not None and owner["host"] == host and not _alive(int(owner["pid"])):
            dead.append(entry)
    # Journals first: a run killed between the two renames of the fallback swap gets its
    # old result folder back before anything of it is removed.
    for journal in (entry for entry in dead if entry.name.endswith(".target")):
        aside = _aside(journal.with_name(journal.name.removesuffix(".target")))
        with contextlib.suppress(OSError, ValueError):
            target = Path(os.path.abspath(journal.read_text(encoding="utf-8")))
            within = staging.parent in target.parents or (
                staging.parent.resolve() in target.parents)
            if (within and not os.path.lexists(target)
                    and aside.is_dir() and not aside.is_symlink()):
                os.rename(aside, target)
    for entry in sorted(dead):
        _remove(entry)
        removed.append(entry)
    removed += _remove_legacy(paths.RESULTS_DIR)
    return removed


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()


def _remove_legacy(root: Path) -> list[Path]:
    """Leftovers of the earlier scheme (hidden folders beside the result folders)."""
    removed = []
    for folder in (root, root / "compare"):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in folder.iterdir():
            match = _LEGACY.match(entry.name)
            if match is None or not entry.is_dir() or entry.is_symlink():
                continue
            pid = match["pid"]
            stale = (not _alive(int(pid)) if pid is not None
                     else time.time() - entry.stat().st_mtime > _LEGACY_AGE_S)
            if stale:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def _inside_results(target: Path) -> bool:
    """Whether ``target`` lies below ``results/`` (as given, or with it resolved)."""
    root = Path(os.path.abspath(paths.RESULTS_DIR))
    parents = Path(os.path.abspath(target)).parents
    return root in parents or root.resolve() in parents


def _staging_for(target: Path) -> Path:
    """``results/.tmp`` for targets in ``results/``; ``<parent>/.tmp`` for others."""
    if _inside_results(target):
        staging = paths.safe_result_path(paths.staging_dir())
    else:
        staging = target.parent / paths.STAGING_NAME
    if staging.is_symlink():
        raise UserError(str(staging), None, "is a symbolic link; remove it")
    staging.mkdir(parents=True, exist_ok=True)
    return staging


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder that atomically replaces ``target`` on success.

    On any exception (and on a kill) ``target`` is left as it was; the temporary folder
    is removed at once or, after a kill, by the next run. Stale folders of earlier,
    killed runs are removed first (:func:`remove_stale`).

    Parameters
    ----------
    target : pathlib.Path
        The result folder, e.g. ``results/<name>``. Under ``results/`` no component of
        it may be a symbolic link (:func:`sim.paths.safe_result_path`).

    Yields
    ------
    pathlib.Path
        The folder to write into.

    Raises
    ------
    UserError
        If the target (or a folder above it inside ``results/``) is a symbolic link, or
        the target exists and is not a folder.
    """
    inside = _inside_results(target)
    target = paths.safe_result_path(target) if inside else Path(os.path.abspath(target))
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UserError(str(target), None, "exists and is not a folder (a file or a "
                        "symbolic link); refusing to replace it with results")
    tmp = _make_staging_folder(target)
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
        yield tmp
        if inside:  # the folders above may have changed while the run was writing
            paths.safe_result_path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        old = _swap(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        with contextlib.suppress(OSError):  # only if empty: no other run is staging
            tmp.parent.rmdir()


def _make_staging_folder(target: Path) -> Path:
    """A fresh folder in the staging area, named after this process, host and target.

    Retried if another run removes the (then empty) staging area meanwhile.
    """
    for attempt in range(5):
        staging = _staging_for(target)
        remove_stale(staging)
        try:
            return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}_{_host()}_",
                                         suffix=f"_{target.name}", dir=staging))
        except FileNotFoundError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")
