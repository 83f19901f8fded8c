"""Dated observations a scenario may record ("watching the news"), and their schema.

A scenario's ``observations:`` list says what has been seen since the shock; a run then
weights every member by how likely those observations are under its trajectory
(:mod:`sim.analyses.observations`) and shows the updated outcomes beside the
unconditioned ones. Observations never change the simulation itself: the members are
the same, only their weights differ.

Each type reads one thing the model's state holds per member and week:

``leader_in_office``
    the holder of power in the focal state at ``week`` is the incumbent (``value: true``)
    or someone else (``value: false``). A reported fact, wrong with probability ``error``.
``no_mass_protest``
    the focal state's protest share stayed below the mass-protest line (2% of the
    public, :data:`sim.model.events.MASS_PROTEST_SHARE`) at every week 0 to ``week``.
``crowd``
    a crowd estimate: the share of ``actor``'s public (default the focal state's) in the
    street at ``week`` was about ``share``; the estimate's error is lognormal with
    standard deviation ``log_error`` on the log of the share (0.5: a factor of about 1.65
    either way at one standard deviation, typical of police against organiser counts).
``patron_move``
    whether ``patron`` (default the region's first) has moved on the focal state by
    ``week``: its support for the rulers reached full backing
    (:data:`PATRON_FULL_SUPPORT`) or it took control, at some week 0 to ``week``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Latest week an observation may name (the scenario's horizon is checked separately).
MAX_OBSERVATION_WEEK = 1040
#: Most observations in one scenario.
MAX_OBSERVATIONS = 100
#: Support (share of full backing) at or above which a patron counts as having moved.
#: A forced ``patron_move`` event fixes support at 1; a patron following need alone
#: levels off near 0.94 in the incapacity scenario, so 0.95 separates a deliberate,
#: visible commitment from the drift that follows a vacancy.
PATRON_FULL_SUPPORT = 0.95

Week = Annotated[int, Field(ge=0, le=MAX_OBSERVATION_WEEK)]
#: Chance that a reported fact is wrong: 0 treats it as certain; below 0.5, or the
#: report would carry no information (or the opposite one).
ErrorRate = Annotated[float, Field(ge=0.0, lt=0.5)]


class _Strict(BaseModel):
    # As the scenario's events: "8" is not a week, true is not a number.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class LeaderInOffice(_Strict):
    """The leader rules (or not) at ``week``; wrong with probability ``error``."""

    type: Literal["leader_in_office"]
    week: Week
    value: bool = True
    error: ErrorRate = 0.0


class NoMassProtest(_Strict):
    """The focal state's unrest stayed below 2% of the public through ``week``."""

    type: Literal["no_mass_protest"]
    week: Week
    error: ErrorRate = 0.0


class Crowd(_Strict):
    """A crowd estimate at ``week``: ``share`` of the public, lognormal ``log_error``."""

    type: Literal["crowd"]
    week: Week
    share: Annotated[float, Field(gt=0.0, le=0.5)]
    log_error: Annotated[float, Field(gt=0.0, le=3.0)]
    actor: str | None = None


class PatronMoveSeen(_Strict):
    """Whether ``patron`` has moved (full support or control) by ``week``."""

    type: Literal["patron_move"]
    week: Week
    value: bool = True
    patron: str | None = None
    error: ErrorRate = 0.0


Observation = Annotated[LeaderInOffice | NoMassProtest | Crowd | PatronMoveSeen,
                        Field(discriminator="type")]
OBSERVATION_MODELS: dict[str, type[BaseModel]] = {
    "leader_in_office": LeaderInOffice, "no_mass_protest": NoMassProtest, "crowd": Crowd,
    "patron_move": PatronMoveSeen,
}
OBSERVATION_TYPES = tuple(OBSERVATION_MODELS)


def describe(observation: BaseModel) -> str:
    """One line in words, for tables and messages.

    Examples
    --------
    >>> describe(Crowd(type="crowd", week=6, share=0.01, log_error=0.5))
    'week 6: a crowd of about 1% of the public (log error 0.5)'
    >>> describe(LeaderInOffice(type="leader_in_office", week=8, value=False))
    'week 8: the leader is not in office'
    """
    week = f"week {observation.week}"
    error = getattr(observation, "error", 0.0)
    tail = f" (reported, wrong with probability {error:g})" if error else ""
    if isinstance(observation, LeaderInOffice):
        return f"{week}: the leader is {'' if observation.value else 'not '}in office{tail}"
    if isinstance(observation, NoMassProtest):
        return f"{week}: no mass protest (2% of the public) so far{tail}"
    if isinstance(observation, Crowd):
        who = f" in {observation.actor}" if observation.actor else ""
        return (f"{week}: a crowd of about {100 * observation.share:g}% of the public{who} "
                f"(log error {observation.log_error:g})")
    patron = observation.patron or "the patron"
    return f"{week}: {patron} has {'' if observation.value else 'not '}moved{tail}"
