"""Distress contagion along dependence edges (DebtRank).

Relative distress is the share of baseline stability lost, ``h_i = (1 - s_i/s0_i)^+``.
Each week every actor passes on the *increase* of its distress since the previous
week, so each increment crosses each edge once (a renewed rise after a partial recovery
is a new increment and passes on again; this is the differential DebtRank of
Bardoscia et al. 2015; the original DebtRank of Battiston et al. 2012 lets each node
pass on distress once). One hop takes one week::

    delta_i = (h_i - h_i^sent)^+ ;   h_i^sent <- h_i
    s_j <- max(0, s_j - s0_j kappa_d sum_i D_ji delta_i)

``D`` combines the dependence layers (``docs/model.md``); its row sums are at most
0.9, so echoes around cycles die out. Stability then relaxes toward baseline and is
dragged down by excess economic stress and unrest::

    s_i <- s_i + r_s (s0_i - s_i) - kappa_e (e_i - e0_i)^+ - kappa_u (u_i - u0_i)^+

References
----------
Battiston, Puliga, Kaushik, Tasca & Caldarelli (2012). DebtRank. Sci. Rep. 2, 541.
Bardoscia, Battiston, Caccioli & Caldarelli (2015). DebtRank: a microscopic
foundation for shock propagation. PLoS ONE 10(6).
"""

from __future__ import annotations

import numpy as np

from sim.model.params import Parameters, per_actor
from sim.regions.graph import SparseRows, pull


def relative_distress(stability: np.ndarray, stability0: np.ndarray) -> np.ndarray:
    """Share of baseline stability lost, in [0, 1] (0 where the baseline is 0)."""
    safe = np.where(stability0 > 0.0, stability0, 1.0)
    return np.where(stability0 > 0.0, np.clip(1.0 - stability / safe, 0.0, 1.0), 0.0)


def propagate(stability: np.ndarray, distress_sent: np.ndarray, stability0: np.ndarray,
              dependence: SparseRows, params: Parameters
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pass this week's new distress one hop along the dependence edges.

    Returns
    -------
    stability : numpy.ndarray
        Stability after receiving distress.
    distress_sent : numpy.ndarray
        Updated record of distress already passed on.
    new_distress : numpy.ndarray
        The increments passed on this week (``delta``).
    """
    distress = relative_distress(stability, stability0)
    new_distress = np.maximum(distress - distress_sent, 0.0)
    received = per_actor(params.contagion_strength) * pull(new_distress, dependence)
    return np.maximum(stability - stability0 * received, 0.0), distress, new_distress


def distress_to_stress(stress: np.ndarray, new_distress: np.ndarray,
                       params: Parameters) -> np.ndarray:
    """New distress raises economic stress: ``e += kappa_he delta``, clipped to [0, 1]."""
    return np.clip(stress + per_actor(params.distress_to_stress) * new_distress, 0.0, 1.0)


def relax(stability: np.ndarray, stability0: np.ndarray, stress_excess: np.ndarray,
          unrest_excess: np.ndarray, params: Parameters) -> np.ndarray:
    """Weekly recovery toward baseline, less the drag of excess stress and unrest."""
    recovered = stability + per_actor(params.stability_recovery) * (stability0 - stability)
    dragged = (recovered - per_actor(params.stress_drag) * stress_excess
               - per_actor(params.unrest_drag) * unrest_excess)
    return np.clip(dragged, 0.0, 1.0)
