"""Draw a run's charts in a helper forked from the run's own process, and its second.

The helper is forked when the run starts, before the ensemble: it inherits every module
the run has imported (numpy, pandas, the model) for free, imports matplotlib and warms
it up (:mod:`sim.outputs.charts.warm`) while the run steps, and waits for the tables.
Once they are sent (:meth:`ChartHelper.start`), the helper takes the charts one at a
time from a shared counter (largest first, :data:`ORDER`) while the run's process
writes its CSV files and the workbook. When the run's process has nothing left to do
but wait (:meth:`ChartHelper.wait`), a second helper takes the charts still left: it
was forked from the first when the tables came, so it is as warm as the first and
needs no import, and until then it sleeps (it does not compete with the run's own
work; a 10,000-member run, whose workbook takes longer than every chart, never needs
it). So the charts are drawn while the run writes its tables, on both cores once the
tables are written.

The tables are handed over without blocking the run's process: they are written to the
helper's pipe by a thread, since the helper reads only once it is warm and the tables
(about 0.7 MB for Belarus) do not fit in a pipe's buffer; the run's process meanwhile
writes its CSV files (before, it waited up to 0.45 s there).

The helpers collect no garbage while they draw (:func:`_drawing`): matplotlib makes
many short-lived objects per chart (artists, paths, transforms, text), and the
collector's passes over them and over every module the run imported cost about a tenth
of the drawing (measured: 1.71 s
against 1.93 s of CPU for the eight charts of the default run); a helper exits after
its charts, so what it would have freed goes back with the process (its peak memory
grows by about 16 MB for those eight charts: 254 MB against 238 MB).

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
their pipes (the executor's workers come from a fork server, never from this process,
so the handover thread is never inherited either).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from sim.outputs.chart_pool import RUN_CHARTS

if TYPE_CHECKING:
    import pandas as pd

    from sim.regions.loader import Region

#: The order the charts are taken in: the slowest first (measured for ``incapacity``:
#: the fan charts and the outcome map take 0.3-0.6 s each, the bar charts about 0.1 s),
#: so that the last charts taken are short and both helpers finish close together.
ORDER: tuple[str, ...] = (
    "fan_stability.png", "fan_unrest.png", "map.png", "fan_posture.png",
    "ripple_map.png", "ripple_summary.png", "outcomes_focal.png", "holders.png")


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


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """No garbage collection meanwhile (a helper's memory goes back when it exits)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _take(counter, job: tuple) -> list[Path]:
    """Draw charts of ``job`` taken one at a time from ``counter`` until none is left."""
    from sim.outputs.charts import write_run_charts

    out_dir, frames, region, scenario_name = job
    drawn: list[Path] = []
    with _drawing():
        while True:
            with counter.get_lock():
                index = counter.value
                counter.value += 1
            if index >= len(ORDER):
                return drawn
            drawn += write_run_charts(out_dir, *frames, region, scenario_name,
                                      only=(ORDER[index],))


def _fork() -> int:
    """``os.fork``, without Python 3.12's warning about the OS's count of threads."""
    with warnings.catch_warnings():
        # numpy's idle OpenBLAS threads count; this process has one Python thread, and
        # neither process calls BLAS in threads.
        warnings.filterwarnings("ignore", "This process .* is multi-threaded",
                                DeprecationWarning)
        return os.fork()


def _second(counter, job: tuple, go: Connection, conn: Connection) -> int:
    """Fork the second helper: it waits for ``go``, draws what is left, says which.

    Returns its process id; its answer comes on the returned pipe's other end, read by
    :func:`_second_answer`. ``conn`` (the first helper's pipe to the run) is closed in
    the second at once, so that the run sees the end of that pipe when the first helper
    dies. The second exits without a word when ``go`` ends unused (the run stopped).
    """
    reader, writer = mp.Pipe(duplex=False)
    pid = _fork()
    if pid:
        writer.close()
        _SECOND["reader"] = reader
        return pid
    code = 0
    try:
        conn.close()
        reader.close()
        try:
            go.recv_bytes()
        except EOFError:  # the run stopped, or drew its charts without this helper
            answer: tuple = ("drawn", [])
        else:
            try:
                answer = ("drawn", [str(p) for p in _take(counter, job)])
            except BaseException as exc:  # noqa: BLE001 (any failure goes to the first)
                answer = ("failed", f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(OSError):  # unless the first helper is gone (killed)
            writer.send(answer)
    except BaseException:  # noqa: BLE001 (a forked child must never return)
        code = 1
    finally:
        os._exit(code)


#: The second helper's answer pipe, in the first helper.
_SECOND: dict[str, Connection] = {}


def _second_answer(pid: int) -> tuple[str, list[str] | str]:
    """The second helper's answer (what it drew, or why it failed), once it exits."""
    reader = _SECOND.pop("reader")
    try:
        answer = reader.recv()
    except EOFError:
        answer = ("failed", "the second chart helper stopped without answering")
    reader.close()
    os.waitpid(pid, 0)
    return answer


def _serve(conn: Connection, counter, run_end: Connection,
           region: Region | None = None, go: Connection | None = None,
           go_end: Connection | None = None, second_pid=None) -> None:
    """The helper: warm up, wait for the tables, draw its charts, say which (or why not).

    ``run_end`` and ``go_end`` are the run's ends of the pipes, inherited by the fork:
    closed here at once, so that when the run's process dies (killed) the helpers read
    the end of the pipes and exit instead of waiting for ever. With the run's
    ``region`` the fan charts' panel grids and the region's graph (the ripple map's)
    are made while the run steps
    (:func:`sim.outputs.charts.run_charts.stock_fan_grids`), and the tables come without
    the region (:data:`_INHERITED`: this process has it already, graph built). With
    ``go``, a second helper is forked when the tables come (:func:`_second`); its
    process id goes into ``second_pid`` for the run to stop it if the run fails.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle
    run_end.close()
    if go_end is not None:
        go_end.close()
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
            pid = _second(counter, job, go, conn) if go is not None else 0
            if pid:
                second_pid.value = pid
            drawn = [str(p) for p in _take(counter, job)]
            if pid:
                kind, answer = _second_answer(pid)
                second_pid.value = 0
                if kind != "drawn":
                    raise RuntimeError(answer)
                drawn += answer
            conn.send(("drawn", drawn))
    except EOFError:  # the run stopped before its charts
        pass
    except BaseException as exc:  # noqa: BLE001 (any failure goes back to the run)
        with contextlib.suppress(OSError):  # unless the run is gone (killed)
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class ChartHelper:
    """One forked helper (and its second) drawing a run's charts.

    Use as a context manager; the same :meth:`start`/:meth:`wait` interface as
    :class:`sim.outputs.chart_pool.ChartPool`.

    Parameters
    ----------
    region : Region, optional
        The run's region: the helper makes the fan charts' grids ahead.
    second : bool
        Fork the second helper that draws what is left while :meth:`wait` waits.
    """

    def __init__(self, region: Region | None = None, second: bool = True) -> None:
        context = mp.get_context("fork")
        self._counter = context.Value("i", 0)
        self._second_pid = context.Value("i", 0, lock=False)
        self._conn, child = context.Pipe()
        go, self._go = context.Pipe(duplex=False) if second else (None, None)
        self._process = context.Process(
            target=_serve, args=(child, self._counter, self._conn, region, go, self._go,
                                 self._second_pid),
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
        if go is not None:
            go.close()
        self._region = region
        self._job: tuple | None = None
        self._sender: threading.Thread | None = None
        self._answered = False

    def start(self, out_dir: Path, timeseries: pd.DataFrame, holders: pd.DataFrame,
              outcomes: pd.DataFrame, region: Region, scenario_name: str) -> tuple:
        """Hand the tables over (without waiting for the helper to read them).

        The helper starts drawing as soon as it has them; :meth:`wait` collects the
        charts.
        """
        self._job = (Path(out_dir), (timeseries, holders, outcomes), region, scenario_name)
        inherited = region is not None and region is self._region
        message = (*self._job[:2], _INHERITED if inherited else region, scenario_name)
        self._sender = threading.Thread(target=self._send, args=(message,),
                                        name="sim-charts-handover", daemon=True)
        self._sender.start()
        return self._job

    def _send(self, message: tuple) -> None:
        """Write ``message`` to the helper (in the handover thread)."""
        with contextlib.suppress(OSError):  # the helper is gone: wait() says why
            self._conn.send(message)

    def wait(self, job: tuple) -> list[Path]:
        """Wake the second helper for what is left, then the chart files in run order.

        Raises
        ------
        RuntimeError
            When a helper failed or stopped without answering.
        """
        if self._sender is not None:
            self._sender.join()
        if self._go is not None:
            with contextlib.suppress(OSError):  # the helpers are gone: said below
                self._go.send_bytes(b"go")
        try:
            kind, answer = self._conn.recv()
            self._answered = True
        except EOFError:
            raise RuntimeError("the chart helper stopped without drawing its charts "
                               f"(exit code {self._process.exitcode})") from None
        if kind != "drawn":
            raise RuntimeError(f"the chart helper failed: {answer}")
        drawn = {p.name: p for p in map(Path, answer)}
        return [drawn[name] for name in RUN_CHARTS if name in drawn]

    def close(self) -> None:
        """Stop the helpers: at once if they had nothing to draw or are still drawing.

        A helper that was given no tables (the run failed before its charts) is killed
        at once: it has written nothing, and the run's error need not wait for it to
        finish warming up.
        """
        if self._go is not None:
            self._go.close()  # a second helper not woken exits
        if self._job is None:
            self._process.kill()
        # done: it exits at once; still drawing (the run failed): killed
        self._process.join(timeout=5 if self._answered else 0)
        if self._process.is_alive():
            second = self._second_pid.value
            if second:
                with contextlib.suppress(OSError):
                    os.kill(second, signal.SIGKILL)
            self._process.kill()
            self._process.join()
        if self._sender is not None:
            self._sender.join()  # the helper has read, or is gone (a broken pipe)
        self._conn.close()

    def __enter__(self) -> ChartHelper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
