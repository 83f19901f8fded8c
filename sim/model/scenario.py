"""The scenario file schema, in one place, and its strict loader.

A scenario is YAML (see ``scenarios/*.yaml`` for commented examples)::

    name: incapacity
    description: The leader is incapacitated by illness at week 4.
    weeks: 104          # horizon, weeks
    seed: 20261127      # root seed; member k's draws depend on (seed, k) only
    members: 1000       # ensemble size
    parameters:         # overrides of sim/params.py defaults
      health_risk_multiplier: 1.0
    events:             # forced events
      - {type: leader_incapacitated, week: 4, mode: natural}

Unknown keys, unknown parameters, unknown actors and out-of-range values are errors
that name the file and the field.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.errors import UserError
from sim.model.params import check_value

MAX_WEEKS = 1040
MAX_MEMBERS = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LeaderIncapacitated(_Strict):
    """The leader dies or becomes unable to rule at ``week``."""

    type: Literal["leader_incapacitated"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    mode: Literal["natural", "violent"] = "natural"


class ProtestWave(_Strict):
    """A burst of grievance in one actor's public, decaying over ``duration_weeks``.

    ``intensity`` is added to the actor's grievance (on the same 0-1 scale as the
    baseline grievance in the data); 1.15 gives a Belarus peak near August 2020's ~2%.
    """

    type: Literal["protest_wave"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]
    actor: str = "BLR"
    intensity: Annotated[float, Field(ge=0.0, le=3.0)] = 0.5
    duration_weeks: Annotated[int, Field(ge=1, le=MAX_WEEKS)] = 8


class RussianMove(_Strict):
    """Russia moves to secure Belarus: full support and a higher intervention hazard."""

    type: Literal["russian_move"]
    week: Annotated[int, Field(ge=0, le=MAX_WEEKS)]


Event = Annotated[LeaderIncapacitated | ProtestWave | RussianMove, Field(discriminator="type")]
EVENT_TYPES = ("leader_incapacitated", "protest_wave", "russian_move")


class Scenario(_Strict):
    """A validated scenario file."""

    name: Annotated[str, Field(min_length=1, max_length=64,
                               pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    description: str
    weeks: Annotated[int, Field(ge=1, le=MAX_WEEKS)]
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    members: Annotated[int, Field(ge=1, le=MAX_MEMBERS)]
    parameters: dict[str, float] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)

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

    def with_overrides(self, *, members: int | None = None, seed: int | None = None,
                       weeks: int | None = None) -> Scenario:
        """Return a copy with command-line overrides applied and re-validated."""
        data = self.model_dump()
        for key, value in (("members", members), ("seed", seed), ("weeks", weeks)):
            if value is not None:
                data[key] = value
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise _user_error("command line", exc) from None


def _user_error(origin: str, exc: ValidationError) -> UserError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key; allowed keys: " + ", ".join(_allowed_keys(first["loc"]))
    elif first["type"] == "union_tag_invalid":
        message = f"unknown event type; allowed: {', '.join(EVENT_TYPES)}"
    if len(exc.errors()) > 1:
        message += f" (and {len(exc.errors()) - 1} more problem(s))"
    return UserError(origin, field, message)


def _allowed_keys(loc: tuple) -> list[str]:
    model: type[BaseModel] = Scenario
    if len(loc) >= 3 and loc[0] == "events":
        model = {"leader_incapacitated": LeaderIncapacitated, "protest_wave": ProtestWave,
                 "russian_move": RussianMove}.get(str(loc[2]), Scenario)
    return sorted(model.model_fields)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_scenario(path: Path, actor_ids: tuple[str, ...] | None = None) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : pathlib.Path
        The YAML file.
    actor_ids : tuple of str, optional
        Known actors; events naming another actor are rejected.

    Returns
    -------
    Scenario

    Raises
    ------
    UserError
        Naming the file and field for every kind of bad input.
    """
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(origin, None, "scenario file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(origin, None, f"cannot read file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UserError(origin, None, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(origin, None, "must be a YAML mapping with keys name, description, "
                        "weeks, seed, members, parameters, events")
    _reject_nan(origin, data, "")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _user_error(origin, exc) from None
    for i, event in enumerate(scenario.events):
        if event.week >= scenario.weeks:
            raise UserError(origin, f"events.{i}.week",
                            f"must be before the horizon (0 to {scenario.weeks - 1})")
        actor = getattr(event, "actor", None)
        if actor_ids is not None and actor is not None and actor not in actor_ids:
            raise UserError(origin, f"events.{i}.actor",
                            f"unknown actor {actor!r}; known: {', '.join(actor_ids)}")
    return scenario


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
