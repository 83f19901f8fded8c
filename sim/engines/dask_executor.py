"""Dask: blocks of ensemble members as actors on a cluster, stepped in lockstep.

The same ``start``/``request``/``collect``/``close`` protocol as the executors in
:mod:`sim.engines.executors`, so results are byte-identical to a run in this process.
The scheduler's address is checked and probed before a client is made, so a wrong or
silent address is one clear error within :data:`DASK_TIMEOUT_S` seconds, not a hang.
"""

from __future__ import annotations

import asyncio

import numpy as np

from sim.engines.blocks import Block, WeekRecord
from sim.errors import UserError
from sim.model.context import Context

#: Environment variable naming a Dask scheduler (``tcp://host:port``).
SCHEDULER_ENV = "SIM_DASK_SCHEDULER"
#: Seconds allowed to reach a Dask scheduler and hear it answer as one.
DASK_TIMEOUT_S = 10.0


class DaskExecutor:
    """Blocks as Dask actors on a cluster, stepped in lockstep.

    Parameters
    ----------
    scheduler : str or distributed.Client
        Scheduler address (``tcp://host:port``) or an existing client.
    blocks : int, optional
        Number of blocks (default: the cluster's total worker threads).
    timeout : float
        Seconds allowed to connect and hear the scheduler answer (the whole connection,
        including Dask's handshake, which ``Client(timeout=...)`` alone does not bound).
    """

    def __init__(self, scheduler, blocks: int | None = None,
                 timeout: float = DASK_TIMEOUT_S) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UserError("--executor dask", None,
                            "needs the 'distributed' package (pip install -e '.[dask]')") from None
        self._own_client = not isinstance(scheduler, Client)
        if self._own_client:
            check_dask_address(scheduler)
            _probe_dask(scheduler, timeout)
            try:
                self.client = Client(scheduler, timeout=f"{timeout}s")
            except (TimeoutError, OSError, ValueError, TypeError) as exc:
                raise UserError("--scheduler", None, f"cannot use Dask scheduler "
                                f"{scheduler!r}: {_one_line(exc)}") from None
        else:
            self.client = scheduler
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


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def check_dask_address(address: str) -> str:
    """Refuse a scheduler address Dask cannot use, in one line.

    Raises
    ------
    UserError
        For an unknown scheme (``http://``, ``foo://``) or a missing or bad port.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    usable = sorted(set(backends) - {"inproc"})
    try:
        scheme, location = parse_address(address)
        if scheme not in usable:
            raise ValueError(f"unknown scheme {scheme + '://'!r}; use one of "
                             + ", ".join(f"{name}://" for name in usable))
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise UserError("--scheduler", None, f"not a Dask scheduler address {address!r}: "
                        f"{_one_line(exc)} (expected e.g. tcp://HOST:8786)") from None
    return address


def _probe_dask(address: str, timeout: float) -> None:
    """Connect once and wait for Dask's handshake, within ``timeout`` seconds in all.

    An endpoint that accepts TCP but does not speak Dask's protocol would otherwise hold
    the client for minutes: the handshake read has no time limit of its own.
    """
    from distributed.comm import connect

    async def probe() -> None:
        # Dask's own limit covers connecting (and says so); ours, a second later, the
        # handshake that follows.
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout + 1.0)
        await comm.close()

    try:
        asyncio.run(probe())
    except TimeoutError:
        raise UserError("--scheduler", None, f"no Dask scheduler answered at {address!r} "
                        f"within {timeout + 1.0:g} s (is something else listening there?)"
                        ) from None
    except Exception as exc:  # refused, unknown host, garbled reply ...
        raise UserError("--scheduler", None, f"cannot reach Dask scheduler {address!r}: "
                        f"{_one_line(exc)}") from None
