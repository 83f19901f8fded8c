"""Historical backtests: run every episode, score the model against the null.

``python -m sim backtest [PATHS]`` (``make backtest``) runs each episode
(:mod:`sim.analyses.episodes`) as an ensemble, maps each member's holder at the horizon
to a class A/B/C, and scores the predicted class probabilities against what happened,
for the model and for the **null**:

* deaths: the literature's regime survival after a natural death, 89% (Kendall-Taylor &
  Frantz 2016: 87%; the Archigos recount: 91%), as B, the rest as C;
* handovers and protests: the leave-one-out class frequencies of the other episodes of
  the same trigger in the set (smoothed like the model, uniform if there are none).

Probabilities are smoothed before scoring so that a class no member reached does not
give an infinite log loss: ``p_k = (n_k + 1/2) / (M + 3/2)`` (Jeffreys, fixed before
any score was looked at). Scores (scikit-learn): multi-class Brier score, log loss,
Brier skill score against the null, ROC AUC and PR AUC for "regime changes" (C), each
with a 95% interval from resampling episodes (:data:`BOOTSTRAP` resamples). Writes
``results/backtest/``: ``episodes.csv``, ``scores.csv``, ``reliability.csv``,
``manifest.json`` and ``charts/``. With thirteen in-sample episodes the intervals are
wide; the scores describe the development set, not out-of-sample skill.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from sim.analyses.episodes import CLASS_OF_HOLDER, CLASSES, Episode, find_episodes, load_episode
from sim.engines.ensemble import run_ensemble
from sim.model.context import build_context
from sim.model.state import HOLDERS
from sim.outputs import tables as outputs
from sim.paths import PACKAGE_DIR, analysis_dir

EPISODES_DIR = PACKAGE_DIR / "episodes"
SMOOTHING = 0.5
#: Regime survival one year after a natural death (null for deaths).
DEATH_SURVIVAL = 0.89
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 11
RELIABILITY_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def smoothed(counts: np.ndarray) -> np.ndarray:
    """Class probabilities from counts, with the fixed Jeffreys smoothing.

    Examples
    --------
    >>> smoothed(np.array([0, 10, 0])).round(4).tolist()
    [0.0435, 0.913, 0.0435]
    """
    counts = np.asarray(counts, dtype=float)
    return (counts + SMOOTHING) / (counts.sum() + SMOOTHING * len(counts))


def predict(episode: Episode, members: int | None = None) -> np.ndarray:
    """Counts of members ending in each class A, B, C."""
    scenario = episode.scenario
    if members is not None:
        scenario = scenario.with_overrides(members=members)
    result = run_ensemble(build_context(scenario, episode.region), progress=False)
    classes = np.array([CLASS_OF_HOLDER[HOLDERS[h]] for h in result.holder[:, -1]])
    return np.array([(classes == c).sum() for c in CLASSES])


def null_probabilities(triggers: list[str], observed: list[str]) -> np.ndarray:
    """The null's class probabilities for every episode, shape (E, 3)."""
    out = np.zeros((len(triggers), len(CLASSES)))
    for i, trigger in enumerate(triggers):
        if trigger == "death":
            out[i] = (0.0, DEATH_SURVIVAL, 1.0 - DEATH_SURVIVAL)
            continue
        others = [observed[j] for j in range(len(triggers))
                  if j != i and triggers[j] == trigger]
        out[i] = smoothed(np.array([others.count(c) for c in CLASSES]))
    return out


def scores(probabilities: np.ndarray, observed: list[str]) -> dict[str, float]:
    """Brier (multi-class), log loss, and ROC/PR AUC for class C of one forecast set."""
    y = np.array(observed)
    out = {"brier": float(brier_score_loss(y, probabilities, labels=list(CLASSES))),
           "log_loss": float(log_loss(y, probabilities, labels=list(CLASSES)))}
    is_c, p_c = (y == "C").astype(int), probabilities[:, CLASSES.index("C")]
    both = 0 < is_c.sum() < len(is_c)
    out["roc_auc_c"] = float(roc_auc_score(is_c, p_c)) if both else float("nan")
    out["pr_auc_c"] = float(average_precision_score(is_c, p_c)) if both else float("nan")
    return out


def _percentile(values, q: float) -> float:
    """Percentile of the finite values, NaN if there are none (an undefined score)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(np.percentile(finite, q)) if finite.size else float("nan")


def score_table(model: np.ndarray, null: np.ndarray, observed: list[str]) -> pd.DataFrame:
    """Scores of the model and the null with bootstrap 95% intervals, and the skill."""
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
    bss = 1.0 - point_m["brier"] / point_n["brier"]
    rows.append({"metric": "brier_skill_vs_null", "model": bss, "null": 0.0,
                 "model_ci_low": _percentile(skill, 2.5),
                 "model_ci_high": _percentile(skill, 97.5),
                 "null_ci_low": 0.0, "null_ci_high": 0.0})
    return pd.DataFrame(rows)


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


def backtest(paths: list[Path] | None = None, members: int | None = None,
             charts: bool = True) -> Path:
    """Run the episodes and write ``results/backtest/``; return that folder."""
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    episodes = [load_episode(p) for p in find_episodes(paths or [EPISODES_DIR])]
    rows, model = [], []
    for episode in episodes:
        counts = predict(episode, members)
        probs = smoothed(counts)
        model.append(probs)
        rows.append({"episode": episode.spec.name, "title": episode.spec.title,
                     "trigger": episode.spec.trigger, "observed": episode.spec.observed,
                     "crowd_share": episode.crowd_share, "members": int(counts.sum()),
                     **{f"n_{c}": int(n) for c, n in zip(CLASSES, counts, strict=True)},
                     **{f"p_{c}": float(p) for c, p in zip(CLASSES, probs, strict=True)}})
    frame = pd.DataFrame(rows)
    observed = frame["observed"].tolist()
    null = null_probabilities(frame["trigger"].tolist(), observed)
    for k, c in enumerate(CLASSES):
        frame[f"null_{c}"] = null[:, k]
    model_arr = np.array(model)
    table = score_table(model_arr, null, observed)
    target = analysis_dir("backtest")
    with outputs.atomic_directory(target) as out:
        outputs.write_csv(frame, out / "episodes.csv")
        outputs.write_csv(table, out / "scores.csv")
        outputs.write_csv(reliability(model_arr, observed), out / "reliability.csv")
        if charts:
            from sim.outputs.charts.backtest_charts import write_backtest_charts

            write_backtest_charts(out / "charts", frame, reliability(model_arr, observed))
        outputs.write_json({
            "episodes": [str(e.folder) for e in episodes], "members": members,
            "class_of_holder": CLASS_OF_HOLDER, "smoothing": SMOOTHING,
            "death_survival_null": DEATH_SURVIVAL, "bootstrap": BOOTSTRAP,
            "started_utc": started.isoformat(timespec="seconds"),
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "note": "development set, in-sample: the episodes were used to build the model",
        }, out / "manifest.json")
    return target
