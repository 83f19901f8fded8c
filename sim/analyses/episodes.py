"""Historical episodes for backtests: the file format, its loader and the fixed rules.

An episode is a folder built by ``python -m sim.episodes.build`` from its source file
(``sim/episodes/sources/<name>.yaml``): a region (``actors.csv``, ``attributes.csv``,
``layers.csv``, ``edges.csv``, ``roles.yaml``: the focal state, its power centres,
patrons and neighbours **as they stood before the trigger**), ``evidence.csv``
(pre-trigger evidence no mechanism reads yet) and an ``episode.yaml``::

    name: georgia_2003                 # letters, digits, _ (results are named after it)
    title: Georgia 2003
    trigger: protest                   # death | handover | protest | election | coup
    trigger_date: 2003-11-02
    observed: C                        # A, B or C one year after the trigger
    alternative_class: null            # a contested coding, scored beside the main one
    crowd: {low: 50000, high: 100000, week: 0, side: against}   # or none, or small
    events:                            # the trigger at its default push (rule V1)
      - {type: disputed_election, week: 0}
    scheduled_votes: [...]             # votes scheduled before the trigger (recorded)
    no_path: "..."                     # why the model has no path for what happened
    sources: [...]                     # where the facts come from

Nothing in the file sets a parameter: every episode runs with the model's defaults,
horizon :data:`HORIZON_WEEKS`, :data:`MEMBERS` members and seed :data:`SEED`.

Two scenarios come out of one episode:

* the **main** one (``scenario``) uses only what was known on the trigger date: the
  trigger's event at its default push, the model producing its own crowd;
* the **conditional** one (``conditional``) feeds the peak crowd reported *after* the
  trigger, by the fixed rule :func:`crowd_share` (geometric mean of the range over the
  population; ``small`` = :data:`SMALL_CROWD` people): the trigger's protest event
  carries it with no push of its own, or, when the trigger is not a protest, a
  ``protest_wave`` of no push at the crowd's week does. A crowd **for** the ruling
  group is not fed (the model's crowds are all against it), so both scenarios agree.

The model's holder at the horizon maps to a class by :data:`sim.outcomes.CLASS_OF_HOLDER`, fixed
before any score was looked at (``docs/model.md``, Backtests).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.episodes.rules import SMALL_CROWD
from sim.errors import UserError, from_validation
from sim.model.scenario import Event, Scenario
from sim.outcomes import CLASS_OF_HOLDER, CLASSES  # noqa: F401 (re-exported)
from sim.regions.loader import Region, load_region
from sim.safe_yaml import load_yaml

HORIZON_WEEKS = 52
MEMBERS = 1000
SEED = 20261127
#: The classes and the class of each holder at the horizon live in :mod:`sim.outcomes`
#: (one table: holder -> outcome -> label -> class).
TRIGGERS = ("death", "handover", "protest", "election", "coup")
#: Event types that carry an observed crowd.
PROTEST_EVENTS = ("protest_wave", "disputed_election")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class CrowdRange(_Strict):
    """A crowd estimate as a range of people (a single estimate: low = high)."""

    low: Annotated[int, Field(gt=0)]
    high: Annotated[int, Field(gt=0)]
    #: weeks after the trigger at which the reported peak began.
    week: Annotated[int, Field(ge=0, le=HORIZON_WEEKS)] = 0
    #: against the ruling group (fed to the conditional score) or for it (not fed).
    side: Literal["against", "for"] = "against"


class ScheduledVote(_Strict):
    """A vote scheduled before the trigger inside the horizon (an ``election`` event, rule V2)."""

    date: dt.date
    what: Annotated[str, Field(min_length=1)]


class EpisodeSpec(_Strict):
    """The validated ``episode.yaml``."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]
    title: Annotated[str, Field(min_length=1)]
    trigger: Literal["death", "handover", "protest", "election", "coup"]
    trigger_date: dt.date
    observed: Literal["A", "B", "C"]
    alternative_class: Literal["A", "B", "C"] | None = None
    crowd: CrowdRange | Literal["none", "small"]
    events: list[Event]
    scheduled_votes: list[ScheduledVote] = []
    no_path: Annotated[str, Field(min_length=1)] | None = None
    sources: Annotated[list[str], Field(min_length=1)]


@dataclass(frozen=True)
class Episode:
    """A loaded episode: its spec, region and the scenario it runs as."""

    spec: EpisodeSpec
    region: Region
    #: the main scenario: only what was known on the trigger date.
    scenario: Scenario
    #: the scenario conditional on the peak crowd reported after the trigger.
    conditional: Scenario
    folder: Path
    #: the reported peak crowd as a share of the population (0 when none or not fed).
    crowd_share: float


def crowd_share(crowd: CrowdRange | str, population_m: float) -> float:
    """The crowd at the peak as a share of the population (the fixed rule).

    Examples
    --------
    >>> round(crowd_share(CrowdRange(low=50_000, high=100_000), 4.5), 5)
    0.01571
    >>> crowd_share("none", 9.0), crowd_share("small", 10.0)
    (0.0, 0.0001)
    """
    if crowd == "none":
        return 0.0
    people = SMALL_CROWD if crowd == "small" else math.sqrt(crowd.low * crowd.high)
    return people / (population_m * 1e6)


def load_episode(path: Path) -> Episode:
    """Read an episode folder (or its ``episode.yaml``) and build its scenario.

    Raises
    ------
    UserError
        Naming the file and field: a missing or malformed ``episode.yaml``, a bad
        crowd range, an event the region cannot take, a broken region.
    """
    path = Path(path)
    folder = path.parent if path.name == "episode.yaml" else path
    file = folder / "episode.yaml"
    origin = str(file)
    if not file.is_file():
        raise UserError(origin, None, "episode file not found (an episode is a folder with "
                        "episode.yaml and its region tables)")
    data = load_yaml(file, origin)  # the strict reader scenarios use
    if not isinstance(data, dict):
        raise UserError(origin, None, "must be a YAML mapping (see docs/model.md, Backtests)")
    try:
        spec = EpisodeSpec.model_validate(data)
    except ValidationError as exc:
        raise from_validation(origin, exc, unknown_key=(
            "unknown key; allowed: " + ", ".join(sorted(EpisodeSpec.model_fields))
            + " (an episode cannot set parameters)")) from None
    if isinstance(spec.crowd, CrowdRange) and spec.crowd.low > spec.crowd.high:
        raise UserError(origin, "crowd", "low must not exceed high")
    if spec.trigger != "election" and not spec.events:
        raise UserError(origin, "events", "only an election trigger may have no event")
    region = load_region(folder)
    focal = region.index(region.roles.focal)
    fed = not (isinstance(spec.crowd, CrowdRange) and spec.crowd.side == "for")
    share = crowd_share(spec.crowd, float(region.attrs["population_m"][focal])) if fed else 0.0
    main = [e.model_dump(exclude_none=True) for e in spec.events]
    conditional = [dict(e) for e in main]
    if share > 0:
        week = spec.crowd.week if isinstance(spec.crowd, CrowdRange) else 0
        protests = [e for e in conditional if e["type"] in PROTEST_EVENTS and e["week"] == week]
        if protests:
            protests[0].update(intensity=0.0, crowd_share=min(share, 0.5))
        else:
            conditional.append({"type": "protest_wave", "week": week, "intensity": 0.0,
                                "crowd_share": min(share, 0.5)})
    scenarios = []
    try:
        for name, events in ((spec.name, main), (spec.name + "__crowd", conditional)):
            scenarios.append(Scenario.in_code(
                name, weeks=HORIZON_WEEKS, members=MEMBERS, seed=SEED, events=events,
                description=spec.title, region=str(folder)))
    except ValidationError as exc:
        raise from_validation(origin, exc) from None
    from sim.model.scenario import check_against_region

    for scenario in scenarios:
        check_against_region(scenario, region.roles,
                             dict(zip(region.ids, region.kinds, strict=True)), origin)
    return Episode(spec=spec, region=region, scenario=scenarios[0], conditional=scenarios[1],
                   folder=folder, crowd_share=share)


def find_episodes(paths: list[Path]) -> list[Path]:
    """Episode folders under the given paths (a folder of episodes, or episodes)."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if (path / "episode.yaml").is_file() or path.name == "episode.yaml":
            found.append(path if path.is_dir() else path.parent)
        elif path.is_dir():
            found.extend(sorted(p.parent for p in path.glob("*/episode.yaml")))
        else:
            raise UserError(str(path), None, "no episode.yaml here or in its sub-folders")
    return found
