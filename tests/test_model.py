"""The coupled model: no drift, direction of effects, calibration, exact equivalences."""

import numpy as np
import pytest
from conftest import INCAPACITY, make_context

from sim.analyses.calibration import regime_survival
from sim.analyses.run import RunRequest, prepare
from sim.engines.ensemble import run_ensemble
from sim.engines.mesa_model import RegionModel
from sim.model.state import HOLDER, HOLDERS, METRICS
from sim.outputs.tables import OUTCOME_OF_HOLDER
from sim.paths import SCENARIOS_DIR

STABILITY, UNREST, POSTURE = (METRICS.index(m) for m in ("stability", "unrest", "posture"))


def test_status_quo_without_shocks_is_exactly_still(region):
    ctx = make_context(region, weeks=104, members=5,
                       parameters={"health_risk_multiplier": 0.0, "coup_attempt_rate": 0.0})
    result = run_ensemble(ctx, keep_trajectories=True)
    start = result.trajectories[:, :1]
    still = np.broadcast_to(start, result.trajectories.shape)
    np.testing.assert_allclose(result.trajectories, still, rtol=0, atol=1e-12)
    assert not result.events


def test_status_quo_with_noise_does_not_drift(region):
    ctx = make_context(region, weeks=104, members=400,
                       parameters={"health_risk_multiplier": 0.0, "coup_attempt_rate": 0.0})
    result = run_ensemble(ctx)
    mean_start, mean_end = result.quantiles[0, :, 0], result.quantiles[-1, :, 0]
    np.testing.assert_allclose(mean_end, mean_start, atol=0.01)


def test_incapacity_destabilises_belarus_and_ripples_out(region):
    quo = run_ensemble(make_context(region, weeks=52, members=300))
    shock = run_ensemble(make_context(region, weeks=52, members=300, events=INCAPACITY))
    blr, pol, rus = (region.index(a) for a in ("BLR", "POL", "RUS"))
    shock_mean, quo_mean = shock.quantiles[:, :, 0], quo.quantiles[:, :, 0]
    assert shock_mean[:, STABILITY, blr].min() < quo_mean[:, STABILITY, blr].min() - 0.02
    assert shock_mean[:, POSTURE, pol].max() > quo_mean[:, POSTURE, pol].max()
    assert shock_mean[:, STABILITY, rus].min() < quo_mean[:, STABILITY, rus].min()
    # Far from Belarus, nothing collapses.
    deu = region.index("DEU")
    assert shock.low[:, STABILITY, deu].min() > 0.8 * region.attrs["stability0"][deu]
    assert shock.high[:, UNREST, deu].max() < 0.02


def test_protest_wave_raises_belarus_unrest(region):
    wave = [{"type": "protest_wave", "week": 1, "intensity": 1.0, "duration_weeks": 8}]
    quo = run_ensemble(make_context(region, weeks=20, members=200))
    protest = run_ensemble(make_context(region, weeks=20, members=200, events=wave))
    blr = region.index("BLR")
    assert protest.quantiles[:, UNREST, 0, blr].max() > 5 * quo.quantiles[:, UNREST, 0, blr].max()


def _regime_survival(region, mode, members=3000):
    return regime_survival(mode, members=members, region=region)


def test_calibration_regime_survives_a_natural_death_within_base_rate_band(region):
    survival, holder = _regime_survival(region, "natural")
    # Kendall-Taylor & Frantz 2016: 87%; Archigos recount band 81-92%.
    assert 0.81 <= survival <= 0.92
    # The main risk is an insider split, not a popular uprising.
    assert (holder == HOLDER["opposition_led"]).mean() < 0.02


def test_a_violent_death_carries_the_natural_split_hazard(region):
    """No source measures a violent-versus-natural gap: only the interim differs."""
    natural, _ = _regime_survival(region, "natural", 2000)
    violent, _ = _regime_survival(region, "violent", 2000)
    assert abs(violent - natural) < 0.03


def test_every_holder_maps_to_an_outcome():
    assert set(OUTCOME_OF_HOLDER) == set(HOLDERS)


def test_members_do_not_depend_on_ensemble_size_or_order(region):
    ctx = make_context(region, weeks=30, members=60, events=INCAPACITY)
    full = run_ensemble(ctx, keep_trajectories=True)
    part = run_ensemble(ctx, members=np.array([59, 4, 17]), keep_trajectories=True)
    assert np.array_equal(part.trajectories, full.trajectories[[59, 4, 17]])
    assert np.array_equal(part.holder, full.holder[[59, 4, 17]])


@pytest.mark.parametrize("member", [0, 13, 41])
def test_mesa_run_equals_ensemble_member_exactly(region, member):
    ctx = make_context(region, weeks=60, members=42, events=INCAPACITY)
    ensemble = run_ensemble(ctx, keep_trajectories=True)
    model = RegionModel(ctx, member).run()
    assert np.array_equal(model.trajectory(), ensemble.trajectories[member])
    assert model.events == [e for e in ensemble.events if e[0] == member]
    holders = model.datacollector.get_model_vars_dataframe()["holder"].tolist()
    assert holders == [HOLDERS[h] for h in ensemble.holder[member]]


def test_mesa_agents_sit_on_the_influence_network(region):
    ctx = make_context(region, weeks=1, members=1)
    model = RegionModel(ctx, 0)
    agents = {a.actor_id: a for a in model.agents}
    assert set(agents) == set(region.ids)
    assert {a.actor_id for a in agents["BLR"].linked_actors()} >= {"RUS", "POL", "UKR"}
    assert agents["BLR"].stability == region.attrs["stability0"][region.index("BLR")]


def test_even_an_extreme_protest_wave_recedes(region):
    """Protest must not lock the region into permanent mobilisation (no runaway loop)."""
    wave = [{"type": "protest_wave", "week": 2, "intensity": 3.0, "duration_weeks": 10}]
    ctx = make_context(region, weeks=300, members=1, events=wave,
                       parameters={"health_risk_multiplier": 0.0, "coup_attempt_rate": 0.0})
    result = run_ensemble(ctx, keep_trajectories=True)
    unrest = result.trajectories[0, :, UNREST, :]
    assert unrest[:, region.index("BLR")].max() > 0.1           # a real wave
    np.testing.assert_allclose(unrest[-1], region.attrs["unrest0"], atol=2e-4)


@pytest.mark.parametrize("scenario", sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml")))
def test_every_scenario_file_mesa_member_equals_the_ensemble(scenario):
    _, _, ctx = prepare(RunRequest(scenario, members=8, weeks=40))
    ensemble = run_ensemble(ctx, keep_trajectories=True)
    for member in (0, 7):
        model = RegionModel(ctx, member).run()
        assert np.array_equal(model.trajectory(), ensemble.trajectories[member])
        assert model.events == [e for e in ensemble.events if e[0] == member]


def test_every_calibration_target_passes_at_the_default_parameters(region):
    from sim.analyses.calibration import model_values, target_table

    table = target_table(model_values(region, 2000))
    assert table["passes"].all(), table[~table["passes"]].to_string()
