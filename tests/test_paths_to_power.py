"""Two paths to power: an outside constitutional successor (RC7), crowds for the ruler (RC8)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import INCAPACITY, make_context

from sim.engines.ensemble import run_ensemble
from sim.episodes.build import load_source
from sim.errors import UserError
from sim.model.mechanisms import outsider, regime
from sim.model.params import Parameters
from sim.model.state import HOLDER
from sim.paths import PACKAGE_DIR, REGIONS_DIR
from sim.regions.evidence import RegimeEvidence
from sim.regions.loader import load_region

SOURCES = PACKAGE_DIR / "episodes" / "sources"
QUIET = {"health_risk_multiplier": 0.0, "coup_attempt_rate": 0.0}


def _outsider(region, value=True):
    return dataclasses.replace(region, roles=dataclasses.replace(region.roles,
                                                                 successor_outsider=value))


def _with_evidence(region, **changes):
    return dataclasses.replace(region, evidence=dataclasses.replace(region.evidence, **changes))


# --- RC7: the fields are encoded ----------------------------------------------------------

def test_both_shipped_regions_encode_the_successor_with_a_source():
    for name in ("belarus", "russia"):
        roles = load_region(REGIONS_DIR / name).roles
        assert roles.successor_outsider is False
        assert roles.successor_outsider_source and "appointed" in roles.successor_outsider_source


def test_every_death_episode_encodes_its_successor_and_malawi_is_the_outsider():
    seen = {}
    for path in sorted(SOURCES.glob("*.yaml")):
        source = load_source(path)
        if source.trigger.kind == "death":
            fact = source.succession.successor_outsider
            assert fact is not None and fact.source, path.name
            seen[source.name] = fact.value
    assert len(seen) == 13
    assert [name for name, value in seen.items() if value] == ["malawi_2012"]
    assert load_source(SOURCES / "malawi_2012.yaml").no_path is None


@pytest.mark.parametrize(("source", "field"), [
    ("tanzania_2021", "successor_outsider"),  # a death source must say who succeeds
    ("mali_2012", "last_vote_share"),  # a democracy without approval: its vote share
])
def test_a_source_without_a_required_field_is_refused(tmp_path, source, field):
    text = (SOURCES / f"{source}.yaml").read_text(encoding="utf-8")
    kept = "\n".join(x for x in text.splitlines() if f"{field}:" not in x)
    path = tmp_path / f"{source}.yaml"
    path.write_text(kept + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=field):
        load_source(path)


@pytest.mark.parametrize(("old", "new", "says"), [
    ("    value: false\n", "    value: perhaps\n", "value"),
    ("    grade: recalled\n", "    grade: rumour\n", "grade"),
    ('    note: "recalled, verify;', '    note: "remembered;', "verify"),
])
def test_a_bad_successor_field_names_the_file_and_the_field(belarus_copy, old, new, says):
    path = belarus_copy / "roles.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_region(belarus_copy)
    assert err.value.origin.endswith("roles.yaml")
    assert "successor_outsider" in (err.value.field or "")
    assert says in err.value.message or says in (err.value.field or "")


# --- RC7: the mechanism -------------------------------------------------------------------

def test_the_block_reads_cohesion_and_the_blocs_loyalty():
    p = Parameters({})
    loyal = np.array([0.85])
    personal = outsider.block_probability(loyal, 0.85, RegimeEvidence(), p)
    party = outsider.block_probability(loyal, 0.85, RegimeEvidence(ruling_base="party"), p)
    military = outsider.block_probability(loyal, 0.85, RegimeEvidence(ruling_base="military"), p)
    assert personal[0] == 0.5 and military[0] < 0.5 < party[0]
    assert party[0] == pytest.approx(1.5033 / 2.5033, abs=1e-4)
    looser = outsider.block_probability(np.array([0.5]), 0.85, RegimeEvidence(), p)
    assert looser[0] < personal[0]
    assert outsider.block_probability(np.array([0.0]), 0.85, RegimeEvidence(), p)[0] == 0.0


def test_an_outside_successor_takes_power_unless_the_group_blocks_it(region):
    ctx = make_context(_outsider(region), weeks=3, members=2000, seed=5, parameters=QUIET,
                       events=INCAPACITY)
    holder = run_ensemble(ctx).holder[:, 3]  # the end of week 2, the vacancy's week
    took = (holder == HOLDER["opposition_led"]).mean()
    # A personalist group with a loyal bloc blocks half the time (p_block = 0.5).
    assert 0.46 < took < 0.54
    assert set(np.unique(holder)) <= {HOLDER["opposition_led"], HOLDER["constitutional_interim"],
                                      HOLDER["contested"]}


def test_an_inside_successor_gives_todays_bytes(region):
    inside = run_ensemble(make_context(region, weeks=20, members=200, seed=5, events=INCAPACITY))
    also = run_ensemble(make_context(_outsider(region, False), weeks=20, members=200, seed=5,
                                     events=INCAPACITY))
    assert np.array_equal(inside.holder, also.holder)
    assert np.array_equal(inside.low, also.low)


def test_an_emergency_body_after_a_violent_death_is_not_an_outsider(region):
    assert region.roles.emergency_body
    violent = [{"type": "leader_incapacitated", "week": 2, "mode": "violent"}]
    ctx = make_context(_outsider(region), weeks=3, members=300, seed=5, parameters=QUIET,
                       events=violent)
    holder = run_ensemble(ctx).holder[:, 3]
    assert not (holder == HOLDER["opposition_led"]).any()


def test_a_more_cohesive_group_keeps_the_outsider_out_more_often(region):
    def took(base):
        ctx = make_context(_with_evidence(_outsider(region), ruling_base=base), weeks=3,
                           members=1500, seed=9, parameters=QUIET, events=INCAPACITY)
        return (run_ensemble(ctx).holder[:, 3] == HOLDER["opposition_led"]).mean()
    assert took("party") < took("personal") < took("military")


# --- RC8: crowds for the ruler ------------------------------------------------------------

def test_popularity_reads_approval_then_a_counted_vote_then_the_midpoint():
    assert RegimeEvidence(approval=0.3, last_vote_share=0.7, vdem_regime=2).popularity == 0.3
    assert RegimeEvidence(last_vote_share=0.7, vdem_regime=3).popularity == 0.7
    assert RegimeEvidence(last_vote_share=0.9, vdem_regime=1).popularity == 0.5
    assert RegimeEvidence().popularity == 0.5


def test_more_approval_makes_a_coup_fail_more_often_by_the_stated_odds():
    p = Parameters({})
    odds = [regime.coup_success_probability(0.5, RegimeEvidence(approval=a), p)
            for a in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert all(x > y for x, y in zip(odds, odds[1:], strict=False))
    assert float(odds[2]) == 0.5
    assert float(odds[4]) == pytest.approx(np.exp(-1.0) / (1.0 + np.exp(-1.0)))
    strong = regime.coup_success_probability(0.5, RegimeEvidence(approval=0.9),
                                             Parameters({"rally_weight": 2.0}))
    assert strong < regime.coup_success_probability(0.5, RegimeEvidence(approval=0.9), p)


def test_a_rally_weight_of_zero_leaves_the_coup_rule_to_the_last_bit():
    off = Parameters({"rally_weight": 0.0})
    for a in (0.0, 0.3, 0.9):
        for base in ("personal", "party", "military"):
            e = RegimeEvidence(ruling_base=base, approval=a)
            plain = RegimeEvidence(ruling_base=base)
            assert (regime.coup_success_probability(0.37, e, off)
                    == regime.coup_success_probability(0.37, plain, off))


def test_a_popular_ruler_survives_more_coups_in_an_ensemble(region):
    def survived(approval):
        ctx = make_context(_with_evidence(region, approval=approval), weeks=3, members=1500,
                           seed=11, parameters={**QUIET, "transition_split_rate": 0.0},
                           events=[{"type": "coup_attempt", "week": 1}])
        return (run_ensemble(ctx).holder[:, -1] == HOLDER["incumbent"]).mean()
    low, mid, high = survived(0.2), survived(None), survived(0.9)
    assert low < mid < high
    assert 0.46 < mid < 0.54 and high > 0.62


def test_a_bad_vote_share_names_the_file_and_the_field(belarus_copy):
    path = belarus_copy / "evidence.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = table.iloc[[0]].copy()
    row["evidence"], row["value"] = "last_vote_share", "140"
    pd.concat([table, row]).to_csv(path, index=False)
    with pytest.raises(UserError) as err:
        load_region(belarus_copy)
    assert err.value.origin.endswith("evidence.csv") and err.value.field == "last_vote_share"
    assert "outside" in err.value.message


def test_an_episode_with_rally_weight_zero_runs_as_if_no_popularity_were_known():
    venezuela = load_region(PACKAGE_DIR / "episodes" / "venezuela_2002")
    assert venezuela.evidence.popularity == pytest.approx(0.35)
    unknown = _with_evidence(venezuela, approval=None)
    coup = [{"type": "coup_attempt", "week": 0}]
    off = {"rally_weight": 0.0}
    a = run_ensemble(make_context(venezuela, weeks=12, members=300, seed=4, events=coup,
                                  parameters=off))
    b = run_ensemble(make_context(unknown, weeks=12, members=300, seed=4, events=coup,
                                  parameters=off))
    assert np.array_equal(a.holder, b.holder) and np.array_equal(a.low, b.low)
    on = run_ensemble(make_context(venezuela, weeks=12, members=300, seed=4, events=coup))
    assert not np.array_equal(a.holder, on.holder)
