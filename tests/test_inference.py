"""Calibration as inference: the posterior code path recovers a known posterior
(simulation-based calibration), the folds and the out-of-fold null are honest, and the
pieces behave at their edges."""

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from sim.analyses.inference import crossval, posterior
from sim.analyses.inference.emulator import ClassEmulator, check

# --- a toy model with a known likelihood ---------------------------------------------------
TYPES = 4          # kinds of toy episode, each with its own emulator
SLOPES = np.array([[3.0, -2.0], [-2.5, 1.0], [1.5, 2.5], [0.0, -3.0]])


def _toy_probabilities(theta: np.ndarray, kind: int) -> np.ndarray:
    """Three-class probabilities of a toy episode of ``kind`` at unit-cube ``theta``."""
    theta = np.atleast_2d(theta)
    logits = np.stack([np.zeros(len(theta)), theta @ SLOPES[kind] - 1.0,
                       theta @ SLOPES[kind][::-1] - 0.5], axis=1)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _simulate(points: np.ndarray, replicates: int, kind: int, rng) -> np.ndarray:
    p = np.repeat(_toy_probabilities(points, kind), replicates, axis=0)
    u = rng.random(len(p))
    return (u[:, None] > np.cumsum(p, axis=1)).sum(axis=1).astype(np.int8)


def test_simulation_based_calibration_ranks_are_uniform():
    """The ranks of the true parameters among posterior draws are uniform (Talts et
    al. 2018): the emulator + importance-sampling path gives calibrated posteriors."""
    rng = np.random.default_rng(7)
    design = qmc.LatinHypercube(d=2, seed=3).random(60)
    emulators = [ClassEmulator.fit(design, _simulate(design, 40, k, rng), 3)
                 for k in range(TYPES)]
    prior = rng.random((4000, 2))
    emulated = [em.predict(prior) for em in emulators]
    ranks = {0: [], 1: []}
    draws_per_rank = 19
    for _ in range(150):
        truth = rng.random(2)
        kinds = rng.integers(0, TYPES, 12)
        observed = [int(_simulate(truth[None, :], 1, k, rng)[0]) for k in kinds]
        log_lik = sum(np.log(emulated[k][:, c]) for k, c in zip(kinds, observed, strict=True))
        weights = posterior.importance_weights(log_lik, np.ones(len(prior), dtype=bool))
        picks = prior[rng.choice(len(prior), draws_per_rank, p=weights)]
        for j in (0, 1):
            ranks[j].append(int((picks[:, j] < truth[j]).sum()))
    for j in (0, 1):
        counts = np.bincount(np.array(ranks[j]) // 4, minlength=5)  # 5 bins of 4 ranks
        # tolerance stated: a chi-square test of uniformity at the 0.1% level
        assert stats.chisquare(counts).pvalue > 0.001, counts


def test_the_emulator_tracks_the_points_within_their_noise():
    rng = np.random.default_rng(1)
    design = qmc.LatinHypercube(d=2, seed=5).random(50)
    labels = _simulate(design, 60, 0, rng)
    em = ClassEmulator.fit(design, labels, 3)
    assert check(em, design, labels) < 1.5
    truth = _toy_probabilities(design, 0)
    assert np.abs(em.predict(design) - truth).max() < 0.12


def test_an_unseen_class_gets_the_jeffreys_floor():
    labels = np.zeros(40, dtype=np.int8)
    em = ClassEmulator.fit(np.random.default_rng(0).random((10, 2)), labels, 3)
    p = em.predict(np.array([[0.5, 0.5]]))
    floor = 0.5 / 41.5   # 40 members; the rows are renormalised after the floor
    assert p[0, 1] == pytest.approx(floor / (1 + 2 * floor)) and p.sum() == pytest.approx(1.0)


# --- history matching and weights -------------------------------------------------------------
def test_implausibility_is_zero_inside_the_band_and_counts_discrepancies_outside():
    low, high = posterior.band("natural_continuity")
    values = np.array([low, (low + high) / 2, high + 3 * posterior.DISCREPANCY,
                       low - 4 * posterior.DISCREPANCY])
    assert posterior.implausibility(values, "natural_continuity") == pytest.approx(
        [0.0, 0.0, 3.0, 4.0])


def test_weights_refuse_when_nothing_is_kept_and_drop_what_fails():
    with pytest.raises(ValueError, match="history-matching"):
        posterior.importance_weights(np.zeros(3), np.zeros(3, dtype=bool))
    w = posterior.importance_weights(np.array([0.0, 0.0, 50.0]), np.array([True, True, False]))
    assert w.tolist() == [0.5, 0.5, 0.0]


def test_systematic_resampling_follows_the_weights():
    picks = posterior.systematic_resample(np.array([0.25, 0.0, 0.75]), 400, seed=1)
    assert np.bincount(picks, minlength=3).tolist() == [100, 0, 300]


# --- folds ---------------------------------------------------------------------------------
NAMES = ["kyrgyzstan_2005", "kyrgyzstan_2020", "ukraine_2004", "ukraine_2014", "belarus_2020",
         "burkina_faso_2014", "mali_2012", "egypt_2011", "egypt_2013", "gabon_2009",
         "togo_2005"]


def test_folds_keep_a_country_together_and_are_fixed():
    fold_of = crossval.folds(NAMES)
    assert fold_of[0] == fold_of[1] and fold_of[2] == fold_of[3] and fold_of[7] == fold_of[8]
    assert crossval.folds(list(reversed(NAMES)))[::-1].tolist() == fold_of.tolist()
    assert len(set(fold_of)) == crossval.FOLDS


def test_the_cross_validated_null_never_sees_its_own_fold():
    triggers = ["protest"] * 4
    observed = ["C", "C", "A", "A"]
    fold_of = np.array([0, 0, 1, 1])
    null = crossval.fold_null(triggers, observed, fold_of)
    # fold 0 sees only the two A's of fold 1, and vice versa (Jeffreys smoothing)
    assert null[0].tolist() == pytest.approx([2.5 / 3.5, 0.5 / 3.5, 0.5 / 3.5])
    assert null[2].tolist() == pytest.approx([0.5 / 3.5, 0.5 / 3.5, 2.5 / 3.5])


def test_the_logit_benchmark_is_fitted_out_of_fold():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    observed = ["A" if x > 0 else "C" for x in features[:, 0]]
    fold_of = np.arange(40) % 4
    p = crossval.logit_cv(features, observed, fold_of)
    assert p.shape == (40, 3) and np.allclose(p.sum(axis=1), 1.0)
    hits = np.mean([p[i, 0] > p[i, 2] if o == "A" else p[i, 2] > p[i, 0]
                    for i, o in enumerate(observed)])
    assert hits > 0.8   # the signal is learnt from the other folds
