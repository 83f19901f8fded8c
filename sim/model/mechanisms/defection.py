"""Elite defection under street pressure: how a capable ruler can fall to protest.

The security bloc carries the regime's repression. A crowd that is large relative to
the regime's repression capacity erodes the bloc's loyalty (officers weigh the cost of
firing on a crowd against the cost of being on the losing side; Kuran 1991's
preference falsification, Svolik 2012's moral-hazard problem of repression), and a
bloc whose loyalty has fallen below a threshold may defect, which ends the regime in
favour of the opposition (the street wins). Street pressure is::

    P = min(1, (u_F - u0_F)^+ / (u_d * r_F))

with ``u_F`` the focal state's protest share, ``r_F`` its repression capacity (0-1, the
region's data) and ``u_d`` the crowd share that would overwhelm a fully capable
apparatus. Chenoweth & Stephan (2011) and Chenoweth's later "3.5%" observation give one
reference point, with known exceptions: every post-Soviet case in which the street won
(Georgia 2003, Ukraine 2004 and 2014, Kyrgyzstan 2005 and 2020) drew far less, against
weaker repression. Each week::

    s_SEC <- s_SEC - eps_d * P * s_SEC                        (loyalty erodes)
    h_d    = kappa_def * P * (1 - (s_SEC / s0_SEC) / lambda_d)^+  (defection hazard)

The threshold ``lambda_d`` is a share of the bloc's own baseline loyalty ``s0_SEC``,
so a bloc is judged by how far it has fallen, not by a level set in one region's
units (with an absolute threshold the Russia region's bloc, whose baseline is lower,
fell below it after any ruler's death and handed a third of the failures to a revolt).
    p_d    = 1 - exp(-h_d)

A patron's security help (``reactions.py``) and relaxation restore the bloc's loyalty,
so Belarus 2020 (a large crowd, a loyal bloc, Russian money and a police-reserve offer)
stays possible, as does Kyrgyzstan 2020 (a small crowd, weak repression, a wavering
elite, no patron help). A defection while the regime holds power (a settled ruler or a
transition) hands power to the opposition (``opposition_led``), unless the security
core is itself the ruling group (a military-based regime, rule RC6 in ``regime.py``):
then the officers remove the ruler and keep power (``insider_successor``).

References
----------
Kuran, T. (1991). Now out of never. World Politics 44(1), 7-48.
Svolik, M. (2012). The Politics of Authoritarian Rule. Cambridge University Press, ch. 5.
Chenoweth, E. & Stephan, M. (2011). Why Civil Resistance Works. Columbia University Press.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.succession import SETTLED, TRANSITION
from sim.model.params import Parameters
from sim.model.state import HOLDER, holder_in


def tolerance(normal: np.ndarray, params: Parameters) -> np.ndarray:
    """Each member's factor on the crowd its security bloc tolerates, ``exp(sigma_d z)``.

    ``normal`` holds one standard normal draw per member (the ``tolerance`` stream at
    week 0). The median member's bloc breaks at ``u_d``; the spread says how little is
    known about where any real bloc breaks.

    Examples
    --------
    >>> tolerance(np.array([0.0, 1.0]), Parameters({"defection_tolerance_spread": 0.5})
    ...           ).round(4).tolist()
    [1.0, 1.6487]
    """
    return np.exp(params.defection_tolerance_spread * normal)


def street_pressure(unrest_focal: np.ndarray, unrest0_focal: float,
                    repression_focal: float | np.ndarray,
                    params: Parameters) -> np.ndarray:
    """Street pressure on the security bloc, per member, in [0, 1].

    ``repression_focal`` is the focal state's repression capacity, or per member that
    capacity times the member's tolerance and the capacity scale of ``regime.py``.

    Examples
    --------
    >>> p = Parameters({"defection_crowd": 0.04})
    >>> street_pressure(np.array([0.001, 0.011, 0.5]), 0.001, 0.5, p).round(6).tolist()
    [0.0, 0.5, 1.0]
    """
    excess = np.maximum(unrest_focal - unrest0_focal, 0.0)
    capacity = params.defection_crowd * np.maximum(repression_focal, 1e-9)
    return np.minimum(1.0, excess / capacity)


def erode(loyalty: np.ndarray, pressure: np.ndarray, params: Parameters) -> np.ndarray:
    """The security bloc's loyalty after a week of street pressure."""
    return loyalty - params.defection_erosion * pressure * loyalty


def probability(pressure: np.ndarray, loyalty: np.ndarray, params: Parameters,
                scale: float | np.ndarray = 1.0) -> np.ndarray:
    """Weekly probability that the security bloc defects, per member.

    ``loyalty`` is the bloc's loyalty as a share of its baseline; ``scale`` multiplies the
    hazard (the regime's evidence, ``regime.defection_scale``).

    Examples
    --------
    >>> p = Parameters({"defection_rate": 1.0, "defection_threshold": 0.8})
    >>> probability(np.array([1.0, 1.0, 0.0]), np.array([0.9, 0.4, 0.4]), p).round(4).tolist()
    [0.0, 0.3935, 0.0]
    """
    wavering = np.maximum(1.0 - loyalty / params.defection_threshold, 0.0)
    return -np.expm1(-params.defection_rate * scale * pressure * wavering)


def apply(holder: np.ndarray, defects: np.ndarray, core_rules: bool = False) -> np.ndarray:
    """Holder after this week's defections, where the regime held power.

    The opposition takes power, unless the security core is itself the ruling group
    (``core_rules``, rule RC6: a military-based regime): then the officers remove the
    ruler and keep power (``insider_successor``, class B; Egypt 2011, Algeria 2019).

    Examples
    --------
    >>> h = np.array([HOLDER["incumbent"], HOLDER["contested"], HOLDER["incumbent"]])
    >>> [int(x) for x in apply(h, np.array([True, True, False]))] == [
    ...     HOLDER["opposition_led"], HOLDER["contested"], HOLDER["incumbent"]]
    True
    >>> int(apply(h[:1], np.array([True]), core_rules=True)[0]) == HOLDER["insider_successor"]
    True
    """
    regime = holder_in(holder, np.concatenate([SETTLED, TRANSITION]))
    taken = HOLDER["insider_successor"] if core_rules else HOLDER["opposition_led"]
    return np.where(regime & defects, taken, holder).astype(np.int8)
