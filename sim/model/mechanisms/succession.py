"""Succession and elite cohesion in the focal state.

Paths (the region's ``roles.yaml``, ``succession``; for Belarus the 2022 constitution
and Decree No. 2 of 2021, for Russia Article 92 of its constitution):

* natural vacancy: the constitutional successor acts (``constitutional_interim``); an
  election follows within the region's window (``election_days``);
* violent death: where the rules name an emergency body it rules under emergency law
  (``emergency_body``), with the same election rule; elsewhere the natural rule applies;
* at the election an undivided elite installs an insider (``insider_successor``);
* a voluntary handover puts the named successor in office at once
  (``designated_successor``; a settled ruler, no election).

The elite may split (``contested``). Elite cohesion ``c`` is the power-weighted
loyalty of the security bloc and the apparatus. The weekly split hazard is::

    transition:  kappa_s * (1 - c)/(1 - c_0) * exp(-(t - t_v) / tau_s)
    settled:     q_c / 52 * (1 - c)/(1 - c_0) * (1 - c)       (attempt x success)
    p_split = 1 - exp(-hazard)

The transition hazard fades with the weeks since the vacancy ``t - t_v`` (time
constant ``tau_s``): the recount of region-facts finds the failures after a death
"within days to months", so the risk sits in the first weeks and the number of splits
does not grow with the length of the interim the constitution sets (Belarus 30-70
days, Russia about 90).

A violent death takes the emergency path where the rules name one, but its split hazard
is the natural one: no source measures a violent-versus-natural gap (Jones & Olken
2009 compare successful with failed assassinations, not with natural deaths).

A contested succession resolves with weekly probability ``1 - exp(-1/T_c)``
(:data:`CONTESTED_MEAN_WEEKS`, a constant since it moved no headline output over its
plausible range, ``docs/model.md`` section 7, Pruning): for the
opposition with probability ``p_O = min(1, u_F/u_*) * max(0, 1 - s_SEC/s0_SEC)``
(``u_F``: unrest in the focal state); otherwise for a faction outside the ruling group,
rival or junior officers (``rival_takeover``), with probability ``rho_r``; otherwise for
an insider. A regime **fails** when its ruling group loses power (Geddes, Wright &
Frantz 2014): to the opposition, a rival faction or a patron; an open split that is
still unresolved at the horizon is an insider contest, not yet a failure. A patron's
takeover is a reaction of an outside power (``reactions.py``). Patron control is
absorbing within the horizon; an opposition-led focal state can still be taken over by
a patron.

References
----------
Kendall-Taylor & Frantz (2016), "When Dictators Die", Journal of Democracy 27(4).
Frantz & Stein (2017), "Countering Coups", Comparative Political Studies.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.params import Parameters, per_actor
from sim.model.state import HOLDER, holder_in

DAYS_PER_WEEK = 7.0
#: Floor of the baseline looseness ``1 - c_0`` in the split hazard: an elite loyal to the
#: last decimal at baseline is judged as if 95% cohesive, so that a tiny dip of loyalty
#: does not divide by (almost) zero.
MIN_BASE_LOOSENESS = 0.05
#: T_c, weeks: mean duration of an open split. A constant, not a parameter: over its
#: former plausible range of 2-12 weeks it moved no headline output by one percentage
#: point in any shipped scenario or episode (at most 0.95 of a step, Turkey 2016;
#: ``python -m sim.analyses.pruning``). The value is region-facts' recount: the regimes
#: that fell after a death fell "within days to months".
CONTESTED_MEAN_WEEKS = 6.0
TRANSITION = np.array([HOLDER["constitutional_interim"], HOLDER["emergency_body"]])
SETTLED = np.array([HOLDER["incumbent"], HOLDER["insider_successor"],
                    HOLDER["designated_successor"]])


def vacancy_holder(violent: np.ndarray, emergency_body: bool) -> np.ndarray:
    """Holder after a vacancy: the emergency body if violent and the rules have one.

    Otherwise (natural, or no emergency body) the constitutional interim.

    Examples
    --------
    >>> vacancy_holder(np.array([True, False]), emergency_body=False).tolist()
    [1, 1]
    """
    body = HOLDER["emergency_body"] if emergency_body else HOLDER["constitutional_interim"]
    return np.where(violent, body, HOLDER["constitutional_interim"]).astype(np.int8)


def election_week(week: int, uniform: np.ndarray, window_days: tuple[int, int]) -> np.ndarray:
    """Week of the election, drawn uniformly over the allowed days after the vacancy.

    Parameters
    ----------
    week : int
        Week of the vacancy.
    uniform : numpy.ndarray, shape (M,)
        Uniform draws on (0, 1).
    window_days : tuple of int
        Earliest and latest day of the election after the vacancy (``roles.yaml``).

    Examples
    --------
    >>> election_week(10, np.array([0.0, 0.999]), (30, 70)).tolist()
    [15, 20]
    """
    low, high = float(window_days[0]), float(max(window_days))
    days = low + np.floor(uniform * (high - low + 1.0))
    return (week + np.ceil(days / DAYS_PER_WEEK)).astype(np.int32)


def elite_cohesion(loyalty: np.ndarray, power_weight: np.ndarray) -> np.ndarray:
    """Power-weighted mean loyalty of the elite power centres.

    Parameters
    ----------
    loyalty : numpy.ndarray, shape (..., K)
        Loyalty (stability) of the elite centres (security bloc, apparatus).
    power_weight : numpy.ndarray, shape (K,)
    """
    return (loyalty * power_weight).sum(axis=-1) / power_weight.sum()


def split_probability(holder: np.ndarray, cohesion: np.ndarray, cohesion0: float,
                      weeks_since_vacancy: np.ndarray, params: Parameters,
                      scale: float | np.ndarray = 1.0) -> np.ndarray:
    """Weekly probability that the elite splits, per member (0 where not applicable).

    ``weeks_since_vacancy`` counts the weeks since the ruler's office fell vacant (only
    read in a transition); ``scale`` multiplies both hazards (the regime's evidence,
    ``regime.split_scale``).
    """
    looseness = np.clip(1.0 - cohesion, 0.0, 1.0) / max(1.0 - cohesion0, MIN_BASE_LOOSENESS)
    fading = np.exp(-np.maximum(weeks_since_vacancy, 0) / params.split_fading_weeks)
    # No street term: split_unrest_gain left the model (pruning rule, docs/model.md 7);
    # the street acts on the split through the security bloc's defection (defection.py).
    transition = params.transition_split_rate * looseness * fading
    settled = params.coup_attempt_rate / 52.0 * looseness * np.clip(1.0 - cohesion, 0.0, 1.0)
    hazard = np.where(holder_in(holder, TRANSITION), transition,
                      np.where(holder_in(holder, SETTLED), settled, 0.0))
    return -np.expm1(-hazard * scale)


def contested_resolution_probability() -> float:
    """Weekly probability that a contested succession resolves, ``1 - exp(-1/T_c)``."""
    return -math.expm1(-1.0 / CONTESTED_MEAN_WEEKS)


def opposition_win_probability(unrest_focal: np.ndarray, security_loyalty: np.ndarray,
                               security_loyalty0: float, params: Parameters) -> np.ndarray:
    """Chance that a resolving contest goes to the opposition rather than an insider."""
    street = np.clip(unrest_focal / params.opposition_win_unrest, 0.0, 1.0)
    defection = np.clip(1.0 - security_loyalty / security_loyalty0, 0.0, 1.0)
    return street * defection


def entry_effects(holder_before: np.ndarray, holder: np.ndarray, stability: np.ndarray,
                  prejudice_focal: np.ndarray, stability0: np.ndarray, shocked: list[int],
                  patron_anchor: np.ndarray, params: Parameters
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Shocks of a change of ruler, applied once, in the week it happens.

    Entering ``contested``, ``opposition_led`` or ``patron_controlled`` costs the
    ``shocked`` actors (the focal state, its security bloc and apparatus) ``delta_c`` of
    their baseline stability. An opposition-led government shifts the focal state's
    alignment anchor west by ``Delta_a^O``; patron control sets it to the controlling
    patron's own alignment (``patron_anchor``, per member).

    Returns
    -------
    stability : numpy.ndarray, shape (M, N)
    prejudice_focal : numpy.ndarray, shape (M,)
        The focal state's Friedkin-Johnsen anchor.
    """
    entered = holder != holder_before
    breaking = entered & holder_in(holder, [HOLDER["contested"], HOLDER["opposition_led"],
                                          HOLDER["patron_controlled"]])
    stability = stability.copy()
    shock = per_actor(params.contested_stability_shock) * stability0[shocked]
    stability[:, shocked] -= np.where(breaking[:, None], shock, 0.0)
    opposition = entered & (holder == HOLDER["opposition_led"])
    patron = entered & (holder == HOLDER["patron_controlled"])
    prejudice = prejudice_focal + np.where(opposition, params.regime_change_alignment_shift, 0.0)
    prejudice = np.where(patron, patron_anchor, prejudice)
    return np.maximum(stability, 0.0), prejudice


def coup_outcome(holder: np.ndarray, succeeds: np.ndarray, insiders: bool = False) -> np.ndarray:
    """Holder after a coup attempt that ``succeeds`` in some members.

    A coup can only take power from a regime that still holds it (a settled ruler or a
    transition); elsewhere nothing changes. Where the plotters are part of the ruling
    group (``insiders``, rule RC6: a military-based regime) a successful coup installs
    an insider (``insider_successor``): the core removed the ruler and keeps power.
    Otherwise it opens a contest (``contested``) that resolves as any split does.

    Examples
    --------
    >>> h = np.array([HOLDER["incumbent"], HOLDER["incumbent"], HOLDER["opposition_led"]])
    >>> [int(x) for x in coup_outcome(h, np.array([True, False, True]))] == [
    ...     HOLDER["contested"], HOLDER["incumbent"], HOLDER["opposition_led"]]
    True
    >>> int(coup_outcome(h[:1], np.array([True]), insiders=True)[0]) == (
    ...     HOLDER["insider_successor"])
    True
    """
    regime = holder_in(holder, np.concatenate([TRANSITION, SETTLED]))
    taken = HOLDER["insider_successor"] if insiders else HOLDER["contested"]
    return np.where(regime & succeeds, taken, holder).astype(np.int8)


def next_holder(holder: np.ndarray, week: int, election: np.ndarray, split: np.ndarray,
                resolves: np.ndarray, opposition_wins: np.ndarray,
                rival_wins: np.ndarray) -> np.ndarray:
    """Apply this week's succession transitions to the holder codes.

    Parameters
    ----------
    holder : numpy.ndarray of int8, shape (M,)
    week : int
    election : numpy.ndarray of int, shape (M,)
        Scheduled election week (-1 if none).
    split, resolves, opposition_wins, rival_wins : numpy.ndarray of bool, shape (M,)
        This week's draws: the elite splits; a contest resolves; it resolves for the
        opposition; failing that, for a rival faction outside the ruling group.
    """
    out = holder.copy()
    in_transition = holder_in(holder, TRANSITION)
    out[in_transition & (election == week) & ~split] = HOLDER["insider_successor"]
    out[holder_in(holder, np.concatenate([TRANSITION, SETTLED])) & split] = HOLDER["contested"]
    contested = holder == HOLDER["contested"]
    out[contested & resolves & opposition_wins] = HOLDER["opposition_led"]
    out[contested & resolves & ~opposition_wins & rival_wins] = HOLDER["rival_takeover"]
    out[contested & resolves & ~opposition_wins & ~rival_wins] = HOLDER["insider_successor"]
    return out
