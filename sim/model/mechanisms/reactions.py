"""Reactions of outside powers and spill-overs onto neighbours.

Each patron ``p`` of the focal state (the region's ``roles.yaml``; none, one or more)
sets its support ``sigma_p`` for the rulers (loans, security help) by need and its own
capacity::

    need = h_F + (a_F - a0_F)^+ + nu_u * [succession unsettled]
    sigma_p' = sigma_p + rho_R (min(1, g_R need s_p / s0_p) - sigma_p)

(its commitment; only a patron able to support pays it out, and never to an opposition
government: :func:`paid_support`). Support relieves the
focal state's excess stress (``- l_R sum_p sigma_p (e - e0)^+``), restores the security
bloc's loyalty (``+ h_R sum_p sigma_p (s0 - s)``) and costs each patron
(``+ c_R sigma_p`` stress). A
patron able to take over does so with weekly hazard
``kappa_I * sigma_p * pi_p * (m_I after its patron_move)`` while the focal state is
contested or opposition-led, or, after its ``patron_move``, while the succession is
unsettled (interim or emergency body). If two patrons would take over in the same week,
the first in ``roles.yaml`` does. ``pi_p`` is the patron's **presence** on or next to the
focal state's soil, from the focal state's side of the data::

    pi_p = min(1, T_Fp + S_Fp * B_Fp)

with ``T_Fp`` the patron's troops stationed in the focal state (troops layer, 10,000
troops = 1), ``S_Fp`` the focal state's security dependence on the patron (treaty
access, directed by capability) and ``B_Fp`` the share of the focal state's land border
it shares with the patron. A patron with no troops, no treaty and no border has no
presence and cannot take over: a takeover needs forces at hand (Russia's 2014 move in
Crimea used its Black Sea Fleet base; its 2022 attack came from troops massed on
Ukraine's borders, including in Belarus).

Military posture moves toward a threat-driven target::

    threat_i = h_F + max_{k != i} (p_k - p0_k)^+ + theta_T * [patron-controlled]
    p_i' = p_i + rho_p (min(1, p0_i + g_p * exposure_i * threat_i) - p_i)

where ``k`` runs over the threat sources (the focal state and its patrons) other than
``i`` itself: a source does not arm against its own armament, which would be a
self-reinforcing loop. A state's
``exposure`` comes from its own side of the data: its alliance membership (the
``frontline`` attribute, 1 for members of an alliance facing the sources) times the
share of its land border that it shares with the threat sources::

    exposure_i = frontline_i * min(1, sum_k B_ik)

(Lithuania, with 58% of its border on Belarus and Russia, is more exposed than Poland,
with 20%); the patrons' exposure is 1.

Refugees from unrest met by repression (capacity ``r_i``) add economic stress to
neighbours by border share and population ratio, and new stress passes along trade
dependence (each increment once)::

    e_j += phi * sum_i (km_ij / km_i) (u_i - u0_i)^+ r_i pop_i / pop_j
    e_j += tau * sum_i T_ji (e_i - e_i^sent)^+
"""

from __future__ import annotations

import numpy as np

from sim.model.params import Parameters, per_actor
from sim.model.state import HOLDER, holder_in
from sim.regions.graph import SparseRows, pull

UNSETTLED = np.array([HOLDER["constitutional_interim"], HOLDER["emergency_body"],
                      HOLDER["contested"]])


def patron_support_target(distress_focal: np.ndarray, drift_focal: np.ndarray,
                          holder: np.ndarray, capacity: np.ndarray, can_support: np.ndarray,
                          params: Parameters) -> np.ndarray:
    """The support each patron aims for, shape (M, P), in [0, 1].

    Parameters
    ----------
    distress_focal, drift_focal : numpy.ndarray, shape (M,)
        The focal state's relative distress and westward alignment drift.
    holder : numpy.ndarray of int8, shape (M,)
    capacity : numpy.ndarray, shape (M, P)
        Each patron's stability relative to its baseline.
    can_support : numpy.ndarray of bool, shape (P,)
    params : Parameters
        Uses ``patron_support_gain`` and ``unsettled_support_need``.
    """
    need = (distress_focal + np.maximum(drift_focal, 0.0)
            + params.unsettled_support_need * holder_in(holder, UNSETTLED))
    target = np.clip(per_actor(params.patron_support_gain) * need[:, None] * capacity, 0.0, 1.0)
    return np.where(can_support, target, 0.0)


def update_support(support: np.ndarray, target: np.ndarray, moved: np.ndarray,
                   params: Parameters) -> np.ndarray:
    """Move support toward its target; a patron's ``patron_move`` fixes its support at 1."""
    stepped = support + per_actor(params.patron_support_speed) * (target - support)
    return np.where(moved, 1.0, stepped)


def paid_support(commitment: np.ndarray, can_support: np.ndarray,
                 holder: np.ndarray) -> np.ndarray:
    """The support each patron pays out, shape (M, P).

    A patron pays its commitment as loans and security help only if it can support
    and the focal state is not ruled by the opposition (a patron does not fund the
    government that replaced its clients; its commitment may still move it to take over).

    Examples
    --------
    >>> h = np.array([HOLDER["incumbent"], HOLDER["opposition_led"]])
    >>> paid_support(np.array([[0.5], [0.5]]), np.array([True]), h).tolist()
    [[0.5], [0.0]]
    """
    backs = (holder != HOLDER["opposition_led"])[:, None]
    return np.where(can_support & backs, commitment, 0.0)


def support_effects(support: np.ndarray, stress_patrons: np.ndarray, security: np.ndarray,
                    security0: float, params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """What a week of the patrons' support does: security help, and its cost.

    Loans no longer relieve the focal state's stress: their rate ``patron_loan_relief``
    moved no headline output over its plausible range (issue 19's pruning rule,
    ``docs/model.md`` section 7) and left the model.

    Parameters
    ----------
    support : numpy.ndarray, shape (M, P)
    stress_patrons : numpy.ndarray, shape (M, P)
    security : numpy.ndarray, shape (M,)
        The security bloc's loyalty.

    Returns
    -------
    stress_patrons : each patron's stress, raised by ``c_R sigma_p``.
    security : the security bloc's loyalty, restored by ``h_R sigma (s0 - s)``.
    """
    costed = stress_patrons + per_actor(params.patron_support_cost) * support
    helped = security + (per_actor(params.patron_security_help) * support).sum(axis=-1) * (
        security0 - security)
    return costed, helped


def presence(troops: np.ndarray, security: np.ndarray, border: np.ndarray) -> np.ndarray:
    """Each patron's presence on or next to the focal state's soil, in [0, 1].

    Parameters
    ----------
    troops, security, border : numpy.ndarray, shape (P,)
        The focal state's dependence on each patron in the troops, security and border
        layers (``dep[focal, patron]``).

    Examples
    --------
    >>> presence(np.array([0.2, 0.0, 0.0]), np.array([1.0, 0.0, 0.8]),
    ...          np.array([0.4, 0.3, 0.0])).round(3).tolist()
    [0.6, 0.0, 0.0]
    """
    return np.minimum(1.0, troops + security * border)


def exposure(frontline: np.ndarray, border_with_sources: np.ndarray,
             patrons: np.ndarray) -> np.ndarray:
    """Each actor's exposure to the threat sources, in [0, 1] (patrons: 1).

    Examples
    --------
    >>> exposure(np.array([1.0, 1.0, 0.0, 0.0]), np.array([0.58, 0.2, 0.9, 0.0]),
    ...          np.array([3])).tolist()
    [0.58, 0.2, 0.0, 1.0]
    """
    out = frontline * np.minimum(1.0, border_with_sources)
    out[patrons] = 1.0
    return out


def intervention_probability(support: np.ndarray, holder: np.ndarray, moved: np.ndarray,
                             can_take_over: np.ndarray, presence_p: np.ndarray,
                             params: Parameters) -> np.ndarray:
    """Weekly probability that each patron takes control, shape (M, P).

    ``presence_p`` (shape (P,)) scales each patron's hazard (:func:`presence`).
    """
    opening = holder_in(holder, [HOLDER["contested"], HOLDER["opposition_led"]])[:, None]
    opening = opening | (moved & holder_in(holder, UNSETTLED)[:, None])
    rate = per_actor(params.patron_intervention_rate) * support * presence_p
    rate = np.where(moved, rate * per_actor(params.patron_move_multiplier), rate)
    return np.where(opening & can_take_over, -np.expm1(-rate), 0.0)


def first_takeover(uniform: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Index of the patron that takes control this week, per member (-1: none).

    Examples
    --------
    >>> first_takeover(np.array([[0.5, 0.1], [0.9, 0.9]]), np.array([[0.2, 0.2]] * 2)).tolist()
    [1, -1]
    """
    success = uniform < probability
    if success.shape[-1] == 0:
        return np.full(success.shape[0], -1, dtype=np.int8)
    return np.where(success.any(axis=-1), success.argmax(axis=-1), -1).astype(np.int8)


def threat(distress_focal: np.ndarray, source_posture_excess: np.ndarray,
           sources: np.ndarray, n_actors: int) -> np.ndarray:
    """Threat perceived by each actor, shape (M, N).

    Parameters
    ----------
    distress_focal : numpy.ndarray, shape (M,)
    source_posture_excess : numpy.ndarray, shape (M, S)
        Posture above baseline of each threat source (the focal state and its patrons).
    sources : numpy.ndarray of int, shape (S,)
        Axis positions of the threat sources (a source ignores its own posture).
    n_actors : int

    Notes
    -----
    A term for the threat a patron's takeover adds (``takeover_threat``) moved no output
    at either end of its range and left the model (``docs/model.md`` 6.6, 7).

    Examples
    --------
    >>> t = threat(np.array([0.1]), np.array([[0.0, 0.3]]), np.array([0, 1]), 3)
    >>> t.round(3).tolist()
    [[0.4, 0.1, 0.4]]
    """
    excess = np.maximum(source_posture_excess, 0.0)
    members = excess.shape[0]
    others = np.zeros((members, n_actors))
    if excess.shape[-1]:
        others[:] = excess.max(axis=-1)[:, None]
        for j, k in enumerate(sources):
            rest = np.delete(excess, j, axis=-1)
            others[:, k] = rest.max(axis=-1) if rest.shape[-1] else 0.0
    return distress_focal[:, None] + others


def update_posture(posture: np.ndarray, posture0: np.ndarray, exposure: np.ndarray,
                   threat_now: np.ndarray, params: Parameters) -> np.ndarray:
    """Move military posture toward its threat-driven target."""
    target = np.minimum(1.0, posture0 + per_actor(params.posture_gain) * exposure * threat_now)
    return posture + per_actor(params.posture_speed) * (target - posture)


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
    rate = per_actor(params.refugee_rate)
    return np.where(population > 0.0, rate * inflow / safe_population, 0.0)

