"""The ensemble engine: all members step together on arrays with a member axis.

It calls the very same :func:`sim.model.week.advance` as the Mesa model, so member ``k``
of an ensemble equals a single Mesa run of member ``k`` exactly.

Members are split into contiguous blocks; an executor (:mod:`sim.engines.executors`) steps the
blocks in lockstep, in this process, in worker processes or on a Dask cluster. Each
week the blocks' records are joined in member order and summarised at once (quantiles
across members, running per-member extremes, events), so memory stays at
O(members x actors) and the result does not depend on how members were split. Full
trajectories are kept only when asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from sim.engines.blocks import WeekRecord
from sim.engines.executors import LocalExecutor
from sim.engines.limits import check_memory
from sim.engines.stats import STAT_NAMES, summarise
from sim.model.context import Context
from sim.model.events import sort_events
from sim.model.state import HOLDERS, METRICS


@dataclass
class EnsembleResult:
    """Summaries of an ensemble run (everything the result files need).

    Attributes
    ----------
    members : numpy.ndarray, shape (M,)
    quantiles : numpy.ndarray, shape (weeks + 1, len(METRICS), len(STAT_NAMES), N)
    holder : numpy.ndarray of int8, shape (M, weeks + 1)
    end, low, high : numpy.ndarray, shape (M, len(METRICS), N)
        Final, minimum and maximum value of every metric for every member.
    incapacity_week, incapacity_kind : numpy.ndarray, shape (M,)
    events : list of tuple
        ``(member, week, actor, event, detail)``, sorted.
    trajectories : numpy.ndarray or None, shape (M, weeks + 1, len(METRICS), N)
    """

    members: np.ndarray
    quantiles: np.ndarray
    holder: np.ndarray
    end: np.ndarray
    low: np.ndarray
    high: np.ndarray
    incapacity_week: np.ndarray
    incapacity_kind: np.ndarray
    events: list[tuple]
    trajectories: np.ndarray | None = field(default=None)

    def holder_shares(self) -> np.ndarray:
        """Share of members under each holder per week, shape (weeks + 1, len(HOLDERS))."""
        counts = np.stack([(self.holder == code).sum(axis=0) for code in range(len(HOLDERS))],
                          axis=1)
        return counts / self.holder.shape[0]


class RunSummary:
    """Accumulates week records into an :class:`EnsembleResult` as the run goes.

    A week's array work (the across-member quantiles, a sort of every column, and the
    running extremes; numpy releases the GIL for both) runs on one helper thread while
    the engine steps the next week. Tasks run in week order on that one thread and each
    week's numbers go to their own row, so the result does not depend on timing.
    """

    def __init__(self, members: np.ndarray, weeks: int, n: int, keep: bool) -> None:
        check_memory(len(members), weeks, n, keep)  # refuse before allocating anything
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summary")
        self._pending: list[Future] = []
        self.members = members
        self.quantiles = np.empty((weeks + 1, len(METRICS), len(STAT_NAMES), n))
        self.holder = np.empty((len(members), weeks + 1), dtype=np.int8)
        self.trajectories = np.empty((len(members), weeks + 1, len(METRICS), n)) if keep else None
        self.events: list[tuple] = []
        self.low = self.high = self.last = None

    def add(self, record: WeekRecord) -> None:
        """Fold one week's joined record (all members, in member order) into the summary."""
        for future in [f for f in self._pending if f.done()]:
            future.result()  # re-raise a failure of the helper thread here
            self._pending.remove(future)
        self._pending.append(self._pool.submit(self._fold_week, record))
        self.holder[:, record.week] = record.holder
        self.events.extend(record.events)
        self.last = record

    def _fold_week(self, record: WeekRecord) -> None:
        """Quantiles, extremes and trajectory of one week (on the helper thread)."""
        snap, week = record.snapshot, record.week
        stats = record.stats if record.stats is not None else summarise(snap)
        self.quantiles[week] = stats.swapaxes(0, 1)
        if self.low is None:
            self.low, self.high = snap.copy(), snap.copy()
        else:
            np.minimum(self.low, snap, out=self.low)
            np.maximum(self.high, snap, out=self.high)
        if self.trajectories is not None:
            self.trajectories[:, week] = snap

    def close(self) -> None:
        """Wait for the helper thread's work (re-raising its errors) and stop it."""
        try:
            for future in self._pending:
                future.result()
        finally:
            self._pending = []
            self._pool.shutdown(wait=True)

    def result(self, actor_ids: tuple[str, ...]) -> EnsembleResult:
        """The finished summary (call after the last week)."""
        self.close()
        return EnsembleResult(
            members=self.members, quantiles=self.quantiles, holder=self.holder,
            end=self.last.snapshot, low=self.low, high=self.high,
            incapacity_week=self.last.incapacity_week,
            incapacity_kind=self.last.incapacity_kind,
            events=sort_events(self.events, actor_ids), trajectories=self.trajectories,
        )


def split_members(members: np.ndarray, blocks: int) -> list[np.ndarray]:
    """Contiguous, non-empty blocks of members, in member order."""
    blocks = max(1, min(blocks, len(members)))
    return [b for b in np.array_split(members, blocks) if len(b)]


def run_ensemble(ctx: Context, members: np.ndarray | None = None, weeks: int | None = None,
                 keep_trajectories: bool = False, progress: bool | None = None,
                 executor=None, on_week: Callable[[WeekRecord], None] | None = None
                 ) -> EnsembleResult:
    """Run the scenario's ensemble and summarise it week by week.

    Parameters
    ----------
    ctx : Context
        The scenario's run context.
    members : numpy.ndarray of int, optional
        Which members to run (default: ``0 .. scenario.members - 1``).
    weeks : int, optional
        Horizon (default: the scenario's).
    keep_trajectories : bool
        Also keep every member's full trajectory (memory M x weeks x metrics x N).
    progress : bool, optional
        Show a progress bar (default: only when stderr is a terminal).
    executor : sim.engines.executors.Executor, optional
        Where blocks run (default: one block in this process).
    on_week : callable, optional
        Called with each joined week record (e.g. to stream trajectories to disk).

    Returns
    -------
    EnsembleResult
        Identical for any executor and any number of blocks.
    """
    members = np.arange(ctx.scenario.members) if members is None else np.asarray(members)
    weeks = ctx.scenario.weeks if weeks is None else weeks
    executor = executor or LocalExecutor()
    summary = RunSummary(members, weeks, ctx.region.n, keep_trajectories)
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=weeks + 1, disable=not show, desc=ctx.scenario.name, unit="wk")
    executor.start(ctx, split_members(members, executor.blocks))
    try:
        executor.request()
        for week in range(weeks + 1):
            record = WeekRecord.join(executor.collect())
            if week < weeks:
                executor.request()  # workers step the next week while this one is summarised
            summary.add(record)
            if on_week is not None:
                on_week(record)
            bar.update()
    finally:
        executor.close()
        summary.close()
        bar.close()
    return summary.result(ctx.region.ids)
