"""Each mechanism alone: exact answers from degenerate parameters, and the direction
of each effect."""

import math

import numpy as np
import pytest

from sim.model.mechanisms import (
    alignment,
    contagion,
    defection,
    health,
    mobilisation,
    reactions,
    succession,
)
from sim.model.params import Parameters
from sim.model.state import HOLDER
from sim.regions.graph import SparseRows

# --- health -------------------------------------------------------------------------


def test_zero_hazard_never_strikes():
    p = Parameters({"health_risk_multiplier": 0.0})
    assert health.weekly_incapacity_probability(50, 72.24, p) == 0.0
    capable = np.ones(5, dtype=bool)
    assert not health.draw_incapacity(capable, np.full(5, 1e-12), 0.0).any()


def test_hazard_matches_gompertz_and_rises_with_age():
    p = Parameters({"incapacity_hazard_at_72": 0.05, "gompertz_slope": 0.1})
    assert health.weekly_incapacity_probability(0, 72.0, p) == pytest.approx(
        1 - math.exp(-0.05 / 52))
    one_year_on = 0.05 * math.exp(0.1)
    assert health.weekly_incapacity_probability(52, 72.0, p) == pytest.approx(
        1 - math.exp(-one_year_on / 52))
    assert health.weekly_incapacity_probability(0, 73.0, p) == pytest.approx(
        health.weekly_incapacity_probability(52, 72.0, p))
    assert (health.weekly_incapacity_probability(0, 72.0, p.replace(health_risk_multiplier=3.0))
            > health.weekly_incapacity_probability(0, 72.0, p))


def test_an_incapacitated_leader_is_not_struck_again():
    capable = np.array([True, False])
    assert health.draw_incapacity(capable, np.array([0.0, 0.0]), 1.0).tolist() == [True, False]


# --- succession ---------------------------------------------------------------------


def test_election_falls_30_to_70_days_after_vacancy():
    u = np.linspace(1e-9, 1 - 1e-9, 1001)
    weeks = succession.election_week(0, u, (30, 70))
    assert weeks.min() == math.ceil(30 / 7) and weeks.max() == math.ceil(70 / 7)
    russia = succession.election_week(0, u, (80, 90))      # Article 92: within 3 months
    assert russia.min() == math.ceil(80 / 7) and russia.max() == math.ceil(90 / 7)
    fixed = succession.election_week(3, u, (35, 35))
    assert set(fixed.tolist()) == {3 + 5}


def test_no_split_hazard_when_rates_are_zero():
    p = Parameters({"transition_split_rate": 0.0, "coup_attempt_rate": 0.0})
    holder = np.array([HOLDER["constitutional_interim"], HOLDER["incumbent"]], dtype=np.int8)
    probability = succession.split_probability(holder, np.array([0.1, 0.1]), 0.8,
                                                np.array([0, 0]), p)
    assert np.array_equal(probability, np.zeros(2))


def test_split_hazard_direction():
    p = Parameters()
    interim = np.array([HOLDER["constitutional_interim"]], dtype=np.int8)
    council = np.array([HOLDER["emergency_body"]], dtype=np.int8)

    def split(holder, cohesion, weeks=0):
        return succession.split_probability(holder, np.array([cohesion]), 0.83,
                                            np.array([weeks]), p)[0]

    assert split(interim, 0.6) > split(interim, 0.8)      # less cohesion
    assert split(interim, 0.8, 6) < split(interim, 0.8, 1)  # the risk fades
    # The emergency path and the interim carry the same hazard (no violent multiplier).
    assert split(council, 0.8) == split(interim, 0.8)
    assert split(interim, 0.83) > split(np.array([HOLDER["incumbent"]], np.int8), 0.83)


def test_the_split_hazard_fades_by_its_time_constant():
    p = Parameters({"split_fading_weeks": 3.0})
    interim = np.array([HOLDER["constitutional_interim"]], dtype=np.int8)

    def hazard(weeks):
        prob = succession.split_probability(interim, np.array([0.6]), 0.83,
                                            np.array([weeks]), p)[0]
        return -np.log1p(-prob)

    assert hazard(3) / hazard(0) == pytest.approx(np.exp(-1.0))


def test_holder_transitions():
    h = HOLDER
    holder = np.array([h["constitutional_interim"], h["constitutional_interim"], h["contested"],
                       h["contested"], h["incumbent"], h["opposition_led"]], dtype=np.int8)
    election = np.array([5, 9, -1, -1, -1, -1])
    split = np.array([False, False, False, False, True, True])
    resolves = np.array([False, False, True, True, False, True])
    opposition = np.array([False, False, True, False, False, True])
    rival = np.array([False] * 6)
    out = succession.next_holder(holder, 5, election, split, resolves, opposition, rival)
    assert out.tolist() == [h["insider_successor"], h["constitutional_interim"],
                            h["opposition_led"], h["insider_successor"], h["contested"],
                            h["opposition_led"]]
    # A contest that resolves without the street goes to a rival faction where it wins.
    rival[3] = True
    out = succession.next_holder(holder, 5, election, split, resolves, opposition, rival)
    assert out[3] == h["rival_takeover"] and out[2] == h["opposition_led"]


def test_opposition_needs_both_street_and_defection():
    p = Parameters()
    assert succession.opposition_win_probability(np.array([0.5]), np.array([0.85]), 0.85, p)[0] == 0
    assert succession.opposition_win_probability(np.array([0.0]), np.array([0.2]), 0.85, p)[0] == 0
    assert succession.opposition_win_probability(np.array([0.5]), np.array([0.0]), 0.85, p)[0] == 1


# --- mobilisation -------------------------------------------------------------------


def _drive(p, unrest, push=0.0, weakness=0.0, repression=0.5):
    return mobilisation.drive(unrest, np.full_like(unrest, push),
                              np.zeros_like(unrest), np.full_like(unrest, weakness),
                              np.full_like(unrest, repression), p)


def test_baseline_unrest_is_a_fixed_point():
    p = Parameters()
    u0 = np.array([0.001, 0.005, 0.2])
    theta = mobilisation.baseline_thresholds(_drive(p, u0), u0, p)
    after = mobilisation.update(u0, _drive(p, u0), theta, p)
    np.testing.assert_allclose(after, u0, rtol=1e-12)


def test_push_and_weakness_raise_unrest_repression_lowers_it():
    p = Parameters()
    u0 = np.array([0.005])
    theta = mobilisation.baseline_thresholds(_drive(p, u0), u0, p)

    def week(**kw):
        return mobilisation.update(u0, _drive(p, u0, **kw), theta, p)[0]

    assert week(push=0.3) > 0.005
    assert week(push=1.15) > week(push=0.3)
    assert week(weakness=0.3) > 0.005
    assert week(repression=0.9) < 0.005


def test_a_constant_drive_term_cancels_against_the_thresholds():
    """Why the grievance level was removed (docs/data-rules.md R3): any constant level
    in the drive is also in the baseline drive that sets theta, so it moves nothing;
    only a push on top of the baseline does."""
    p = Parameters()
    u0 = np.array([0.001, 0.005])
    unrest = np.array([0.003, 0.02])
    step = {}
    for level in (0.0, 0.4, 0.9):
        theta = mobilisation.baseline_thresholds(_drive(p, u0, push=level), u0, p)
        step[level] = mobilisation.update(unrest, _drive(p, unrest, push=level + 0.5), theta,
                                          p)
    np.testing.assert_allclose(step[0.4], step[0.0], rtol=1e-12)
    np.testing.assert_allclose(step[0.9], step[0.0], rtol=1e-12)


def test_power_centres_never_mobilise():
    p = Parameters()
    theta = mobilisation.baseline_thresholds(np.array([0.5]), np.array([0.0]), p)
    assert np.isinf(theta[0])
    assert mobilisation.update(np.zeros(1), np.array([10.0]), theta, p)[0] == 0.0


# --- contagion ----------------------------------------------------------------------

PATH3 = SparseRows.from_dense(np.array([[0.0, 0.0, 0.0],    # 0 depends on nobody
                                        [0.8, 0.0, 0.0],    # 1 depends on 0
                                        [0.0, 0.5, 0.0]]))  # 2 depends on 1


def test_zero_contagion_means_no_ripple():
    p = Parameters({"contagion_strength": 0.0})
    s0 = np.ones(3)
    s, sent, _ = contagion.propagate(np.array([0.2, 1.0, 1.0]), np.zeros(3), s0, PATH3, p)
    assert s.tolist() == [0.2, 1.0, 1.0]


def test_distress_moves_one_hop_a_week_and_counts_once():
    p = Parameters({"contagion_strength": 1.0})
    s0 = np.ones(3)
    s, sent = np.array([0.5, 1.0, 1.0]), np.zeros(3)
    s, sent, new = contagion.propagate(s, sent, s0, PATH3, p)     # week 1: 0 -> 1
    assert new.tolist() == [0.5, 0.0, 0.0]
    assert s.tolist() == [0.5, 1.0 - 0.8 * 0.5, 1.0]
    s, sent, new = contagion.propagate(s, sent, s0, PATH3, p)     # week 2: 1 -> 2
    assert s[2] == pytest.approx(1.0 - 0.5 * 0.4)
    assert s[1] == pytest.approx(0.6)                             # 0's shock not re-counted
    s, sent, new = contagion.propagate(s, sent, s0, PATH3, p)     # week 3: nothing new
    assert new.tolist() == [0.0, 0.0, pytest.approx(0.2)]
    assert s[:2].tolist() == pytest.approx([0.5, 0.6])


def test_relaxation_returns_to_baseline_without_drag():
    p = Parameters({"stability_recovery": 0.5})
    s = contagion.relax(np.array([0.2]), np.array([0.6]), np.zeros(1), np.zeros(1), p)
    assert s[0] == pytest.approx(0.4)


# --- alignment ----------------------------------------------------------------------


def test_baseline_alignment_is_the_steady_state():
    influence = SparseRows.from_dense(alignment.influence_matrix(
        np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]), 1.0))
    a0 = np.array([-0.8, 0.2, 0.9])
    lam = np.array([0.4, 0.1, 0.3])
    prejudice = alignment.anchored_prejudice(a0, influence, lam)
    np.testing.assert_allclose(alignment.step(a0, prejudice, influence, lam), a0, atol=1e-15)


def test_fully_stubborn_actors_do_not_move_and_others_are_pulled():
    influence = SparseRows.from_dense(alignment.influence_matrix(
        np.array([[0.0, 1.0], [1.0, 0.0]]), 1.0))
    a = np.array([-1.0, 1.0])
    out = alignment.step(a, np.array([-1.0, 1.0]), influence, np.array([0.0, 0.5]))
    assert out[0] == -1.0 and out[1] < 1.0


# --- reactions ----------------------------------------------------------------------


def test_a_patron_supports_nothing_at_baseline_and_more_under_distress():
    p = Parameters()
    incumbent = np.array([HOLDER["incumbent"]], dtype=np.int8)
    yes = np.array([True])
    assert reactions.patron_support_target(np.zeros(1), np.zeros(1), incumbent,
                                           np.ones((1, 1)), yes, p)[0, 0] == 0.0
    assert reactions.patron_support_target(np.array([0.2]), np.zeros(1), incumbent,
                                           np.ones((1, 1)), yes, p)[0, 0] > 0.0


def test_each_patron_supports_by_its_own_capacity_and_ability():
    p = Parameters()
    incumbent = np.array([HOLDER["incumbent"]], dtype=np.int8)
    target = reactions.patron_support_target(np.array([0.1]), np.zeros(1), incumbent,
                                             np.array([[1.0, 0.5, 1.0]]),
                                             np.array([True, True, False]), p)
    assert target[0, 0] == pytest.approx(2 * target[0, 1]) and target[0, 2] == 0.0


def test_no_patrons_means_no_support_and_no_takeover():
    p = Parameters()
    contested = np.array([HOLDER["contested"]] * 3, dtype=np.int8)
    target = reactions.patron_support_target(np.full(3, 0.5), np.zeros(3), contested,
                                             np.ones((3, 0)), np.zeros(0, bool), p)
    assert target.shape == (3, 0)
    probability = reactions.intervention_probability(np.ones((3, 0)), contested,
                                                     np.zeros((3, 0), bool), np.zeros(0, bool),
                                                     np.zeros(0), p)
    assert reactions.first_takeover(np.ones((3, 0)), probability).tolist() == [-1, -1, -1]


def test_no_intervention_while_the_focal_state_is_settled():
    p = Parameters()
    yes = np.array([True])
    settled = np.array([HOLDER["incumbent"], HOLDER["insider_successor"],
                        HOLDER["designated_successor"]], dtype=np.int8)
    full = np.ones(1)
    probability = reactions.intervention_probability(np.ones((3, 1)), settled,
                                                     np.zeros((3, 1), bool), yes, full, p)
    assert probability.tolist() == [[0.0], [0.0], [0.0]]
    contested = np.array([HOLDER["contested"]], dtype=np.int8)
    assert reactions.intervention_probability(np.ones((1, 1)), contested,
                                              np.zeros((1, 1), bool), yes, full, p)[0, 0] > 0
    assert reactions.intervention_probability(np.ones((1, 1)), contested,
                                              np.zeros((1, 1), bool), ~yes, full, p)[0, 0] == 0


def test_takeover_scales_with_presence_and_is_zero_without_it():
    p = Parameters({"patron_intervention_rate": 0.1})
    contested = np.array([HOLDER["contested"]], dtype=np.int8)

    def hazard(presence):
        return reactions.intervention_probability(np.ones((1, 1)), contested,
                                                  np.zeros((1, 1), bool), np.array([True]),
                                                  np.array([presence]), p)[0, 0]

    assert hazard(0.0) == 0.0 < hazard(0.3) < hazard(0.6)
    assert hazard(1.0) == pytest.approx(1 - math.exp(-0.1))
    assert reactions.presence(np.zeros(1), np.zeros(1), np.zeros(1)).tolist() == [0.0]
    assert reactions.presence(np.array([0.5]), np.array([1.0]), np.array([0.9])).tolist() == [1.0]


def test_exposure_comes_from_alliance_and_border_with_the_sources():
    out = reactions.exposure(np.array([1.0, 1.0, 0.0, 1.0]), np.array([0.58, 0.2, 0.9, 0.0]),
                             np.array([], dtype=int))
    assert out.tolist() == [0.58, 0.2, 0.0, 0.0]   # no alliance or no border: no exposure


def test_a_threat_source_does_not_arm_against_itself():
    excess = np.array([[0.0, 0.4]])                # the patron (axis 1) has armed
    t = reactions.threat(np.zeros(1), excess, np.array([0, 1]), 3)
    assert t[0, 1] == 0.0 and t[0, 2] == pytest.approx(0.4) and t[0, 0] == pytest.approx(0.4)
    p = Parameters({"posture_gain": 5.0, "posture_speed": 1.0})
    posture0 = np.array([0.5, 0.8, 0.4])
    posture = posture0[None].copy()
    for _ in range(50):   # with a gain above one, a self-loop would run away
        excess = posture[:, [0, 1]] - posture0[[0, 1]]
        t = reactions.threat(np.zeros(1), excess, np.array([0, 1]), 3)
        posture = reactions.update_posture(posture, posture0, np.array([0.0, 1.0, 1.0]), t, p)
    assert posture.tolist() == [posture0.tolist()]


def test_the_former_constants_are_parameters_and_act():
    interim = np.array([HOLDER["constitutional_interim"]], np.int8)
    args = (np.zeros(1), np.zeros(1), interim, np.ones((1, 1)), np.array([True]))
    assert reactions.patron_support_target(
        *args, Parameters({"unsettled_support_need": 0.0})).tolist() == [[0.0]]
    assert reactions.patron_support_target(
        *args, Parameters({"unsettled_support_need": 0.25})).tolist() == [[0.5]]


def test_the_first_patron_in_file_order_wins_a_tie():
    both = np.array([[0.1, 0.1]])
    assert reactions.first_takeover(np.array([[0.05, 0.01]]), both).tolist() == [0]
    assert reactions.first_takeover(np.array([[0.5, 0.01]]), both).tolist() == [1]


def test_posture_rises_only_for_exposed_states():
    p = Parameters()
    posture0 = np.array([0.5, 0.5])
    out = reactions.update_posture(posture0[None], posture0, np.array([1.0, 0.0]),
                                   np.array([[0.5, 0.5]]), p)
    assert out[0, 0] > 0.5 and out[0, 1] == 0.5


def test_refugees_stress_neighbours_by_border_share():
    p = Parameters()
    # Actor 0 shares 75% of its border with 1 and 25% with 2: B[j, i] = share of i's border.
    outflow = SparseRows.from_dense(np.array([[0, 0, 0], [0.75, 0, 0], [0.25, 0, 0]]))
    stress = reactions.refugee_stress(np.array([0.1, 0, 0]), np.array([0.8, 0.1, 0.1]),
                                      np.array([10.0, 5.0, 5.0]), outflow, p)
    assert stress[0] == 0 and stress[1] == pytest.approx(3 * stress[2])
    tolerated = reactions.refugee_stress(np.array([0.1, 0, 0]), np.zeros(3),
                                         np.array([10.0, 5.0, 5.0]), outflow, p)
    assert not tolerated.any()



def test_entry_effects_apply_once_on_entry():
    p = Parameters({"contested_stability_shock": 0.5, "regime_change_alignment_shift": 0.8})
    h = HOLDER
    before = np.array([h["constitutional_interim"], h["contested"], h["contested"],
                       h["contested"]], dtype=np.int8)
    after = np.array([h["contested"], h["contested"], h["opposition_led"],
                      h["patron_controlled"]], dtype=np.int8)
    s0 = np.array([0.6, 0.8])
    stability, prejudice = succession.entry_effects(
        before, after, np.tile(s0, (4, 1)), np.full(4, -0.8), s0, [0], np.full(4, -1.0), p)
    assert stability[:, 0].tolist() == pytest.approx([0.3, 0.6, 0.3, 0.3])
    assert stability[:, 1].tolist() == [0.8] * 4                     # not a shocked actor
    assert prejudice.tolist() == pytest.approx([-0.8, -0.8, 0.0, -1.0])


def test_patron_support_helps_the_security_bloc_and_costs_the_patron():
    p = Parameters()
    costed, helped = reactions.support_effects(
        np.array([[1.0], [0.0]]), np.array([[0.45], [0.45]]), np.array([0.5, 0.5]), 0.85, p)
    assert costed[0, 0] == pytest.approx(0.45 + p.patron_support_cost) and costed[1, 0] == 0.45
    assert helped[0] == pytest.approx(0.5 + p.patron_security_help * 0.35)
    assert helped[1] == 0.5
    # Two patrons at half support help as much as one at full support, each paying half.
    costs, two = reactions.support_effects(np.array([[0.5, 0.5]]), np.array([[0.45, 0.45]]),
                                           np.array([0.5]), 0.85, p)
    assert two[0] == pytest.approx(helped[0]) and costs.shape == (1, 2)
    assert costs[0].tolist() == pytest.approx([0.45 + p.patron_support_cost / 2] * 2)


def test_a_coup_splits_only_a_regime_in_power():
    h = HOLDER
    holder = np.array([h["incumbent"], h["constitutional_interim"], h["contested"],
                       h["patron_controlled"], h["incumbent"]], dtype=np.int8)
    out = succession.coup_outcome(holder, np.array([True, True, True, True, False]))
    assert out.tolist() == [h["contested"], h["contested"], h["contested"],
                            h["patron_controlled"], h["incumbent"]]


def test_violent_vacancy_goes_to_the_emergency_body_only_where_there_is_one():
    violent = np.array([True, False])
    assert succession.vacancy_holder(violent, True).tolist() == [
        HOLDER["emergency_body"], HOLDER["constitutional_interim"]]
    assert succession.vacancy_holder(violent, False).tolist() == [
        HOLDER["constitutional_interim"]] * 2


# --- elite defection ----------------------------------------------------------------


def test_no_street_no_pressure_no_erosion_no_defection():
    p = Parameters()
    pressure = defection.street_pressure(np.array([0.001, 0.0005]), 0.001, 0.85, p)
    assert pressure.tolist() == [0.0, 0.0]
    assert defection.erode(np.array([0.6, 0.6]), pressure, p).tolist() == [0.6, 0.6]
    assert defection.probability(pressure, np.array([0.1, 0.1]), p).tolist() == [0.0, 0.0]


def test_pressure_grows_with_the_crowd_and_falls_with_repression_capacity():
    p = Parameters()
    crowd = defection.street_pressure(np.array([0.005, 0.01]), 0.0, 0.85, p)
    assert crowd[1] > crowd[0] > 0
    weak = defection.street_pressure(np.array([0.005]), 0.0, 0.3, p)
    assert weak[0] > crowd[0]      # Kyrgyzstan 2020: a small crowd against weak repression


def test_defection_needs_a_wavering_bloc():
    p = Parameters()
    full = np.ones(3)
    lam = p.defection_threshold
    prob = defection.probability(full, np.array([lam + 0.1, lam - 0.03, 0.4]), p)
    assert prob[0] == 0.0 < prob[1] < prob[2]        # loyal above the threshold: none
    assert defection.probability(full, np.array([0.4]), p.replace(defection_rate=0.0))[0] == 0


def test_a_defection_hands_power_to_the_opposition_only_where_the_regime_rules():
    h = HOLDER
    holder = np.array([h["incumbent"], h["constitutional_interim"], h["patron_controlled"],
                       h["opposition_led"]], dtype=np.int8)
    out = defection.apply(holder, np.ones(4, bool))
    assert out.tolist() == [h["opposition_led"], h["opposition_led"], h["patron_controlled"],
                            h["opposition_led"]]
