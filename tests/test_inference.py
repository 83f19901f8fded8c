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


def test_the_band_probability_is_exact_at_the_edges_and_ignores_the_scale_ends():
    """Degenerate values with known answers: 1/2 at an edge, Phi(-1) one delta outside,
    an edge at 0 or 1 (a one-sided target) constrains nothing, a dropped target neither,
    and the regions multiply."""
    delta = posterior.DISCREPANCY
    low, high = posterior.band("natural_continuity")
    inside = {"natural_continuity": (low + high) / 2, "natural_split_share": 0.0,
              "failure_rival_share": 1.0, "wave_2020_loyal": 0.0, "wave_2004_wavering": 1.0}

    def meets(regions, dropped=()):
        arrays = {r: {k: np.array([v]) for k, v in t.items()} for r, t in regions.items()}
        return float(np.exp(posterior.band_log_probability(arrays, dropped))[0])

    assert meets({"a": inside}) == pytest.approx(1.0)      # the scale's ends are inside
    assert meets({"a": {**inside, "natural_continuity": high}}) == pytest.approx(0.5)
    assert meets({"a": {**inside, "natural_continuity": low - delta}}) == pytest.approx(
        stats.norm.cdf(-1.0))
    split_high = posterior.band("natural_split_share")[1]
    far = {**inside, "natural_split_share": split_high + 3 * delta}
    assert meets({"a": far}) == pytest.approx(stats.norm.cdf(-3.0))
    assert meets({"a": far}, ("natural_split_share",)) == pytest.approx(1.0)
    edge = {**inside, "natural_continuity": high}
    assert meets({"a": edge, "b": edge}) == pytest.approx(0.25)
    # far in the tail the log stays finite (no 0 - 0 = 0 in the difference)
    log_p = posterior.band_log_probability(
        {"a": {k: np.array([v]) for k, v in {**inside, "natural_continuity": 0.5}.items()}})
    assert np.isfinite(log_p).all() and log_p[0] < -1000
    with pytest.raises(ValueError, match="every target dropped"):
        posterior.band_log_probability({"a": {}}, posterior.CONSTRAINED)


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


# --- the second wave on the toy model ------------------------------------------------------
from sim.analyses.inference import waves  # noqa: E402

LITERATURE_INSIDE = {"natural_split_share": 0.1, "failure_rival_share": 0.8,
                     "wave_2020_loyal": 0.05}


def _toy_targets(unit: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Toy literature targets, exact functions of theta: natural continuity rules out
    theta_0 above about 0.43, the 2004-scale wave (a droppable target) theta_1 below 0.28."""
    unit = np.atleast_2d(unit)
    values = {"natural_continuity": 0.81 + 0.2 * unit[:, 0],
              "wave_2004_wavering": 0.2 + 0.3 * unit[:, 1],
              **{k: np.full(len(unit), v) for k, v in LITERATURE_INSIDE.items()}}
    return {"toy": values}


def _toy_allowed(unit: np.ndarray, dropped=()) -> np.ndarray:
    impl = waves.worst_implausibility(_toy_targets(unit), posterior.DISCREPANCY)
    return waves.non_implausible(impl, dropped)


def test_the_second_wave_samples_only_the_non_implausible_region():
    cands = waves.screen_prior(_toy_targets, 30000, 2, seed=4,
                               discrepancy=posterior.DISCREPANCY, chunk=7000)
    # the never-dropped targets screen the candidates; the chunk size changes nothing
    again = waves.screen_prior(_toy_targets, 30000, 2, seed=4,
                               discrepancy=posterior.DISCREPANCY, chunk=30000)
    assert np.array_equal(cands.unit, again.unit) and cands.total == 30000
    limit0 = (0.88 + 3 * posterior.DISCREPANCY - 0.81) / 0.2
    assert cands.unit[:, 0].max() <= limit0 and 0.4 < len(cands.unit) / 30000 < 0.46
    points = waves.wave_points(cands, (), 50)
    assert len(points) == 50 and _toy_allowed(points).all()
    assert points[:, 1].min() >= (0.3 - 3 * posterior.DISCREPANCY - 0.2) / 0.3
    # without the droppable target the wave-2 region is wider
    free = waves.wave_points(cands, ("wave_2004_wavering",), 400)
    assert free[:, 1].min() < 0.2


def test_the_second_wave_recovers_the_toy_posterior():
    """Simulation-based calibration through wave 1, the refocused wave 2 and the
    refitted emulators: the ranks of the true values are uniform (chi-square, 0.1%
    level). The truths come from the model the posterior assumes: a prior draw in the
    non-implausible region, kept with the probability that it meets every band (the
    toy's targets are exact, read with the emulator's error ``delta``)."""
    rng = np.random.default_rng(11)
    first = qmc.LatinHypercube(d=2, seed=3).random(40)
    cands = waves.screen_prior(_toy_targets, 40000, 2, seed=5,
                               discrepancy=posterior.DISCREPANCY)
    second = waves.wave_points(cands, (), 40)
    sims = [{"values": pts, "cases": {f"k{k}": {"cls": _simulate(pts, 40, k, rng)}
                                      for k in range(TYPES)}} for pts in (first, second)]
    both = waves.merge(*sims)
    assert both["values"].shape == (80, 2) and len(both["cases"]["k0"]["cls"]) == 3200
    emulators = [ClassEmulator.fit(both["values"], both["cases"][f"k{k}"]["cls"], 3)
                 for k in range(TYPES)]
    ranks = {0: [], 1: []}
    for _ in range(150):
        truth = rng.random((200, 2))
        meets = np.exp(posterior.band_log_probability(_toy_targets(truth)))
        truth = truth[_toy_allowed(truth) & (rng.random(200) < meets)][0]
        kinds = rng.integers(0, TYPES, 12)
        observed = [int(_simulate(truth[None, :], 1, k, rng)[0]) for k in kinds]

        def log_lik(unit, kinds=kinds, observed=observed):
            return sum(np.log(emulators[k].predict(unit)[:, c])
                       for k, c in zip(kinds, observed, strict=True))
        weighed = waves.weigh(cands, (), _toy_targets, log_lik, posterior.DISCREPANCY)
        assert _toy_allowed(cands.unit[weighed.rows]).all()
        picks = cands.unit[weighed.rows[rng.choice(len(weighed.rows), 19, p=weighed.weights)]]
        for j in (0, 1):
            ranks[j].append(int((picks[:, j] < truth[j]).sum()))
    for j in (0, 1):
        counts = np.bincount(np.array(ranks[j]) // 4, minlength=5)
        assert stats.chisquare(counts).pvalue > 0.001, counts


def test_nothing_non_implausible_is_said_plainly():
    cands = waves.screen_prior(_toy_targets, 1000, 2, seed=1,
                               discrepancy=posterior.DISCREPANCY)
    empty = waves.Candidates(cands.unit[:0], {k: v[:0] for k, v in
                                              cands.implausibility.items()}, 1000)
    with pytest.raises(ValueError, match="non-implausible"):
        waves.wave_points(empty, (), 10)
    with pytest.raises(ValueError, match="history-matching"):
        waves.weigh(empty, (), _toy_targets, lambda u: np.zeros(len(u)),
                    posterior.DISCREPANCY)


# --- resumable waves ------------------------------------------------------------------------
class _Killed(Exception):
    pass


def test_a_killed_wave_resumes_and_a_new_design_is_run_afresh(tmp_path):
    from sim import paths
    from sim.analyses.backtest import EPISODES_DIR
    from sim.analyses.episodes import find_episodes, load_episode
    from sim.analyses.inference import design
    from sim.regions.loader import load_region

    episodes = [load_episode(p) for p in find_episodes([EPISODES_DIR])[:2]]
    regions = [load_region(paths.REGIONS_DIR / "belarus")]
    settings = design.Settings(2, 2)
    values = design.latin_hypercube(2)[::-1].copy()   # a "wave 2": given point by point
    ran = []

    def killed_after_one(case, done, total):
        ran.append(case)
        if len(ran) == 1:
            raise _Killed

    with pytest.raises(_Killed):
        design.simulate(tmp_path, settings, episodes, regions, progress=killed_after_one,
                        values=values)
    first = ran[0]
    ran.clear()
    out = design.simulate(tmp_path, settings, episodes, regions,
                          progress=lambda case, d, t: ran.append(case), values=values)
    assert first not in ran and len(ran) == 2          # the finished case was not re-run
    assert np.array_equal(out["values"], values) and len(out["cases"]) == 3
    assert settings.fingerprint(design.CALIBRATED, values) != settings.fingerprint(
        design.CALIBRATED)
    ran.clear()   # the same folder with another design: every case is run again
    design.simulate(tmp_path, settings, episodes, regions,
                    progress=lambda case, d, t: ran.append(case))
    assert len(ran) == 3


def test_the_design_on_a_dask_cluster_equals_one_process(tmp_path):
    distributed = pytest.importorskip("distributed")
    from sim import paths
    from sim.analyses.backtest import EPISODES_DIR
    from sim.analyses.episodes import find_episodes, load_episode
    from sim.analyses.inference import design
    from sim.regions.loader import load_region

    episodes = [load_episode(p) for p in find_episodes([EPISODES_DIR])[:2]]
    regions = [load_region(paths.REGIONS_DIR / "russia")]
    settings = design.Settings(3, 4)
    here = design.simulate(tmp_path / "here", settings, episodes, regions)
    done = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        there = design.simulate(tmp_path / "there", settings, episodes, regions,
                                progress=lambda case, d, t: done.append((case, d, t)),
                                client=client)
    assert list(there["cases"]) == list(here["cases"])   # the cases' order, not arrival's
    for case, labels in here["cases"].items():
        for key, value in labels.items():
            assert np.array_equal(there["cases"][case][key], value), (case, key)
    assert sorted(d for _, d, _ in done) == [1, 2, 3] and {t for *_, t in done} == {3}
    assert len(list((tmp_path / "there").glob("*.npz"))) == 3   # saved: a rerun resumes


def test_calibrate_refuses_an_unreachable_scheduler_clearly(capsys):
    from sim.analyses.inference.run import main

    with pytest.raises(SystemExit) as exit_:
        main(["--quick", "--scheduler", "tcp://127.0.0.1:9"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err and "Traceback" not in err


def test_the_splits_newton_fit_equals_scikit_learns():
    from sklearn.linear_model import LogisticRegression

    from sim.analyses.inference.emulator import RIDGE_C, features
    from sim.analyses.inference.split import ridge_logistic

    rng = np.random.default_rng(5)
    x = features(rng.random((3000, 4)))
    y = rng.random(3000) < 1.0 / (1.0 + np.exp(-(x @ np.array([2, -1, 0.5, 0, 1, 0, -2, 1])
                                                  - 0.3)))
    ours = ridge_logistic(x, y, RIDGE_C)
    theirs = LogisticRegression(C=RIDGE_C, max_iter=5000, tol=1e-10).fit(x, y).predict_proba(
        x)[:, 1]
    assert np.max(np.abs(ours - theirs)) < 1e-5


def test_a_run_does_not_import_scikit_learn(tmp_path):
    import subprocess
    import sys

    code = ("import sys, sim.paths as p, pathlib; p.RESULTS_DIR = pathlib.Path(sys.argv[1]); "
            "from sim.cli import main; "
            "main(['run', 'incapacity', '--members', '30', '--weeks', '8', '--quiet', "
            "'--no-charts']); print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stdout + out.stderr


def test_every_design_row_draws_its_own_random_numbers():
    """Row ``k`` of a design runs exactly as plain-run member ``first_member + k`` with
    the point's parameters (exact equivalence), so no two rows share their dice: with
    common numbers across points the emulators' level carried the Monte Carlo error of
    ``replicates`` members however many points there were (docs/model.md 9.1)."""
    from sim import paths
    from sim.analyses.inference import design
    from sim.engines.ensemble import run_ensemble
    from sim.model.context import build_context
    from sim.model.scenario import Scenario
    from sim.regions.loader import load_region

    region = load_region(paths.REGIONS_DIR / "belarus")
    scenario = Scenario.in_code("t", weeks=30, members=1, seed=5,
                                events=[{"type": "leader_incapacitated", "week": 0,
                                         "mode": "natural"}])
    names = ("transition_split_rate", "rival_win_share")
    values = np.array([[0.04, 0.3], [0.04, 0.3]])      # two equal points
    rows = design._design_run(scenario, region, names, values, replicates=6,
                              first_member=10, chunk_rows=6)   # one point per chunk
    plain = run_ensemble(build_context(
        scenario.with_overrides(members=22, parameters=dict(zip(names, values[0], strict=True))),
        region), members=np.arange(10, 22), progress=False).holder
    assert np.array_equal(rows, plain)
    assert not np.array_equal(rows[:6], rows[6:])      # the equal points differ by dice


def test_simulated_targets_count_members_exactly():
    """The simulated posterior predictive of the targets from hand-made member outcomes:
    exact shares, the failure mode over both death cases, Wilson bounds around them."""
    t, f = True, False
    labels = {k: np.array(v) for k, v in {
        "natural_continuing": [t, t, f, f], "violent_continuing": [t, f, t, t],
        "natural_failed_rival": [f, f, t, f], "violent_failed_rival": [f, t, f, f],
        "natural_split": [t, f, f, f], "wave_2020_opposition": [f, f, f, f],
        "wave_2004_opposition": [t, t, t, f]}.items()}
    out = posterior.simulated_targets(labels)
    assert out["natural_continuity"][0] == 0.5
    assert out["natural_split_share"][0] == 0.25
    assert out["failure_rival_share"][0] == 2 / 3      # 2 of the 3 failed, both deaths
    assert out["wave_2020_loyal"][0] == 0.0 and out["wave_2004_wavering"][0] == 0.75
    for value, low, high in out.values():
        assert low <= value <= high
    none_failed = dict(labels, natural_continuing=np.ones(4, bool),
                       violent_continuing=np.ones(4, bool))
    value, low, high = posterior.simulated_targets(none_failed)["failure_rival_share"]
    assert np.isnan(value) and (low, high) == (0.0, 1.0)
