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
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # At 0 or n successes the exact bound is 0 or 1; rounding would leave ~1e-19.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


def summarise(values: np.ndarray) -> np.ndarray:
    """Mean and percentiles over the member axis (axis 0).

    Parameters
    ----------
    values : numpy.ndarray, shape (M, ...)

    Returns
    -------
    numpy.ndarray, shape (len(STAT_NAMES), ...)
    """
    return np.concatenate([values.mean(axis=0)[None],
                           np.percentile(values, PERCENTILES, axis=0)], axis=0)
