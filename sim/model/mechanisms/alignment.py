"""Alignment drift between Moscow (-1) and the West (+1): Friedkin-Johnsen dynamics.

::

    a_i' = lambda_i sum_j A_ij a_j + (1 - lambda_i) p_i

``A`` is the row-stochastic influence matrix (combined influence layers plus a self
weight), ``lambda_i = lambda_scale (1 - stubbornness_i)`` the susceptibility, and the
prejudice ``p_i`` is anchored so that the observed baseline is the steady state::

    p_i = (a0_i - lambda_i (A a0)_i) / (1 - lambda_i)

so the status quo does not drift. Regime outcomes move the focal state's anchor (see
``sim/model/week.py``).

References
----------
Friedkin, N. E. & Johnsen, E. C. (1990). Social influence and opinions. J. Math.
Sociology 15(3-4).
"""

from __future__ import annotations

import numpy as np

from sim.regions.graph import SparseRows, pull

#: An actor's own weight in its influence row before normalisation: one unit, the same
#: as a full tie to one other actor (the former parameter ``self_influence`` moved no
#: output over its plausible range, so it was fixed).
SELF_WEIGHT = 1.0


def influence_matrix(influence_raw: np.ndarray, self_weight: float) -> np.ndarray:
    """Row-stochastic ``A`` from raw influence weights plus a self weight.

    Rows with no weight at all become pure self-influence.
    """
    n = influence_raw.shape[0]
    weights = influence_raw + self_weight * np.eye(n)
    total = weights.sum(axis=1, keepdims=True)
    return np.where(total > 0.0, weights / np.where(total > 0.0, total, 1.0), np.eye(n))


def anchored_prejudice(alignment0: np.ndarray, influence: SparseRows,
                       susceptibility: np.ndarray) -> np.ndarray:
    """Prejudices that make ``alignment0`` a fixed point (``a0`` where lambda = 1)."""
    pulled = pull(alignment0, influence)
    free = susceptibility >= 1.0
    denominator = np.where(free, 1.0, 1.0 - susceptibility)
    return np.where(free, alignment0, (alignment0 - susceptibility * pulled) / denominator)


def step(alignment: np.ndarray, prejudice: np.ndarray, influence: SparseRows,
         susceptibility: np.ndarray) -> np.ndarray:
    """One Friedkin-Johnsen update, clipped to [-1, 1]."""
    mixed = susceptibility * pull(alignment, influence) + (1.0 - susceptibility) * prejudice
    return np.clip(mixed, -1.0, 1.0)
