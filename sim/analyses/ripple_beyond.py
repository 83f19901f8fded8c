"""Members beyond the data: where the spending conversion has nothing to stand on.

The ripples in real units read a posture rise back as military spending through rule
R5's inverse, ``x = 4 p / (1 - p)`` (% of GDP, :func:`sim.analyses.ripple_units.
milex_from_posture`), which grows without bound as a posture nears 1. The region's data
hold no state above its highest baseline posture (Ukraine at war in the shipped
regions: 36% of GDP), so a member whose posture rises above it converts to spending
nobody has recorded, and a percentile that rests on such members is an extrapolation,
not a figure: a plain run of ``incapacity_contested`` put the 95th percentile of
Russia's extra spending at 282% of its GDP.

What the data do support about such a member is one-sided: its spending lies above the
**data's limit** (the quantity at the highest recorded posture). Put every member beyond
the data anywhere above its limit and a percentile moves within ``[at_least, at_most]``
(:func:`level_bounds` for one run's levels, :func:`difference_bounds` for a comparison's
member differences B - A). The percentile **rests on members beyond the data** exactly
when one of these bounds is infinite: the data leave it unbounded on that side, and it
is shown as its other bound (``> 620``), never as the extrapolated number
(:func:`shown`). A percentile with two finite bounds is shown as it is, however many
members lie beyond the data elsewhere in the distribution (a comparison's member beyond
the data in both A and B can shift it by a rank at most, within its bounds, which the
CSV keeps); the share of such members is reported beside it (``share_beyond_data``).

Percentiles follow :func:`numpy.percentile`'s default (linear) rule, so a percentile
untouched by members beyond the data is the same number as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.analyses.ripple_units import milex_from_posture
from sim.model.context import Context

#: The words that replace an extrapolated figure.
BEYOND = "beyond any recorded spending"
#: The percentiles shown (CSV column prefix, percent).
PERCENTILES = (("p05", 5.0), ("median", 50.0), ("p95", 95.0))


@dataclass(frozen=True)
class Ceiling:
    """The highest baseline posture among the region's states and what it stands for.

    Attributes
    ----------
    posture : float
        ``posture0`` of that state, index [0, 1].
    actor : str
        Its actor id (Ukraine's in the shipped regions).
    milex_pct : float
        Its military spending by R5's inverse, % of GDP.
    """

    posture: float
    actor: str
    milex_pct: float

    def words(self) -> str:
        """The ceiling in words.

        E.g. "above 36% of GDP in all (the highest in the region's data: TOP)".
        """
        return (f"above {self.milex_pct:.0f}% of GDP in all (the highest in the region's data: "
                f"{self.actor})")


def ceiling(ctx: Context) -> Ceiling:
    """The region's highest recorded posture (states only; power centres have none)."""
    region = ctx.region
    states = [a for a in range(region.n) if region.kinds[a] == "state"]
    if not states:
        return Ceiling(1.0, "", math.inf)
    top = max(states, key=lambda a: float(ctx.baseline["posture0"][a]))
    posture = float(ctx.baseline["posture0"][top])
    return Ceiling(posture, region.ids[top], float(milex_from_posture(posture)))


def limit_pct(top: Ceiling, posture0: float) -> float:
    """Extra spending, % of GDP, of a state at baseline ``posture0`` at the data's ceiling.

    ``x(top) - x(p0)``, floored at 0 like the extra spending itself. A member beyond the
    data converts to more than this.

    Examples
    --------
    >>> round(limit_pct(Ceiling(0.9006, "TOP", float(milex_from_posture(0.9006))), 0.574), 2)
    30.85
    """
    return max(top.milex_pct - float(milex_from_posture(posture0)), 0.0)


def percentile(values: np.ndarray, q: float) -> float:
    """:func:`numpy.percentile` (linear rule) of values that may hold ``-inf`` or ``inf``.

    An infinite value stands for a member known only to lie beyond a bound; the
    percentile is infinite when its interpolation touches one, and otherwise exactly
    numpy's number (numpy itself returns NaN there).

    Examples
    --------
    >>> percentile(np.array([1.0, 2.0, 3.0, np.inf, np.inf]), 50.0)
    3.0
    >>> percentile(np.array([1.0, 2.0, 3.0, np.inf, np.inf]), 60.0)
    inf
    >>> percentile(np.array([-np.inf, 1.0, 2.0, 3.0]), 50.0)
    1.5
    >>> round(percentile(np.array([np.inf, 1.0, 5.0, 6.0, 7.0]), 10.0), 6)   # unsorted input
    2.6
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return float("nan")
    finite = np.isfinite(values)
    if finite.all() or np.isnan(values).any():
        return float(np.percentile(values, q))
    ordered = np.sort(values)
    position = q / 100.0 * (len(ordered) - 1)
    lo = int(math.floor(position))
    hi = min(lo + 1, len(ordered) - 1)
    t = position - lo
    touched = ordered[lo:hi + 1] if t > 0.0 else ordered[lo:lo + 1]
    if np.isinf(touched).any():
        return float(touched[0] if touched[0] == -np.inf else touched[-1])
    # The neighbours are finite: numpy's own arithmetic, infinities moved out of the way
    # (onto the finite extremes, which keeps every member's rank).
    low, high = values[finite].min(), values[finite].max()
    return float(np.percentile(np.clip(values, low, high), q))


@dataclass(frozen=True)
class Bounds:
    """Where a percentile lies whatever the members beyond the data are.

    A bound is infinite where the data leave the percentile unbounded on that side; NaN
    bounds (no data at all) are nothing beyond the data.
    """

    at_least: float
    at_most: float

    @property
    def beyond(self) -> bool:
        """True when the percentile rests on members beyond the data (a bound is infinite)."""
        return math.isinf(self.at_least) or math.isinf(self.at_most)


def level_bounds(values: np.ndarray, beyond: np.ndarray, limit: float, q: float) -> Bounds:
    """Bounds of the ``q``-th percentile of one run's levels (extra spending, troops).

    Parameters
    ----------
    values : numpy.ndarray
        Per-member values as converted (members beyond the data hold the extrapolation).
    beyond : numpy.ndarray of bool
        Per member: posture above the data's ceiling.
    limit : float
        The quantity at the ceiling (``values`` of a member beyond the data exceed it).
    q : float
        Percentile, 0-100.

    Examples
    --------
    >>> v, b = np.array([1.0, 2.0, 50.0, 90.0]), np.array([False, False, True, True])
    >>> level_bounds(v, b, 10.0, 95.0), level_bounds(v, b, 10.0, 5.0).beyond
    (Bounds(at_least=10.0, at_most=inf), False)
    """
    values = np.asarray(values, dtype=np.float64)
    beyond = np.asarray(beyond, dtype=bool)
    low = np.where(beyond, limit, values)
    high = np.where(beyond, np.inf, values)
    return Bounds(percentile(low, q), percentile(high, q))


def difference_bounds(xa: np.ndarray, xb: np.ndarray, beyond_a: np.ndarray,
                      beyond_b: np.ndarray, limit_a: float, limit_b: float,
                      q: float) -> Bounds:
    """Bounds of the ``q``-th percentile of the member differences ``xb - xa``.

    A member beyond the data in B only differs by more than ``limit_b - xa``; in A only,
    by less than ``xb - limit_a``; in both, by anything. A NaN limit (a side's table
    without one) leaves that side's members unbounded.

    Examples
    --------
    >>> xa, xb = np.zeros(4), np.array([1.0, 2.0, 3.0, 500.0])
    >>> no, last = np.zeros(4, bool), np.array([False, False, False, True])
    >>> b = difference_bounds(xa, xb, no, last, 10.0, 10.0, 95.0)
    >>> round(b.at_least, 2), b.at_most
    (8.95, inf)
    >>> difference_bounds(xa, xb, no, last, 10.0, 10.0, 50.0).beyond
    False
    """
    xa, xb = np.asarray(xa, dtype=np.float64), np.asarray(xb, dtype=np.float64)
    beyond_a = np.asarray(beyond_a, dtype=bool)
    beyond_b = np.asarray(beyond_b, dtype=bool)
    diff = xb - xa
    with np.errstate(invalid="ignore"):
        from_b = (limit_b - xa) if math.isfinite(limit_b) else np.full_like(xa, -np.inf)
        from_a = (xb - limit_a) if math.isfinite(limit_a) else np.full_like(xb, np.inf)
    low = np.where(beyond_a, -np.inf, np.where(beyond_b, from_b, diff))
    high = np.where(beyond_b, np.inf, np.where(beyond_a, from_a, diff))
    return Bounds(percentile(low, q), percentile(high, q))


def shown(value: float, at_least: float, at_most: float, fmt: Callable[[float], str]) -> str:
    """A percentile as text: the figure, or its bound when it rests on members beyond the data.

    ``fmt`` formats a number (with its sign, for differences).

    Examples
    --------
    >>> f = "{:,.0f}".format
    >>> shown(27.7, 27.7, 27.7, f), shown(5706.0, 623.0, np.inf, f), shown(6.0, 5.9, 6.2, f)
    ('28', '> 623', '6')
    >>> shown(-900.0, -np.inf, -40.0, f), shown(3.0, -np.inf, np.inf, f)
    ('< -40', 'beyond the data')
    """
    if not Bounds(at_least, at_most).beyond:
        return fmt(value)
    if math.isinf(at_least) and math.isinf(at_most):
        return "beyond the data"
    if math.isinf(at_most):
        return f"> {fmt(at_least)}"
    return f"< {fmt(at_most)}"


def flagged(value: object) -> bool:
    """A ``*_beyond_data`` cell read from a CSV as a bool (absent, NaN or "False": False).

    Examples
    --------
    >>> [flagged(v) for v in (True, np.True_, "True", False, float("nan"), None, "")]
    [True, True, True, False, False, False, False]
    """
    if isinstance(value, str):
        return value.strip() == "True"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(value)
