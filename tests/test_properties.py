"""Property-based invariants over valid scenarios (hypothesis).

Random parameters inside their declared ranges and random events: no NaN, every
metric in its range, quantiles ordered, outcome probabilities summing to one, and
member k identical whether it runs in an ensemble of any size.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engines.ensemble import run_ensemble
from sim.engines.stats import STAT_NAMES
from sim.model.context import build_context
from sim.model.params import PARAMS
from sim.model.scenario import Scenario
from sim.model.state import METRICS
from sim.outputs.tables import OUTCOMES, outcomes_frame
from sim.regions.loader import load_region

REGION = load_region()
STATES = [a for a, k in zip(REGION.ids, REGION.kinds, strict=True) if k == "state"]
WEEKS = 16

parameter = st.sampled_from(sorted(PARAMS)).flatmap(
    lambda name: st.tuples(st.just(name), st.floats(PARAMS[name].low, PARAMS[name].high,
                                                    allow_nan=False)))
event = st.one_of(
    st.builds(lambda w, m: {"type": "leader_incapacitated", "week": w, "mode": m},
              st.integers(0, WEEKS - 1), st.sampled_from(["natural", "violent"])),
    st.builds(lambda w, a, i, d: {"type": "protest_wave", "week": w, "actor": a,
                                  "intensity": i, "duration_weeks": d},
              st.integers(0, WEEKS - 1), st.sampled_from(STATES), st.floats(0, 3),
              st.integers(1, 20)),
    st.builds(lambda w, s: {"type": "coup_attempt", "week": w, "strength": s},
              st.integers(0, WEEKS - 1), st.floats(0, 1)),
    st.builds(lambda w: {"type": "patron_move", "week": w}, st.integers(0, WEEKS - 1)),
    st.builds(lambda w, c: {"type": "disputed_election", "week": w, "crowd_share": c},
              st.integers(0, WEEKS - 1), st.floats(0.001, 0.3)),
)


def _valid_events(events: list[dict]) -> list[dict]:
    """At most one ending event (the schema allows one incapacity or handover)."""
    out, ended = [], False
    for e in events:
        if e["type"] == "leader_incapacitated":
            if ended:
                continue
            ended = True
        out.append(e)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parameters=st.lists(parameter, max_size=4), events=st.lists(event, max_size=3),
       seed=st.integers(0, 2**31), members=st.integers(3, 12))
def test_invariants_hold_for_any_valid_scenario(parameters, events, seed, members):
    scenario = Scenario.model_validate(dict(
        name="prop", description="property test", weeks=WEEKS, seed=seed, members=members,
        parameters=dict(parameters), events=_valid_events(events)))
    ctx = build_context(scenario, REGION)
    result = run_ensemble(ctx, keep_trajectories=True)
    q = result.quantiles
    assert np.isfinite(q).all() and np.isfinite(result.trajectories).all()
    low = {"alignment": -1.0}
    for m, metric in enumerate(METRICS):
        values = result.trajectories[:, :, m, :]
        assert values.min() >= low.get(metric, 0.0) - 1e-12, metric
        assert values.max() <= 1.0 + 1e-12, metric
    ordered = q[:, :, 1:, :]                      # p05 <= p25 <= p50 <= p75 <= p95
    assert (np.diff(ordered, axis=2) >= -1e-12).all()
    assert STAT_NAMES[0] == "mean"
    outcomes = outcomes_frame(result, ctx)
    focal = outcomes[(outcomes.actor == REGION.roles.focal) & outcomes.outcome.isin(OUTCOMES)]
    assert abs(focal.probability.sum() - 1.0) < 1e-12
    # Member k alone equals member k in the ensemble.
    k = members - 1
    alone = run_ensemble(ctx, members=np.array([k]), keep_trajectories=True)
    assert np.array_equal(alone.trajectories[0], result.trajectories[k])
    assert np.array_equal(alone.holder[0], result.holder[k])
