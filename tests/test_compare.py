"""Paired comparison: common random numbers, refusal of unpaired runs, ripple tables."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import INCAPACITY, make_context

from sim.analyses.compare import compare, run_pair
from sim.cli import main
from sim.engines.ensemble import run_ensemble
from sim.model.state import METRICS

STABILITY = METRICS.index("stability")
WAVE = [{"type": "protest_wave", "week": 2, "intensity": 1.15, "duration_weeks": 10}]


def interval_width(pair, actor_index, metric=STABILITY, start=3):
    return (pair.diff[start:, metric, 3, actor_index]
            - pair.diff[start:, metric, 1, actor_index]).mean()


@pytest.mark.parametrize(("events_a", "events_b", "max_ratio"), [
    # The wave ends the regime (defection) in some members: a real difference that
    # common random numbers cannot remove, so the ratio is looser than for noise alone.
    # Since each member's bloc has its own breaking point (docs/model.md 6.3b) the wave
    # topples the weakest blocs, 8% of members; measured ratio 0.79 (300 members).
    ([], WAVE, 0.9),
    (INCAPACITY, [{**INCAPACITY[0], "mode": "violent"}], 0.6),
])
def test_common_random_numbers_narrow_the_paired_interval(region, events_a, events_b,
                                                          max_ratio):
    members = np.arange(300)
    # A frailer leader makes the shared noise (random incapacity) common within 40 weeks.
    frail = {"health_risk_multiplier": 5.0}
    a = make_context(region, weeks=40, members=300, events=events_a, parameters=frail)
    b = make_context(region, weeks=40, members=300, events=events_b, parameters=frail)
    a_other_seed = make_context(region, weeks=40, members=300, events=events_a, seed=999,
                                parameters=frail)
    paired = run_pair(a, b, members, 40, paired=True)
    unpaired = run_pair(a_other_seed, b, members, 40, paired=False)
    blr = region.index("BLR")
    assert interval_width(paired, blr) < max_ratio * interval_width(unpaired, blr)


def test_a_scenario_compared_with_itself_differs_nowhere(region):
    ctx = make_context(region, weeks=20, members=50, events=INCAPACITY)
    pair = run_pair(ctx, ctx, np.arange(50), 20)
    assert not pair.diff.any()


def test_each_side_of_a_pair_equals_its_own_ensemble(region):
    a = make_context(region, weeks=25, members=60)
    b = make_context(region, weeks=25, members=60, events=INCAPACITY)
    pair = run_pair(a, b, np.arange(60), 25, workers=2)
    alone = run_ensemble(b)
    assert np.array_equal(pair.b.quantiles, alone.quantiles)
    assert np.array_equal(pair.b.holder, alone.holder)


SMALL = """\
name: {name}
description: test
weeks: 30
seed: {seed}
members: 80
events: {events}
"""


def small(tmp_path, name, seed=5, events="[]"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(SMALL.format(name=name, seed=seed, events=events))
    return str(path)


def test_compare_writes_tables_and_reuses_fresh_results(tmp_path, results_dir):
    a = small(tmp_path, "small_quo")
    b = small(tmp_path, "small_incap",
              events="[{type: leader_incapacitated, week: 3, mode: natural}]")
    target = compare(a, b, charts=False)
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["paired"] and manifest["a"]["rerun"] and manifest["b"]["rerun"]
    assert (results_dir / "small_quo" / "timeseries.csv").is_file()
    deltas = pd.read_csv(target / "deltas.csv")
    assert {"mean_a", "mean_b", "diff_mean", "diff_p05", "diff_p95"} <= set(deltas.columns)
    ripple = pd.read_csv(target / "ripple.csv")
    blr = ripple[(ripple.actor == "BLR") & (ripple.metric == "stability")].iloc[0]
    assert blr.peak_diff < 0 and blr.arrival_week == 4 and blr.distance_from_focal == 0
    outcomes = pd.read_csv(target / "outcomes.csv")
    row = outcomes[(outcomes.actor == "BLR")
                   & (outcomes.outcome == "regime_and_leader_continue")].iloc[0]
    assert row["diff"] < 0 and row.ci_low <= row["diff"] <= row.ci_high
    again = json.loads((compare(a, b, charts=False) / "manifest.json").read_text())
    assert not again["a"]["rerun"] and not again["b"]["rerun"]


def test_compare_runs_that_cannot_be_paired_unpaired_with_a_note(tmp_path, results_dir,
                                                                 capsys):
    # Issue 22: any two runs of one region compare; unpaired ones say so (they were
    # refused unless --unpaired was given, which is still accepted).
    a = small(tmp_path, "seed_a", seed=1)
    b = small(tmp_path, "seed_b", seed=2)
    assert main(["compare", a, b, "--no-charts"]) == 0
    err = capsys.readouterr().err
    assert "seed 1 vs 2" in err and "unpaired" in err
    assert main(["compare", a, b, "--no-charts", "--unpaired"]) == 0
    printed = capsys.readouterr().out
    assert "A vs B (unpaired; 95% Newcombe interval of B - A)" in printed
    assert "Regime and leader continue" in printed and "Takeover by rival officers" in printed
    target = results_dir / "compare" / "seed_a_vs_seed_b"
    assert json.loads((target / "manifest.json").read_text())["paired"] is False
    for name in ("deltas.csv", "ripple.csv", "outcomes.csv"):
        assert not pd.read_csv(target / name)["paired"].any()
