"""Backtest scores: the nulls, proper scores with bootstrap intervals, and the verdict.

All choices here were fixed before the 53 episodes were scored:

* **Smoothing** of the model's member counts, so that a class no member reached does
  not give an infinite log loss: ``p_k = (n_k + 1/2) / (M + 3/2)`` (Jeffreys).
* **The null** (main): the class frequencies of the episode's trigger kind over the
  whole development set, pooled (the episode itself included; the leave-one-out null
  is anti-correlated with the outcome by construction). Two more references stand
  beside it: the **literature** null, which replaces the pooled frequencies of deaths by
  the literature's regime survival one year after a ruler's death,
  :data:`DEATH_SURVIVAL` as B and the rest as C (Kendall-Taylor & Frantz 2016: 87%; the
  Archigos recount: 91%), and the **old** null (leave-one-out frequencies of the same
  trigger kind, smoothed; deaths as the literature null).
* **Scores** (numpy, checked against scikit-learn): multi-class Brier score, log loss,
  ROC AUC and PR AUC for "the ruling group loses power" (C), and the Brier skill score
  ``1 - B_model / B_null``, each with a 95% interval from :data:`BOOTSTRAP` resamples of episodes.
* **Per trigger kind** only where a kind has at least :data:`MIN_KIND_EPISODES`
  episodes (fewer make the interval of the skill wider than its range).
* **The verdict** in words fixed by the interval of the Brier skill (:func:`verdict`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from sim.analyses.episodes import CLASSES

SMOOTHING = 0.5
#: Regime survival one year after a ruler's natural death (the literature null).
DEATH_SURVIVAL = 0.89
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 11
RELIABILITY_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
#: The fewest episodes of one trigger kind that get scores of their own.
MIN_KIND_EPISODES = 10
NULLS = ("pooled", "literature", "old")


def smoothed(counts: np.ndarray) -> np.ndarray:
    """Class probabilities from counts, with the fixed Jeffreys smoothing.

    Examples
    --------
    >>> smoothed(np.array([0, 10, 0])).round(4).tolist()
    [0.0435, 0.913, 0.0435]
    """
    counts = np.asarray(counts, dtype=float)
    return (counts + SMOOTHING) / (counts.sum() + SMOOTHING * counts.shape[-1])


def _frequencies(observed: list[str]) -> np.ndarray:
    return np.array([observed.count(c) for c in CLASSES], dtype=float) / len(observed)


def null_probabilities(triggers: list[str], observed: list[str],
                       kind: str = "pooled") -> np.ndarray:
    """A null's class probabilities for every episode, shape (E, 3).

    ``kind`` is ``pooled`` (the main null), ``literature`` (deaths from the literature)
    or ``old`` (leave-one-out, deaths from the literature).
    """
    if kind not in NULLS:
        raise ValueError(f"unknown null {kind!r}")
    out = np.zeros((len(triggers), len(CLASSES)))
    for i, trigger in enumerate(triggers):
        if trigger == "death" and kind != "pooled":
            out[i] = (0.0, DEATH_SURVIVAL, 1.0 - DEATH_SURVIVAL)
        elif kind == "old":
            others = [observed[j] for j in range(len(triggers))
                      if j != i and triggers[j] == trigger]
            out[i] = smoothed(np.array([others.count(c) for c in CLASSES]))
        else:
            out[i] = _frequencies([observed[j] for j in range(len(triggers))
                                   if triggers[j] == trigger])
    return out


def roc_auc(is_positive: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC by the Mann-Whitney statistic with average ranks for ties (as scikit-learn).

    NaN when every case or none is positive.
    """
    pos = is_positive.astype(bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(is_positive: np.ndarray, score: np.ndarray) -> float:
    """PR AUC as average precision (scikit-learn's step-wise definition, ties grouped)."""
    y = is_positive.astype(float)
    if y.sum() == 0 or y.sum() == len(y):
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    s, y = score[order], y[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]   # end of each run of equal scores
    tps = np.cumsum(y)[last]
    precision = tps / (last + 1.0)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def scores(probabilities: np.ndarray, observed: list[str]) -> dict[str, float]:
    """Brier (multi-class), log loss, and ROC/PR AUC for class C of one forecast set.

    The Brier score is the mean over episodes of the sum over classes of the squared
    error (scikit-learn's multi-class ``brier_score_loss``); the log loss is the mean
    negative natural log of the probability given to the observed class (clipped at
    1e-15). Written in numpy so that 2,000 bootstrap resamples of every table take
    seconds; ``tests/test_backtest.py`` checks them against scikit-learn.
    """
    y = np.array([CLASSES.index(o) for o in observed])
    p = np.asarray(probabilities, dtype=float)
    onehot = np.eye(len(CLASSES))[y]
    out = {"brier": float(((p - onehot) ** 2).sum(axis=1).mean()),
           "log_loss": float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-15, 1.0)).mean())}
    is_c, p_c = y == CLASSES.index("C"), p[:, CLASSES.index("C")]
    out["roc_auc_c"] = roc_auc(is_c, p_c)
    out["pr_auc_c"] = average_precision(is_c, p_c)
    return out


def _percentile(values, q: float) -> float:
    """Percentile of the finite values, NaN if there are none (an undefined score)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(np.percentile(finite, q)) if finite.size else float("nan")


def score_table(model: np.ndarray, null: np.ndarray, observed: list[str]) -> pd.DataFrame:
    """Scores of the model and a null with bootstrap 95% intervals, and the skill."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = len(observed)
    point_m, point_n = scores(model, observed), scores(null, observed)
    draws: dict[str, list[tuple[float, float]]] = {k: [] for k in point_m}
    skill: list[float] = []
    for _ in range(BOOTSTRAP):
        pick = rng.integers(0, n, n)
        obs = [observed[i] for i in pick]
        sm, sn = scores(model[pick], obs), scores(null[pick], obs)
        for k in draws:
            if np.isfinite(sm[k]) and np.isfinite(sn[k]):
                draws[k].append((sm[k], sn[k]))
        skill.append(1.0 - sm["brier"] / sn["brier"] if sn["brier"] > 0 else np.nan)
    rows = []
    for k in point_m:
        sample = np.array(draws[k]) if draws[k] else np.full((1, 2), np.nan)
        rows.append({"metric": k, "model": point_m[k], "null": point_n[k],
                     "model_ci_low": _percentile(sample[:, 0], 2.5),
                     "model_ci_high": _percentile(sample[:, 0], 97.5),
                     "null_ci_low": _percentile(sample[:, 1], 2.5),
                     "null_ci_high": _percentile(sample[:, 1], 97.5)})
    bss = 1.0 - point_m["brier"] / point_n["brier"] if point_n["brier"] > 0 else np.nan
    rows.append({"metric": "brier_skill_vs_null", "model": bss, "null": 0.0,
                 "model_ci_low": _percentile(skill, 2.5),
                 "model_ci_high": _percentile(skill, 97.5),
                 "null_ci_low": 0.0, "null_ci_high": 0.0})
    return pd.DataFrame(rows)


def verdict(skill_low: float, skill_high: float) -> str:
    """The verdict in fixed words from the 95% interval of the Brier skill.

    Examples
    --------
    >>> verdict(-0.5, -0.1), verdict(-0.2, 0.3), verdict(0.05, 0.4)
    ('worse than the null', 'not distinguishable from the null', 'better than the null')
    """
    if not (np.isfinite(skill_low) and np.isfinite(skill_high)):
        return "undefined (too few episodes)"
    if skill_high < 0:
        return "worse than the null"
    if skill_low > 0:
        return "better than the null"
    return "not distinguishable from the null"


def all_scores(frame: pd.DataFrame, forecasts: dict[str, np.ndarray]) -> pd.DataFrame:
    """Every score table: per forecast set x null x subset (all, each large kind).

    ``frame`` has ``trigger`` and ``observed`` (and optionally ``alternative``) per
    episode; ``forecasts`` maps a label (``main``, ``conditional``...) to (E, 3)
    probabilities. Returns the long table written to ``scores.csv``.
    """
    triggers, observed = frame["trigger"].tolist(), frame["observed"].tolist()
    kinds = [k for k in dict.fromkeys(triggers) if triggers.count(k) >= MIN_KIND_EPISODES]
    tables = []
    for label, probs in forecasts.items():
        for null_kind in NULLS:
            null = null_probabilities(triggers, observed, null_kind)
            for subset in ["all", *kinds]:
                pick = np.array([subset == "all" or t == subset for t in triggers])
                obs = [o for o, p in zip(observed, pick, strict=True) if p]
                table = score_table(probs[pick], null[pick], obs)
                table.insert(0, "episodes", int(pick.sum()))
                table.insert(0, "subset", subset)
                table.insert(0, "null_kind", null_kind)
                table.insert(0, "forecast", label)
                tables.append(table)
    return pd.DataFrame(pd.concat(tables, ignore_index=True))


def reliability(model: np.ndarray, observed: list[str]) -> pd.DataFrame:
    """Predicted P(C) in bins against the observed frequency of C."""
    p_c = model[:, CLASSES.index("C")]
    is_c = np.array([o == "C" for o in observed], dtype=float)
    bins = np.digitize(p_c, RELIABILITY_BINS[1:-1])
    rows = []
    for b in range(len(RELIABILITY_BINS) - 1):
        hit = bins == b
        rows.append({"bin_low": RELIABILITY_BINS[b], "bin_high": RELIABILITY_BINS[b + 1],
                     "episodes": int(hit.sum()),
                     "mean_predicted_c": float(p_c[hit].mean()) if hit.any() else np.nan,
                     "observed_c": float(is_c[hit].mean()) if hit.any() else np.nan})
    return pd.DataFrame(rows)


def episode_brier(probs: np.ndarray, observed: list[str]) -> np.ndarray:
    """Each episode's own multi-class Brier score (summed over classes, as scikit-learn)."""
    onehot = np.array([[o == c for c in CLASSES] for o in observed], dtype=float)
    return ((probs - onehot) ** 2).sum(axis=1)
