"""The schema of an episode's source file: only the recalled figures, each with its source.

One YAML file per episode in ``sim/episodes/sources/<name>.yaml`` holds what was
remembered about the episode and the region as it stood before the trigger; the shared
gazetteer ``sim/episodes/sources/world/*.yaml`` holds what does not change between
episodes (capitals, border lengths). :mod:`sim.episodes.build` derives every file of
the episode folder from them by the rules of :mod:`sim.episodes.rules`, the same rules
for every episode. Nothing here is a model parameter and nothing is derived by hand:
which states enter, who is a patron, the tie strengths, the years of the
measurements, the election window and the event are all decided by the rules.

Every figure is ``recalled`` (remembered from the named dataset, not read from it):
these machines cannot reach the databases. ``sim/episodes/README.md`` lists the
datasets, their releases and how precisely each is remembered.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CountryId = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Class = Literal["A", "B", "C"]
TriggerKind = Literal["death", "handover", "protest", "election", "coup"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Trigger(_Strict):
    """What happened on the trigger date, as known that day."""

    kind: TriggerKind
    date: dt.date
    #: protest kind: the protest follows a vote judged fraudulent (a disputed election).
    vote_disputed: bool = False
    #: death kind: ``violent`` only for an assassination or a killing by plotters; any
    #: other death (illness, accident, battle) is ``natural`` (rule E2).
    death_mode: Literal["natural", "violent"] | None = None
    #: handover kind: the title of the successor named at the trigger.
    successor: str | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> Trigger:
        if (self.kind == "death") != (self.death_mode is not None):
            raise ValueError("death_mode is given for a death trigger, and only for one")
        if (self.kind == "handover") != (self.successor is not None):
            raise ValueError("successor is given for a handover trigger, and only for one")
        if self.vote_disputed and self.kind != "protest":
            raise ValueError("vote_disputed applies to a protest trigger only")
        return self


class Crowd(_Strict):
    """The largest crowd reported after the trigger (an outcome: conditional score only)."""

    low: Annotated[int, Field(gt=0)]
    high: Annotated[int, Field(gt=0)]
    #: weeks after the trigger at which the reported peak began (0 = at the trigger).
    week: Annotated[int, Field(ge=0, le=52)] = 0
    #: ``against``: against the ruling group; ``for``: for it (not fed: the model's
    #: crowds are all against the rulers).
    side: Literal["against", "for"] = "against"

    @model_validator(mode="after")
    def _ordered(self) -> Crowd:
        if self.low > self.high:
            raise ValueError("crowd low must not exceed high")
        return self


class ScheduledVote(_Strict):
    """A vote scheduled before the trigger that falls inside the horizon (an input)."""

    date: dt.date
    what: Annotated[str, Field(min_length=1)]


class Leader(_Strict):
    """The ruler in office on the trigger date."""

    name: Annotated[str, Field(min_length=1)]
    born: dt.date
    #: the office (President, King, Prime Minister, Chairman of ...).
    title: Annotated[str, Field(min_length=1)]


class SuccessorOutsider(_Strict):
    """Rule RC7: whether the holder of the acting office stood outside the ruling group.

    A pre-trigger fact (expelled from the ruling party, leading an opposition party)
    with its source; required for every death trigger.
    """

    value: bool
    year: int
    source: Annotated[str, Field(min_length=1)]
    grade: Literal["recalled", "assumption"] = "recalled"


class Succession(_Strict):
    """The constitution in force at the trigger (rule S1-S3 of the README)."""

    acting: Literal["apparatus", "security"] = "apparatus"
    #: the acting office as the constitution names it.
    title: Annotated[str, Field(min_length=1)]
    #: exactly one of: a window for the new vote, a deadline, or the days left of the
    #: term when no early vote is held (a monarchy's heir: the maximum, 730).
    window_days: tuple[int, int] | None = None
    deadline_days: Annotated[int, Field(ge=14, le=730)] | None = None
    term_end_days: Annotated[int, Field(ge=14, le=730)] | None = None
    source: Annotated[str, Field(min_length=1)]
    #: rule RC7 (required for a death trigger): the acting office's holder stood outside
    #: the ruling group before the trigger.
    successor_outsider: SuccessorOutsider | None = None

    @model_validator(mode="after")
    def _one_window(self) -> Succession:
        given = [x is not None for x in (self.window_days, self.deadline_days,
                                         self.term_end_days)]
        if sum(given) != 1:
            raise ValueError("give exactly one of window_days, deadline_days, term_end_days")
        if self.window_days is not None and not 0 <= self.window_days[0] <= \
                self.window_days[1] <= 730:
            raise ValueError("window_days must be [earliest, latest] within 0-730")
        return self


class StateFigures(_Strict):
    """One state's figures for the measurement year (t - 1, rules Y1-Y4)."""

    name: Annotated[str, Field(min_length=1)]
    pop: Annotated[float, Field(gt=0)]           # million people, WDI SP.POP.TOTL
    gdp: Annotated[float, Field(gt=0)]           # US$ bn current, WDI NY.GDP.MKTP.CD
    cinc: Annotated[float, Field(gt=0, lt=1)]    # COW NMC v7.0 CINC share
    wgi_pv: Annotated[float, Field(ge=0, le=100)]   # percentile rank, year by rule G1
    #: WGI Voice and Accountability, percentile rank (rule G1's year). No rule reads it
    #: since R3 (grievance) was removed; kept as the record of what was looked up.
    wgi_va: Annotated[float, Field(ge=0, le=100)]
    civlib: Annotated[float, Field(ge=0, le=1)]  # V-Dem v2x_civlib
    #: UNGA ideal point (IdealPointAll); None where the state cast no votes (rule G2).
    ideal: Annotated[float, Field(ge=-5, le=5)] | None
    #: SIPRI military expenditure, % of GDP; None where SIPRI has no figure (rule G3).
    milex: Annotated[float, Field(ge=0, le=100)] | None
    #: the year of the SIPRI figure when it is not t - 1 (at most three years back).
    milex_year: int | None = None
    nato: Literal[0, 1]                          # member on the trigger date


class Tie(_Strict):
    """A recalled edge between two states with its own reference."""

    source: CountryId
    target: CountryId
    value: Annotated[float, Field(gt=0)]
    ref: Annotated[str, Field(min_length=1)]
    grade: Literal["sourced", "recalled", "assumption"] = "recalled"


class SecurityTie(_Strict):
    """A security relation; its strength follows from ``kind`` by rule T3."""

    source: CountryId
    target: CountryId
    kind: Literal["union", "nato", "treaty", "partnership", "basing"]
    ref: Annotated[str, Field(min_length=1)]


class PatronCandidate(_Strict):
    """An outside state with a treaty, a base or troops on the focal state's soil.

    Rule P1 decides from these facts alone whether it is a patron.
    """

    actor: CountryId
    #: a mutual-defence treaty with the focal state in force at the trigger, or None.
    treaty: str | None = None
    #: combat forces based on the focal state's soil by agreement, or None.
    base: str | None = None
    #: an open dispute with the rulers (backing armed separatists, war), or None.
    dispute: str | None = None


class Evidence(_Strict):
    """A pre-trigger fact that no mechanism reads yet (collected for the next issue)."""

    value: str | float | int | bool | None
    year: int | None = None
    source: Annotated[str, Field(min_length=1)]
    grade: Literal["recalled", "assumption"] = "recalled"


#: The pre-trigger evidence every episode records (README section 5 says what each is).
EVIDENCE_FIELDS: tuple[str, ...] = (
    "gwf_regime_type", "vdem_regime", "vdem_polyarchy", "ruling_base", "lw_party_strength",
    "lw_coercive_scope", "lw_coercive_cohesion", "wgi_ge", "term_limited",
    "successor_announced", "approval", "trade_eu_pct_gdp", "trade_us_pct_gdp",
)
#: Evidence given only where a rule reads it: the ruler's vote share at the last national
#: election (rule RC8 reads it where no approval was measured and V-Dem's regime class is
#: 2 or 3; there it is required).
OPTIONAL_EVIDENCE_FIELDS: tuple[str, ...] = ("last_vote_share",)


class EpisodeSource(_Strict):
    """One episode's source file (``sim/episodes/sources/<name>.yaml``)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]
    title: Annotated[str, Field(min_length=1)]
    #: the row of /work/shared/reference/episodes.md.
    row: Annotated[int, Field(ge=1, le=53)]
    summary: Annotated[str, Field(min_length=1)]
    trigger: Trigger
    observed: Class
    #: a contested coding that is scored beside the main one (episodes.md says which).
    alternative_class: Class | None = None
    crowd: Crowd | Literal["none", "small"]
    scheduled_votes: list[ScheduledVote] = []
    #: why the model has no path for what happened (the episode is scored and flagged).
    no_path: str | None = None
    focal: CountryId
    leader: Leader
    succession: Succession
    #: the security bloc's description (which services it holds).
    security_bloc: Annotated[str, Field(min_length=1)] = (
        "Security bloc (security service, interior ministry, army)")
    patron_candidates: list[PatronCandidate] = []
    states: dict[CountryId, StateFigures]
    #: UNGA ideal points of the two poles in t - 1 (Russia, Germany).
    pole_moscow: Annotated[float, Field(ge=-5, le=5)]
    pole_west: Annotated[float, Field(ge=-5, le=5)]
    #: [a, b, US$ bn]: goods exports + imports in t - 1 (IMF DOTS); pairs by rule T1;
    #: 0 for a pair with no recorded trade (no row is written).
    trade: list[tuple[CountryId, CountryId, Annotated[float, Field(ge=0)]]]
    energy: list[Tie] = []
    security: list[SecurityTie] = []
    debt: list[Tie] = []
    troops: list[Tie] = []
    #: figures read from region-facts (graded sourced): "<state>.nato", "leader.born" -> ref.
    sourced: dict[str, str] = {}
    evidence: dict[str, Evidence]

    @model_validator(mode="after")
    def _consistent(self) -> EpisodeSource:
        if self.focal not in self.states:
            raise ValueError(f"focal {self.focal} has no figures in states")
        missing = [f for f in EVIDENCE_FIELDS if f not in self.evidence]
        unknown = [f for f in self.evidence
                   if f not in EVIDENCE_FIELDS + OPTIONAL_EVIDENCE_FIELDS]
        if missing or unknown:
            raise ValueError(f"evidence must hold exactly {', '.join(EVIDENCE_FIELDS)}; "
                             f"missing {missing}, unknown {unknown}")
        if self.alternative_class == self.observed:
            raise ValueError("alternative_class must differ from observed")
        if self.trigger.kind == "death" and self.succession.successor_outsider is None:
            raise ValueError("succession.successor_outsider (rule RC7: value, year, source) "
                             "is required for a death trigger")
        regime = self.evidence["vdem_regime"].value
        counted = isinstance(regime, int | float) and regime >= 2
        vote = self.evidence.get("last_vote_share")
        if counted and self.evidence["approval"].value is None and (
                vote is None or vote.value is None):
            raise ValueError("evidence.last_vote_share (rule RC8) is required where no "
                             "approval was measured and vdem_regime is 2 or 3")
        if vote is not None and vote.value is not None and not (
                isinstance(vote.value, int | float) and 0 <= vote.value <= 100):
            raise ValueError("evidence.last_vote_share must be a percentage, 0-100")
        return self


class Country(_Strict):
    """A gazetteer entry (``sources/world/*.yaml``)."""

    name: Annotated[str, Field(min_length=1)]
    capital: Annotated[str, Field(min_length=1)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    #: total land boundary, km (CIA World Factbook 2024).
    border_total_km: Annotated[float, Field(ge=0)]
    #: set when the total is read from a source at hand (then ``sourced``).
    border_total_source: str | None = None


class DatedBorder(_Strict):
    """A land border that changed between an episode and 2024 (rule E4).

    It holds from ``since`` (inclusive) until ``until`` (exclusive); either may be open.
    """

    between: tuple[CountryId, CountryId]
    km: Annotated[float, Field(gt=0)]
    since: dt.date | None = None
    until: dt.date | None = None
    source: Annotated[str, Field(min_length=1)]

    def holds_on(self, day: dt.date) -> bool:
        """Whether the border existed on ``day``."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day < self.until)


class WorldFile(_Strict):
    """A gazetteer file: countries and land borders (CIA World Factbook 2024)."""

    countries: dict[CountryId, Country] = {}
    #: [a, b, km] or [a, b, km, source]: a land border between two countries (a
    #: source makes it ``sourced``; without one it is recalled from the Factbook).
    borders: list[tuple[CountryId, CountryId, float] | tuple[CountryId, CountryId, float, str]] = []
    #: borders that changed between an episode and 2024, with their dates (rule E4).
    dated_borders: list[DatedBorder] = []
