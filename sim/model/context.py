"""Everything fixed for one scenario run.

Region data, parameters, random streams, scheduled events and the arrays derived from
them once (baselines, matrices, thresholds). Rules read from it; nothing in it changes
while the run steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from sim.model.mechanisms import alignment, mobilisation, reactions, succession
from sim.model.params import Parameters
from sim.model.rng import RandomStreams
from sim.model.scenario import (
    CoupAttempt,
    DisputedElection,
    Election,
    LeaderIncapacitated,
    PatronMove,
    ProtestWave,
    Scenario,
    VoluntaryHandover,
)
from sim.model.state import State, initial_state
from sim.regions.graph import SparseRows
from sim.regions.loader import Region, load_region


@dataclass(frozen=True)
class Roles:
    """Axis positions of the actors in each role of the region (``roles.yaml``).

    Attributes
    ----------
    focal, leader, security, apparatus, public : int
        The focal state and its four power centres.
    patrons : numpy.ndarray of int, shape (P,)
        The patrons, in ``roles.yaml`` order (may be empty).
    can_support, can_take_over : numpy.ndarray of bool, shape (P,)
    threat_sources : numpy.ndarray of int
        The focal state followed by its patrons: whose military posture threatens.
    emergency_body : bool
        Whether an emergency body rules after a violent death.
    election_days : tuple of int
        The election window after a vacancy, days.
    leader_age_years : float
        The ruler's age at week 0.
    """

    focal: int
    leader: int
    security: int
    apparatus: int
    public: int
    patrons: np.ndarray
    can_support: np.ndarray
    can_take_over: np.ndarray
    threat_sources: np.ndarray
    emergency_body: bool
    election_days: tuple[int, int]
    leader_age_years: float

    @classmethod
    def of(cls, region: Region) -> Roles:
        """Look the region's roles up by id."""
        r = region.roles
        patrons = np.array([region.index(a) for a in r.patrons], dtype=np.intp)
        focal = region.index(r.focal)
        return cls(
            focal=focal, leader=region.index(r.leader), security=region.index(r.security),
            apparatus=region.index(r.apparatus), public=region.index(r.public),
            patrons=patrons, can_support=np.array(r.patron_support, dtype=bool),
            can_take_over=np.array(r.patron_takeover, dtype=bool),
            threat_sources=np.concatenate([[focal], patrons]).astype(np.intp),
            emergency_body=r.emergency_body is not None, election_days=r.election_days,
            leader_age_years=r.leader_age_years)


@dataclass(frozen=True)
class Context:
    """Immutable inputs and derived constants of one scenario run."""

    region: Region
    params: Parameters
    streams: RandomStreams
    scenario: Scenario
    roles: Roles
    baseline: dict[str, np.ndarray]
    dependence: SparseRows
    influence: SparseRows
    outflow_share: SparseRows
    susceptibility: np.ndarray
    prejudice0: np.ndarray
    theta: np.ndarray
    repression_carrier: np.ndarray
    exposure: np.ndarray
    presence: np.ndarray
    elite: np.ndarray
    elite_weight: np.ndarray
    cohesion0: float
    #: An experimental design run as one ensemble: per-row parameter values (rows are
    #: the ensemble's member indices), and how many replicate members each design point
    #: has; row ``k`` draws the random numbers of member ``k % replicates`` of a plain
    #: run (common random numbers across the design). Empty for a plain run.
    design: Mapping[str, np.ndarray] = field(default_factory=dict)
    replicates: int = 0

    def for_rows(self, rows: np.ndarray) -> tuple[Context, np.ndarray]:
        """The context of a block of rows and the members whose random numbers they draw.

        For a plain run this is ``(self, rows)``. In a design, the rows' parameter
        values become per-member arrays and the constants derived from them (threshold
        centres, susceptibility, anchors) are recomputed per member.
        """
        rows = np.asarray(rows)
        if not self.design:
            return self, rows
        params = self.params.replace(**{k: v[rows] for k, v in self.design.items()})
        susceptibility, prejudice0, theta = member_constants(self.region, params,
                                                             self.influence)
        block = replace(self, params=params, susceptibility=susceptibility,
                        prejudice0=prejudice0, theta=theta, design={})
        return block, rows % self.replicates

    def with_design(self, design: Mapping[str, np.ndarray], replicates: int) -> Context:
        """A copy of this context running a design: ``design[name][row]`` for every row."""
        sizes = {len(np.asarray(v)) for v in design.values()}
        if len(sizes) > 1 or replicates < 1:
            raise ValueError("a design needs equally long value arrays and replicates >= 1")
        return replace(self, design={k: np.asarray(v, dtype=np.float64)
                                     for k, v in design.items()}, replicates=replicates)

    def initial_state(self, members: int) -> State:
        """The undisturbed state for ``members`` members."""
        return initial_state(self.baseline, self.prejudice0, members, len(self.roles.patrons))

    def protest_push(self, week: int) -> np.ndarray:
        """The push of protest waves and disputed elections per actor at ``week``.

        A wave of intensity ``I`` starting at week ``w`` adds
        ``I * exp(-(t - w) / duration)`` for ``t >= w``; a disputed election is such a
        wave in the focal state's public.
        """
        push = np.zeros(self.region.n)
        for event in self.scenario.events:
            if isinstance(event, ProtestWave | DisputedElection) and week >= event.week:
                actor = getattr(event, "actor", None) or self.region.roles.focal
                idx = self.region.index(actor)
                push[idx] += event.intensity * np.exp(-(week - event.week) / event.duration_weeks)
        return push

    def crowd_floor(self, week: int) -> np.ndarray | None:
        """Observed crowds (``crowd_share`` of waves) held at ``week``, per actor, or None.

        A crowd of share ``c`` from week ``w`` holds at least ``c * exp(-(t - w) / d)``.
        """
        floor = None
        for event in self.scenario.events:
            share = getattr(event, "crowd_share", None)
            if share is not None and week >= event.week:
                floor = np.zeros(self.region.n) if floor is None else floor
                actor = getattr(event, "actor", None) or self.region.roles.focal
                idx = self.region.index(actor)
                held = share * np.exp(-(week - event.week) / event.duration_weeks)
                floor[idx] = max(floor[idx], held)
        return floor

    def events_at(self, week: int, kind: type) -> list:
        """The scenario's events of type ``kind`` scheduled for ``week``, in file order."""
        return [e for e in self.scenario.events if isinstance(e, kind) and e.week == week]

    def forced_incapacity(self, week: int) -> LeaderIncapacitated | None:
        """The scenario's forced incapacity event at ``week``, if any."""
        found = self.events_at(week, LeaderIncapacitated)
        return found[0] if found else None

    def patron_moves_at(self, week: int) -> np.ndarray:
        """Which patrons make a ``patron_move`` at ``week``, shape (P,) of bool."""
        moving = np.zeros(len(self.roles.patrons), dtype=bool)
        for event in self.events_at(week, PatronMove):
            patron = event.patron or self.region.roles.patrons[0]  # the first patron
            moving[self.region.roles.patrons.index(patron)] = True
        return moving

    def handover_at(self, week: int) -> VoluntaryHandover | None:
        """The scenario's voluntary handover at ``week``, if any."""
        found = self.events_at(week, VoluntaryHandover)
        return found[0] if found else None

    def patron_anchor(self, controller: np.ndarray) -> np.ndarray:
        """Baseline alignment of the patron in control, per member (0 where none)."""
        if len(self.roles.patrons) == 0:
            return np.zeros(controller.shape)
        anchors = self.baseline["alignment0"][self.roles.patrons]
        return np.where(controller >= 0, anchors[np.maximum(controller, 0)], 0.0)

    def coups_at(self, week: int) -> list[CoupAttempt]:
        """Coup attempts scheduled for ``week``."""
        return self.events_at(week, CoupAttempt)

    def elections_at(self, week: int) -> list[Election]:
        """Votes scheduled for ``week``."""
        return self.events_at(week, Election)


def member_constants(region: Region, params: Parameters, influence: SparseRows
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Constants that follow from parameters which may differ from member to member.

    Returns
    -------
    susceptibility, prejudice0, theta : numpy.ndarray, shape (N,) or (M, N)
        Friedkin-Johnsen susceptibility and anchors, and the threshold centres that
        make the baseline unrest a fixed point; per member when a parameter they use is.
    """
    attrs = region.attrs
    susceptibility = 1.0 - attrs["stubbornness"]
    prejudice0 = alignment.anchored_prejudice(attrs["alignment0"], influence, susceptibility)
    baseline_drive = mobilisation.drive(
        unrest=attrs["unrest0"], push=np.zeros(region.n), stress_excess=np.zeros(region.n),
        weakness=np.zeros(region.n), repression=attrs["repression"], params=params)
    theta = mobilisation.baseline_thresholds(baseline_drive, attrs["unrest0"], params)
    return susceptibility, prejudice0, theta


def build_context(scenario: Scenario, region: Region | None = None) -> Context:
    """Derive every constant of a run from the scenario and the region data.

    ``region`` defaults to the region the scenario names, loaded from disk.
    """
    region = region or load_region(scenario.region_folder())
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
    row_sum = region.contagion_raw.sum(axis=1, keepdims=True)
    cap = np.minimum(1.0, params.max_dependence_row_sum / np.maximum(row_sum, 1e-300))
    dependence = SparseRows.from_dense(region.contagion_raw * cap)
    influence_dense = alignment.influence_matrix(region.influence_raw, alignment.SELF_WEIGHT)
    influence = SparseRows.from_dense(influence_dense)
    # Refugees leave i toward j in proportion to the share of i's border shared with j.
    no_border = np.zeros((region.n, region.n))
    outflow_share = SparseRows.from_dense(region.layers.get("border", no_border).T)
    susceptibility, prejudice0, theta = member_constants(region, params, influence)
    carrier = np.arange(region.n)
    carrier[roles.focal] = roles.security

    def layer(name: str) -> np.ndarray:
        return region.layers.get(name, np.zeros((region.n, region.n)))

    patrons = roles.patrons
    presence = reactions.presence(layer("troops")[roles.focal, patrons],
                                  layer("security")[roles.focal, patrons],
                                  layer("border")[roles.focal, patrons])
    exposure = reactions.exposure(attrs["frontline"],
                                  layer("border")[:, roles.threat_sources].sum(axis=1),
                                  patrons)
    return Context(
        region=region, params=params, streams=RandomStreams(scenario.seed), scenario=scenario,
        roles=roles, baseline=baseline, dependence=dependence, influence=influence,
        outflow_share=outflow_share, susceptibility=susceptibility, prejudice0=prejudice0,
        theta=theta, repression_carrier=carrier, exposure=exposure, presence=presence,
        elite=elite,
        elite_weight=elite_weight, cohesion0=cohesion0,
    )
