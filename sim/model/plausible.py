"""The plausible range of every parameter, with its grade and the reason for the range.

Read by :mod:`sim.model.params`, which checks that each range holds the parameter's
default and lies inside its hard range; ``docs/model.md`` section 7 explains the two
ranges. The sensitivity analysis, the calibration search and ``make explore`` sample
only these ranges.
"""

from __future__ import annotations

#: Plausible range, grade and the reason for the range, per parameter.
PLAUSIBLE: dict[str, tuple[float, float, str, str]] = {
    "incapacity_hazard_at_72": (0.03, 0.08, "assumption",
                                "male all-cause mortality at 72 of 3-6%/yr in Eastern European "
                                "life tables (recalled), plus lasting incapacity"),
    "gompertz_slope": (0.07, 0.11, "recalled",
                       "adult mortality doubles every 6-10 years in human life tables"),
    "health_risk_multiplier": (0.5, 3.0, "lever",
                               "scenario lever: from a healthier than average leader to the "
                               "unconfirmed health reports taken seriously"),
    "transition_split_rate": (0.01, 0.04, "calibrated",
                              "half to double the calibrated value; splits in 7-23% of "
                              "natural successions in both regions"),
    "split_fading_weeks": (2.0, 12.0, "calibrated",
                           "from days to the three months of the longest interims"),
    "elite_loyalty_factor": (0.6, 1.0, "lever",
                             "scenario lever: from rival insiders to the data's loyalty"),
    "coup_attempt_rate": (0.02, 0.08, "sourced",
                          "Frantz & Stein 2017: about 4% per dictatorship-year (region-facts); "
                          "half to double for regime types"),
    "rival_win_share": (0.3, 0.9, "calibrated",
                        "most failures after a death are coups or military moves; an insider "
                        "still wins some splits (Turkmenistan 2006)"),
    "opposition_win_unrest": (0.01, 0.1, "assumption",
                              "post-Soviet street victories drew 1-3% of the public; 10% is "
                              "beyond any case in the development set"),
    "contested_stability_shock": (0.1, 0.4, "assumption",
                                  "an open split costs a tenth to two fifths of state capacity"),
    "regime_change_alignment_shift": (0.4, 1.2, "assumption",
                                      "an opposition government turns west by half to most of "
                                      "the -1..1 scale"),
    "threshold_spread": (0.05, 0.2, "assumption",
                         "half to double the default; below 0.01 the no-runaway condition "
                         "fails"),
    "max_participation": (0.1, 0.4, "assumption",
                          "the largest anti-regime mobilisations reached 10-30% of adults"),
    "grievance_weight": (0.15, 0.6, "assumption", "half to double the default"),
    "weakness_weight": (0.15, 0.6, "assumption", "half to double the default"),
    "repression_weight": (0.15, 0.6, "assumption", "half to double the default"),
    "mobilisation_speed": (0.3, 0.8, "assumption",
                           "waves peak within one to three weeks of their trigger"),
    "defection_crowd": (0.01, 0.07, "calibrated",
                        "from the post-Soviet street victories (about 1-3%) to twice "
                        "Chenoweth's 3.5%"),
    "defection_erosion": (0.02, 0.1, "assumption", "half to double the default"),
    "defection_threshold": (0.7, 0.94, "calibrated",
                            "between a bloc that stays loyal under pressure and one already "
                            "wavering"),
    "defection_rate": (0.3, 3.0, "calibrated",
                       "the posterior's 90% interval of make calibrate lies inside "
                       "(docs/model.md 9.1)"),
    "contagion_strength": (0.25, 0.75, "assumption", "half to one and a half the default"),
    "max_dependence_row_sum": (0.8, 0.95, "assumption",
                               "close to one keeps echoes alive longer; far below mutes them"),
    "stability_recovery": (0.015, 0.06, "assumption",
                           "shocks half-recover in three to eleven months"),
    "stress_drag": (0.01, 0.04, "assumption", "half to double the default"),
    "unrest_drag": (0.02, 0.1, "assumption", "less than half to double the default"),
    "patron_support_gain": (1.0, 4.0, "assumption", "half to double the default"),
    "unsettled_support_need": (0.25, 1.0, "assumption",
                               "half to double the default"),
    "patron_support_speed": (0.15, 0.6, "assumption",
                             "support arrives within one to six weeks"),
    "patron_security_help": (0.02, 0.1, "assumption", "half to double the default"),
    "patron_support_cost": (0.001, 0.005, "assumption", "half to two and a half the default"),
    "patron_intervention_rate": (0.002, 0.036, "calibrated",
                                 "from a tenth to double the pre-calibration 0.018; target 3 "
                                 "(takeover at most a fifth of failures) bounds it"),
    "patron_move_multiplier": (2.0, 10.0, "lever", "scenario lever"),
    "posture_gain": (0.6, 2.4, "assumption", "half to double the default"),
    "posture_speed": (0.08, 0.3, "assumption", "readiness moves over two to twelve weeks"),
    "refugee_rate": (0.25, 1.0, "assumption", "half to double the default"),
    "distress_to_stress": (0.05, 0.2, "assumption", "half to double the default"),
    "stress_recovery": (0.015, 0.06, "assumption",
                        "economic shocks half-recover in three to eleven months"),
    "defection_tolerance_spread": (0.3, 1.0, "assumption",
                                   "from a breaking point known within a factor of 1.8 "
                                   "(95%) to one unknown within a factor of 7"),
    "cohesion_weight": (0.5, 1.5, "assumption",
                        "half to one and a half times the lifespan ratio of Geddes 1999"),
    "capacity_weight": (0.0, 1.0, "assumption",
                        "from no effect to repression doubling across the capacity scale"),
    "lame_duck_weight": (0.0, 2.0, "assumption",
                         "from no effect to a tripling of the hazards (Hale 2005 is "
                         "qualitative)"),
    "linkage_weight": (0.0, 1.0, "assumption",
                       "from no effect to a doubling at full linkage"),
    "rally_weight": (0.0, 2.0, "assumption",
                     "from a public that does not matter to a ruler at 75% approval "
                     "cutting a coup's odds of success by 2.7 times"),
    "election_loss_autocracy": (0.08, 0.28, "sourced",
                                "95% Wilson interval of 8 of 51"),
    "election_loss_democracy": (0.27, 0.52, "sourced",
                                "95% Wilson interval of 21 of 54"),
    "emigration_per_protest_week": (0.085, 0.35, "recalled",
                                    "the Belarus 2020 anchor with the recorded outflow's "
                                    "range, 50,000 to 200,000 people (recalled, verify)"),
    "troops_marginal_share": (0.25, 1.0, "assumption",
                              "from a quarter of the average personnel intensity (equipment "
                              "first) to all of it (the average budget mix)"),
}
