"""Where blocks of ensemble members run: this process, worker processes, or Dask.

Dask lives in :mod:`sim.engines.dask_executor` (imported only when asked for).

Every executor steps its blocks in lockstep, one week per ``request``/``collect``
round, and returns the blocks' records in block order. The ensemble engine joins them
in member order, so results are byte-identical whatever the executor and the number of
workers. Executors hold no model logic.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory

import numpy as np

from sim.engines.blocks import Block, WeekRecord
from sim.engines.stats import summarise
from sim.errors import RunError, UserError
from sim.model.context import Context
from sim.model.state import METRICS


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cap_workers(requested: int | None) -> int:
    """The number of worker processes to start: ``requested``, at most the cores.

    More processes than cores only add start-up time and memory: results are identical
    for any number of workers, so a larger request is clamped (with a note on stderr)
    rather than refused, and a ``WORKERS=`` setting written for a bigger machine still
    runs on a smaller one.

    Parameters
    ----------
    requested : int or None
        What the user asked for (None: all cores).

    Returns
    -------
    int
        At least 1, at most :func:`default_workers`.
    """
    cores = default_workers()
    if requested is None:
        return cores
    if requested > cores:
        print(f"note: --workers {requested} is more than the {cores} core(s) this process "
              f"may use; using {cores} (results are the same for any number of workers)",
              file=sys.stderr)
        return cores
    return max(1, requested)


class _WorkerFailure:
    """What a worker process sends back instead of a record when it fails."""

    def __init__(self, message: str) -> None:
        self.message = message


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) while worker processes start.

    The mask is inherited by every process started meanwhile (the fork server and the
    workers), so none of them can be interrupted half-way through its start-up and print
    a traceback; the workers then ignore SIGINT for good (the parent stops them). A
    Ctrl-C pressed meanwhile is delivered to this process when the block ends.
    """
    usable = (hasattr(signal, "pthread_sigmask")
              and threading.current_thread() is threading.main_thread())
    if usable:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if usable:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


class LocalExecutor:
    """Step every block in this process, on one thread or several.

    Parameters
    ----------
    blocks : int
        Number of member blocks. Blocks small enough to keep a week's arrays in the
        processor's cache step faster than one huge block (see :func:`plan_blocks`).
    threads : int
        Threads stepping blocks at once. numpy's array operations and the compiled
        kernels release the GIL, so two threads use two cores without the start-up of
        worker processes; each block's numbers depend only on its members, so the
        result is the same for any number of threads.
    """

    def __init__(self, blocks: int = 1, threads: int = 1) -> None:
        self.blocks = max(1, blocks)
        self.threads = max(1, min(threads, self.blocks))
        self._blocks: list[Block] = []
        self._pool: ThreadPoolExecutor | None = None

    def start(self, ctx: Context, member_blocks: list[np.ndarray]) -> None:
        """Create the blocks (and the thread pool when more than one thread)."""
        self._blocks = [Block(ctx, members) for members in member_blocks]
        if self.threads > 1 and len(self._blocks) > 1:
            self._pool = ThreadPoolExecutor(max_workers=self.threads,
                                            thread_name_prefix="block")

    def request(self) -> None:
        """Nothing to do ahead: blocks step when collected."""

    def collect(self) -> list[WeekRecord]:
        """Step every block one week; records come back in block order."""
        if self._pool is None:
            return [block.step() for block in self._blocks]
        return list(self._pool.map(Block.step, self._blocks))

    def close(self) -> None:
        """Drop the blocks and stop the threads."""
        self._blocks = []
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _serve_block(conn: Connection, ctx: Context, members: np.ndarray, shm_name: str,
                 shape: tuple[int, ...], first_row: int) -> None:
    """Worker-process loop: step the block on each request until told to stop.

    The week's metric snapshot goes into the worker's rows of a shared two-slot buffer
    (slot = week % 2), so only the small rest of the record crosses the pipe. Once every
    worker has written a week, each also summarises a share of its columns across all
    members, so the quantiles are computed in parallel too.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        shm = SharedMemory(name=shm_name)  # the parent owns and unlinks the segment
    except FileNotFoundError:  # the parent stopped (e.g. Ctrl-C) before this worker began
        conn.close()
        return
    buffer = np.ndarray(shape, dtype=np.float64, buffer=shm.buf)
    rows = slice(first_row, first_row + len(members))
    try:
        block = Block(ctx, members)
        while (command := conn.recv())[0] != "stop":
            if command[0] == "step":
                record = block.step()
                buffer[record.week % 2, rows] = record.snapshot
                record.snapshot = None
                conn.send(record)
            else:  # ("summarise", slot, first column, last column + 1), over all members
                _, slot, low, high = command
                conn.send(summarise(buffer[slot].reshape(shape[1], -1)[:, low:high]))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass
    except Exception as exc:  # report it in one line; the parent stops the run
        with contextlib.suppress(Exception):
            conn.send(_WorkerFailure(f"{type(exc).__name__}: {exc}"))
    finally:
        del buffer
        shm.close()
        conn.close()


class ProcessExecutor:
    """One long-lived worker process per block, stepped over pipes.

    Parameters
    ----------
    workers : int
        Number of worker processes (and blocks).
    """

    def __init__(self, workers: int) -> None:
        self.blocks = cap_workers(workers)
        self._conns: list[Connection] = []
        self._procs: list[mp.process.BaseProcess] = []
        self._shm: SharedMemory | None = None
        self._buffer: np.ndarray | None = None

    def start(self, ctx: Context, member_blocks: list[np.ndarray]) -> None:
        """Start one worker per block, sharing a two-slot snapshot buffer."""
        shape = (2, sum(len(b) for b in member_blocks), len(METRICS), ctx.region.n)
        self._shm = SharedMemory(create=True, size=max(8, int(np.prod(shape)) * 8))
        self._buffer = np.ndarray(shape, dtype=np.float64, buffer=self._shm.buf)
        # forkserver: children fork from a clean single-threaded server (plain fork from a
        # threaded parent can deadlock); the server imports the engine once.
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        context = mp.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["sim.engines.blocks"])
        first_row = 0
        try:
            with _interrupts_deferred():
                for members in member_blocks:
                    parent, child = context.Pipe()
                    proc = context.Process(target=_serve_block, daemon=True, args=(
                        child, ctx, members, self._shm.name, shape, first_row))
                    proc.start()
                    child.close()
                    self._conns.append(parent)
                    self._procs.append(proc)
                    first_row += len(members)
        except BaseException:  # e.g. Ctrl-C, delivered when the workers have started
            self.close()
            raise

    def _send(self, messages: list[tuple]) -> None:
        """One message to every worker, in block order; a dead worker ends the run."""
        try:
            for conn, message in zip(self._conns, messages, strict=True):
                conn.send(message)
        except (BrokenPipeError, OSError):
            raise RunError(self._failure()) from None

    def _receive(self) -> list:
        """One message from every worker, in block order; a failure ends the run."""
        try:
            messages = [conn.recv() for conn in self._conns]
        except (EOFError, OSError):
            raise RunError(self._failure()) from None
        for i, message in enumerate(messages):
            if isinstance(message, _WorkerFailure):
                raise RunError(f"worker process {i + 1} of {len(messages)} failed: "
                               f"{message.message}")
        return messages

    def _failure(self) -> str:
        """Say which worker stopped and why: its own error if it sent one, else how."""
        for i, conn in enumerate(self._conns):
            with contextlib.suppress(EOFError, OSError):
                while conn.poll(0):
                    message = conn.recv()
                    if isinstance(message, _WorkerFailure):
                        return (f"worker process {i + 1} of {len(self._conns)} failed: "
                                f"{message.message}")
        deadline = time.monotonic() + 2.0  # a worker whose pipe broke is about to exit
        dead: list[tuple[int, mp.process.BaseProcess]] = []
        while True:
            dead = [(i, proc) for i, proc in enumerate(self._procs) if proc.exitcode is not None]
            if dead or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        for i, proc in dead:
            code = proc.exitcode
            where = f"worker process {i + 1} of {len(self._procs)}"
            if code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"signal {-code}"
                hint = (" (often the system running out of memory: try fewer --members, "
                        "fewer --workers or --workers 1)" if -code == signal.SIGKILL else "")
                return f"{where} was killed by {name}{hint}"
            return f"{where} stopped unexpectedly with exit code {code}"
        return "a worker process stopped unexpectedly"

    def request(self) -> None:
        """Ask every worker to step one week."""
        self._send([("step",)] * len(self._conns))

    def collect(self) -> list[WeekRecord]:
        """Receive every worker's record, in block order, as one joined record.

        The snapshot is copied out of the shared slot before the workers can reuse it
        (they write the other slot meanwhile).
        """
        records = self._receive()
        for record in records:
            record.snapshot = np.empty((0,))
        joined = WeekRecord.join(records)
        slot = joined.week % 2
        joined.stats = self._summarise(slot)
        joined.snapshot = self._buffer[slot].copy()
        return [joined]

    def _summarise(self, slot: int) -> np.ndarray:
        """Mean and percentiles of a written slot, columns shared out among the workers."""
        _, members, n_metrics, n_actors = self._buffer.shape
        bounds = np.linspace(0, n_metrics * n_actors, len(self._conns) + 1).astype(int)
        self._send([("summarise", slot, int(low), int(high))
                    for low, high in zip(bounds[:-1], bounds[1:], strict=True)])
        parts = self._receive()
        return np.concatenate(parts, axis=1).reshape(-1, n_metrics, n_actors)

    def close(self) -> None:
        """Stop the workers."""
        for conn in self._conns:
            try:
                conn.send(("stop",))
            except (BrokenPipeError, OSError):
                pass
            conn.close()
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
        self._conns, self._procs = [], []
        if self._shm is not None:
            self._buffer = None
            self._shm.close()
            self._shm.unlink()
            self._shm = None


#: Member-actor cells per block when the engine splits a large ensemble inside this
#: process. Measured on the 2-core machine (``incapacity``, 104 weeks): 10,000 members
#: stepped fastest as one block (1.76 s; 4 blocks on 2 threads 1.90 s), while at 30,000
#: members 2 blocks on 2 threads beat one block (4.28-4.54 s against 4.93-5.19 s).
BLOCK_ACTOR_ROWS = 150_000


def plan_local(members: int, actors: int) -> LocalExecutor:
    """The executor in this process for a job of ``members`` x ``actors``, by its size.

    Small jobs run as one block on one thread (no start-up at all). Large ones are cut
    into blocks of about :data:`BLOCK_ACTOR_ROWS` member-actor cells, stepped by one
    thread per core. Worker processes are never chosen here: measured on the 2-core
    machine, their start-up and the weekly hand-over cost more than they save at every
    size up to 30,000 members (``make bench``); ask for them with ``--workers N``.

    Examples
    --------
    >>> plan_local(1000, 15).blocks, plan_local(100_000, 15).blocks
    (1, 10)
    """
    blocks = max(1, -(-members * actors // BLOCK_ACTOR_ROWS))
    return LocalExecutor(blocks=blocks, threads=min(blocks, default_workers()))


def make_executor(kind: str = "processes", workers: int | None = None,
                  scheduler: str | None = None, members: int = 0, actors: int = 1):
    """Build the executor a user asked for.

    Parameters
    ----------
    kind : {"processes", "local", "dask"}
        ``processes`` uses ``workers`` processes (1 means this process).
    workers : int, optional
        Number of worker processes. None (the default) lets the job's size decide
        (:func:`plan_local`); 1 is one block on this process's thread; more is that many
        worker processes (clamped to the cores, see :func:`cap_workers`).
    scheduler : str, optional
        Dask scheduler address (default: ``$SIM_DASK_SCHEDULER``).
    members, actors : int
        Size of the job, for the automatic choice.

    Raises
    ------
    UserError
        For a Dask scheduler that is missing, malformed or does not answer.
    """
    if kind == "dask":
        from sim.engines.dask_executor import SCHEDULER_ENV, DaskExecutor

        address = scheduler or os.environ.get(SCHEDULER_ENV)
        if not address:
            raise UserError("--executor dask", None,
                            f"needs --scheduler tcp://HOST:PORT or ${SCHEDULER_ENV}")
        return DaskExecutor(address)
    if kind == "local":
        return LocalExecutor()
    if workers is None:
        return plan_local(members, actors)
    workers = cap_workers(workers)
    if workers == 1:
        return LocalExecutor()
    return ProcessExecutor(workers)
