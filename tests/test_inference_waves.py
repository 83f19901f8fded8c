"""History matching in three waves (each later wave's emulators fitted on the design
points inside the region it refines), and the literature cases' own random numbers."""

import numpy as np
import pytest

from sim.analyses.inference import posterior, waves

LITERATURE_INSIDE = {"natural_split_share": 0.1, "failure_rival_share": 0.8,
                     "wave_2020_loyal": 0.05, "wave_2004_wavering": 0.5}


def _wave1(unit: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Toy wave-1 targets: natural continuity rules out theta_0 above about 0.43."""
    unit = np.atleast_2d(unit)
    return {"toy": {"natural_continuity": 0.81 + 0.2 * unit[:, 0],
                    **{k: np.full(len(unit), v) for k, v in LITERATURE_INSIDE.items()}}}


def _wave2(unit: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Toy wave-2 targets, sharper where wave 1 left room: the split share rules out
    theta_1 above about 0.55."""
    out = _wave1(unit)
    out["toy"]["natural_split_share"] = 0.04 + 0.2 * np.atleast_2d(unit)[:, 1]
    return out


def _allowed(unit, targets_of) -> np.ndarray:
    impl = waves.worst_implausibility(targets_of(unit), posterior.DISCREPANCY)
    return waves.non_implausible(impl)


def test_each_later_wave_narrows_the_region_the_next_one_samples():
    cands = waves.screen_prior(_wave1, 20000, 2, seed=3, discrepancy=posterior.DISCREPANCY)
    one = waves.nroy_rows(cands, ())
    two = waves.nroy_rows(cands, (), [_wave2])
    assert set(two) < set(one) and len(two) > 0
    assert np.array_equal(one, np.arange(len(cands.unit)))   # wave 1 screened them already
    limit1 = (0.15 + 3 * posterior.DISCREPANCY - 0.04) / 0.2
    assert cands.unit[two, 1].max() <= limit1 < cands.unit[one, 1].max()
    third = waves.wave_points(cands, (), 30, [_wave2])
    assert len(third) == 30 and _allowed(third, _wave2).all()
    # a draw is kept only if every wave leaves it: weighing through wave 3
    weighed = waves.weigh(cands, (), _wave1, lambda u: np.zeros(len(u)),
                          posterior.DISCREPANCY, earlier=[_wave2])
    assert np.array_equal(weighed.rows, two)
    # no episode here: the weights are the probabilities of meeting every band under
    # the last wave's emulators (wave 1's: continuity 0.81 + 0.2 theta_0)
    meets = np.exp(posterior.band_log_probability(_wave1(cands.unit[two])))
    assert weighed.weights == pytest.approx(meets / meets.sum())
    assert weighed.band_probability == pytest.approx(meets)
    assert weighed.weights[np.argmin(cands.unit[two, 0])] > weighed.weights[
        np.argmax(cands.unit[two, 0])]     # a draw past the band's edge weighs less


def test_no_draw_left_by_a_later_wave_is_said_plainly():
    cands = waves.screen_prior(_wave1, 2000, 2, seed=1, discrepancy=posterior.DISCREPANCY)

    def nothing(unit):
        out = _wave1(unit)
        out["toy"]["wave_2020_loyal"] = np.full(len(np.atleast_2d(unit)), 0.9)
        return out
    with pytest.raises(ValueError, match="after wave 2"):
        waves.wave_points(cands, (), 10, [nothing])


def test_the_design_points_inside_a_region_keep_their_members_together():
    unit = np.array([[0.1, 0.2], [0.9, 0.2], [0.2, 0.9]])   # theta_0 0.9: out at wave 1
    inside = waves.inside(unit, [_wave1], ())
    assert inside.tolist() == [True, False, True]
    assert waves.inside(unit, [_wave1, _wave2], ()).tolist() == [True, False, False]
    sim = {"values": unit * 10, "cases": {
        "episode_x": {"cls": np.array([0, 1, 2, 2, 1, 0], dtype=np.int8)},   # 2 members/point
        "region_y": {"a": np.array([True, False, False, False, True, True])}}}
    kept = waves.select(sim, inside)
    assert kept["values"].tolist() == [[1.0, 2.0], [2.0, 9.0]]
    assert kept["cases"]["episode_x"]["cls"].tolist() == [0, 1, 1, 0]
    assert kept["cases"]["region_y"]["a"].tolist() == [True, False, True, True]


def test_the_local_emulator_removes_a_global_fits_bias_inside_the_region():
    """Direction of effect: a curve a quadratic logit cannot follow over the whole box is
    followed inside the region a later wave refines, once the fit uses only its points."""
    from sim.analyses.inference.emulator import ClassEmulator

    rng = np.random.default_rng(2)

    def truth(u):
        return 1 / (1 + np.exp(-(1.0 + 2.5 * np.sin(2 * np.pi * u[:, 0]))))
    wide = rng.random((200, 1))
    narrow = 0.1 + 0.2 * rng.random((200, 1))     # the refocused wave: theta in 0.1-0.3
    pts = np.vstack([wide, narrow])
    labels = (rng.random((len(pts), 60)) < truth(pts)[:, None]).astype(np.int8).ravel()
    probe = np.linspace(0.1, 0.3, 41)[:, None]
    global_fit = ClassEmulator.fit(pts, labels, 2).predict(probe)[:, 1]
    local = (pts[:, 0] >= 0.1) & (pts[:, 0] <= 0.3)
    local_fit = ClassEmulator.fit(pts[local], labels.reshape(len(pts), 60)[local].ravel(),
                                  2).predict(probe)[:, 1]
    err_global = np.abs(global_fit - truth(probe)).mean()
    err_local = np.abs(local_fit - truth(probe)).mean()
    assert err_local < 0.5 * err_global


def test_the_violent_death_case_draws_its_own_random_numbers():
    """A violent death carries the natural hazard, so with the natural case's numbers its
    members repeated the natural members outcome for outcome and target 3 counted every
    failure twice. Now the two cases are independent samples of the same law."""
    from sim import paths
    from sim.analyses import calibration as literature
    from sim.analyses.inference import design
    from sim.regions.loader import load_region

    region = load_region(paths.REGIONS_DIR / "belarus")
    names = ("transition_split_rate", "rival_win_share")
    labels = design.target_labels(region, names, np.array([[0.04, 0.5]]), 300)
    natural, violent = labels["natural_continuing"], labels["violent_continuing"]
    assert not np.array_equal(natural, violent)
    assert not np.array_equal(labels["natural_failed_rival"], labels["violent_failed_rival"])
    # the same law: the shares agree within their Monte Carlo noise (300 members each)
    assert abs(natural.mean() - violent.mean()) < 4 * np.sqrt(0.25 * 2 / 300)
    # the literature module's own check uses the same seeds
    _, nat = literature.regime_survival("natural", members=200, region=region)
    _, vio = literature.regime_survival("violent", members=200, region=region)
    _, same = literature.regime_survival("violent", members=200, region=region,
                                         seed=literature.SEED)
    continuing = np.isin(same, [literature.HOLDER[h] for h in literature.CONTINUING])
    assert np.array_equal(continuing, np.isin(nat, [literature.HOLDER[h]
                                                    for h in literature.CONTINUING]))
    assert not np.array_equal(nat, vio)
