"""Where blocks of ensemble members run: this process, worker processes, or Dask.

Every executor steps its blocks in lockstep, one week per ``request``/``collect``
round, and returns the blocks' records in block order. The ensemble engine joins them
in member order, so results are byte-identical whatever the executor and the number of
workers. Executors hold no model logic.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory

import numpy as np

from sim.engines.blocks import Block, WeekRecord
from sim.engines.stats import summarise
from sim.errors import UserError
from sim.model.context import Context
from sim.model.state import METRICS

#: Environment variable naming a Dask scheduler (``tcp://host:port``).
SCHEDULER_ENV = "SIM_DASK_SCHEDULER"


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalExecutor:
    """Step every block in this process (one block unless asked for more)."""

    def __init__(self, blocks: int = 1) -> None:
        self.blocks = blocks
        self._blocks: list[Block] = []

    def start(self, ctx: Context, member_blocks: list[np.ndarray]) -> None:
        """Create the blocks."""
        self._blocks = [Block(ctx, members) for members in member_blocks]

    def request(self) -> None:
        """Nothing to do ahead: blocks step when collected."""

    def collect(self) -> list[WeekRecord]:
        """Step every block one week."""
        return [block.step() for block in self._blocks]

    def close(self) -> None:
        """Drop the blocks."""
        self._blocks = []


def _serve_block(conn: Connection, ctx: Context, members: np.ndarray, shm_name: str,
                 shape: tuple[int, ...], first_row: int) -> None:
    """Worker-process loop: step the block on each request until told to stop.

    The week's metric snapshot goes into the worker's rows of a shared two-slot buffer
    (slot = week % 2), so only the small rest of the record crosses the pipe. Once every
    worker has written a week, each also summarises a share of its columns across all
    members, so the quantiles are computed in parallel too.
    """
    shm = SharedMemory(name=shm_name)  # the parent owns and unlinks the segment
    buffer = np.ndarray(shape, dtype=np.float64, buffer=shm.buf)
    rows = slice(first_row, first_row + len(members))
    block = Block(ctx, members)
    try:
        while (command := conn.recv())[0] != "stop":
            if command[0] == "step":
                record = block.step()
                buffer[record.week % 2, rows] = record.snapshot
                record.snapshot = None
                conn.send(record)
            else:  # ("summarise", slot, first column, last column + 1), over all members
                _, slot, low, high = command
                conn.send(summarise(buffer[slot].reshape(shape[1], -1)[:, low:high]))
    except (EOFError, KeyboardInterrupt):
        pass
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
        self.blocks = max(1, workers)
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
        for members in member_blocks:
            parent, child = context.Pipe()
            proc = context.Process(target=_serve_block, daemon=True, args=(
                child, ctx, members, self._shm.name, shape, first_row))
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
            first_row += len(members)

    def request(self) -> None:
        """Ask every worker to step one week."""
        for conn in self._conns:
            conn.send(("step",))

    def collect(self) -> list[WeekRecord]:
        """Receive every worker's record, in block order, as one joined record.

        The snapshot is copied out of the shared slot before the workers can reuse it
        (they write the other slot meanwhile).
        """
        try:
            records = [conn.recv() for conn in self._conns]
        except (EOFError, OSError):
            raise RuntimeError("a worker process died; see its error above") from None
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
        for conn, low, high in zip(self._conns, bounds[:-1], bounds[1:], strict=True):
            conn.send(("summarise", slot, int(low), int(high)))
        try:
            parts = [conn.recv() for conn in self._conns]
        except (EOFError, OSError):
            raise RuntimeError("a worker process died; see its error above") from None
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


class DaskExecutor:
    """Blocks as Dask actors on a cluster, stepped in lockstep.

    Parameters
    ----------
    scheduler : str or distributed.Client
        Scheduler address (``tcp://host:port``) or an existing client.
    blocks : int, optional
        Number of blocks (default: the cluster's total worker threads).
    """

    def __init__(self, scheduler, blocks: int | None = None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UserError("--executor dask", None,
                            "needs the 'distributed' package (pip install -e '.[dask]')") from None
        self._own_client = not isinstance(scheduler, Client)
        try:
            self.client = Client(scheduler, timeout="10s") if self._own_client else scheduler
        except OSError as exc:
            raise UserError("--scheduler", None,
                            f"cannot reach Dask scheduler {scheduler!r}: {exc}") from None
        threads = sum(self.client.nthreads().values()) or 1
        self.blocks = blocks or threads
        self._actors: list = []
        self._pending: list = []

    def start(self, ctx: Context, member_blocks: list[np.ndarray]) -> None:
        """Create one actor per block on the cluster."""
        futures = [self.client.submit(Block, ctx, members, actor=True, pure=False)
                   for members in member_blocks]
        self._actors = [f.result() for f in futures]

    def request(self) -> None:
        """Ask every actor to step one week."""
        self._pending = [actor.step() for actor in self._actors]

    def collect(self) -> list[WeekRecord]:
        """Gather the actors' records, in block order."""
        return [future.result() for future in self._pending]

    def close(self) -> None:
        """Release the actors (and the client if this executor opened it)."""
        self._actors, self._pending = [], []
        if self._own_client:
            self.client.close()


def make_executor(kind: str = "processes", workers: int | None = None,
                  scheduler: str | None = None):
    """Build the executor a user asked for.

    Parameters
    ----------
    kind : {"processes", "local", "dask"}
        ``processes`` uses ``workers`` processes (1 means this process).
    workers : int, optional
        Number of workers (default: all cores).
    scheduler : str, optional
        Dask scheduler address (default: ``$SIM_DASK_SCHEDULER``).
    """
    workers = workers or default_workers()
    if kind == "dask":
        address = scheduler or os.environ.get(SCHEDULER_ENV)
        if not address:
            raise UserError("--executor dask", None,
                            f"needs --scheduler tcp://HOST:PORT or ${SCHEDULER_ENV}")
        return DaskExecutor(address)
    if kind == "local" or workers == 1:
        return LocalExecutor()
    return ProcessExecutor(workers)
