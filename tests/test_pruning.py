"""The pruning rule (sim/analyses/pruning.py): what counts as moved, where the search stops."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analyses import pruning
from sim.analyses.pruning import Probe, judge, largest_move, outputs, probes, prune
from sim.model.params import OUTPUT_ONLY, PARAMS
from sim.model.scenario import load_scenario
from sim.paths import SCENARIOS_DIR
from sim.regions.loader import load_region


@pytest.fixture(scope="module")
def incapacity() -> Probe:
    scenario = load_scenario(SCENARIOS_DIR / "incapacity.yaml").with_overrides(members=300)
    return Probe("incapacity", "scenario", scenario, load_region(scenario.region_folder()))


def test_probes_are_every_scenario_then_every_episode():
    every = probes(10)
    kinds = [p.kind for p in every]
    scenarios = sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))
    assert [p.name for p in every[:len(scenarios)]] == scenarios
    assert kinds == ["scenario"] * len(scenarios) + ["episode"] * (len(every) - len(scenarios))
    assert len(every) - len(scenarios) == 53  # the development set
    assert {p.scenario.members for p in every} == {10}


def test_a_probability_moves_at_exactly_one_point():
    probe = Probe("x", "episode", None, None)
    ref = {"probability": np.array([0.5, 0.25, 0.25])}
    assert largest_move(ref, {"probability": np.array([0.5, 0.26, 0.24])}, probe) == (1.0, "P(B)")
    ratio, _ = largest_move(ref, {"probability": np.array([0.5, 0.255, 0.245])}, probe)
    assert ratio == pytest.approx(0.5)


def test_a_state_moves_at_one_percent_of_its_own_stability(incapacity):
    ref = outputs(incapacity)
    moved = {k: v.copy() for k, v in ref.items()}
    moved["stability"][30, 2] += 1.2  # outputs are in steps
    ratio, name = largest_move(ref, moved, incapacity)
    assert ratio == pytest.approx(1.2)
    states = [a for a, k in zip(incapacity.region.ids, incapacity.region.kinds, strict=True)
              if k == "state"]
    assert name == f"stability {states[2]} week 30"
    assert largest_move(ref, ref, incapacity) == (0.0, "P(regime_and_leader_continue)")
    moved["alignment"][10, 0] -= 3.0
    assert largest_move(ref, moved, incapacity)[0] == pytest.approx(3.0)


def test_steps_are_one_percent_of_stability_and_of_the_other_scales(incapacity, monkeypatch):
    ref = outputs(incapacity)
    monkeypatch.setattr(pruning, "STABILITY_STEP", 0.02)
    monkeypatch.setattr(pruning, "METRIC_STEP", {k: 2 * v for k, v in
                                                 pruning.METRIC_STEP.items()})
    half = outputs(incapacity)
    for metric in ("stability", "alignment", "unrest", "posture", "stress"):
        np.testing.assert_allclose(half[metric], ref[metric] / 2)
    states = np.array(incapacity.region.kinds) == "state"
    # week 0 is the baseline itself: 100 steps of 1% each
    np.testing.assert_allclose(ref["stability"][0], 100 * np.ones(states.sum()), rtol=1e-6)


def test_a_parameter_that_drives_successions_is_kept_in_the_first_probe(incapacity):
    row = judge("transition_split_rate", [incapacity])
    assert row["verdict"] == "kept" and row["probe"] == "incapacity" and row["ratio"] >= 1


def test_the_search_stops_at_the_first_move_and_skips_pinned_probes(monkeypatch, incapacity):
    calls = []
    pinned = Probe("pinned", "episode", incapacity.scenario.with_overrides(
        parameters={"coup_attempt_rate": 0.05}), incapacity.region)
    flat = Probe("flat", "episode", incapacity.scenario, incapacity.region)
    steep = Probe("steep", "episode", incapacity.scenario, incapacity.region)
    after = Probe("after", "episode", incapacity.scenario, incapacity.region)

    def fake(probe, overrides=None):
        calls.append((probe.name, dict(overrides or {})))
        bump = 0.02 if probe.name == "steep" and overrides else 0.0
        return {"probability": np.array([0.5 + bump, 0.5 - bump, 0.0])}

    monkeypatch.setattr(pruning, "outputs", fake)
    row = judge("coup_attempt_rate", [pinned, flat, steep, after])
    assert row["verdict"] == "kept" and row["probe"] == "steep" and row["end"] == "low"
    assert row["ratio"] == pytest.approx(2.0)
    assert [c[0] for c in calls] == ["flat"] * 3 + ["steep"] * 2  # reference, low (, high)
    assert all(name != "pinned" and name != "after" for name, _ in calls)
    calls.clear()
    row = judge("coup_attempt_rate", [flat])
    assert row["verdict"] == "inert" and row["ratio"] == 0.0


def test_output_only_factors_are_exempt(incapacity):
    name = sorted(OUTPUT_ONLY)[0]
    frame = prune(names=[name], probe_list=[incapacity])
    assert frame.loc[0, "verdict"] == "exempt"
    assert name in PARAMS


def test_unknown_parameter_is_a_user_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        pruning.main(["--parameters", "no_such_parameter"])
    assert exit_info.value.code == 2
    assert "no_such_parameter" in capsys.readouterr().err
