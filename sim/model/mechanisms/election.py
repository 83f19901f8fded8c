"""A scheduled vote the ruling group may lose.

An ``election`` event (a scheduled presidential or parliamentary vote, a forced rerun,
or a parliament's vote for president) is a path to power the other mechanisms lack: the
ruling group can lose office by the count and hand it over. Whether a vote can be lost at
all is V-Dem's Regimes of the World code ``R`` (Hyde & Marinov 2012: with no multiparty
contest for the executive a vote cannot be lost). The chance that the ruling group loses
is the base rate of its regime class, scaled by the regime's evidence
(``regime.py``)::

    p_lose = 0                                        R = 0 (closed autocracy)
    p_lose = min(1, p_E1 f^(-w_c) (1 + w_L L))        R = 1 (electoral autocracy)
    p_lose = min(1, p_E2 f^(-w_c) (1 + w_L L))        R = 2, 3 (democracy)

with ``p_E1`` = 8 of 51 and ``p_E2`` = 21 of 54 (incumbents who sought re-election while
eroding democracy, 1995-2024: Jacob's data). A lame duck (``L``) stands a successor, not
himself: Hale (2005) finds such votes the most dangerous for patronal regimes. A loss
hands power to the opposition (``opposition_led``) where the ruling group held it;
a vote the ruling group wins changes nothing here (a disputed count is the
``disputed_election`` event, which acts on the public).

References
----------
Hyde, S. & Marinov, N. (2012). Which elections can be lost? Political Analysis 20(2).
Hale, H. (2005). Regime cycles. World Politics 58(1), 133-165.
Knutsen, C. H., Nygard, H. M. & Wig, T. (2017). Autocratic elections: stabilizing tool
or force for change? World Politics 69(1), 98-143.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms import regime
from sim.model.mechanisms.succession import SETTLED, TRANSITION
from sim.model.params import Parameters
from sim.model.state import HOLDER, holder_in
from sim.regions.evidence import RegimeEvidence


def loss_probability(evidence: RegimeEvidence, params: Parameters) -> float | np.ndarray:
    """Chance that the ruling group loses a vote (see the module docstring).

    Examples
    --------
    >>> loss_probability(RegimeEvidence(vdem_regime=0), Parameters({}))
    0.0
    >>> float(loss_probability(RegimeEvidence(vdem_regime=2), Parameters({})))
    0.39
    """
    if evidence.vdem_regime == 0:
        return 0.0
    base = params.election_loss_autocracy if evidence.vdem_regime == 1 else (
        params.election_loss_democracy)
    return np.minimum(1.0, base * regime.split_scale(evidence, params))


def apply(holder: np.ndarray, loses: np.ndarray, reviewed: bool = False) -> np.ndarray:
    """Holder after the count: the opposition where the ruling group held power and lost.

    Where a body of the ruling group may rule the vote illegitimate (``reviewed``: the
    region's ``election_review``, Belarus's All-Belarusian People's Assembly), a lost
    vote opens a contest instead (``contested``): whether the winner takes office is
    then decided as any split is, by the street and the security bloc (6.2). A vote lost
    during an open contest hands power over either way.

    Examples
    --------
    >>> h = np.array([HOLDER["incumbent"], HOLDER["patron_controlled"]])
    >>> [int(x) for x in apply(h, np.array([True, True]))] == [
    ...     HOLDER["opposition_led"], HOLDER["patron_controlled"]]
    True
    >>> int(apply(h[:1], np.array([True]), reviewed=True)[0]) == HOLDER["contested"]
    True
    """
    in_power = holder_in(holder, np.concatenate([SETTLED, TRANSITION]))
    contested = holder == HOLDER["contested"]
    lost = np.where(in_power & loses,
                    HOLDER["contested"] if reviewed else HOLDER["opposition_led"], holder)
    return np.where(contested & loses, HOLDER["opposition_led"], lost).astype(np.int8)
