"""The shipped scenarios differ from each other in the directions the docs explain."""

import numpy as np
import pytest

from sim.analyses.run import RunRequest, prepare
from sim.engines.ensemble import run_ensemble
from sim.model.state import METRICS
from sim.outputs.tables import member_outcomes

UNREST = METRICS.index("unrest")


@pytest.fixture(scope="module")
def runs():
    out = {}
    for name in ("status_quo", "incapacity", "incapacity_violent", "incapacity_contested",
                 "incapacity_russian_move", "protest_wave"):
        _, _, ctx = prepare(RunRequest(name, members=600, weeks=60))
        result = run_ensemble(ctx, progress=False)
        out[name] = (ctx, result, member_outcomes(result))
    return out


def share(runs, name, outcome):
    return float(np.mean(runs[name][2] == outcome))


def test_a_contested_succession_is_riskier(runs):
    base = share(runs, "incapacity", "regime_continues_new_leader")
    assert share(runs, "incapacity_contested", "regime_continues_new_leader") < base


def test_patron_move_raises_patron_takeover(runs):
    assert (share(runs, "incapacity_russian_move", "patron_takeover")
            > 2 * share(runs, "incapacity", "patron_takeover"))


def test_protest_wave_raises_unrest_to_2020_scale_without_toppling(runs):
    ctx, wave, _ = runs["protest_wave"]
    blr = ctx.region.index("BLR")
    peak = wave.quantiles[:, UNREST, 0, blr].max()
    assert 0.01 < peak < 0.05
    quo = runs["status_quo"][1].quantiles[:, UNREST, 0, blr].max()
    assert peak > 5 * quo
    assert share(runs, "protest_wave", "regime_and_leader_continue") > 0.8


def test_incapacity_replaces_the_leader_in_every_member(runs):
    assert share(runs, "incapacity", "regime_and_leader_continue") == 0.0
    assert share(runs, "status_quo", "regime_and_leader_continue") > 0.85
