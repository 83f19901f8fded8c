"""Memory needed by an ensemble run, checked against what the machine can give.

A run holds, per member and actor, its state and running summaries in the process that
joins the blocks (and the blocks' own state in the workers), plus a little per member
and week (who holds power, events). :func:`check_memory` refuses a run whose estimate
exceeds the memory available, before anything is allocated, with a message naming the
options to change, instead of a ``MemoryError`` traceback or the system killing a
process half-way.

The coefficients were measured with ``ru_maxrss`` on runs of the Belarus region
(15 actors) of 20,000 to 100,000 members and 2 to 104 weeks: about 290 bytes per
member-actor and 1-2 bytes per member-week-actor over a base of about 150 MB; they
are rounded up here for margin (worker processes, the shared snapshot buffer).
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

from sim.errors import UserError

#: Memory of the process before any member exists (interpreter, numpy, pandas).
BASE_BYTES = 250_000_000
#: Per member and actor: state, week snapshots, running extremes, result tables.
BYTES_PER_MEMBER_ACTOR = 400
#: Per member, week and actor: holder history and events.
BYTES_PER_MEMBER_WEEK_ACTOR = 2
#: Share of the available memory a run may plan to use.
USABLE_SHARE = 0.9
#: The metrics stored per actor when full trajectories are kept in memory.
_METRICS_KEPT = 5


def estimate_bytes(members: int, weeks: int, actors: int,
                   keep_trajectories: bool = False) -> int:
    """Estimated peak memory of a run, in bytes.

    Parameters
    ----------
    members, weeks, actors : int
        Ensemble size, horizon and number of actors of the region.
    keep_trajectories : bool
        Whether every member's full trajectory is kept in memory.

    Returns
    -------
    int

    Examples
    --------
    >>> round(estimate_bytes(1_000_000, 2, 15) / 1e9, 1)
    6.3
    """
    total = (BASE_BYTES + BYTES_PER_MEMBER_ACTOR * members * actors
             + BYTES_PER_MEMBER_WEEK_ACTOR * members * (weeks + 1) * actors)
    if keep_trajectories:
        total += 8 * _METRICS_KEPT * members * (weeks + 1) * actors
    return int(total)


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_bytes() -> int | None:
    """Memory this process can still use, in bytes, or None if unknown.

    The smallest of: the system's available memory (``MemAvailable``), the room left
    under the control group's limit (cgroup v2 or v1), and the room left under the
    address-space limit (``ulimit -v``).
    """
    limits: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (("memory.max", "memory.current"),
                                   ("memory/memory.limit_in_bytes",
                                    "memory/memory.usage_in_bytes")):
        limit = _read_int(Path("/sys/fs/cgroup") / limit_file)
        usage = _read_int(Path("/sys/fs/cgroup") / usage_file)
        if limit is not None and usage is not None and limit < 2**60:
            limits.append(max(0, limit - usage))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(max(0, soft - _virtual_size()))
    if not limits:
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return None
    return min(limits)


def _virtual_size() -> int:
    """Size of this process's address space in bytes (0 if unknown)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def check_memory(members: int, weeks: int, actors: int,
                 keep_trajectories: bool = False) -> None:
    """Refuse a run that would not fit in the memory available.

    Raises
    ------
    UserError
        Naming the estimate, the memory available and the options to lower.
    """
    need = estimate_bytes(members, weeks, actors, keep_trajectories)
    have = available_bytes()
    if have is None or need <= USABLE_SHARE * have:
        return
    raise UserError(
        "--members", None,
        f"{members:,} members x {weeks} weeks x {actors} actors would need about "
        f"{need / 1e9:.1f} GB of memory, more than the {have / 1e9:.1f} GB available; "
        "lower --members (or 'members:' in the scenario file) or --weeks (or 'weeks:')")
