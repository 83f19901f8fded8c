"""A block of ensemble members and what it reports each week.

A :class:`Block` holds the state of a contiguous run of members and steps it with
:func:`sim.model.week.advance`; a :class:`WeekRecord` is what it sends back (to the
ensemble engine, from this process, a worker process or a Dask worker).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.context import Context
from sim.model.events import Before, detect
from sim.model.week import advance


@dataclass
class WeekRecord:
    """What a block of members reports after one week (week 0: the starting state).

    Attributes
    ----------
    week : int
    snapshot : numpy.ndarray, shape (M_block, len(METRICS), N)
    holder : numpy.ndarray of int8, shape (M_block,)
    events : list of tuple
    incapacity_week, incapacity_kind : numpy.ndarray, shape (M_block,)
    stats : numpy.ndarray or None, shape (len(STAT_NAMES), len(METRICS), N)
        Mean and percentiles across all members, when an executor computed them
        already (in parallel); otherwise the summary computes them.
    patron_support : numpy.ndarray or None, shape (M_block, P)
        Each patron's support for the focal state's rulers in [0, 1] (what an analyst
        watching the news can see of a patron's move; :mod:`sim.analyses.observables`).
    """

    week: int
    snapshot: np.ndarray
    holder: np.ndarray
    events: list[tuple]
    incapacity_week: np.ndarray
    incapacity_kind: np.ndarray
    stats: np.ndarray | None = None
    patron_support: np.ndarray | None = None

    @staticmethod
    def join(records: list[WeekRecord]) -> WeekRecord:
        """Concatenate the records of consecutive blocks, in block (member) order."""
        if len(records) == 1:
            return records[0]
        return WeekRecord(
            week=records[0].week,
            snapshot=np.concatenate([r.snapshot for r in records]),
            holder=np.concatenate([r.holder for r in records]),
            events=[e for r in records for e in r.events],
            incapacity_week=np.concatenate([r.incapacity_week for r in records]),
            incapacity_kind=np.concatenate([r.incapacity_kind for r in records]),
            patron_support=(None if records[0].patron_support is None else
                            np.concatenate([r.patron_support for r in records])),
        )


class Block:
    """A block of members stepped together, wherever it lives (process or worker).

    Parameters
    ----------
    ctx : Context
    members : numpy.ndarray of int
        Member indices of the block (they key the random numbers).
    """

    def __init__(self, ctx: Context, members: np.ndarray) -> None:
        # In a design, rows carry their own parameters and draw the numbers of their
        # replicate's member (Context.for_rows); otherwise both are the member indices.
        self.ctx, self.draws_of = ctx.for_rows(members)
        self.members = np.asarray(members)
        self.state = self.ctx.initial_state(len(self.members))
        self.week = -1

    def step(self) -> WeekRecord:
        """Report the starting state on the first call, then advance one week per call."""
        events: list[tuple] = []
        if self.week >= 0:
            before = Before.of(self.state)
            advance(self.state, self.ctx, self.week, self.draws_of)
            roles = self.ctx.roles
            events = detect(before, self.state, self.week, self.members, self.ctx.region.ids,
                            roles.focal, roles.leader,
                            self.ctx.region.roles.patrons)
        self.week += 1
        return WeekRecord(self.week, self.state.snapshot(), self.state.holder.copy(), events,
                          self.state.incapacity_week.copy(), self.state.incapacity_kind.copy(),
                          patron_support=self.state.patron_support.copy())
