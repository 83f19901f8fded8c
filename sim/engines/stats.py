"""Small statistics used for the result files."""

from __future__ import annotations

import math

import numpy as np

#: Quantiles reported in ``timeseries.csv`` (percent).
PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
STAT_NAMES: tuple[str, ...] = ("mean",) + tuple(f"p{p:02d}" for p in PERCENTILES)

#: A paired difference "arrives" when its 90% interval lies this far from zero, per
#: metric (unrest is a share of the public whose baseline is about 0.001-0.005, so its
#: tolerance is 0.01 percentage points; the others live on 0-1 or -1..1 scales).
ARRIVAL_TOLERANCE: dict[str, float] = {"stability": 1e-3, "alignment": 1e-3, "unrest": 1e-4,
                                       "posture": 1e-3, "stress": 1e-3}


def wilson_interval(successes: int, trials: int, z: float = 1.959963984540054
                    ) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default).

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(0, 10)]
    [0.0, 0.2775]
    """
    if trials <= 0:
        return (0.0, 1.0)
    return wilson_proportion(successes / trials, trials, z)


def wilson_proportion(p: float, n: float, z: float = 1.959963984540054
                      ) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` on ``n`` trials.

    ``n`` may be fractional: an effective number of weighted members.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_proportion(0.0, 10.0)]
    [0.0, 0.2775]
    """
    if n <= 0:
        return (0.0, 1.0)
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At 0 or n successes the exact bound is 0 or 1; rounding would leave ~1e-19.
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return (low, high)


#: The percentiles as numpy's ``percentile`` turns them into quantiles (q / 100).
_QUANTILES = np.true_divide(np.asarray(PERCENTILES), 100)


def summarise(values: np.ndarray) -> np.ndarray:
    """Mean and percentiles over the member axis (axis 0).

    The percentiles equal ``np.percentile(values, PERCENTILES, axis=0)`` byte for byte
    (numpy's default "linear" method, its virtual index, gamma and two-sided lerp
    written out), but read them off one sort of each column instead of numpy's
    selection, which is several times faster for thousands of members. Two cases where
    a sort could change bytes are handed to ``np.percentile`` column by column: a
    column holding NaN, and a column whose interpolation touches zeros of both signs
    (a vectorised sort may hand back -0.0 for +0.0).

    Parameters
    ----------
    values : numpy.ndarray, shape (M, ...)

    Returns
    -------
    numpy.ndarray, shape (len(STAT_NAMES), ...)

    Examples
    --------
    >>> values = np.arange(10.0).reshape(5, 2)
    >>> bool(np.array_equal(summarise(values)[1:],
    ...                     np.percentile(values, PERCENTILES, axis=0)))
    True
    """
    count = values.shape[0]
    columns = values.reshape(count, -1)
    ordered = np.sort(columns.T, axis=1)  # (columns, M), each row sorted
    virtual = (count - 1) * _QUANTILES
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= count - 1  # numpy takes the last value there
    previous[above] = -1
    following[above] = -1
    previous_index = previous.astype(np.intp)
    gamma = virtual - previous_index
    low = ordered[:, previous_index]
    high = ordered[:, following.astype(np.intp)]
    difference = high - low
    result = np.add(low, difference * gamma)
    np.subtract(high, difference * (1 - gamma), out=result, where=gamma >= 0.5)
    suspect = ((low == 0) | (high == 0)).any(axis=1) | np.isnan(ordered[:, -1])
    for column in np.flatnonzero(suspect):
        original = columns[:, column]
        zero_signs = np.signbit(original[original == 0])
        if np.isnan(ordered[column, -1]) or (zero_signs.any() and not zero_signs.all()):
            result[column] = np.percentile(original, PERCENTILES)
    percentiles = result.T.reshape((len(PERCENTILES),) + values.shape[1:])
    return np.concatenate([values.mean(axis=0)[None], percentiles], axis=0)


def newcombe_unpaired_interval(successes_1: int, trials_1: int, successes_2: int,
                               trials_2: int, z: float = 1.959963984540054
                               ) -> tuple[float, float, float]:
    """Difference of two independent proportions with Newcombe's hybrid score interval.

    Newcombe (1998a), method 10: the Wilson score limits of each proportion combined by
    "square and add", with no continuity correction. Unlike the Wald interval it never
    collapses to a point when either proportion is 0 or 1.

    Parameters
    ----------
    successes_1, trials_1 : int
        Successes and trials of the first sample.
    successes_2, trials_2 : int
        Successes and trials of the second sample.
    z : float
        Standard normal quantile (default: 95% two-sided).

    Returns
    -------
    tuple of float
        ``(difference, low, high)`` of ``p1 - p2``, within -1 to 1.

    References
    ----------
    Newcombe, R. G. (1998a). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.

    Examples
    --------
    The worked examples of Newcombe (1998a), Table II, method 10:

    >>> [round(x, 4) for x in newcombe_unpaired_interval(56, 70, 48, 80)]
    [0.2, 0.0524, 0.3339]
    >>> [round(x, 4) for x in newcombe_unpaired_interval(9, 10, 3, 10)]
    [0.6, 0.1705, 0.809]
    """
    if trials_1 <= 0 or trials_2 <= 0:
        raise ValueError("both samples need at least one trial")
    p1, p2 = successes_1 / trials_1, successes_2 / trials_2
    l1, u1 = wilson_interval(successes_1, trials_1, z)
    l2, u2 = wilson_interval(successes_2, trials_2, z)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, max(-1.0, low), min(1.0, high)


def newcombe_paired_interval(both: int, only_1: int, only_2: int, neither: int,
                             z: float = 1.959963984540054) -> tuple[float, float, float]:
    """Difference of two paired proportions with Newcombe's score interval.

    Newcombe (1998b), method 10: the Wilson score limits of the two marginal proportions
    combined by "square and add" with a correction for their correlation ``phi``,
    estimated from the 2 x 2 table of pairs (its numerator ``AD - BC`` is reduced by
    ``N / 2``, towards zero, when positive). No continuity correction. The interval
    does not collapse to a point when every pair differs the same way, nor when one
    margin is 0 or N.

    Parameters
    ----------
    both : int
        Pairs with the event in both members (``a`` in Newcombe's table).
    only_1 : int
        Pairs with the event in the first member only (``b``).
    only_2 : int
        Pairs with the event in the second member only (``c``).
    neither : int
        Pairs with the event in neither (``d``).
    z : float
        Standard normal quantile (default: 95% two-sided).

    Returns
    -------
    tuple of float
        ``(difference, low, high)`` of ``p1 - p2 = (only_1 - only_2) / N``.

    References
    ----------
    Newcombe, R. G. (1998b). Improved confidence intervals for the difference between
    binomial proportions based on paired data. Statistics in Medicine 17, 2635-2650.

    Examples
    --------
    The worked examples of Newcombe (1998b), Table II, method 10:

    >>> [round(x, 4) for x in newcombe_paired_interval(36, 12, 2, 0)]
    [0.2, 0.0569, 0.3404]
    >>> [round(x, 4) for x in newcombe_paired_interval(18, 12, 2, 18)]
    [0.2, 0.0562, 0.329]
    >>> [round(x, 4) for x in newcombe_paired_interval(53, 0, 0, 1)]
    [0.0, -0.0729, 0.0729]
    >>> [round(x, 4) for x in newcombe_paired_interval(0, 30, 0, 0)]
    [1.0, 0.8395, 1.0]
    """
    a, b, c, d = both, only_1, only_2, neither
    n = a + b + c + d
    if min(a, b, c, d) < 0 or n <= 0:
        raise ValueError("counts must be non-negative with at least one pair")
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, z)
    l2, u2 = wilson_interval(a + c, n, z)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    if margins == 0:
        phi = 0.0
    else:
        numerator = a * d - b * c
        if numerator > 0:
            numerator = max(numerator - n / 2, 0.0)
        phi = numerator / math.sqrt(margins)
    diff = (b - c) / n
    dl1, du1, dl2, du2 = p1 - l1, u1 - p1, p2 - l2, u2 - p2
    low = diff - math.sqrt(max(0.0, dl1 ** 2 - 2 * phi * dl1 * du2 + du2 ** 2))
    high = diff + math.sqrt(max(0.0, du1 ** 2 - 2 * phi * du1 * dl2 + dl2 ** 2))
    return diff, max(-1.0, low), min(1.0, high)


def paired_difference_interval(xa: np.ndarray, xb: np.ndarray,
                               z: float = 1.959963984540054) -> tuple[float, float, float]:
    """Mean of ``xb - xa`` for paired 0/1 indicators, with Newcombe's paired interval.

    Parameters
    ----------
    xa, xb : numpy.ndarray of bool, shape (M,)
        The event in member ``k`` of A and of B (the same members, in the same order).
    z : float
        Standard normal quantile (default: 95% two-sided).

    Returns
    -------
    tuple of float
        ``(difference, low, high)`` of ``P(B) - P(A)``.

    Examples
    --------
    Every member differs the same way: the interval is not collapsed to a point (by
    hand: ``1 - sqrt(2) * 3.8415 / 23.8415``, the Wilson half-widths at 0 and 20 of 20).

    >>> d, low, high = paired_difference_interval(np.zeros(20, bool), np.ones(20, bool))
    >>> d, round(low, 4), high
    (1.0, 0.7721, 1.0)
    """
    xa, xb = np.asarray(xa, dtype=bool), np.asarray(xb, dtype=bool)
    if xa.shape != xb.shape or xa.ndim != 1:
        raise ValueError("paired indicators need the same one-dimensional shape")
    both = int(np.sum(xa & xb))
    only_b = int(np.sum(xb & ~xa))
    only_a = int(np.sum(xa & ~xb))
    return newcombe_paired_interval(both, only_b, only_a, len(xa) - both - only_a - only_b, z)


def unpaired_difference_interval(xa: np.ndarray, xb: np.ndarray,
                                 z: float = 1.959963984540054) -> tuple[float, float, float]:
    """``mean(xb) - mean(xa)`` for independent 0/1 samples, with Newcombe's interval.

    Parameters
    ----------
    xa, xb : numpy.ndarray of bool
        The event in each member of A and of B (sizes may differ).
    z : float
        Standard normal quantile (default: 95% two-sided).

    Returns
    -------
    tuple of float
        ``(difference, low, high)`` of ``P(B) - P(A)``.

    Examples
    --------
    >>> d, low, high = unpaired_difference_interval(np.zeros(10, bool), np.zeros(10, bool))
    >>> d, round(low, 4), round(high, 4)
    (0.0, -0.2775, 0.2775)
    """
    xa, xb = np.asarray(xa, dtype=bool).ravel(), np.asarray(xb, dtype=bool).ravel()
    return newcombe_unpaired_interval(int(xb.sum()), len(xb), int(xa.sum()), len(xa), z)
