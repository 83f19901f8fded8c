"""The roles of a region's actors and its succession rules, read from ``roles.yaml``.

Every region folder has a ``roles.yaml`` that says which actor is the **focal state**
(whose ruler the scenarios are about), which of its power centres is the leader, the
security bloc, the state apparatus and the public (one fixed template for every region,
so the same mechanisms apply anywhere), which outside powers are its **patrons** (none,
one or more; each may support the rulers and may take control), which states the
charts report, and the **succession rules**: who acts when the office falls vacant
naturally, whether an emergency body rules after a violent death, and the window of the
new election. ``docs/model.md`` (Regions) documents the format; the Belarus and Russia
folders are worked examples.

The mechanisms never name a country: they read axis positions from
:class:`sim.model.context.Roles`, built from these ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import UserError, from_validation
from sim.safe_yaml import load_yaml

#: Power-centre roles of the fixed template, in the order the loader checks them.
POWER_CENTRE_ROLES: tuple[str, ...] = ("leader", "security", "apparatus", "public")
#: Power centres that may act for a vacant office.
ACTING_ROLES: tuple[str, ...] = ("apparatus", "security")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class PatronSpec(_Strict):
    """An outside power backing the focal state's rulers."""

    actor: str
    support: bool = True
    takeover: bool = True
    source: Annotated[str, Field(min_length=1)]


class NaturalRule(_Strict):
    """Who acts when the office falls vacant by illness, natural death or resignation."""

    acting: str
    title: Annotated[str, Field(min_length=1)]


class ViolentRule(_Strict):
    """What happens when the ruler is killed: an emergency body, or the natural rule."""

    emergency_body: str | None = None


class ElectionReview(_Strict):
    """A body of the ruling group that may rule an election illegitimate.

    Where the constitution gives one (Belarus since 2022: the All-Belarusian People's
    Assembly), a vote the ruling group loses does not hand power over at once: it opens
    a contest (``docs/model.md`` 6.3d).
    """

    body: Annotated[str, Field(min_length=1, max_length=120)]
    source: Annotated[str, Field(min_length=1)]


class SuccessorOutsider(_Strict):
    """Whether the constitutional successor stood outside the ruling group before the trigger.

    Rule RC7 (``docs/data-rules.md`` 13): the holder of the acting office (a
    vice-president, a speaker...) had been expelled from the ruling group or had joined
    the opposition before the trigger (Malawi 2012: Vice-President Joyce Banda, expelled
    from the DPP in December 2010). A pre-trigger fact with its source; a recalled one
    says "verify" in its note.
    """

    value: bool
    source: Annotated[str, Field(min_length=1)]
    grade: Literal["sourced", "recalled", "assumption"]
    note: str = ""

    @model_validator(mode="after")
    def _graded(self) -> SuccessorOutsider:
        if self.grade == "recalled" and "verify" not in self.note:
            raise ValueError("a recalled successor_outsider needs a note that says "
                             "'recalled, verify'")
        if self.grade == "assumption" and not self.source.startswith("assumption:"):
            raise ValueError("an assumption's source starts with 'assumption:' and gives "
                             "the reason")
        return self


class SuccessionSpec(_Strict):
    """A region's succession rules."""

    source: Annotated[str, Field(min_length=1)]
    natural: NaturalRule
    violent: ViolentRule = ViolentRule()
    election_days: Annotated[list[Annotated[int, Field(ge=0, le=730)]],
                             Field(min_length=2, max_length=2)]
    election_review: ElectionReview | None = None
    successor_outsider: SuccessorOutsider | None = None

    @model_validator(mode="after")
    def _window_ordered(self) -> SuccessionSpec:
        low, high = self.election_days
        if low > high:
            raise ValueError(f"election_days must be [earliest, latest], got [{low}, {high}]")
        return self


class LeaderAge(_Strict):
    """The ruler's age at week 0, with its source."""

    years: Annotated[float, Field(ge=18.0, le=110.0)]
    source: Annotated[str, Field(min_length=1)]


class RolesSpec(_Strict):
    """The validated content of ``roles.yaml``."""

    focal: str
    leader: str
    security: str
    apparatus: str
    public: str
    leader_age: LeaderAge
    patrons: list[PatronSpec] = Field(default_factory=list)
    reported: list[str] = Field(default_factory=list)
    succession: SuccessionSpec


@dataclass(frozen=True)
class RegionRoles:
    """Actor ids in each role of a region (see the module docstring).

    Attributes
    ----------
    focal, leader, security, apparatus, public : str
        The focal state and its four power centres.
    patrons : tuple of str
        Outside powers backing the rulers, in file order.
    patron_support, patron_takeover : tuple of bool
        Whether each patron can support the rulers and can take control.
    patron_sources : tuple of str
        Why each is a patron.
    reported : tuple of str
        States whose reactions the charts report beside the patrons.
    leader_age_years : float
        The ruler's age at week 0 (years), with ``leader_age_source``.
    acting, acting_title : str
        The power centre (id) that acts for a naturally vacant office, and its title.
    emergency_body : str or None
        Name of the body that rules after a violent death; None: the natural rule.
    election_days : tuple of int
        Earliest and latest day of the new election after a vacancy.
    election_review_body : str or None
        A body of the ruling group that may rule a lost vote illegitimate (6.3d);
        None: a lost vote hands power to the opposition.
    successor_outsider : bool
        Rule RC7: the constitutional successor stood outside the ruling group before
        the trigger (False where ``roles.yaml`` does not say: the acting office is
        taken as part of the ruling group, the template's reading).
    successor_outsider_source : str or None
        Its source (None where not encoded).
    succession_source : str
        Where the succession rules come from.
    """

    focal: str
    leader: str
    security: str
    apparatus: str
    public: str
    patrons: tuple[str, ...]
    patron_support: tuple[bool, ...]
    patron_takeover: tuple[bool, ...]
    patron_sources: tuple[str, ...]
    reported: tuple[str, ...]
    leader_age_years: float
    leader_age_source: str
    acting: str
    acting_title: str
    emergency_body: str | None
    election_days: tuple[int, int]
    succession_source: str
    election_review_body: str | None = None
    successor_outsider: bool = False
    successor_outsider_source: str | None = None

    @property
    def power_centres(self) -> tuple[str, ...]:
        """The focal state's power centres in template order."""
        return (self.leader, self.security, self.apparatus, self.public)


def load_roles(path: Path, kinds: dict[str, str], parents: dict[str, str]) -> RegionRoles:
    """Read and check ``roles.yaml`` against the region's actors.

    Parameters
    ----------
    path : pathlib.Path
        The ``roles.yaml`` file.
    kinds : dict of str to str
        Kind (``state`` or ``power_centre``) of every actor in ``actors.csv``.
    parents : dict of str to str
        Parent state of every actor (empty for states).

    Returns
    -------
    RegionRoles

    Raises
    ------
    UserError
        Naming the file and the field: a missing role, an unknown actor, an actor of
        the wrong kind, a patron that is the focal state or listed twice, or a
        succession rule that cannot apply.
    """
    origin = str(path)
    if not path.is_file():
        raise UserError(origin, None, "roles file missing: every region folder needs "
                        "roles.yaml (see docs/model.md, Regions)")
    data = load_yaml(path, origin)
    if not isinstance(data, dict):
        raise UserError(origin, None, "must be a YAML mapping with keys focal, leader, "
                        "security, apparatus, public, leader_age, patrons, reported, succession")
    try:
        spec = RolesSpec.model_validate(data)
    except ValidationError as exc:
        raise from_validation(origin, exc, missing="required role or rule missing") from None
    _check(origin, spec, kinds, parents)
    return RegionRoles(
        focal=spec.focal, leader=spec.leader, security=spec.security,
        apparatus=spec.apparatus, public=spec.public,
        patrons=tuple(p.actor for p in spec.patrons),
        patron_support=tuple(p.support for p in spec.patrons),
        patron_takeover=tuple(p.takeover for p in spec.patrons),
        patron_sources=tuple(p.source for p in spec.patrons),
        reported=tuple(spec.reported),
        leader_age_years=spec.leader_age.years, leader_age_source=spec.leader_age.source,
        acting=spec.succession.natural.acting, acting_title=spec.succession.natural.title,
        emergency_body=spec.succession.violent.emergency_body,
        election_days=(spec.succession.election_days[0], spec.succession.election_days[1]),
        succession_source=spec.succession.source,
        election_review_body=(spec.succession.election_review.body
                              if spec.succession.election_review else None),
        successor_outsider=(spec.succession.successor_outsider is not None
                            and spec.succession.successor_outsider.value),
        successor_outsider_source=(spec.succession.successor_outsider.source
                                   if spec.succession.successor_outsider else None),
    )


def _check(origin: str, spec: RolesSpec, kinds: dict[str, str],
           parents: dict[str, str]) -> None:
    """Check every id against ``actors.csv``; raise UserError on the first problem."""
    def known(field: str, actor: str) -> None:
        if actor not in kinds:
            raise UserError(origin, field, f"unknown actor {actor!r}; actors.csv has: "
                            f"{', '.join(kinds)}")

    known("focal", spec.focal)
    if kinds[spec.focal] != "state":
        raise UserError(origin, "focal", f"{spec.focal!r} must be a state, not a power centre")
    centres = [getattr(spec, role) for role in POWER_CENTRE_ROLES]
    for role, actor in zip(POWER_CENTRE_ROLES, centres, strict=True):
        known(role, actor)
        if kinds[actor] != "power_centre" or parents.get(actor) != spec.focal:
            raise UserError(origin, role, f"{actor!r} must be a power centre (kind "
                            f"power_centre) whose parent is the focal state {spec.focal!r}")
    if len(set(centres)) != len(centres):
        raise UserError(origin, None, "leader, security, apparatus and public must be four "
                        "different power centres")
    seen: set[str] = set()
    for i, patron in enumerate(spec.patrons):
        field = f"patrons.{i}.actor"
        known(field, patron.actor)
        if kinds[patron.actor] != "state":
            raise UserError(origin, field, f"{patron.actor!r} must be a state")
        if patron.actor == spec.focal:
            raise UserError(origin, field, "the focal state cannot be its own patron")
        if patron.actor in seen:
            raise UserError(origin, field, f"patron {patron.actor!r} listed twice")
        if not (patron.support or patron.takeover):
            raise UserError(origin, f"patrons.{i}", "a patron must be able to support or "
                            "take over (or both); remove it otherwise")
        seen.add(patron.actor)
    for i, actor in enumerate(spec.reported):
        known(f"reported.{i}", actor)
        if kinds[actor] != "state":
            raise UserError(origin, f"reported.{i}", f"{actor!r} must be a state")
        if actor in spec.reported[:i]:
            raise UserError(origin, f"reported.{i}", f"{actor!r} listed twice")
    acting = spec.succession.natural.acting
    known("succession.natural.acting", acting)
    allowed = [getattr(spec, role) for role in ACTING_ROLES]
    if acting not in allowed:
        raise UserError(origin, "succession.natural.acting",
                        f"{acting!r} cannot act for the ruler: it must be the apparatus or "
                        f"the security bloc ({', '.join(allowed)})")
    body = spec.succession.violent.emergency_body
    if body is not None and not body.strip():
        raise UserError(origin, "succession.violent.emergency_body",
                        "must name the body, or be null (the natural rule then applies)")
