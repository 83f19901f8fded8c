"""Watching the news: condition a run's ensemble on a scenario's dated observations.

Every member gets a weight, the product of the likelihoods of the observations under
its trajectory (importance weighting of the ensemble as run; the members and their
random numbers are unchanged, so the same inputs give the same bytes):

* a **fact** (``leader_in_office``, ``no_mass_protest``, ``patron_move``) has likelihood
  ``1 - error`` in a member where it holds and ``error`` where it does not; with the
  default ``error: 0`` it is 0/1 and the members that contradict it drop out;
* a **crowd estimate** ``share`` with ``log_error`` sigma has the lognormal likelihood
  ``exp(-(ln share - ln u)^2 / (2 sigma^2))`` of the member's protest share ``u`` at that
  week (the density's factor ``1 / (sigma share sqrt(2 pi))`` is the same for every
  member and cancels when the weights are normalised).

The effective number of members is Kish's ``ESS = (sum w)^2 / sum w^2``. Below
:func:`ess_threshold` (``max(50, 5% of members)``) the run is refused: the observations
are so unlikely under the model that the answer would rest on a handful of members.

Conditioned probabilities are ``sum w 1[outcome] / sum w`` with a 95% Wilson interval
that uses the ESS as the number of trials (Kish's rule for weighted proportions). With
equal weights this is exactly the unconditioned Wilson interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analyses.observables import Observables
from sim.engines.stats import wilson_proportion
from sim.errors import UserError
from sim.model.context import Context
from sim.model.events import MASS_PROTEST_SHARE
from sim.model.observations import (
    Crowd,
    LeaderInOffice,
    NoMassProtest,
    PatronMoveSeen,
    describe,
)
from sim.model.state import HOLDER

#: The fewest effective members a conditioned answer may rest on.
MIN_ESS = 50
#: The smallest share of the ensemble the effective members may be: below it the
#: observations sit in the far tail of the model's ensemble.
MIN_ESS_SHARE = 0.05
#: Floor of a member's protest share in the crowd likelihood (share of the public): the
#: model's shares are positive, but the log must never see 0.
_SHARE_FLOOR = 1e-9
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Conditioning:
    """The weights of a conditioned run and what each observation contributed.

    Attributes
    ----------
    weights : numpy.ndarray, shape (M,)
        Member weights, the largest scaled to 1 (all 0 if no member fits).
    ess : float
        Kish's effective number of members.
    rows : list of dict
        One per observation: ``observation`` (its words), ``type``, ``week``, and
        ``consistent_share``, the mean likelihood of that observation alone across
        members (for a fact without error, the share of members where it holds).
    """

    weights: np.ndarray
    ess: float
    rows: list[dict]


def ess_threshold(members: int) -> float:
    """Fewest effective members a conditioned run may keep: max(50, 5% of ``members``).

    Examples
    --------
    >>> ess_threshold(1000), ess_threshold(20000)
    (50, 1000.0)
    """
    return max(MIN_ESS, MIN_ESS_SHARE * members)


def kish_ess(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` (0 when every weight is 0).

    Examples
    --------
    >>> kish_ess(np.ones(10)), kish_ess(np.array([1.0, 0.0, 0.0]))
    (10.0, 1.0)
    """
    total = float(np.sum(weights))
    square = float(np.sum(np.square(weights)))
    return total * total / square if square > 0 else 0.0


def weeks_needed(observations) -> set[int]:
    """Weeks at which the recorder must keep quantities for these observations."""
    return {o.week for o in observations}


def log_likelihood(observation, data: Observables, ctx: Context) -> np.ndarray:
    """Log-likelihood of one observation in every member, shape (M,).

    Parameters
    ----------
    observation : one of the models of :mod:`sim.model.observations`
    data : Observables
        Recorded at (at least) the observation's week.
    ctx : Context
        Gives the focal state, the actors' and patrons' indices.
    """
    week, focal = observation.week, ctx.roles.focal
    if isinstance(observation, Crowd):
        actor = focal if observation.actor is None else ctx.region.index(observation.actor)
        share = np.maximum(data.unrest[(week, actor)], _SHARE_FLOOR)
        z = (math.log(observation.share) - np.log(share)) / observation.log_error
        return -0.5 * z * z
    if isinstance(observation, LeaderInOffice):
        holds = (data.holder[:, week] == HOLDER["incumbent"]) == observation.value
    elif isinstance(observation, NoMassProtest):
        holds = data.unrest_max[(week, focal)] < MASS_PROTEST_SHARE
    elif isinstance(observation, PatronMoveSeen):
        patrons = ctx.region.roles.patrons
        index = 0 if observation.patron is None else patrons.index(observation.patron)
        holds = data.patron_moved(week, index) == observation.value
    else:  # pragma: no cover - the schema admits no other type
        raise TypeError(f"unknown observation {observation!r}")
    with np.errstate(divide="ignore"):  # log(0) = -inf: a contradicted certain fact
        return np.where(holds, math.log1p(-observation.error), math.log(observation.error)
                        if observation.error > 0 else -np.inf)


def condition(observations, data: Observables, ctx: Context) -> Conditioning:
    """Weights, ESS and per-observation diagnostics (no refusal here; see :func:`check`)."""
    members = data.holder.shape[0]
    total = np.zeros(members)
    rows = []
    for seen in observations:
        log_l = log_likelihood(seen, data, ctx)
        total = total + log_l
        rows.append({"observation": describe(seen), "type": seen.type, "week": seen.week,
                     "consistent_share": float(np.mean(np.exp(log_l)))})
    top = total.max() if members else -np.inf
    if not np.isfinite(top):  # every member contradicts a certain fact
        weights = np.zeros(members)
    else:
        weights = np.exp(total - top)  # the largest weight is 1: no underflow of all
    return Conditioning(weights=weights, ess=kish_ess(weights), rows=rows)


def check(conditioning: Conditioning, members: int, origin: str) -> None:
    """Refuse a conditioned run whose ESS is below :func:`ess_threshold`.

    Raises
    ------
    UserError
        Naming the scenario file and ``observations``, with the ESS, the threshold and
        how many members agree with each observation alone.
    """
    need = ess_threshold(members)
    if conditioning.ess >= need:
        return
    alone = "; ".join(f"{r['observation']}: {100 * r['consistent_share']:.1f}% of members"
                      for r in conditioning.rows)
    if conditioning.ess == 0:
        lead = f"no member of {members} is consistent with every observation together"
    else:
        lead = (f"the observations leave an effective {conditioning.ess:.1f} of {members} "
                f"members, below the {need:g} needed (max({MIN_ESS}, "
                f"{100 * MIN_ESS_SHARE:g}% of members))")
    raise UserError(origin, "observations",
                    f"{lead}; the model finds what was observed too unlikely to update on "
                    f"(each alone: {alone}). Check the observations, give a reported fact "
                    "an error rate, or run more members (--members)")


def weighted_wilson(p: float, n: float, z: float = _Z95) -> tuple[float, float]:
    """Wilson interval of a proportion ``p`` on ``n`` (possibly fractional) trials.

    :func:`sim.engines.stats.wilson_proportion`, the arithmetic of
    :func:`~sim.engines.stats.wilson_interval`, so equal weights (``n`` = members)
    reproduce the unconditioned interval exactly.

    Examples
    --------
    >>> [round(x, 4) for x in weighted_wilson(0.0, 10.0)]
    [0.0, 0.2775]
    """
    return wilson_proportion(p, n, z)


def conditioned_frame(hits: dict[tuple[str, str], np.ndarray], unconditioned: pd.DataFrame,
                      conditioning: Conditioning) -> pd.DataFrame:
    """``outcomes_conditioned.csv``: weighted outcomes beside the unconditioned ones.

    Parameters
    ----------
    hits : dict
        ``(actor, outcome) ->`` per-member booleans, shape (M,), in the row order of
        ``unconditioned`` (``outcomes.csv``).
    unconditioned : pandas.DataFrame
        The run's ``outcomes.csv`` frame.
    conditioning : Conditioning

    Returns
    -------
    pandas.DataFrame
        actor, outcome, probability, ci_low, ci_high (conditioned), then
        probability_unconditioned, ci_low_unconditioned, ci_high_unconditioned, shift
        (conditioned - unconditioned, probability points), effective_members, members.
    """
    w = conditioning.weights
    total = float(w.sum())
    rows = []
    for r in unconditioned.itertuples():
        hit = hits[(r.actor, r.outcome)]
        p = float(w[hit].sum()) / total
        low, high = weighted_wilson(p, conditioning.ess)
        rows.append((r.actor, r.outcome, p, low, high, r.probability, r.ci_low, r.ci_high,
                     p - r.probability, conditioning.ess, r.members))
    return pd.DataFrame(rows, columns=[
        "actor", "outcome", "probability", "ci_low", "ci_high", "probability_unconditioned",
        "ci_low_unconditioned", "ci_high_unconditioned", "shift", "effective_members",
        "members"])


def observations_frame(conditioning: Conditioning) -> pd.DataFrame:
    """``observations.csv``: each observation and the share of members consistent with it."""
    return pd.DataFrame(conditioning.rows,
                        columns=["week", "type", "observation", "consistent_share"])
