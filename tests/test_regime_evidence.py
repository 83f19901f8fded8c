"""Pre-trigger evidence (rules RC1-RC5), its mechanisms, the vote and graded defection."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import make_context

from sim.analyses.crowd_response import class_c_share
from sim.engines.ensemble import run_ensemble
from sim.errors import UserError
from sim.model.mechanisms import election, regime, succession
from sim.model.params import Parameters
from sim.model.state import HOLDER
from sim.paths import REGIONS_DIR
from sim.regions.evidence import COHESION_OF_BASE, RegimeEvidence, load_evidence
from sim.regions.loader import load_region

NO_WEIGHTS = Parameters({"cohesion_weight": 0.0, "lame_duck_weight": 0.0,
                         "linkage_weight": 0.0, "capacity_weight": 0.0})


# --- the evidence file ------------------------------------------------------------------

def test_a_folder_without_evidence_gets_neutral_evidence(tmp_path):
    evidence = load_evidence(tmp_path, "BLR")
    assert not evidence.present
    p = Parameters({})
    assert regime.split_scale(evidence, p) == 1.0
    assert regime.defection_scale(evidence, p) == 1.0
    assert regime.repression_scale(evidence, p) == 1.0


def test_the_shipped_regions_read_their_evidence():
    belarus = load_region(REGIONS_DIR / "belarus").evidence
    russia = load_region(REGIONS_DIR / "russia").evidence
    assert belarus.present and russia.present
    assert belarus.ruling_base == russia.ruling_base == "personal"
    assert belarus.lame_duck == russia.lame_duck == 0.0
    assert 0.0 < belarus.linkage < 1.0 and 0.0 < russia.linkage < belarus.linkage


@pytest.mark.parametrize(("field", "value", "says"), [
    ("ruling_base", "junta", "is not one of"),
    ("wgi_ge", "140", "outside"),
    ("wgi_ge", "high", "not a number"),
    ("term_limited", "maybe", "True or False"),
    ("vdem_regime", "1.5", "not one of 0, 1, 2, 3"),
])
def test_bad_evidence_names_the_file_and_the_field(belarus_copy, field, value, says):
    path = belarus_copy / "evidence.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[table["evidence"] == field, "value"] = value
    table.to_csv(path, index=False)
    with pytest.raises(UserError) as err:
        load_region(belarus_copy)
    assert err.value.origin.endswith("evidence.csv") and err.value.field == field
    assert says in err.value.message


def test_a_field_given_twice_is_refused(belarus_copy):
    path = belarus_copy / "evidence.csv"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("BLR,wgi_ge,"))
    path.write_text(text + line + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="given twice"):
        load_region(belarus_copy)


# --- the rules ----------------------------------------------------------------------------

def test_rc1_orders_regime_types_by_geddes_lifespans():
    assert COHESION_OF_BASE["party"] > COHESION_OF_BASE["personal"] > COHESION_OF_BASE["military"]
    p = Parameters({})
    party = regime.split_scale(RegimeEvidence(ruling_base="party"), p)
    military = regime.split_scale(RegimeEvidence(ruling_base="military"), p)
    assert party == pytest.approx(15.1 / 22.7) and military == pytest.approx(15.1 / 8.8)


def test_rc3_a_popular_named_successor_lifts_the_lame_duck():
    assert RegimeEvidence(term_limited=False).lame_duck == 0.0
    assert RegimeEvidence(term_limited=True).lame_duck == 1.0
    assert RegimeEvidence(term_limited=True, successor_named=True).lame_duck == 0.5
    assert RegimeEvidence(term_limited=True, successor_named=True,
                          approval=0.8).lame_duck == pytest.approx(0.2)


def test_zero_weights_make_every_evidence_inert():
    loud = RegimeEvidence(present=True, ruling_base="military", capacity_percentile=90.0,
                          term_limited=True, linkage_trade_pct_gdp=80.0)
    assert regime.split_scale(loud, NO_WEIGHTS) == 1.0
    assert regime.defection_scale(loud, NO_WEIGHTS) == 1.0
    assert regime.repression_scale(loud, NO_WEIGHTS) == 1.0


def test_rc5_a_closed_autocracy_cannot_lose_a_vote_and_a_democracy_loses_more():
    p = Parameters({})
    closed = election.loss_probability(RegimeEvidence(vdem_regime=0), p)
    electoral = election.loss_probability(RegimeEvidence(vdem_regime=1), p)
    democracy = election.loss_probability(RegimeEvidence(vdem_regime=3), p)
    assert closed == 0.0 < electoral < democracy
    lame = election.loss_probability(RegimeEvidence(vdem_regime=1, term_limited=True), p)
    assert lame == pytest.approx(2 * electoral)


# --- whole-model effects ----------------------------------------------------------------------

def _vote(region, members=400, **parameters):
    ctx = make_context(region, weeks=6, members=members, seed=3,
                       parameters={"health_risk_multiplier": 0.0, **parameters},
                       events=[{"type": "election", "week": 2}])
    return run_ensemble(ctx).holder[:, -1]


def _unreviewed(region):
    """The region without a body that may rule a lost vote illegitimate."""
    return dataclasses.replace(region, roles=dataclasses.replace(region.roles,
                                                                 election_review_body=None))


def test_an_election_hands_power_to_the_opposition_at_about_its_base_rate(region):
    plain = _unreviewed(region)
    holder = _vote(plain, members=2000)
    lost = (holder == HOLDER["opposition_led"]).mean()
    assert 0.13 < lost < 0.19   # 0.16 x Belarus's scale 1 (personal, not term-limited)
    assert (_vote(plain, election_loss_autocracy=1.0) == HOLDER["opposition_led"]).all()
    assert not (_vote(plain, election_loss_autocracy=0.0) == HOLDER["opposition_led"]).any()


def test_the_peoples_assembly_turns_a_lost_vote_into_a_contest(region, monkeypatch):
    monkeypatch.setattr(succession, "CONTESTED_MEAN_WEEKS", 104.0)  # hold the contest open
    assert region.roles.election_review_body == "All-Belarusian People's Assembly"
    ctx = make_context(region, weeks=3, members=200, seed=3,
                       parameters={"health_risk_multiplier": 0.0, "election_loss_autocracy": 1.0},
                       events=[{"type": "election", "week": 2}])
    holder = run_ensemble(ctx).holder
    # Every member loses the vote in week 2; none hands power over: the contest is open
    # (a few contests resolve the same week, for an insider or a rival: the street is calm).
    assert (holder[:, 3] != HOLDER["incumbent"]).all()   # column t: the end of week t - 1
    assert (holder[:, 3] != HOLDER["opposition_led"]).all()
    assert (holder[:, 3] == HOLDER["contested"]).mean() > 0.95


# --- rule RC6: whose coup, whose defection -------------------------------------------------

def _with_base(region, base):
    return dataclasses.replace(region, evidence=dataclasses.replace(region.evidence,
                                                                    ruling_base=base))


def test_rc6_a_coups_success_is_its_share_with_odds_scaled_by_cohesion():
    p = Parameters({})
    personal, party, military = (RegimeEvidence(ruling_base=b)
                                 for b in ("personal", "party", "military"))
    assert float(regime.coup_success_probability(0.5, personal, p)) == 0.5
    assert (regime.coup_success_probability(0.5, party, p)
            < 0.5 < regime.coup_success_probability(0.5, military, p))
    assert regime.coup_success_probability(0.0, military, p) == 0.0
    assert regime.coup_success_probability(1.0, party, p) == 1.0
    flat = regime.coup_success_probability(0.3, party, NO_WEIGHTS)
    assert float(flat) == pytest.approx(0.3)


def _coup(region, members=600, strength=0.5, weeks=4):
    ctx = make_context(region, weeks=weeks, members=members, seed=11,
                       parameters={"health_risk_multiplier": 0.0, "coup_attempt_rate": 0.0,
                                   "transition_split_rate": 0.0},
                       events=[{"type": "coup_attempt", "week": 1, "strength": strength}])
    return run_ensemble(ctx)


def test_rc6_a_military_core_that_takes_power_keeps_it_and_outsiders_open_a_contest(region):
    core = _coup(_with_base(region, "military"), strength=1.0)
    assert (core.holder[:, 2] == HOLDER["insider_successor"]).all()  # the end of week 1
    outsiders = _coup(_with_base(region, "personal"), strength=1.0)
    assert not (outsiders.holder[:, 2] == HOLDER["insider_successor"]).all()
    assert (outsiders.holder[:, 2] != HOLDER["incumbent"]).all()


def test_rc6_a_failed_coups_plotters_are_purged_and_the_rest_of_the_bloc_stays_loyal(region):
    sec = region.index(region.roles.security)
    coup = _coup(_with_base(region, "party"), members=400)
    calm = run_ensemble(make_context(
        _with_base(region, "party"), weeks=4, members=400, seed=11,
        parameters={"health_risk_multiplier": 0.0, "coup_attempt_rate": 0.0,
                    "transition_split_rate": 0.0}))
    failed = coup.holder[:, -1] == HOLDER["incumbent"]
    took = coup.holder[:, 2] == HOLDER["contested"]
    assert failed.any() and took.any()
    # The lowest loyalty of the run (metric 0 is stability), paired member by member.
    loyalty, loyalty_calm = coup.low[:, 0, sec], calm.low[:, 0, sec]
    assert np.allclose(loyalty[failed], loyalty_calm[failed])
    assert (loyalty[took] < 0.6 * loyalty_calm[took]).all()


def test_rc6_under_a_military_base_a_defecting_bloc_keeps_power(region):
    def holders(base):
        ctx = make_context(_with_base(region, base), weeks=30, members=300, seed=5,
                           parameters={"health_risk_multiplier": 0.0, "defection_crowd": 0.01},
                           events=[{"type": "protest_wave", "week": 1, "intensity": 3,
                                    "duration_weeks": 20}])
        return run_ensemble(ctx).holder[:, -1]
    military, personal = holders("military"), holders("personal")
    # The street still wins some contests after a split (6.2), not by defection.
    opposition = HOLDER["opposition_led"]
    assert (military == opposition).mean() < 0.2 * (personal == opposition).mean()
    assert (military == HOLDER["insider_successor"]).mean() > 0.5


def test_a_closed_autocracy_holds_every_vote(region):
    closed = dataclasses.replace(region, evidence=dataclasses.replace(region.evidence,
                                                                      vdem_regime=0))
    assert not (_vote(closed, election_loss_autocracy=1.0) == HOLDER["opposition_led"]).any()


def test_a_party_regime_splits_less_after_a_death_than_a_military_one(region):
    def splits(base):
        held = dataclasses.replace(region, evidence=dataclasses.replace(
            region.evidence, ruling_base=base))
        ctx = make_context(held, weeks=20, members=1500, seed=8,
                           events=[{"type": "leader_incapacitated", "week": 0,
                                    "mode": "natural"}])
        return (run_ensemble(ctx).holder == HOLDER["contested"]).any(axis=1).mean()
    assert splits("party") < splits("personal") < splits("military")


def test_the_crowd_response_is_graded_and_a_single_breaking_point_is_a_step():
    graded = [class_c_share("belarus", s, 800)[0] for s in (0.02, 0.03, 0.05, 0.08)]
    assert all(np.diff(graded) > 0)
    assert graded[2] / graded[1] < 5.0
    step = {"defection_tolerance_spread": 0.0}
    three, five = (class_c_share("belarus", s, 800, parameters=step)[0] for s in (0.03, 0.05))
    assert five / max(three, 1e-9) > 5.0
