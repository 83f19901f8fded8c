"""Cross-validation by country, the model's own predictive runs, and the logit benchmark.

**Folds, fixed in advance.** Episodes are grouped by country (the name before the
year: ``kyrgyzstan_2005`` and ``kyrgyzstan_2020`` share data and a fold); the countries,
sorted by name, go to :data:`FOLDS` folds in turn. In each fold the posterior is
recomputed from the other folds' episodes (and the literature targets, less those that
are stylised versions of a held-out episode), and the held-out episodes are forecast.

**The scored probabilities are the model's own**: each held-out episode is run with
``members`` members whose parameters are drawn from the fold's posterior (systematic
resampling of its weights), and its class frequencies, with the backtest's Jeffreys
smoothing, are the forecast. No blending with the null, no floor beyond that smoothing,
no recalibration.

**The benchmark** is a multinomial logit on the same pre-trigger inputs (the trigger
kind, and the evidence the model reads: cohesion, lame duck, linkage, capacity and the
regime class), fitted within the same folds (scikit-learn, ridge ``C`` = 1 on
standardised inputs). If the agent-based model cannot beat it, the report says so.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sim.analyses import scoring
from sim.analyses.episodes import CLASS_OF_HOLDER, CLASSES, Episode
from sim.engines.ensemble import run_ensemble
from sim.engines.executors import plan_local
from sim.model.context import build_context
from sim.model.state import HOLDERS

#: Number of country-grouped folds.
FOLDS = 5
TRIGGERS = ("death", "handover", "protest", "election", "coup")


def country(name: str) -> str:
    """The country part of an episode name.

    Examples
    --------
    >>> country("burkina_faso_2014"), country("ukraine_2004")
    ('burkina_faso', 'ukraine')
    """
    return name.rsplit("_", 1)[0]


def folds(names: list[str], k: int = FOLDS) -> np.ndarray:
    """Fold index of every episode: countries sorted by name, dealt to ``k`` folds."""
    countries = sorted({country(n) for n in names})
    fold_of = {c: i % k for i, c in enumerate(countries)}
    return np.array([fold_of[country(n)] for n in names])


def predictive(episode: Episode, names: tuple[str, ...], draws: np.ndarray) -> np.ndarray:
    """The model's class probabilities for ``episode`` with one parameter draw per member.

    ``draws`` has shape (members, len(names)); member ``k`` runs with draw ``k`` and the
    random numbers of member ``k`` (so two sets of draws share their dice).
    """
    members = len(draws)
    ctx = build_context(episode.scenario.with_overrides(members=members), episode.region)
    design = {n: draws[:, j].astype(np.float64) for j, n in enumerate(names)}
    rows = np.arange(members)
    result = run_ensemble(ctx.with_design(design, members), members=rows, progress=False,
                          executor=plan_local(members, episode.region.n))
    classes = np.array([CLASS_OF_HOLDER[HOLDERS[h]] for h in result.holder[:, -1]])
    return scoring.smoothed(np.array([(classes == c).sum() for c in CLASSES]))


def fold_null(triggers: list[str], observed: list[str], fold_of: np.ndarray) -> np.ndarray:
    """The pooled null out of fold: each kind's class frequencies in the other folds."""
    out = np.zeros((len(triggers), len(CLASSES)))
    for i, trigger in enumerate(triggers):
        train = [observed[j] for j in range(len(triggers))
                 if fold_of[j] != fold_of[i] and triggers[j] == trigger]
        out[i] = scoring.smoothed(np.array([train.count(c) for c in CLASSES]))
    return out


def logit_features(episodes: list[Episode]) -> np.ndarray:
    """Pre-trigger inputs per episode: trigger kind (one-hot) and the evidence read."""
    rows = []
    for e in episodes:
        ev = e.region.evidence
        kind = [float(e.spec.trigger == t) for t in TRIGGERS]
        rows.append(kind + [ev.cohesion, ev.lame_duck, ev.linkage, ev.capacity,
                            float(ev.vdem_regime)])
    return np.array(rows)


def logit_cv(features: np.ndarray, observed: list[str], fold_of: np.ndarray) -> np.ndarray:
    """Cross-validated class probabilities of the multinomial-logit benchmark."""
    y = np.array([CLASSES.index(c) for c in observed])
    out = np.zeros((len(y), len(CLASSES)))
    for f in np.unique(fold_of):
        train, test = fold_of != f, fold_of == f
        scaler = StandardScaler().fit(features[train])
        model = LogisticRegression(C=1.0, max_iter=5000)
        model.fit(scaler.transform(features[train]), y[train])
        p = np.zeros((test.sum(), len(CLASSES)))
        p[:, model.classes_] = model.predict_proba(scaler.transform(features[test]))
        floor = 0.5 / (train.sum() + 1.5)  # a class unseen in training: Jeffreys floor
        p = np.maximum(p, floor)
        out[test] = p / p.sum(axis=1, keepdims=True)
    return out
