"""Leader health: a weekly hazard of death or lasting incapacity.

The annual hazard follows Gompertz's law of mortality, scaled by the scenario's health
assumption::

    mu(x) = m_h * mu_72 * exp(b * (x - 72))        [1/year]
    p_week = 1 - exp(-mu(x_0 + t / 52) / 52)

References
----------
Gompertz, B. (1825). On the nature of the function expressive of the law of human
mortality. Phil. Trans. R. Soc. 115, 513-583.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.params import Parameters, elementwise

WEEKS_PER_YEAR = 52.0


def weekly_incapacity_probability(week: int, age0: float, params: Parameters) -> float:
    """Probability that the leader is incapacitated during ``week``.

    Parameters
    ----------
    week : int
        Simulated week (0 = scenario start).
    age0 : float
        The leader's age at week 0, years (the region's ``roles.yaml``, ``leader_age``).
    params : Parameters
        Uses ``incapacity_hazard_at_72``, ``gompertz_slope``, ``health_risk_multiplier``.

    Returns
    -------
    float
        Probability in [0, 1).

    Examples
    --------
    >>> p = Parameters({"incapacity_hazard_at_72": 0.052})
    >>> round(weekly_incapacity_probability(0, 72.0, p), 4)
    0.001
    """
    age = age0 + week / WEEKS_PER_YEAR
    annual = (params.health_risk_multiplier * params.incapacity_hazard_at_72
              * elementwise(math.exp, params.gompertz_slope * (age - 72.0)))
    return -elementwise(math.expm1, -annual / WEEKS_PER_YEAR)


def draw_incapacity(capable: np.ndarray, uniform: np.ndarray, probability: float) -> np.ndarray:
    """Members whose capable leader is struck this week.

    Parameters
    ----------
    capable : numpy.ndarray of bool, shape (M,)
    uniform : numpy.ndarray, shape (M,)
        Uniform draws on (0, 1) from the ``health`` stream.
    probability : float
        Weekly probability from :func:`weekly_incapacity_probability`.
    """
    return capable & (uniform < probability)


