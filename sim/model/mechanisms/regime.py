"""Cohesion and expectations: how the regime's pre-trigger evidence scales its risks.

The focal regime's evidence (``sim/regions/evidence.py``; ``docs/data-rules.md``
section 13) gives four numbers: organisational cohesion ``f`` (1 for a personalist
regime, 1.5 for a party regime, 0.58 for a military one; Geddes 1999), state capacity
``g`` (WGI Government Effectiveness as a share), a lame-duck expectation ``L`` (Hale
2005) and linkage to the West ``W`` (Levitsky & Way 2010). The mechanisms read them as
multipliers::

    defection hazard  x  f^(-w_c) (1 + w_L L) (1 + w_W W)
    split hazard      x  f^(-w_c) (1 + w_L L)
    repression        x  1 + w_g (g - 1/2)          (the crowd the apparatus can face)

A regime type's failure hazard is taken as the inverse of its mean lifespan, so a party
regime's elite defects and splits at two thirds of a personalist one's rate and a
military regime's at 1.7 times it; a ruler who must leave at the next vote loses his
clients' loyalty (Hale's lame-duck syndrome); linkage raises what repression costs the
officers who would carry it out. Every weight is a parameter with a plausible range
(``sim/model/plausible.py``); at 0 the evidence does not matter.

Two paths to power also read the ruling base (rule RC6, ``docs/data-rules.md`` 13):

* **Whose coup** (Geddes 1999; Geddes, Wright & Frantz 2014): where the ruling group is
  the military (``ruling_base = military``), officers who move against the ruler are
  part of the group that selected him, so a coup that succeeds is a reshuffle inside
  the regime (an insider rules: class B). Under any other base the plotters are outside
  the ruling group (rival or junior officers, or an army against a civilian ruling
  group) and a successful coup opens a contest the ruling group usually loses.
* **Whose defection** (the same sources; Egypt 2011, Algeria 2019 in the development
  set): where the ruling group is the military, a security bloc that stops defending
  the ruler against the street removes him and keeps power itself (B) rather than
  handing power to the opposition.

A coup's success also depends on the cohesion of the rest of the apparatus: its odds
are scaled by the same factor ``f^(-w_c)`` as the split and defection hazards::

    odds   = k / (1 - k) * f^(-w_c) * exp(-w_r (2a - 1))      (k: the plotters' share)
    p_coup = odds / (1 + odds)

**Crowds for the ruler** (rule RC8): a ruler with popular support ``a`` (his measured
approval, else his vote share in a democracy, else 1/2) can call crowds into the street
that make officers expect the coup to fail (Singh 2014: a coup is a coordination game
among officers; Zunes 2017: Moscow 1991, Venezuela 2002, Turkey 2016); crowds against
an unpopular ruler invite the coup (Johnson & Thyne 2018). At the model's weekly step a
coup reversed within days (Venezuela 2002, 47 hours) is one that did not take power, so
the same factor covers failure and quick reversal. ``a = 1/2`` (nothing measured) or
``w_r = 0`` leaves the coup rule as it was.

References
----------
Geddes, B. (1999). What do we know about democratization after twenty years? Annual
Review of Political Science 2, 115-144.
Hale, H. (2005). Regime cycles. World Politics 58(1), 133-165.
Johnson, J. & Thyne, C. (2018). Squeaky wheels and troop loyalty: how domestic
protests influence coups d'etat, 1951-2005. Journal of Conflict Resolution 62(3).
Levitsky, S. & Way, L. (2010). Competitive Authoritarianism. Cambridge University Press.
Singh, N. (2014). Seizing Power: The Strategic Logic of Military Coups. Johns Hopkins UP.
Zunes, S. (2017). Civil Resistance Against Coups. ICNC Monograph Series.
Way, L. (2005). Authoritarian state building and the sources of regime competitiveness
in the fourth wave. World Politics 57(2), 231-261.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.params import Parameters, elementwise
from sim.regions.evidence import RegimeEvidence


def cohesion_scale(evidence: RegimeEvidence, params: Parameters) -> float | np.ndarray:
    """``f^(-w_c)``: the ruling base's factor on failure hazards (1 if personalist).

    Examples
    --------
    >>> round(cohesion_scale(RegimeEvidence(ruling_base="party"), Parameters({})), 4)
    0.6652
    """
    cohesion = evidence.cohesion
    return elementwise(lambda w: cohesion ** -w, params.cohesion_weight)


def split_scale(evidence: RegimeEvidence, params: Parameters) -> float | np.ndarray:
    """Factor on the elite-split hazard: ``f^(-w_c) (1 + w_L L)``."""
    return cohesion_scale(evidence, params) * (1.0 + params.lame_duck_weight * evidence.lame_duck)


def defection_scale(evidence: RegimeEvidence, params: Parameters) -> float | np.ndarray:
    """Factor on the security bloc's defection hazard: ``f^(-w_c) (1 + w_L L) (1 + w_W W)``.

    Examples
    --------
    >>> e = RegimeEvidence(term_limited=True, linkage_trade_pct_gdp=25.0)
    >>> round(defection_scale(e, Parameters({})), 4)   # L = 1, W = 0.5
    2.5
    """
    return split_scale(evidence, params) * (1.0 + params.linkage_weight * evidence.linkage)


def security_core_rules(evidence: RegimeEvidence) -> bool:
    """RC6: the security core is the ruling group (a military-based regime).

    Then its coups and its defections keep the ruling group in power.

    Examples
    --------
    >>> security_core_rules(RegimeEvidence(ruling_base="military"))
    True
    >>> security_core_rules(RegimeEvidence(ruling_base="party"))
    False
    """
    return evidence.ruling_base == "military"


def coup_success_probability(strength: float, evidence: RegimeEvidence,
                             params: Parameters) -> float | np.ndarray:
    """Chance that a coup attempt takes power: the plotters' share ``k``, its odds scaled.

    The odds ``k / (1 - k)`` are multiplied by ``f^(-w_c)``: the more cohesive the
    ruling group's organisation, the less the rest of the apparatus follows the
    plotters (a party regime's coups fail more often, a military regime's succeed more
    often; a personalist regime keeps ``k``, the Powell & Thyne 2011 base of about half),
    and by ``exp(-w_r (2a - 1))`` (rule RC8): a popular ruler's crowds make the coup
    fail more often, an unpopular ruler's opponents welcome it; a ruler of unknown
    popularity (``a = 1/2``) keeps the odds.

    Examples
    --------
    >>> float(coup_success_probability(0.5, RegimeEvidence(ruling_base="personal"), Parameters({})))
    0.5
    >>> round(float(coup_success_probability(0.5, RegimeEvidence(ruling_base="party"),
    ...                                      Parameters({}))), 4)
    0.3995
    >>> coup_success_probability(1.0, RegimeEvidence(ruling_base="party"), Parameters({}))
    1.0
    >>> round(float(coup_success_probability(0.5, RegimeEvidence(approval=1.0),
    ...                                      Parameters({}))), 4)   # odds x e^-1
    0.2689
    """
    if strength >= 1.0 or strength <= 0.0:
        return float(strength >= 1.0)
    odds = (strength / (1.0 - strength) * cohesion_scale(evidence, params)
            * rally_scale(evidence, params))
    return odds / (1.0 + odds)


def rally_scale(evidence: RegimeEvidence, params: Parameters) -> float | np.ndarray:
    """RC8: factor ``exp(-w_r (2a - 1))`` on a coup's odds of taking power.

    ``a`` is the ruler's popularity (:attr:`RegimeEvidence.popularity`); exactly 1 when
    it is unknown (``a = 1/2``) or ``w_r = 0``, so the coup rule is then unchanged to
    the last bit.

    Examples
    --------
    >>> rally_scale(RegimeEvidence(), Parameters({}))
    1.0
    >>> round(float(rally_scale(RegimeEvidence(approval=0.0), Parameters({}))), 4)
    2.7183
    """
    net = 2.0 * evidence.popularity - 1.0
    if net == 0.0:
        return 1.0
    return elementwise(lambda w: math.exp(-w * net), params.rally_weight)


def repression_scale(evidence: RegimeEvidence, params: Parameters) -> float | np.ndarray:
    """Factor on what the focal state's repression achieves: ``1 + w_g (g - 1/2)``.

    Examples
    --------
    >>> repression_scale(RegimeEvidence(capacity_percentile=50.0), Parameters({}))
    1.0
    """
    return 1.0 + params.capacity_weight * (evidence.capacity - 0.5)
