"""A constitutional successor from outside the ruling group (rule RC7).

When the ruler dies or can no longer rule, the constitution names who acts (a
vice-president, a speaker, a chairman of the government; ``roles.yaml``,
``succession.natural``). Usually that office is held by a member of the ruling group
and the transition keeps the group in power (``constitutional_interim``, class B). But
the holder may have left the group before the trigger: expelled, or leading an
opposition party (``succession.successor_outsider``, a pre-trigger fact with its
source). Malawi 2012 is the case: Vice-President Joyce Banda, expelled from the DPP in
December 2010 and leading her own People's Party, became president on Mutharika's
death in April 2012, although ministers of his party tried to keep her out.

The lawful succession then hands power to someone outside the ruling group
(``opposition_led``, class C) **unless the group blocks it**. A block is an
unconstitutional seizure of the office by the ruling group: like a coup, it succeeds
when the rest of the security apparatus follows the group (Powell & Thyne 2011: about
half of coup attempts succeed; Singh 2014: coups are coordination games among
officers). Its odds read the rules the model already has, with the roles of a coup
reversed (the ruling group is the plotter, so its cohesion helps it)::

    r       = clip(s_SEC / s0_SEC(data), 0, 1)        the bloc's loyalty to the group
    odds    = r * f^(w_c)                              f: the ruling base's cohesion (RC1)
    p_block = odds / (1 + odds)

A personalist group with a loyal bloc blocks half the time, a party regime 60% (f =
1.5), a military one 37% (f = 0.58); a bloc that has lost loyalty (a lower
``elite_loyalty_factor``, or erosion before the vacancy) blocks less. A blocked
successor leaves the transition in the group's hands (the holder stays
``constitutional_interim``: the group's acting ruler, with the split hazards and the
election of any transition). An emergency body that rules after a violent death
(``succession.violent``) is the group's own body, so the rule does not apply there.

References
----------
Powell, J. & Thyne, C. (2011). Global instances of coups from 1950 to 2010. Journal of
Peace Research 48(2), 249-259.
Singh, N. (2014). Seizing Power: The Strategic Logic of Military Coups. Johns Hopkins
University Press.
Geddes, B. (1999). What do we know about democratization after twenty years? Annual
Review of Political Science 2, 115-144.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms import regime
from sim.model.params import Parameters
from sim.model.state import HOLDER
from sim.regions.evidence import RegimeEvidence


def block_probability(security_loyalty: np.ndarray, security_loyalty0: float,
                      evidence: RegimeEvidence, params: Parameters) -> np.ndarray:
    """Chance that the ruling group keeps an outside constitutional successor out.

    Parameters
    ----------
    security_loyalty : numpy.ndarray, shape (M,)
        The security bloc's loyalty (stability) at the vacancy.
    security_loyalty0 : float
        Its baseline from the data (unscaled by ``elite_loyalty_factor``, as in the
        defection rule: a bloc started looser is already partly lost to the group).
    evidence : RegimeEvidence
        The regime's pre-trigger evidence (its ruling base gives ``f``).
    params : Parameters

    Returns
    -------
    numpy.ndarray, shape (M,)
        ``r f^(w_c) / (1 + r f^(w_c))`` with ``r`` the bloc's relative loyalty.

    Examples
    --------
    >>> block_probability(np.array([0.85, 0.0]), 0.85, RegimeEvidence(), Parameters({}))
    array([0.5, 0. ])
    """
    relative = np.clip(security_loyalty / (security_loyalty0 if security_loyalty0 > 0
                                           else 1.0), 0.0, 1.0)
    odds = relative / regime.cohesion_scale(evidence, params)
    return odds / (1.0 + odds)


def accession(holder: np.ndarray, opened: np.ndarray, blocked: np.ndarray) -> np.ndarray:
    """Holder after an outside successor's accession where the group did not block it.

    Parameters
    ----------
    holder : numpy.ndarray of int8, shape (M,)
        The holder after the vacancy opened.
    opened : numpy.ndarray of bool, shape (M,)
        Members whose ruler's office fell vacant this week to the constitutional
        successor (the holder became ``constitutional_interim`` from ``incumbent``).
    blocked : numpy.ndarray of bool, shape (M,)

    Examples
    --------
    >>> h = np.array([HOLDER["constitutional_interim"]] * 3, dtype=np.int8)
    >>> out = accession(h, np.array([True, True, False]), np.array([False, True, False]))
    >>> [int(x) for x in out] == [HOLDER["opposition_led"], HOLDER["constitutional_interim"],
    ...                           HOLDER["constitutional_interim"]]
    True
    """
    takes = opened & ~blocked & (holder == HOLDER["constitutional_interim"])
    return np.where(takes, HOLDER["opposition_led"], holder).astype(np.int8)
