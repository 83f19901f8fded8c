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

References
----------
Geddes, B. (1999). What do we know about democratization after twenty years? Annual
Review of Political Science 2, 115-144.
Hale, H. (2005). Regime cycles. World Politics 58(1), 133-165.
Levitsky, S. & Way, L. (2010). Competitive Authoritarianism. Cambridge University Press.
Way, L. (2005). Authoritarian state building and the sources of regime competitiveness
in the fourth wave. World Politics 57(2), 231-261.
"""

from __future__ import annotations

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


def repression_scale(evidence: RegimeEvidence, params: Parameters) -> float | np.ndarray:
    """Factor on what the focal state's repression achieves: ``1 + w_g (g - 1/2)``.

    Examples
    --------
    >>> repression_scale(RegimeEvidence(capacity_percentile=50.0), Parameters({}))
    1.0
    """
    return 1.0 + params.capacity_weight * (evidence.capacity - 0.5)
