"""How much of a drawn-parameter run's spread is the parameters' and how much the dice.

In a run whose members draw their parameters (the default posterior, or ``UNCERTAIN=1``),
member ``k``'s outcome ``Y_k`` (1 if the focal state ends in outcome ``o``) varies for
two reasons: its parameters ``theta_k`` and its random numbers. By the law of total
variance::

    Var(Y) = Var_theta(p(theta)) + E_theta[p(theta) (1 - p(theta))]
             (parameters)           (Monte Carlo: the dice, given the parameters)

with ``p(theta)`` the chance of ``o`` at fixed parameters. ``p`` is estimated from the
run itself by a logistic regression of ``Y_k`` on the member's parameters (on their
observed ranges, with squares; ridge ``C`` = 1), the calibration emulators' model,
fitted here by Newton's method in numpy (:func:`ridge_logistic`: the same objective as
scikit-learn's ``LogisticRegression``, whose import alone cost a run about a second). The
split says how far better knowledge of the parameters could sharpen the answer: the
**parameter interval** (the 5-95% range of ``p(theta_k)`` across the members) is where
the probability would lie if the parameters were known, and the parameter share of
the variance is the part more data could remove.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.analyses.inference.emulator import RIDGE_C, features

#: Newton steps of :func:`ridge_logistic` at most, and the step size that counts as done.
MAX_NEWTON_STEPS = 50
NEWTON_TOLERANCE = 1e-10


def ridge_logistic(x: np.ndarray, y: np.ndarray, c: float = RIDGE_C) -> np.ndarray:
    """Fitted probabilities of a logistic regression with a ridge penalty, by Newton's method.

    Minimises ``||w||^2 / 2 + c * sum_k logloss(y_k, sigmoid(b + x_k w))`` over the
    weights ``w`` and an unpenalised intercept ``b``: scikit-learn's
    ``LogisticRegression(C=c)`` objective. It is strictly convex, so Newton's method
    with the exact Hessian (features + 1 squared, small here) reaches the one minimum
    in a few steps.

    Parameters
    ----------
    x : numpy.ndarray, shape (M, F)
    y : numpy.ndarray of bool, shape (M,)
    c : float
        Inverse ridge strength.

    Returns
    -------
    numpy.ndarray, shape (M,)
        The fitted probability of each row.

    Examples
    --------
    >>> x = np.array([[0.0], [0.0], [1.0], [1.0]])
    >>> ridge_logistic(x, np.array([0, 1, 1, 1]), c=1e9).round(3).tolist()   # no ridge
    [0.5, 0.5, 1.0, 1.0]
    """
    design = np.hstack([np.ones((x.shape[0], 1)), x])
    target = np.asarray(y, dtype=float)
    penalty = np.eye(design.shape[1]) / c
    penalty[0, 0] = 0.0                     # the intercept is not penalised
    w = np.zeros(design.shape[1])
    for _ in range(MAX_NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (p - target) + penalty @ w
        hessian = (design * (p * (1.0 - p))[:, None]).T @ design + penalty
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        w -= step
        if np.max(np.abs(step)) < NEWTON_TOLERANCE:
            break
    return 1.0 / (1.0 + np.exp(-(design @ w)))


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
    p = ridge_logistic(x, hits)
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
