"""The ensemble engine: all members step together on arrays with a member axis.

It calls the very same :func:`sim.week.advance` as the Mesa model, so member ``k``
of an ensemble equals a single Mesa run of member ``k`` exactly. Memory stays at
O(members x actors): each week is summarised (quantiles across members, running
per-member extremes, events) as the run goes; full trajectories are kept only when
asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from sim.context import Context
from sim.events import Before, detect, sort_events
from sim.state import HOLDERS, METRICS, State
from sim.stats import STAT_NAMES, summarise
from sim.week import advance


def step_weeks(ctx: Context, members: np.ndarray, weeks: int
               ) -> Iterator[tuple[int, State, list[tuple]]]:
    """Yield ``(week, state, events)`` after each week, starting with week 0's state.

    Week 0 is the undisturbed starting state (no events); the state yielded for
    week ``t >= 1`` is the state after ``advance(..., week=t - 1)``.

    Parameters
    ----------
    ctx : Context
    members : numpy.ndarray of int
        Member indices of the rows (they key the random numbers).
    weeks : int
        Number of weeks to step.
    """
    state = ctx.initial_state(len(members))
    roles = ctx.roles
    yield 0, state, []
    for week in range(weeks):
        before = Before.of(state)
        advance(state, ctx, week, members)
        events = detect(before, state, week, members, ctx.region.ids, roles.focal, roles.leader)
        yield week + 1, state, events


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


def run_ensemble(ctx: Context, members: np.ndarray | None = None, weeks: int | None = None,
                 keep_trajectories: bool = False, progress: bool | None = None
                 ) -> EnsembleResult:
    """Run the scenario's ensemble and summarise it week by week.

    Parameters
    ----------
    ctx : Context
    members : numpy.ndarray of int, optional
        Which members to run (default: ``0 .. scenario.members - 1``).
    weeks : int, optional
        Horizon (default: the scenario's).
    keep_trajectories : bool
        Also keep every member's full trajectory (memory M x weeks x metrics x N).
    progress : bool, optional
        Show a progress bar (default: only when stderr is a terminal).
    """
    members = np.arange(ctx.scenario.members) if members is None else np.asarray(members)
    weeks = ctx.scenario.weeks if weeks is None else weeks
    n_members, n = len(members), ctx.region.n
    quantiles = np.empty((weeks + 1, len(METRICS), len(STAT_NAMES), n))
    holder = np.empty((n_members, weeks + 1), dtype=np.int8)
    trajectories = (np.empty((n_members, weeks + 1, len(METRICS), n))
                    if keep_trajectories else None)
    events: list[tuple] = []
    low = high = None
    show = sys.stderr.isatty() if progress is None else progress
    for week, state, week_events in tqdm(step_weeks(ctx, members, weeks), total=weeks + 1,
                                         disable=not show, desc=ctx.scenario.name, unit="wk"):
        snap = state.snapshot()
        quantiles[week] = summarise(snap).swapaxes(0, 1)
        holder[:, week] = state.holder
        low = snap.copy() if low is None else np.minimum(low, snap)
        high = snap.copy() if high is None else np.maximum(high, snap)
        if trajectories is not None:
            trajectories[:, week] = snap
        events.extend(week_events)
    return EnsembleResult(
        members=members, quantiles=quantiles, holder=holder, end=snap, low=low, high=high,
        incapacity_week=state.incapacity_week.copy(),
        incapacity_kind=state.incapacity_kind.copy(),
        events=sort_events(events, ctx.region.ids),
        trajectories=trajectories,
    )
