"""What an observer could have seen in each member by a given week.

The ensemble's summary keeps every member's holder of power at every week but only the
final, lowest and highest value of the metrics. Observations and signposts need a few
more per-member quantities at early weeks (a crowd at week 6, the highest crowd by week
8, a patron's support), so :class:`ObservableRecorder` reads them off the week records
as the run goes (``on_week``) and keeps them only at the weeks asked for: memory
O(members x weeks asked), whatever the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engines.blocks import WeekRecord
from sim.model.context import Context
from sim.model.state import HOLDER, METRICS

_UNREST = METRICS.index("unrest")
_STABILITY = METRICS.index("stability")
_STRESS = METRICS.index("stress")


@dataclass
class Observables:
    """Per-member quantities at the recorded weeks (all arrays have the member axis first).

    Attributes
    ----------
    weeks : tuple of int
        The recorded weeks, ascending.
    unrest : dict
        ``(week, actor index) ->`` protest share of that state's public at ``week``
        (share of the population in [0, 1]).
    unrest_max : dict
        ``(week, actor index) ->`` highest protest share at weeks 0 to ``week``.
    security_drop : dict
        ``week ->`` largest fall of the security bloc's loyalty below its baseline at
        weeks 0 to ``week``, relative to that baseline (0.1 = 10% below).
    stress_rise : dict
        ``week ->`` largest rise of the focal state's economic stress above its
        baseline at weeks 0 to ``week`` (points on the 0-1 stress scale).
    support_max : dict
        ``week ->`` each patron's highest support at weeks 0 to ``week``, shape (M, P).
    holder : numpy.ndarray of int8, shape (M, weeks + 1)
        Holder of power in the focal state at every week (from the run's result).
    incapacity_week : numpy.ndarray, shape (M,)
        Week the leader left office (-1 if not).
    """

    weeks: tuple[int, ...]
    unrest: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    unrest_max: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    security_drop: dict[int, np.ndarray] = field(default_factory=dict)
    stress_rise: dict[int, np.ndarray] = field(default_factory=dict)
    support_max: dict[int, np.ndarray] = field(default_factory=dict)
    holder: np.ndarray | None = None
    incapacity_week: np.ndarray | None = None

    def patron_moved(self, week: int, patron: int) -> np.ndarray:
        """Per member: ``patron`` reached full support or held control by ``week``.

        See :data:`sim.model.observations.PATRON_FULL_SUPPORT`. Control is read from
        the holder (``patron_controlled``) at any week up to ``week``; with several
        patrons the holder does not say which one, so any takeover counts for each
        patron (the Belarus region has one patron).
        """
        from sim.model.observations import PATRON_FULL_SUPPORT

        full = self.support_max[week][:, patron] >= PATRON_FULL_SUPPORT
        taken = (self.holder[:, :week + 1] == HOLDER["patron_controlled"]).any(axis=1)
        return full | taken


class ObservableRecorder:
    """Collects :class:`Observables` from the week records of a run (an ``on_week`` hook).

    Parameters
    ----------
    ctx : Context
        The run's context (roles, baseline).
    weeks : iterable of int
        Weeks at which to keep the quantities (later weeks beyond the run are ignored).
    actors : iterable of int
        States whose protest share to keep (the focal state is always kept).
    """

    def __init__(self, ctx: Context, weeks, actors=()) -> None:
        roles = ctx.roles
        self._focal, self._security = roles.focal, roles.security
        self._actors = tuple(sorted({roles.focal, *actors}))
        self._s0 = float(ctx.baseline["stability0"][roles.security])
        self._e0 = float(ctx.baseline["stress0"][roles.focal])
        self.data = Observables(weeks=tuple(sorted(set(weeks))))
        self._keep = set(self.data.weeks)
        self._unrest_max = self._drop = self._rise = self._support = None

    def __call__(self, record: WeekRecord) -> None:
        """Fold one joined week record (all members, member order) into the running values."""
        snap = record.snapshot
        unrest = snap[:, _UNREST, self._actors]
        # Relative fall of loyalty and rise of stress: the baselines are per region, so
        # the signposts' lines mean the same in any region.
        drop = 1.0 - snap[:, _STABILITY, self._security] / (self._s0 if self._s0 > 0 else 1.0)
        rise = snap[:, _STRESS, self._focal] - self._e0
        support = (record.patron_support if record.patron_support is not None
                   else np.zeros((snap.shape[0], 0)))
        if self._unrest_max is None:
            self._unrest_max, self._drop = unrest.copy(), drop.copy()
            self._rise, self._support = rise.copy(), support.copy()
        else:
            np.maximum(self._unrest_max, unrest, out=self._unrest_max)
            np.maximum(self._drop, drop, out=self._drop)
            np.maximum(self._rise, rise, out=self._rise)
            np.maximum(self._support, support, out=self._support)
        if record.week in self._keep:
            week = record.week
            for j, a in enumerate(self._actors):
                self.data.unrest[(week, a)] = unrest[:, j].copy()
                self.data.unrest_max[(week, a)] = self._unrest_max[:, j].copy()
            self.data.security_drop[week] = self._drop.copy()
            self.data.stress_rise[week] = self._rise.copy()
            self.data.support_max[week] = self._support.copy()

    def finish(self, holder: np.ndarray, incapacity_week: np.ndarray) -> Observables:
        """The recorded quantities, completed with the run's holder and vacancy week."""
        self.data.holder = holder
        self.data.incapacity_week = incapacity_week
        return self.data
