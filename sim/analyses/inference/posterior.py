"""The posterior: history matching to the literature, the episodes' likelihood, weights.

Bayes by importance sampling from the prior (Smith & Gelfand 1992): ``N`` draws from
the uniform prior over the plausible ranges, each weighted by

* the **likelihood of the episodes' observed classes**: ``prod_e p_e(class_e | theta)``,
  each ``p_e`` the episode's emulated class probability (``emulator.py``), only what was
  known at the trigger (the main scenario of every episode);
* times a **history-matching constraint** from the literature targets of both shipped
  regions (Craig et al. 1997; Vernon et al. 2010): a draw is kept only where every
  target's implausibility ``I_t = d_t / delta`` is at most 3, with ``d_t`` how far the
  emulated value lies outside the target's band and ``delta`` = :data:`DISCREPANCY`
  the stated discrepancy. The bands already carry the literature's uncertainty (they
  are wide: the recount behind targets 1-3 has 21 cases); ``delta`` only absorbs the
  emulators' error, so a kept draw meets every band to within ``3 delta`` = 0.015;
* times the **probability that the draw meets every band** (:func:`band_log_probability`):
  with ``delta`` read as the standard deviation of the emulator's error, a draw whose
  emulated value ``mu_t`` lies at a band's edge meets it with probability 1/2, one
  ``delta`` outside with 0.16, so ``prod_t [Phi((high_t - mu_t) / delta) - Phi((low_t -
  mu_t) / delta)]``. The cut-off alone kept a draw up to ``3 delta`` outside a band at
  full weight, though by the stated meaning of ``delta`` its value then lies outside
  with probability 0.999; where the episodes' likelihood leans against a band's edge,
  a third of the posterior lay beyond it (docs/model.md 9.1). The cut-off stays: it
  defines the regions the later waves sample (``waves.py``).

The effective sample size ``(sum w)^2 / sum w^2`` says how many independent draws the
weighted set is worth. Contraction is ``1 - sd_posterior / sd_prior`` per parameter
(0: the data taught nothing; 1: pinned down).

References
----------
Smith, A. F. M. & Gelfand, A. E. (1992). Bayesian statistics without tears. The
American Statistician 46(2), 84-88.
Craig, P. S., Goldstein, M., Seheult, A. H. & Smith, J. A. (1997). Pressure matching for
hydrocarbon reservoirs. Case Studies in Bayesian Statistics III, 37-93.
Vernon, I., Goldstein, M. & Bower, R. G. (2010). Galaxy formation: a Bayesian
uncertainty analysis. Bayesian Analysis 5(4), 619-669.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr

from sim.analyses import calibration as literature
from sim.engines.stats import wilson_interval

#: Discrepancy of the literature targets, on the probability scale: the emulators' error,
#: the bands' own width being the literature's uncertainty. A first full run used 0.02
#: and left most draws outside several bands (docs/model.md 9.1).
DISCREPANCY = 0.005
#: Largest implausibility kept (Pukelsheim's three-sigma rule).
MAX_IMPLAUSIBILITY = 3.0
#: The literature targets the constraint uses, by name in ``calibration.TARGETS``.
CONSTRAINED = ("natural_continuity", "natural_split_share", "failure_rival_share",
               "wave_2020_loyal", "wave_2004_wavering")
#: Targets that are stylised versions of development episodes (dropped in folds that
#: hold out those episodes; the calibration issue names them).
TARGET_EPISODES = {"wave_2020_loyal": ("belarus_2020",),
                   "wave_2004_wavering": ("ukraine_2004", "georgia_2003", "kyrgyzstan_2005")}


def band(name: str) -> tuple[float, float]:
    """The literature band of a target (``calibration.TARGETS``)."""
    target = next(t for t in literature.TARGETS if t.name == name)
    return target.low, target.high


def implausibility(values: np.ndarray, name: str,
                   discrepancy: float = DISCREPANCY) -> np.ndarray:
    """``I_t``: distance outside the band over the discrepancy (0 inside it)."""
    low, high = band(name)
    distance = np.maximum(low - values, 0.0) + np.maximum(values - high, 0.0)
    return distance / discrepancy


def band_log_probability(targets_by_region: dict[str, dict[str, np.ndarray]],
                         dropped: tuple[str, ...] = (),
                         discrepancy: float = DISCREPANCY) -> np.ndarray:
    """Log-probability that each draw meets every band in use, in every region.

    The emulated value ``mu`` of a target is read as the model's value up to a normal
    error of standard deviation ``discrepancy``, so the draw meets the band ``[low,
    high]`` with probability ``Phi((high - mu) / delta) - Phi((low - mu) / delta)``;
    the targets and regions multiply (the emulators' errors taken as independent). A
    band's edge at 0 or 1 (a one-sided target) constrains nothing.

    Examples
    --------
    >>> low, high = band("natural_split_share")
    >>> p = np.exp(band_log_probability({"r": {"natural_continuity": np.array([0.85, 0.85]),
    ...     "natural_split_share": np.array([0.10, high]),
    ...     "failure_rival_share": np.array([0.9, 0.9]), "wave_2020_loyal": np.array([0.0, 0.0]),
    ...     "wave_2004_wavering": np.array([0.5, 0.5])}}))
    >>> [round(float(x), 3) for x in p]
    [1.0, 0.5]
    """
    total = None
    for values in targets_by_region.values():
        for name in CONSTRAINED:
            if name in dropped:
                continue
            low, high = band(name)
            mu = np.asarray(values[name], dtype=float)
            # An edge at 0 or 1 is the end of the probability scale, not a constraint: a
            # one-sided target (at most 10%, at least 30%) has only its other edge.
            a = (low - mu) / discrepancy if low > 0.0 else np.full_like(mu, -np.inf)
            b = (high - mu) / discrepancy if high < 1.0 else np.full_like(mu, np.inf)
            term = _log_normal_interval(a, b)
            total = term if total is None else total + term
    if total is None:
        raise ValueError("every target dropped: nothing to match")
    return total


def _log_normal_interval(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log(Phi(b) - Phi(a))`` for ``a < b``, accurate in both tails.

    Above the interval's middle the lower tail's form ``log Phi(b) + log(1 - Phi(a) /
    Phi(b))`` loses nothing; below it the mirror ``Phi(-a) - Phi(-b)`` is used, so a value
    many ``delta`` below a band keeps a finite, ordered log-probability.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        high_side = log_ndtr(b) + np.log1p(-np.exp(np.minimum(log_ndtr(a) - log_ndtr(b), 0.0)))
        low_side = log_ndtr(-a) + np.log1p(-np.exp(np.minimum(log_ndtr(-b) - log_ndtr(-a),
                                                               0.0)))
        return np.where(a + b < 0.0, high_side, low_side)   # (-inf, inf): low_side, 0


def ess(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights.

    Examples
    --------
    >>> ess(np.ones(10)), ess(np.array([1.0, 0.0, 0.0]))
    (10.0, 1.0)
    """
    total = weights.sum()
    return float(total ** 2 / np.square(weights).sum()) if total > 0 else 0.0


def importance_weights(log_likelihood: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Normalised weights of prior draws: ``exp(log L)`` where kept, 0 elsewhere.

    Raises
    ------
    ValueError
        When no draw is kept (every one fails the constraint).
    """
    if not kept.any():
        raise ValueError("no prior draw meets every history-matching constraint")
    log_w = np.where(kept, log_likelihood, -np.inf)
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (inverse of the weighted CDF)."""
    order = np.argsort(values)
    cdf = np.cumsum(weights[order])
    return float(values[order][min(np.searchsorted(cdf, q * cdf[-1]), len(values) - 1)])


def systematic_resample(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` indices drawn in proportion to ``weights`` (systematic resampling)."""
    positions = (np.random.default_rng(seed).random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)


@dataclass(frozen=True)
class Posterior:
    """Weighted prior draws and what they say."""

    draws: np.ndarray          # (N, d) parameter values
    weights: np.ndarray        # (N,), sum 1
    kept: np.ndarray           # (N,) bool: met every constraint
    names: tuple[str, ...]

    @property
    def effective_size(self) -> float:
        """Kish's effective sample size of the weights."""
        return ess(self.weights)

    def interval(self, j: int, level: float = 0.9) -> tuple[float, float]:
        """The central ``level`` interval of parameter ``j`` under the weights."""
        tail = (1.0 - level) / 2.0
        return (weighted_quantile(self.draws[:, j], self.weights, tail),
                weighted_quantile(self.draws[:, j], self.weights, 1.0 - tail))

    def contraction(self, prior_bounds: np.ndarray) -> np.ndarray:
        """``1 - sd_post / sd_prior`` per parameter (uniform prior on ``prior_bounds``)."""
        mean = self.weights @ self.draws
        sd_post = np.sqrt(self.weights @ np.square(self.draws - mean))
        sd_prior = (prior_bounds[:, 1] - prior_bounds[:, 0]) / np.sqrt(12.0)
        return 1.0 - sd_post / sd_prior


def target_values(emulated: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The five constrained targets from the emulated per-region outcome probabilities.

    ``emulated`` maps ``natural_continuing``, ``natural_split``, ``natural_failed_rival``,
    ``violent_continuing``, ``violent_failed_rival``, ``wave_2020_opposition`` and
    ``wave_2004_opposition`` to probabilities per draw.
    """
    failed = (1.0 - emulated["natural_continuing"]) + (1.0 - emulated["violent_continuing"])
    rival = emulated["natural_failed_rival"] + emulated["violent_failed_rival"]
    return {"natural_continuity": emulated["natural_continuing"],
            "natural_split_share": emulated["natural_split"],
            "failure_rival_share": rival / np.maximum(failed, 1e-9),
            "wave_2020_loyal": emulated["wave_2020_opposition"],
            "wave_2004_wavering": emulated["wave_2004_opposition"]}


def constraint(targets_by_region: dict[str, dict[str, np.ndarray]],
               dropped: tuple[str, ...] = (),
               discrepancy: float = DISCREPANCY) -> tuple[np.ndarray, np.ndarray]:
    """Which draws meet every target in every region, and the largest implausibility."""
    worst = None
    for values in targets_by_region.values():
        for name in CONSTRAINED:
            if name in dropped:
                continue
            i = implausibility(values[name], name, discrepancy)
            worst = i if worst is None else np.maximum(worst, i)
    return worst <= MAX_IMPLAUSIBILITY, worst


def simulated_targets(labels: dict[str, np.ndarray]) -> dict[str, tuple[float, float, float]]:
    """The constrained targets from simulated members, each with a Wilson 95% interval.

    ``labels`` holds per-member outcomes of one region's literature cases
    (``design.target_labels``), one posterior draw per member: this is the posterior
    predictive itself, with no emulator in between. Returns ``{target: (value, low,
    high)}``; the failure-mode share counts the members of both death cases that failed.
    """
    members = len(labels["natural_continuing"])
    failed = int((~labels["natural_continuing"]).sum() + (~labels["violent_continuing"]).sum())
    rival = int(labels["natural_failed_rival"].sum() + labels["violent_failed_rival"].sum())
    counts = {"natural_continuity": (int(labels["natural_continuing"].sum()), members),
              "natural_split_share": (int(labels["natural_split"].sum()), members),
              "failure_rival_share": (rival, failed),
              "wave_2020_loyal": (int(labels["wave_2020_opposition"].sum()), members),
              "wave_2004_wavering": (int(labels["wave_2004_opposition"].sum()), members)}
    return {name: (hits / trials if trials else float("nan"), *wilson_interval(hits, trials))
            for name, (hits, trials) in counts.items()}
