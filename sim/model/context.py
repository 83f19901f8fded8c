"""Everything fixed for one scenario run.

Region data, parameters, random streams, scheduled events and the arrays derived from
them once (baselines, matrices, thresholds). Rules read from it; nothing in it changes
while the run steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms import alignment, mobilisation, succession
from sim.model.params import Parameters
from sim.model.rng import RandomStreams
from sim.model.scenario import LeaderIncapacitated, ProtestWave, RussianMove, Scenario
from sim.model.state import State, initial_state
from sim.regions.graph import SparseRows, pull
from sim.regions.loader import APPARATUS, FOCAL, LEADER, RUSSIA, SECURITY, Region, load_region


@dataclass(frozen=True)
class Roles:
    """Axis positions of the actors the Belarus-specific rules need."""

    focal: int
    leader: int
    security: int
    apparatus: int
    russia: int

    @classmethod
    def of(cls, region: Region) -> Roles:
        """Look the roles up by id (``sim/region.py`` names them)."""
        return cls(*(region.index(a) for a in (FOCAL, LEADER, SECURITY, APPARATUS, RUSSIA)))


@dataclass(frozen=True)
class Context:
    """Immutable inputs and derived constants of one scenario run."""

    region: Region
    params: Parameters
    streams: RandomStreams
    scenario: Scenario
    roles: Roles
    baseline: dict[str, np.ndarray]
    influence: SparseRows
    spill: SparseRows
    outflow_share: SparseRows
    susceptibility: np.ndarray
    prejudice0: np.ndarray
    theta: np.ndarray
    repression_carrier: np.ndarray
    exposure: np.ndarray
    elite: np.ndarray
    elite_weight: np.ndarray
    cohesion0: float

    def initial_state(self, members: int) -> State:
        """The undisturbed state for ``members`` members."""
        return initial_state(self.baseline, self.prejudice0, members)

    def grievance_push(self, week: int) -> np.ndarray:
        """Extra grievance per actor from protest-wave events active at ``week``.

        A wave of intensity ``I`` starting at week ``w`` adds
        ``I * exp(-(t - w) / duration)`` for ``t >= w``.
        """
        push = np.zeros(self.region.n)
        for event in self.scenario.events:
            if isinstance(event, ProtestWave) and week >= event.week:
                idx = self.region.index(event.actor)
                push[idx] += event.intensity * np.exp(-(week - event.week) / event.duration_weeks)
        return push

    def forced_incapacity(self, week: int) -> LeaderIncapacitated | None:
        """The scenario's forced incapacity event at ``week``, if any."""
        for event in self.scenario.events:
            if isinstance(event, LeaderIncapacitated) and event.week == week:
                return event
        return None

    def russian_move_at(self, week: int) -> bool:
        """Whether a ``russian_move`` event happens at ``week``."""
        return any(isinstance(e, RussianMove) and e.week == week for e in self.scenario.events)


def build_context(scenario: Scenario, region: Region | None = None) -> Context:
    """Derive every constant of a run from the scenario and the region data."""
    region = region or load_region()
    params = Parameters(dict(scenario.parameters))
    roles = Roles.of(region)
    attrs = region.attrs
    baseline = {k: attrs[k].copy() for k in ("stability0", "alignment0", "unrest0",
                                             "posture0", "stress0")}
    elite = np.array([roles.security, roles.apparatus])
    elite_weight = attrs["power_weight"][elite]
    # Cohesion is judged against the data's elite; a scenario may start it looser.
    cohesion0 = float(succession.elite_cohesion(attrs["stability0"][elite], elite_weight))
    baseline["stability0"][elite] *= params.elite_loyalty_factor
    influence_dense = alignment.influence_matrix(region.influence_raw, params.self_influence)
    influence = SparseRows.from_dense(influence_dense)
    spill_dense = influence_dense * (1.0 - np.eye(region.n)) * region.is_state[None, :]
    spill = SparseRows.from_dense(spill_dense)
    # Refugees leave i toward j in proportion to the share of i's border shared with j.
    outflow_share = SparseRows.from_dense(region.layers["border"].T)
    susceptibility = params.alignment_susceptibility * (1.0 - attrs["stubbornness"])
    prejudice0 = alignment.anchored_prejudice(attrs["alignment0"], influence, susceptibility)
    carrier = np.arange(region.n)
    carrier[roles.focal] = roles.security
    baseline_drive = mobilisation.drive(
        unrest=attrs["unrest0"], spill=pull(attrs["unrest0"], spill),
        grievance=attrs["grievance"], stress_excess=np.zeros(region.n),
        weakness=np.zeros(region.n), repression=attrs["repression"], params=params)
    theta = mobilisation.baseline_thresholds(baseline_drive, attrs["unrest0"], params)
    exposure = attrs["frontline"].copy()
    exposure[roles.russia] = 1.0
    return Context(
        region=region, params=params, streams=RandomStreams(scenario.seed), scenario=scenario,
        roles=roles, baseline=baseline, influence=influence, spill=spill,
        outflow_share=outflow_share, susceptibility=susceptibility, prejudice0=prejudice0,
        theta=theta, repression_carrier=carrier, exposure=exposure, elite=elite,
        elite_weight=elite_weight, cohesion0=cohesion0,
    )
