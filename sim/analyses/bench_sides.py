"""The baseline side by side: ``make bench`` times the session-1 code in the same run.

Speed-ups are never taken against a remembered number. The baseline commit's code
(:data:`BASELINE_COMMIT`) is extracted from this repository's own history with
``git archive`` (offline, on any clone that has the commit) into
``results/bench/baseline-<commit>/``, and each comparison runs the same job with the
baseline's code (``PYTHONPATH`` and working folder set to that tree) and with this
code, in fresh processes, alternating which goes first, several times; the table gives
both medians and their ratio. Both sides use the interpreter and packages of this
``.venv``: the baseline's code runs unchanged on today's locked dependencies.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sim import paths

#: The session-1 commit every speed-up is measured against (issue 22).
BASELINE_COMMIT = "97c2688"
#: The commit the side-by-side cases run as their baseline: :data:`BASELINE_COMMIT`
#: unless ``python -m sim bench --baseline COMMIT`` asks for another (e.g. the commit
#: before a change, to measure that change side by side).
chosen_baseline = {"commit": BASELINE_COMMIT}
#: A third side, ``python -m sim bench --before COMMIT``: e.g. the code before a change,
#: timed in the same alternating runs as the baseline and this code, so one run gives
#: the ratio to the baseline before and after the change (None: two sides).
chosen_before: dict[str, str | None] = {"commit": None}

#: Times the stepping of one ensemble in whichever code is on ``PYTHONPATH``: the
#: module layout of the baseline (``sim.run``, ``sim.ensemble``) or of today.
STEPPING_SCRIPT = """
import json, sys, time
import numpy as np
try:
    from sim.analyses.run import RunRequest, prepare
    from sim.engines.ensemble import run_ensemble
    from sim.engines.executors import LocalExecutor
except ImportError:
    from sim.run import RunRequest, prepare
    from sim.ensemble import run_ensemble
    from sim.executors import LocalExecutor
members = int(sys.argv[1])
ctx = prepare(RunRequest("incapacity", members=members))[2]
run_ensemble(ctx, members=np.arange(min(members, 2000)), weeks=3, progress=False)
t0 = time.perf_counter()
run_ensemble(ctx, executor=LocalExecutor(), progress=False)
print(json.dumps({"wall": time.perf_counter() - t0, "actors": ctx.region.n,
                  "weeks": ctx.scenario.weeks}))
"""


class BaselineUnavailable(RuntimeError):
    """The baseline commit cannot be extracted (no git, or a clone without it)."""


@dataclass(frozen=True)
class Side:
    """One side of a comparison: which code, from which folder."""

    label: str
    commit: str
    root: Path

    def env(self, results: Path) -> dict[str, str]:
        """The environment of a process running this side's code, results in ``results``."""
        env = {**os.environ, "PYTHONPATH": str(self.root), paths.RESULTS_ENV: str(results)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # both sides load cached bytecode when warm
        return env


def _git(*args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=paths.PROJECT_ROOT, capture_output=True,
                              check=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BaselineUnavailable(f"git {' '.join(args)} failed: {exc}") from None
    return done.stdout


def baseline_tree(commit: str = BASELINE_COMMIT, folder: Path | None = None) -> Path:
    """The baseline commit's files, extracted once into ``folder`` and reused.

    Parameters
    ----------
    commit : str
        A commit of this repository's history (abbreviated or full).
    folder : pathlib.Path, optional
        Where to extract (default ``results/bench/baseline-<commit>/``).

    Raises
    ------
    BaselineUnavailable
        If git is missing or the commit is not in this clone (e.g. a shallow one).
    """
    full = _git("rev-parse", "--verify", f"{commit}^{{commit}}").decode().strip()
    folder = Path(folder or paths.BENCH_DIR / f"baseline-{commit}")
    marker = folder / ".baseline-commit"
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == full:
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(_git("archive", "--format=tar", full))) as archive:
        archive.extractall(partial, filter="data")
    (partial / ".baseline-commit").write_text(full + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def sides(commit: str | None = None) -> tuple[Side, ...]:
    """The sides of a comparison: baseline, ``before`` (if asked for), this code.

    The baseline is ``commit`` (default :data:`chosen_baseline`); the ``before`` side is
    there when :data:`chosen_before` names a commit; this code's side comes last.
    """
    commit = commit or chosen_baseline["commit"]
    head = _git("describe", "--always", "--dirty").decode().strip()
    before = chosen_before["commit"]
    extra = (Side("before", before, baseline_tree(before)),) if before else ()
    return (Side("baseline", commit, baseline_tree(commit)), *extra,
            Side("new", head, paths.PROJECT_ROOT))


def _timed(command: list[str], side: Side, results: Path) -> tuple[float, str, str]:
    """Run ``command`` in ``side``'s code; wall time (s), stdout and stderr."""
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=side.root, env=side.env(results), capture_output=True,
                          text=True)
    wall = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"{side.label} ({side.commit}) failed: {' '.join(command)}\n"
                           f"{done.stderr[-2000:]}")
    return wall, done.stdout, done.stderr


def alternate(command: list[str], both: tuple[Side, ...], repeats: int, warm: bool = True
              ) -> dict[str, list[tuple[float, str]]]:
    """Run ``command`` on every side ``repeats`` times each, alternating the order.

    One untimed run of each side first when ``warm`` (file caches, compiled kernels),
    then baseline-new, new-baseline, ... (with a ``before`` side: baseline-before-new,
    new-before-baseline, ...). Each side writes into a results folder of its own.
    Returns, per side label, (wall time, stdout) of every timed run.
    """
    times: dict[str, list[tuple[float, str]]] = {side.label: [] for side in both}
    with tempfile.TemporaryDirectory() as scratch:
        folders = {side.label: Path(scratch) / side.label for side in both}
        if warm:
            for side in both:
                _timed(command, side, folders[side.label])
        for i in range(repeats):
            for side in (both if i % 2 == 0 else both[::-1]):
                wall, out, _ = _timed(command, side, folders[side.label])
                times[side.label].append((wall, out))
    return times


def _rows(case: str, engine: str, both: tuple[Side, ...],
          walls: dict[str, list[float]], members: int, actors: int, weeks: int,
          target: str | None = None, met: bool | None = None) -> list[dict]:
    """One row per side: median wall time, its rate, and the ratio baseline/new."""
    base = statistics.median(walls["baseline"])
    rows = []
    for side in both:
        median = statistics.median(walls[side.label])
        row = {"case": case, "engine": engine, "side": side.label, "commit": side.commit,
               "members": members, "actors": actors, "weeks": weeks,
               "wall_s": round(median, 3), "repeats": len(walls[side.label]),
               "runs_s": " ".join(f"{w:.2f}" for w in walls[side.label]),
               "actor_steps_per_s": round(members * actors * weeks / median)}
        if side.label == "new":
            row.update(ratio_vs_baseline=round(base / median, 2), target=target,
                       meets_target=met)
        elif side.label == "before":
            row.update(ratio_vs_baseline=round(base / median, 2))
        rows.append(row)
    return rows


def run_side_by_side(case: str, members: int | None, repeats: int, weeks: int | None = None,
                     charts: bool = True, target_ratio: float | None = None,
                     limit_s: float | None = None) -> list[dict]:
    """``python -m sim run incapacity`` end to end, baseline and new, side by side.

    ``target_ratio`` asks the new median to be that many times faster; ``limit_s``
    asks it to be under that many seconds. Neither fails anything: the row says.
    """
    command = [sys.executable, "-m", "sim", "run", "incapacity", "--quiet"]
    command += ["--members", str(members)] if members else []
    command += ["--weeks", str(weeks)] if weeks else []
    command += [] if charts else ["--no-charts"]
    both = sides()
    times = alternate(command, both, repeats)
    walls = {label: [w for w, _ in runs] for label, runs in times.items()}
    new = statistics.median(walls["new"])
    ratio = statistics.median(walls["baseline"]) / new
    checks, goals = [], []
    if target_ratio is not None:
        checks.append(ratio >= target_ratio)
        goals.append(f">= {target_ratio:g}x baseline")
    if limit_s is not None:
        checks.append(new < limit_s)
        goals.append(f"new < {limit_s:g} s")
    engine = "cli end to end" + ("" if charts else " (no charts)") + ", warm, median"
    return _rows(case, engine, both, walls, members or 1000, 15, weeks or 104,
                 "; ".join(goals) or None, all(checks) if checks else None)


def stepping_side_by_side(members: int, repeats: int) -> list[dict]:
    """The ensemble's stepping alone (one block, one thread), baseline and new."""
    both = sides()
    command = [sys.executable, "-c", STEPPING_SCRIPT, str(members)]
    times = alternate(command, both, repeats, warm=False)
    walls, shape = {}, {}
    for label, runs in times.items():
        reports = [json.loads(out.strip().splitlines()[-1]) for _, out in runs]
        walls[label] = [r["wall"] for r in reports]
        shape = reports[-1]
    return _rows("stepping_10k", "run_ensemble, 1 block, 1 thread, median", both, walls,
                 members, shape["actors"], shape["weeks"])
