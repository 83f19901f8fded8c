"""Parameter names that earlier versions used, and what became of each.

A scenario file or ``--set`` naming one is refused with a message saying what to write
instead (:func:`sim.model.params.check_value`): renamed parameters name their successor;
parameters that became region data or left the model (among them those removed by
issue 19's pruning rule, ``docs/model.md`` section 7) say why.
"""

from __future__ import annotations

from types import MappingProxyType

#: Names that earlier versions used, with what replaced them (scenario files naming
#: them get a message saying what to change).
RENAMED: MappingProxyType[str, str] = MappingProxyType({
    "russia_support_gain": "patron_support_gain",
    "russia_support_speed": "patron_support_speed",
    "russia_security_help": "patron_security_help",
    "russia_support_cost": "patron_support_cost",
    "russia_intervention_rate": "patron_intervention_rate",
    "russian_move_multiplier": "patron_move_multiplier",
})
#: Former parameters that are now region data or were removed, with why.
MOVED_TO_REGION: MappingProxyType[str, str] = MappingProxyType({
    "violent_share": "random incapacity is natural; a violent death is a scenario event "
                     "(leader_incapacitated, mode: violent)",
    "self_influence": "removed: it moved no output over its plausible range; an actor's own "
                      "weight in the influence row is 1 (alignment.SELF_WEIGHT)",
    "split_unrest_gain": "removed: it moved no headline output by one percentage point (or "
                         "1% of a state's stability) over its plausible range in any shipped "
                         "scenario or episode (issue 19's pruning rule, python -m "
                         "sim.analyses.pruning); the street still splits the elite through "
                         "the security bloc's defection (docs/model.md 6.3b)",
    "spillover_weight": "removed: it moved no headline output by one percentage point (or "
                        "1% of a metric's scale) over its plausible range in any shipped "
                        "scenario or episode (issue 19's pruning rule, python -m "
                        "sim.analyses.pruning): neighbours' protest no longer enters the "
                        "drive to protest",
    "contested_mean_weeks": "removed: it moved no headline output by one percentage point "
                            "(or 1% of a state's stability) over its plausible range of 2-12 "
                            "weeks in any shipped scenario or episode (at most 0.95 of a step; "
                            "issue 19's pruning rule); an open split resolves after 6 weeks on "
                            "average (succession.CONTESTED_MEAN_WEEKS, region-facts' recount)",
    "patron_loan_relief": "removed: it moved no headline output by one percentage point (or "
                          "1% of a metric's scale) over its plausible range in any shipped "
                          "scenario or episode (issue 19's pruning rule): a patron's loans "
                          "no longer relieve the focal state's stress; its security help "
                          "and cost remain",
    "russia_loan_relief": "removed: renamed patron_loan_relief, which then left the model "
                          "(issue 19's pruning rule)",
    "protest_noise": "removed: it moved no headline output by one percentage point (or 1% "
                     "of a metric's scale) over its plausible range in any shipped scenario "
                     "or episode (issue 19's pruning rule): the weekly protest update has no "
                     "noise term",
    "trade_passthrough": "removed: it moved no headline output by one percentage point (or "
                         "1% of a metric's scale) over its plausible range in any shipped "
                         "scenario or episode (issue 19's pruning rule): stress no longer "
                         "passes along trade; the trade layer still weighs in the dependence "
                         "and influence graphs",
    "leader_age_years": "leader_age.years in the region's roles.yaml",
    "election_delay_min_days": "succession.election_days in the region's roles.yaml",
    "election_delay_max_days": "succession.election_days in the region's roles.yaml",
})
