"""The scenario file schema, in one place, and its strict loader.

A scenario is YAML (see ``scenarios/*.yaml`` for commented examples)::

    name: incapacity
    description: The leader is incapacitated by illness at week 4.
    region: belarus     # a region in sim/regions/ or a folder of your own (default belarus)
    weeks: 104          # horizon, weeks
    seed: 20261127      # root seed; member k's draws depend on (seed, k) only
    members: 1000       # ensemble size
    parameters:         # overrides of sim/params.py defaults
      health_risk_multiplier: 1.0
    events:             # forced events
      - {type: leader_incapacitated, week: 4, mode: natural}
    uncertainties:      # optional: ranges for `make explore` (default: plausible ranges)
      patron_support_speed: {low: 0.1, high: 0.5}
      layer.trade.contagion: {low: 0.5, high: 1.5}   # a multiplier on a layer weight
    observations:       # optional: what has been seen since (sim/model/observations.py)
      - {week: 8, type: leader_in_office, value: true}

Unknown keys, unknown parameters, unknown actors and out-of-range values are errors
that name the file and the field. Events that name actors are checked against the
region (:func:`check_against_region`).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.errors import UserError
from sim.model.observations import (
    MAX_OBSERVATIONS,
    OBSERVATION_MODELS,
    OBSERVATION_TYPES,
    Crowd,
    Observation,
    PatronMoveSeen,
)
from sim.model.params import CONTEXT_ONLY, check_value
from sim.regions.layer_weights import check_factor_range, is_layer_factor

if TYPE_CHECKING:
    from sim.regions.roles import RegionRoles

MAX_WEEKS = 1040
MAX_MEMBERS = 1_000_000
MAX_EVENTS = 1000


class _Strict(BaseModel):
    # strict: "10", 5.0 or true are not integers, "0.5" is not a number.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class LeaderIncapacitated(_Strict):
    """The leader dies or becomes unable to rule at ``week``."""

    type: Literal["leader_incapacitated"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    mode: Literal["natural", "violent"] = "natural"


class ProtestWave(_Strict):
    """A push to protest in one state's public, decaying over ``duration_weeks``.

    ``intensity`` is the push added to the state's drive to protest (weighted by
    ``grievance_weight``; docs/model.md 6.3); 1.15 gives a Belarus peak near August
    2020's ~2%.
    ``actor`` defaults to the focal state and must be a state (power centres have no
    public of their own). ``crowd_share``, when given, is an observed crowd (share of the
    population at the peak): the actor's protest share is held at least at
    ``crowd_share * exp(-(t - week) / duration_weeks)`` from ``week`` on, so a backtest
    can feed the crowd a protest drew and let the elite and the patrons decide.
    """

    type: Literal["protest_wave"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    actor: str | None = None
    intensity: Annotated[float, Field(ge=0.0, le=3.0)] = 0.5
    duration_weeks: Annotated[int, Field(ge=1, le=MAX_WEEKS)] = 8
    crowd_share: Annotated[float, Field(gt=0.0, le=0.5)] | None = None


class DisputedElection(_Strict):
    """A vote judged fraudulent: a push to protest in the focal state's public.

    Acts like a protest wave in the focal state (the election is the focal point that
    brings the public out), of ``intensity`` decaying over ``duration_weeks``, with an
    optional observed ``crowd_share`` (see :class:`ProtestWave`).
    """

    type: Literal["disputed_election"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    intensity: Annotated[float, Field(ge=0.0, le=3.0)] = 1.15
    duration_weeks: Annotated[int, Field(ge=1, le=MAX_WEEKS)] = 8
    crowd_share: Annotated[float, Field(gt=0.0, le=0.5)] | None = None


class VoluntaryHandover(_Strict):
    """The ruler steps down to a named successor, who takes office at once.

    ``successor`` names the successor for the record (manifest and reports); the model
    treats every designated successor alike: a settled ruler, no election.
    """

    type: Literal["voluntary_handover"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    successor: Annotated[str, Field(min_length=1, max_length=80)] = "designated successor"


class CoupAttempt(_Strict):
    """Part of the security bloc moves against the ruler.

    ``strength`` is the share of the security bloc behind the plotters: the bloc's
    loyalty falls by that share, and with that probability the elite splits openly
    (the succession becomes contested). About half of coup attempts succeed (Powell &
    Thyne 2011), hence the default 0.5.
    """

    type: Literal["coup_attempt"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    strength: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5


class Election(_Strict):
    """A scheduled vote (or a forced rerun, or a parliament's vote for president).

    The ruling group loses it with a chance set by the regime's pre-trigger evidence
    (``sim/model/mechanisms/election.py``): none in a closed autocracy, the base rate of
    electoral autocracies or of democracies otherwise, scaled by cohesion and a lame
    duck. A loss hands power to the opposition. ``office`` (optional) is for the record.
    """

    type: Literal["election"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    office: Literal["president", "parliament"] | None = None


class PatronMove(_Strict):
    """A patron moves to secure the focal state: full support, higher takeover hazard.

    ``patron`` defaults to the region's first patron.
    """

    type: Literal["patron_move"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    patron: str | None = None


Event = Annotated[
    LeaderIncapacitated | ProtestWave | DisputedElection | VoluntaryHandover | CoupAttempt
    | Election | PatronMove, Field(discriminator="type")]
EVENT_MODELS: dict[str, type[BaseModel]] = {
    "leader_incapacitated": LeaderIncapacitated, "protest_wave": ProtestWave,
    "disputed_election": DisputedElection, "voluntary_handover": VoluntaryHandover,
    "coup_attempt": CoupAttempt, "election": Election, "patron_move": PatronMove,
}
EVENT_TYPES = tuple(EVENT_MODELS)
#: Event types of earlier versions, with what to write instead.
RENAMED_EVENTS = {"russian_move": "type: patron_move (and patron: <the patron's id>)"}
#: Events that end the ruler's tenure (at most one per scenario).
ENDING_EVENTS = ("leader_incapacitated", "voluntary_handover")


class Uncertainty(_Strict):
    """A parameter's range in an exploration (``make explore``): what we do not know.

    ``uniform`` spreads points evenly from ``low`` to ``high``; ``triangular`` puts
    more of them near ``mode``. Kept apart from ``parameters:``, which fixes values
    (levers a player chooses, or the scenario's assumptions).
    """

    low: float
    high: float
    distribution: Literal["uniform", "triangular"] = "uniform"
    mode: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Uncertainty:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.distribution == "triangular":
            if self.mode is None or not self.low <= self.mode <= self.high:
                raise ValueError("a triangular distribution needs a mode from low to high")
        elif self.mode is not None:
            raise ValueError("mode is only for distribution: triangular")
        return self


class Scenario(_Strict):
    """A validated scenario file."""

    name: Annotated[str, Field(min_length=1, max_length=64,
                               pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    description: str
    weeks: Annotated[int, Field(ge=1, le=MAX_WEEKS)]
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    members: Annotated[int, Field(ge=1, le=MAX_MEMBERS)]
    region: Annotated[str, Field(min_length=1, max_length=4096)] = "belarus"
    parameters: dict[str, float] = Field(default_factory=dict)
    events: Annotated[list[Event], Field(max_length=MAX_EVENTS)] = Field(default_factory=list)
    #: Ranges explored by ``make explore`` (default: every plausible range, see
    #: :func:`sim.analyses.explore.uncertainties_of`); ignored by a plain run.
    uncertainties: dict[str, Uncertainty] = Field(default_factory=dict)
    #: What has been observed since the shock: the run weights its members by them
    #: (:mod:`sim.analyses.observations`); the simulation itself is unchanged.
    observations: Annotated[list[Observation], Field(max_length=MAX_OBSERVATIONS)] = Field(
        default_factory=list)
    #: sha256 of the file's bytes as read and validated (set by :func:`load_scenario`).
    _source_sha256: str | None = PrivateAttr(default=None)

    @property
    def source_sha256(self) -> str | None:
        """sha256 of the exact bytes this scenario was read from (None if built in code)."""
        return self._source_sha256

    @model_validator(mode="after")
    def _events_fit(self) -> Scenario:
        for i, event in enumerate(self.events):
            if event.week >= self.weeks:
                raise ValueError(f"events.{i}.week: week {event.week} is not before the "
                                 f"horizon (weeks: {self.weeks}); events must be in weeks 0 "
                                 f"to {self.weeks - 1}")
        for i, seen in enumerate(self.observations):
            if seen.week > self.weeks:
                raise ValueError(f"observations.{i}.week: week {seen.week} is after the "
                                 f"horizon (weeks: {self.weeks}); observations must be in "
                                 f"weeks 0 to {self.weeks}")
        ending = [e for e in self.events if e.type in ENDING_EVENTS]
        if len(ending) > 1:
            raise ValueError("events: at most one leader_incapacitated or voluntary_handover "
                             "per scenario (the ruler leaves office once)")
        return self

    @classmethod
    def in_code(cls, name: str, *, weeks: int, members: int, seed: int,
                events: list[dict] | tuple = (), parameters: dict[str, float] | None = None,
                description: str = "built in code", region: str = "belarus") -> Scenario:
        """A scenario built by an analysis rather than read from a file (validated alike).

        Raises pydantic's ``ValidationError`` on bad values (the caller names the origin).
        """
        return cls.model_validate(dict(
            name=name, description=description, region=region, weeks=weeks, seed=seed,
            members=members, parameters=dict(parameters or {}), events=list(events)))

    def region_folder(self) -> Path:
        """The folder of the region this scenario runs on."""
        from sim.regions.folders import region_folder

        return region_folder(self.region)

    @field_validator("parameters", mode="before")
    @classmethod
    def _known_parameters(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        for name, number in value.items():
            problem = check_value(str(name), number)
            if problem:
                raise ValueError(f"parameter {name!r}: {problem}")
        return value

    @field_validator("uncertainties", mode="after")
    @classmethod
    def _known_uncertainties(cls, value: dict[str, Uncertainty]) -> dict[str, Uncertainty]:
        for name, spec in value.items():
            if is_layer_factor(str(name)):  # a multiplier on a layer's weight
                problem = check_factor_range(str(name), spec.low, spec.high)
                if problem:
                    raise ValueError(f"uncertainty {name!r}: {problem}")
                continue
            for bound in (spec.low, spec.high):
                problem = check_value(str(name), bound)
                if problem:
                    raise ValueError(f"uncertainty {name!r}: {problem}")
            if name in CONTEXT_ONLY:
                raise ValueError(f"uncertainty {name!r}: one value per ensemble (it shapes "
                                 "the run's constant inputs); explore it with separate runs")
        return value

    def with_overrides(self, *, members: int | None = None, seed: int | None = None,
                       weeks: int | None = None,
                       parameters: dict[str, float] | None = None) -> Scenario:
        """Return a copy with overrides (command line, API) applied and re-validated.

        ``parameters`` are merged over the file's own parameter overrides.
        """
        data = self.model_dump()
        for key, value in (("members", members), ("seed", seed), ("weeks", weeks)):
            if value is not None:
                data[key] = value
        if parameters:
            data["parameters"] = {**data["parameters"], **parameters}
        try:
            copy = Scenario.model_validate(data)
        except ValidationError as exc:
            raise _user_error("command line", exc) from None
        copy._source_sha256 = self._source_sha256
        return copy


def _user_error(origin: str, exc: ValidationError) -> UserError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key; allowed keys: " + ", ".join(_allowed_keys(first["loc"]))
    elif first["type"] == "union_tag_invalid":
        tag = str(first.get("ctx", {}).get("tag", ""))
        if first["loc"] and first["loc"][0] == "observations":
            message = f"unknown observation type; allowed: {', '.join(OBSERVATION_TYPES)}"
        elif tag in RENAMED_EVENTS:
            message = f"event type {tag!r} was renamed: write {RENAMED_EVENTS[tag]}"
        else:
            message = f"unknown event type; allowed: {', '.join(EVENT_TYPES)}"
    elif first["type"] == "value_error" and not first["loc"]:
        if ": " in message and message.split(": ", 1)[0].startswith(("events",
                                                                      "observations")):
            field, message = message.split(": ", 1)
    if len(exc.errors()) > 1:
        message += f" (and {len(exc.errors()) - 1} more problem(s))"
    return UserError(origin, field, message)


def _allowed_keys(loc: tuple) -> list[str]:
    model: type[BaseModel] = Scenario
    if len(loc) >= 3 and loc[0] == "events":
        model = EVENT_MODELS.get(str(loc[2]), Scenario)
    elif len(loc) >= 3 and loc[0] == "observations":
        model = OBSERVATION_MODELS.get(str(loc[2]), Scenario)
    return sorted(model.model_fields)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file.

    A relative ``region:`` path is taken relative to the scenario file's folder when
    such a folder exists there. Check the events against the region with
    :func:`check_against_region` once it is loaded.

    Parameters
    ----------
    path : pathlib.Path
        The YAML file.

    Returns
    -------
    Scenario

    Raises
    ------
    UserError
        Naming the file and field for every kind of bad input.
    """
    from sim.safe_yaml import parse_yaml, read_limited

    origin = str(path)
    if not path.exists():
        raise UserError(origin, None, "scenario file not found")
    raw = read_limited(path, origin)  # the bytes the run is made from, hashed below
    data = parse_yaml(raw, origin)
    if not isinstance(data, dict):
        raise UserError(origin, None, "must be a YAML mapping with keys name, description, "
                        "weeks, seed, members, parameters, events")
    _reject_nan(origin, data, "")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _user_error(origin, exc) from None
    local = path.parent / scenario.region
    if not Path(scenario.region).is_absolute() and (local / "roles.yaml").is_file():
        scenario = scenario.model_copy(update={"region": str(local.resolve())})
    scenario._source_sha256 = hashlib.sha256(raw).hexdigest()
    return scenario


def check_against_region(scenario: Scenario, roles: RegionRoles, kinds: dict[str, str],
                         origin: str) -> None:
    """Check the events' actors and patrons against the region the scenario runs on.

    Raises
    ------
    UserError
        Naming the file and the event field: an unknown actor, a protest aimed at a
        power centre, a patron move in a region without that patron.
    """
    for i, event in enumerate(scenario.events):
        actor = getattr(event, "actor", None)
        if actor is not None:
            states = [a for a, kind in kinds.items() if kind == "state"]
            if actor not in kinds:
                raise UserError(origin, f"events.{i}.actor",
                                f"unknown actor {actor!r}; states of this region: "
                                f"{', '.join(states)}")
            if kinds[actor] != "state":
                raise UserError(origin, f"events.{i}.actor",
                                f"{actor!r} is a power centre; a protest wave needs a state's "
                                f"public (the focal state's is {roles.focal!r})")
        if isinstance(event, PatronMove):
            movers = list(roles.patrons)
            if not movers:
                raise UserError(origin, f"events.{i}", "this region's focal state "
                                f"{roles.focal!r} has no patron to move (roles.yaml)")
            if event.patron is not None and event.patron not in movers:
                raise UserError(origin, f"events.{i}.patron",
                                f"{event.patron!r} is not a patron of {roles.focal!r}; "
                                f"patrons: {', '.join(movers)}")
    _check_observations(scenario, roles, kinds, origin)


def _check_observations(scenario: Scenario, roles: RegionRoles, kinds: dict[str, str],
                        origin: str) -> None:
    """The observations' actors and patrons exist in the region (as for the events)."""
    for i, seen in enumerate(scenario.observations):
        if isinstance(seen, Crowd) and seen.actor is not None and (
                kinds.get(seen.actor) != "state"):
            states = [a for a, kind in kinds.items() if kind == "state"]
            raise UserError(origin, f"observations.{i}.actor",
                            f"{seen.actor!r} is not a state of this region (a crowd is "
                            f"a state's public); states: {', '.join(states)}")
        if isinstance(seen, PatronMoveSeen):
            if not roles.patrons:
                raise UserError(origin, f"observations.{i}", f"this region's focal state "
                                f"{roles.focal!r} has no patron to watch (roles.yaml)")
            if seen.patron is not None and seen.patron not in roles.patrons:
                raise UserError(origin, f"observations.{i}.patron",
                                f"{seen.patron!r} is not a patron of {roles.focal!r}; "
                                f"patrons: {', '.join(roles.patrons)}")


def _reject_nan(origin: str, value: object, where: str) -> None:
    """YAML's ``.nan`` would slip through some numeric checks: refuse it by name."""
    if isinstance(value, float) and math.isnan(value):
        raise UserError(origin, where or None, "must be a number, not NaN")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nan(origin, item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _reject_nan(origin, item, f"{where}.{i}")
