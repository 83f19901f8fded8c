"""How much of a drawn-parameter run's spread is the parameters' and how much the dice.

In a run whose members draw their parameters (the default posterior, or ``UNCERTAIN=1``),
member ``k``'s outcome ``Y_k`` (1 if the focal state ends in outcome ``o``) varies for
two reasons: its parameters ``theta_k`` and its random numbers. By the law of total
variance::

    Var(Y) = Var_theta(p(theta)) + E_theta[p(theta) (1 - p(theta))]
             (parameters)           (Monte Carlo: the dice, given the parameters)

with ``p(theta)`` the chance of ``o`` at fixed parameters. ``p`` is estimated from the
run itself by a logistic regression of ``Y_k`` on the member's parameters (on their
observed ranges, with squares; ridge ``C`` = 1), as the calibration's emulators do. The
split says how far better knowledge of the parameters could sharpen the answer: the
**parameter interval** (the 5-95% range of ``p(theta_k)`` across the members) is where
the probability would lie if the parameters were known, and the parameter share of
the variance is the part more data could remove.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.linear_model import LogisticRegression

from sim.analyses.inference.emulator import RIDGE_C, features


def _unit(design: Mapping[str, np.ndarray]) -> np.ndarray:
    columns = []
    for values in design.values():
        values = np.asarray(values, dtype=float)
        low, high = values.min(), values.max()
        columns.append((values - low) / (high - low) if high > low else np.zeros_like(values))
    return np.column_stack(columns)


def outcome_split(design: Mapping[str, np.ndarray], hits: np.ndarray) -> dict[str, float]:
    """The split for one outcome: mean, parameter interval and variance shares.

    Parameters
    ----------
    design : mapping of str to numpy.ndarray
        Each drawn parameter's value per member, shape (M,).
    hits : numpy.ndarray of bool, shape (M,)
        Whether each member ends in the outcome.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.random(4000)
    >>> split = outcome_split({"a": x}, rng.random(4000) < x)   # p(theta) = theta
    >>> 0.25 < split["parameter_share"] < 0.45, 0.02 < split["parameter_p05"] < 0.12
    (True, True)
    """
    hits = np.asarray(hits, dtype=bool)
    mean = float(hits.mean())
    if not design or hits.all() or not hits.any():
        return {"probability": mean, "parameter_p05": mean, "parameter_p95": mean,
                "parameter_share": 0.0, "monte_carlo_share": 1.0 if 0 < mean < 1 else 0.0}
    x = features(_unit(design))
    model = LogisticRegression(C=RIDGE_C, max_iter=2000).fit(x, hits)
    p = model.predict_proba(x)[:, 1]
    var_parameters = float(p.var())
    var_dice = float(np.mean(p * (1.0 - p)))
    total = var_parameters + var_dice
    return {"probability": mean, "parameter_p05": float(np.quantile(p, 0.05)),
            "parameter_p95": float(np.quantile(p, 0.95)),
            "parameter_share": var_parameters / total if total > 0 else 0.0,
            "monte_carlo_share": var_dice / total if total > 0 else 0.0}


def run_split(design: Mapping[str, np.ndarray], outcome_per_member: np.ndarray,
              outcomes: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """:func:`outcome_split` for every outcome of the focal state."""
    return {o: outcome_split(design, outcome_per_member == o) for o in outcomes}
