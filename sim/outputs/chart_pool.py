"""Draw a run's charts in helper processes, started before the ensemble runs.

Drawing the eight PNGs of a run takes about 2 s of one core, and importing matplotlib
another 0.4 s; the ensemble of 10,000 members keeps one core busy for about 3 s. A
:class:`ChartPool` starts its helper processes when the run starts, so they import
matplotlib and load the fonts on the idle core while the ensemble steps; once the
tables are ready, each helper draws its share of the charts (:data:`SHARES`) while the
run writes its CSV files. The PNG bytes are those of drawing them in the run's own
process (same code, same fonts, same data).

The helpers are forked from a fork server (a clean single-threaded process), as the
engine's worker processes are, so a run started from a threaded program (the
dashboard) is safe. A single-threaded run (the command line) forks its helper from
itself instead (:mod:`sim.outputs.chart_fork`: no second interpreter, no second import
of pandas and the model).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # this module is imported before the heavy ones, to start early
    import pandas as pd

    from sim.regions.loader import Region

#: The charts of a run, in the order
#: :func:`~sim.outputs.charts.run_charts.write_run_charts` returns them.
RUN_CHARTS: tuple[str, ...] = (
    "fan_stability.png", "fan_unrest.png", "fan_posture.png", "outcomes_focal.png",
    "holders.png", "map.png", "ripple_map.png", "ripple_summary.png")
#: How the charts of a run are shared between two helpers: about equal drawing times
#: (measured for ``incapacity``: 1.1 and 1.2 s).
SHARES: tuple[tuple[str, ...], ...] = (
    ("fan_stability.png", "fan_unrest.png", "ripple_map.png", "outcomes_focal.png"),
    ("fan_posture.png", "map.png", "holders.png", "ripple_summary.png"),
)


def _warm() -> None:
    """Leave Ctrl-C to the run's own process (which stops the helpers); warm up.

    The warm-up (:mod:`sim.outputs.charts.warm`) is normally done once in the fork
    server, before the helpers fork from it.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import sim.outputs.charts.warm  # noqa: F401 (the import is the work)


def _draw(out_dir: Path, frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
          region: Region, scenario_name: str, only: tuple[str, ...]) -> list[Path]:
    from sim.outputs.charts import write_run_charts

    return write_run_charts(out_dir, *frames, region, scenario_name, only=only)


class ChartPool:
    """Helper processes drawing one run's charts; use as a context manager.

    Parameters
    ----------
    workers : int
        Number of helper processes (the charts are cut into that many shares).
    """

    def __init__(self, workers: int = len(SHARES)) -> None:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        context = mp.get_context(method)
        if method == "forkserver":
            # The server imports and warms up the charts once; the helpers fork from it.
            # No effect when the server is already running.
            context.set_forkserver_preload(["sim.outputs.charts.warm"])
        self._shares = _cut(workers)
        self._pool = ProcessPoolExecutor(len(self._shares), mp_context=context,
                                         initializer=_warm)
        self._pool.submit(int)  # start the helpers now: they warm up meanwhile

    def start(self, out_dir: Path, timeseries: pd.DataFrame, holders: pd.DataFrame,
              outcomes: pd.DataFrame, region: Region, scenario_name: str) -> list[Future]:
        """Send every share of the charts to the helpers; :meth:`wait` collects them."""
        frames = (timeseries, holders, outcomes)
        return [self._pool.submit(_draw, Path(out_dir), frames, region, scenario_name, share)
                for share in self._shares]

    @staticmethod
    def wait(futures: list[Future]) -> list[Path]:
        """The chart files, in :data:`RUN_CHARTS` order; raises what a helper raised."""
        drawn = {path.name: path for future in futures for path in future.result()}
        return [drawn[name] for name in RUN_CHARTS if name in drawn]

    def close(self) -> None:
        """Stop the helpers (pending work is cancelled)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ChartPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_EARLY: list[ChartPool] = []


def available() -> bool:
    """Whether runs draw their charts here: a second core is idle.

    That is: at least two cores, a one-minute load average below the cores less a half
    (a run's own earlier runs count about 1; measured on the shared 2-core machine: with
    the second core busy elsewhere, the helpers' start-up costs more than drawing in
    parallel saves), and
    ``SIM_CHARTS_INLINE`` unset or 0. Otherwise a run draws its charts in its own
    process. The charts are the same either way.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        idle = os.getloadavg()[0] < cores - 0.5
    except OSError:  # no load average on this system
        idle = True
    return cores >= 2 and idle and os.environ.get("SIM_CHARTS_INLINE", "") in ("", "0")


def start_early() -> None:
    """Start a pool now, for the next :func:`claim` (the command line, before imports)."""
    if not _EARLY and available():
        _EARLY.append(ChartPool())


def claim() -> ChartPool:
    """The pool :func:`start_early` started, or a new one; the caller closes it."""
    return _EARLY.pop() if _EARLY else ChartPool()


def discard() -> None:
    """Close an early pool nobody claimed (the run stopped before its charts)."""
    while _EARLY:
        _EARLY.pop().close()


def _cut(workers: int) -> tuple[tuple[str, ...], ...]:
    """The charts cut into ``workers`` shares (:data:`SHARES` for two)."""
    if workers == len(SHARES):
        return SHARES
    charts = [c for share in SHARES for c in share]
    workers = max(1, min(workers, len(charts)))
    return tuple(tuple(charts[i::workers]) for i in range(workers))
