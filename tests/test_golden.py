"""Seeded golden results: the model's numbers change only on purpose.

If a change to the model is intended, refresh the golden file and review its diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

"""

import os
from pathlib import Path

import pandas as pd
from conftest import INCAPACITY, make_context

from sim.engines.ensemble import run_ensemble
from sim.outputs import tables as outputs

GOLDEN = Path(__file__).parent / "golden" / "incapacity_64x52.csv"
WEEKS = (0, 5, 13, 26, 52)
ACTORS = ("BLR", "RUS", "UKR", "POL", "LTU", "BLR_SEC")


def golden_table(region, **parameters) -> str:
    ctx = make_context(region, weeks=52, members=64, seed=42, events=INCAPACITY,
                       parameters=parameters)
    result = run_ensemble(ctx)
    series = outputs.timeseries_frame(result, ctx)
    series = series[series.week.isin(WEEKS) & series.actor.isin(ACTORS)]
    series = series.melt(id_vars=["week", "actor", "metric"], var_name="stat")
    outcomes = outputs.outcomes_frame(result, ctx)
    outcomes = pd.DataFrame({"week": 52, "actor": outcomes.actor, "metric": outcomes.outcome,
                             "stat": "probability", "value": outcomes.probability})
    table = pd.concat([series, outcomes], ignore_index=True)
    return table.to_csv(index=False, float_format="%.12g", lineterminator="\n")


def test_seeded_results_match_the_golden_file(region):
    produced = golden_table(region)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(produced)
    assert produced == GOLDEN.read_text(), (
        "model output changed; if intended, refresh with UPDATE_GOLDEN=1 (see module doc)")


def test_the_golden_check_can_fail(region):
    nudged = golden_table(region, contagion_strength=0.5001)
    assert nudged != GOLDEN.read_text()


EXPLORE_GOLDEN = Path(__file__).parent / "golden" / "explore_morris_2x16x26.csv"


def explore_table(region) -> str:
    """A tiny Morris design of the default uncertainties: design and outcomes per point."""
    from sim.analyses.explore import evaluate, sample, uncertainties_of

    ctx = make_context(region, weeks=26, members=16, seed=42, events=INCAPACITY)
    problem = uncertainties_of(ctx.scenario)
    values = problem.values(sample(problem, "morris", 2, seed=7))
    outcomes, _ = evaluate(ctx, problem.names, values, replicates=16)
    design = pd.DataFrame(values, columns=list(problem.names))
    table = pd.concat([design, outcomes.drop(columns="point")], axis=1)
    return table.to_csv(index=False, float_format="%.12g", lineterminator="\n")


def test_seeded_exploration_matches_its_golden_file(region):
    produced = explore_table(region)
    if os.environ.get("UPDATE_GOLDEN"):
        EXPLORE_GOLDEN.write_text(produced)
    assert produced == EXPLORE_GOLDEN.read_text(), (
        "exploration output changed; if intended, refresh with UPDATE_GOLDEN=1")
