"""Reactions of outside powers and spill-overs onto neighbours.

Russia's support ``sigma`` for Belarus's rulers (loans, security help) follows need
and capacity::

    need = h_BLR + (a_BLR - a0_BLR)^+ + 0.5 * [succession unsettled]
    sigma' = sigma + rho_R (min(1, g_R need s_RUS / s0_RUS) - sigma)

It relieves Belarus's excess stress (``- l_R sigma (e - e0)^+``), restores the security
bloc's loyalty (``+ h_R sigma (s0 - s)``) and costs Russia (``+ c_R sigma`` stress). Russia takes
control with weekly hazard ``kappa_I * sigma * (m_I after a russian_move)`` while
Belarus is contested or opposition-led, or, after a ``russian_move``, while the
succession is unsettled (constitutional interim or Security Council).

Military posture moves toward a threat-driven target::

    threat = h_BLR + (p_RUS - p0_RUS)^+ + 0.5 * [Russian-controlled]
    p_i' = p_i + rho_p (min(1, p0_i + g_p * exposure_i * threat) - p_i)

with ``exposure`` 1 for NATO frontline states and Russia, 0 elsewhere.

Refugees from unrest met by repression (capacity ``r_i``) add economic stress to
neighbours by border share and population ratio, and new stress passes along trade
dependence (each increment once)::

    e_j += phi * sum_i (km_ij / km_i) (u_i - u0_i)^+ r_i pop_i / pop_j
    e_j += tau * sum_i T_ji (e_i - e_i^sent)^+
"""

from __future__ import annotations

import numpy as np

from sim.model.params import Parameters
from sim.model.state import HOLDER
from sim.regions.graph import SparseRows, pull

UNSETTLED = np.array([HOLDER["constitutional_interim"], HOLDER["security_council"],
                      HOLDER["contested"]])


def russia_support_target(distress_focal: np.ndarray, drift_focal: np.ndarray,
                          holder: np.ndarray, russia_capacity: np.ndarray,
                          params: Parameters) -> np.ndarray:
    """The support Russia aims for, per member, in [0, 1]."""
    need = (distress_focal + np.maximum(drift_focal, 0.0)
            + 0.5 * np.isin(holder, UNSETTLED))
    return np.clip(params.russia_support_gain * need * russia_capacity, 0.0, 1.0)


def update_support(support: np.ndarray, target: np.ndarray, russian_move: np.ndarray,
                   params: Parameters) -> np.ndarray:
    """Move support toward its target; a ``russian_move`` fixes it at 1."""
    moved = support + params.russia_support_speed * (target - support)
    return np.where(russian_move, 1.0, moved)


def support_effects(support: np.ndarray, stress_focal: np.ndarray, stress0_focal: float,
                    stress_russia: np.ndarray, security: np.ndarray, security0: float,
                    params: Parameters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a week of Russian support does: loans, security help, and its cost.

    Returns
    -------
    stress_focal : Belarus's stress, excess relieved by ``l_R sigma (e - e0)^+``.
    stress_russia : Russia's stress, raised by ``c_R sigma``.
    security : the security bloc's loyalty, restored by ``h_R sigma (s0 - s)``.
    """
    relieved = stress_focal - params.russia_loan_relief * support * np.maximum(
        stress_focal - stress0_focal, 0.0)
    costed = stress_russia + params.russia_support_cost * support
    helped = security + params.russia_security_help * support * (security0 - security)
    return relieved, costed, helped


def intervention_probability(support: np.ndarray, holder: np.ndarray,
                             russian_move: np.ndarray, params: Parameters) -> np.ndarray:
    """Weekly probability that Russia takes control of Belarus, per member."""
    opening = np.isin(holder, [HOLDER["contested"], HOLDER["opposition_led"]])
    opening |= russian_move & np.isin(holder, UNSETTLED)
    rate = params.russia_intervention_rate * support
    rate = np.where(russian_move, rate * params.russian_move_multiplier, rate)
    return np.where(opening, -np.expm1(-rate), 0.0)


def threat(distress_focal: np.ndarray, russia_posture_excess: np.ndarray,
           holder: np.ndarray) -> np.ndarray:
    """Threat perceived by exposed states, per member."""
    return (distress_focal + np.maximum(russia_posture_excess, 0.0)
            + 0.5 * (holder == HOLDER["russian_controlled"]))


def update_posture(posture: np.ndarray, posture0: np.ndarray, exposure: np.ndarray,
                   threat_now: np.ndarray, params: Parameters) -> np.ndarray:
    """Move military posture toward its threat-driven target."""
    target = np.minimum(1.0, posture0 + params.posture_gain * exposure * threat_now[..., None])
    return posture + params.posture_speed * (target - posture)


def refugee_stress(unrest_excess: np.ndarray, repression: np.ndarray,
                   population: np.ndarray, outflow_share: SparseRows,
                   params: Parameters) -> np.ndarray:
    """Economic stress that refugees from repressed unrest add to each receiving actor.

    People leave where protest meets repression (Belarus after 2020), not where it is
    tolerated, so the outflow scales with the sending state's repression capacity.

    Parameters
    ----------
    unrest_excess : numpy.ndarray, shape (..., N)
        Unrest above baseline, share of the public.
    repression : numpy.ndarray, shape (N,)
        Repression capacity of each sending actor, 0-1.
    population : numpy.ndarray, shape (N,)
        Population, million.
    outflow_share : SparseRows
        ``B[j, i]`` = share of ``i``'s land border shared with ``j``.
    params : Parameters
        Uses ``refugee_rate``.
    """
    outflow = unrest_excess * repression * population
    safe_population = np.where(population > 0.0, population, 1.0)
    inflow = pull(outflow, outflow_share)
    return np.where(population > 0.0, params.refugee_rate * inflow / safe_population, 0.0)


def trade_passthrough(stress: np.ndarray, stress_sent: np.ndarray, trade: SparseRows,
                      params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """Pass each actor's new economic stress to its trade dependants, once.

    Returns the new stress and the updated record of stress already passed on.
    """
    new_stress = np.maximum(stress - stress_sent, 0.0)
    received = params.trade_passthrough * pull(new_stress, trade)
    return np.clip(stress + received, 0.0, 1.0), stress
