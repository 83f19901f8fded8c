"""Draw a run's charts in one helper forked from the run's own process, sharing the work.

The helper is forked when the run starts, before the ensemble: it inherits every module
the run has imported (numpy, pandas, the model) for free, imports matplotlib and warms
it up (:mod:`sim.outputs.charts.warm`) while the run steps, and waits for the tables.
Once they are sent (:meth:`ChartHelper.start`), the helper and the run's process take
the charts one at a time from a shared counter (largest first, :data:`ORDER`): the
helper at once, the run's process after it has written its CSV files and the workbook,
and only when a second core is idle (:data:`JOIN_AT_LEAST`). So the charts are drawn
while the run writes its tables, and a run with a large workbook (10,000 members)
leaves every chart to the helper.

Against :class:`sim.outputs.chart_pool.ChartPool` (a fork server, a fresh interpreter
that imports pandas, the model and matplotlib again, then two helpers): no second
interpreter and no second import of everything but matplotlib, about 1.5 s of CPU less
per run, which on the shared 2-core machine decided whether helpers paid at all.

The PNG bytes are those of drawing every chart in the run's own process: the same
code, fonts and data, and no chart depends on which charts were drawn before it in the
same process (``tests/test_chart_fork.py`` compares every byte).

A forked process must not inherit a threaded program's locks, so the helper is used
only where forking is safe: the ``fork`` start method exists (Linux), the run's process
has a single Python thread (the command line; the dashboard and notebooks run threads)
and at least two cores; otherwise a run uses the chart pool or draws inline. It is
forked before the ensemble's executor starts its worker processes, so it holds none of
their pipes.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import threading
import warnings
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from sim.outputs.chart_pool import RUN_CHARTS

if TYPE_CHECKING:
    import pandas as pd

    from sim.regions.loader import Region

#: The order the charts are taken in: the slowest first (measured for ``incapacity``:
#: the fan charts and the outcome map take 0.3-0.7 s each, the bar charts about 0.1 s),
#: so that the last charts taken are short and both processes finish close together.
ORDER: tuple[str, ...] = (
    "fan_stability.png", "fan_unrest.png", "map.png", "fan_posture.png",
    "ripple_map.png", "ripple_summary.png", "outcomes_focal.png", "holders.png")
#: The run's process joins in only while at least this many charts are left (importing
#: matplotlib costs it about 0.5 s, more than drawing one chart), and only when a second
#: core is idle (:func:`sim.outputs.chart_pool.available`): measured on the shared 2-core
#: machine at a load of 4-5, a run whose process joined in took 9.8 s of CPU and 14.4 s
#: (median of 6) against 8.3 s and 11.6 s for the code before; with the helper drawing
#: every chart, 8.4 s of CPU and the same wall time as before.
JOIN_AT_LEAST = 2


def possible() -> bool:
    """Whether this process may fork a chart helper (see the module's notes).

    ``SIM_CHARTS_INLINE=1`` turns helpers off, as for the chart pool.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return ("fork" in mp.get_all_start_methods() and threading.active_count() == 1
            and cores >= 2 and os.environ.get("SIM_CHARTS_INLINE", "") in ("", "0"))


#: Sent in place of the region the helper was forked with.
_INHERITED = "inherited"


def _take(counter, job: tuple) -> list[Path]:
    """Draw charts of ``job`` taken one at a time from ``counter`` until none is left."""
    from sim.outputs.charts import write_run_charts

    out_dir, frames, region, scenario_name = job
    drawn: list[Path] = []
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= len(ORDER):
            return drawn
        drawn += write_run_charts(out_dir, *frames, region, scenario_name,
                                  only=(ORDER[index],))


def _serve(conn: Connection, counter, run_end: Connection,
           region: Region | None = None) -> None:
    """The helper: warm up, wait for the tables, draw its charts, say which (or why not).

    ``run_end`` is the run's end of the pipe, inherited by the fork: closed here at once,
    so that when the run's process dies (killed) the helper reads the end of the pipe
    and exits instead of waiting for ever. With the run's ``region`` the fan charts'
    panel grids and the region's graph (the ripple map's) are made while the run steps
    (:func:`sim.outputs.charts.run_charts.stock_fan_grids`), and the tables come without
    the region (:data:`_INHERITED`: this process has it already, graph built).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle
    run_end.close()
    try:
        import sim.outputs.charts.warm  # noqa: F401 (matplotlib imported and warmed up)

        if region is not None:
            from sim.outputs.charts.run_charts import stock_fan_grids

            stock_fan_grids(region)
            region.graph  # noqa: B018 (built now, not while drawing the ripple map)
        job = conn.recv()
        if job is not None and job[2] == _INHERITED:
            job = (job[0], job[1], region, job[3])
        if job is not None:
            conn.send(("drawn", [str(p) for p in _take(counter, job)]))
    except EOFError:  # the run stopped before its charts
        pass
    except BaseException as exc:  # noqa: BLE001 (any failure goes back to the run)
        with contextlib.suppress(OSError):  # unless the run is gone (killed)
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class ChartHelper:
    """One forked helper that shares a run's charts with the run's process.

    Use as a context manager; the same :meth:`start`/:meth:`wait` interface as
    :class:`sim.outputs.chart_pool.ChartPool`.
    """

    def __init__(self, region: Region | None = None) -> None:
        context = mp.get_context("fork")
        self._counter = context.Value("i", 0)
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve,
                                        args=(child, self._counter, self._conn, region),
                                        name="sim-charts", daemon=True)
        sys.stdout.flush()  # nothing buffered before the fork is written twice
        sys.stderr.flush()
        with warnings.catch_warnings():
            # Python 3.12 warns on fork whenever the OS counts several threads: numpy's
            # idle OpenBLAS threads count. possible() has made sure that this process
            # has one Python thread, and the helper never calls BLAS in threads.
            warnings.filterwarnings("ignore", "This process .* is multi-threaded",
                                    DeprecationWarning)
            self._process.start()
        child.close()
        self._region = region
        self._job: tuple | None = None
        self._answered = False

    def start(self, out_dir: Path, timeseries: pd.DataFrame, holders: pd.DataFrame,
              outcomes: pd.DataFrame, region: Region, scenario_name: str) -> tuple:
        """Send the tables: the helper starts drawing; :meth:`wait` collects the charts."""
        self._job = (Path(out_dir), (timeseries, holders, outcomes), region, scenario_name)
        inherited = region is not None and region is self._region
        self._conn.send((*self._job[:2], _INHERITED if inherited else region, scenario_name))
        return self._job

    def wait(self, job: tuple) -> list[Path]:
        """Draw what the helper has not taken yet, then the chart files in run order.

        Raises
        ------
        RuntimeError
            When the helper failed or stopped without answering.
        """
        from sim.outputs.chart_pool import available

        with self._counter.get_lock():
            left = len(ORDER) - self._counter.value
        mine = _take(self._counter, job) if left >= JOIN_AT_LEAST and available() else []
        try:
            kind, answer = self._conn.recv()
            self._answered = True
        except EOFError:
            raise RuntimeError("the chart helper stopped without drawing its charts "
                               f"(exit code {self._process.exitcode})") from None
        if kind != "drawn":
            raise RuntimeError(f"the chart helper failed: {answer}")
        drawn = {p.name: p for p in [*mine, *map(Path, answer)]}
        return [drawn[name] for name in RUN_CHARTS if name in drawn]

    def close(self) -> None:
        """Stop the helper: it is told there is nothing to draw, or killed if drawing."""
        if self._process.is_alive() and self._job is None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        self._conn.close()
        # told to stop, or done: it exits at once; still drawing (the run failed): killed
        self._process.join(timeout=5 if self._job is None or self._answered else 0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def __enter__(self) -> ChartHelper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
