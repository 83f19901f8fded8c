"""Pre-trigger evidence on the focal regime, read from a region's ``evidence.csv``.

A region or episode folder may hold ``evidence.csv`` (columns ``actor, evidence, value,
year, source, grade, note``): what was known about the focal state's regime before the
trigger, one row per field. The fields the model reads, and the rules that turn them
into the numbers the mechanisms use (``docs/data-rules.md`` section 13, rules RC1-RC5),
are:

``ruling_base`` (RC1, organisational cohesion)
    Who selected the ruler: ``party``, ``military``, ``personal``, ``monarchy`` or
    ``democracy``. The regime's cohesion ``f`` is the mean lifespan of its type over
    the personalist one (Geddes 1999: military 8.8 years, personalist 15.1, single-party
    22.7): party 1.50, military 0.58, personal 1.00. Monarchy takes the party value
    (assumption: Geddes, Wright & Frantz 2014 find monarchies as durable as party
    regimes); democracy 1.00 (assumption: no elite-defection literature ranks them; a
    democracy's rulers change by vote, rule RC5).
``wgi_ge`` (RC2, state capacity)
    World Bank WGI Government Effectiveness, percentile rank 0-100.
``term_limited``, ``successor_announced``, ``approval`` (RC3, lame duck)
    ``L = 1 - s * a`` for a ruler who cannot stand again at the next scheduled vote,
    else 0; ``s`` is 1 when a successor was named before the trigger, ``a`` the ruler's
    measured approval as a share (0.5, the midpoint, where none was measured). Hale
    (2005): an unpopular lame duck's clients defect; a popular one who names a successor
    keeps them (Armenia 2008).
``trade_eu_pct_gdp``, ``trade_us_pct_gdp`` (RC4, linkage to the West)
    ``W = min(1, (trade_EU + trade_US) / 50%)``, the economic strand of Levitsky & Way's
    (2010) linkage; 50% of GDP is where their high-linkage cases sit (assumption: the
    scale's top, read from their ch. 2 examples).
``vdem_regime`` (RC5, elections that can be lost)
    V-Dem's Regimes of the World code (0 closed autocracy ... 3 liberal democracy).
``approval``, ``last_vote_share`` (RC8, the ruler's popularity, read by a coup attempt)
    ``a`` = the measured approval (RC3's field) as a share; where none was measured and
    the regime is a democracy (``vdem_regime`` 2-3), the ruler's (or his list's) share
    of the vote at the last national election before the trigger; else 0.5 (no
    information: an official count in an autocracy measures the regime's reach, not
    its support).

A folder with no ``evidence.csv`` gets neutral evidence (``f = 1``, no lame duck, no
linkage, median capacity, an electoral autocracy): the model then behaves as it did
before these rules, and :attr:`RegimeEvidence.present` is False (reports say so).

References
----------
Geddes, B. (1999). What do we know about democratization after twenty years? Annual
Review of Political Science 2, 115-144.
Hale, H. (2005). Regime cycles: democracy, autocracy, and revolution in post-Soviet
Eurasia. World Politics 58(1), 133-165.
Levitsky, S. & Way, L. (2010). Competitive Authoritarianism. Cambridge University Press.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import UserError

#: RC1: mean regime lifespan over the personalist one (Geddes 1999; see module doc).
COHESION_OF_BASE: dict[str, float] = {
    "party": 22.7 / 15.1, "monarchy": 22.7 / 15.1, "personal": 1.0,
    "military": 8.8 / 15.1, "democracy": 1.0,
}
#: RC4: trade with the EU and the US (% of GDP) at which linkage counts as full.
FULL_LINKAGE_PCT_GDP = 50.0
#: RC3: approval assumed where none was measured (the midpoint: no information).
UNKNOWN_APPROVAL = 0.5
COLUMNS = ("actor", "evidence", "value", "year", "source", "grade", "note")
READ_FIELDS = ("ruling_base", "wgi_ge", "term_limited", "successor_announced", "approval",
               "trade_eu_pct_gdp", "trade_us_pct_gdp", "vdem_regime", "last_vote_share")
#: RC8: the regime class from which a vote count measures the ruler's support.
COUNTED_VOTE_REGIME = 2


@dataclass(frozen=True)
class RegimeEvidence:
    """The focal regime's pre-trigger evidence and the quantities the rules derive.

    Attributes
    ----------
    present : bool
        Whether the folder had an ``evidence.csv`` (False: neutral values).
    ruling_base : str
    capacity_percentile : float
        WGI Government Effectiveness percentile, 0-100 (50 where unknown).
    term_limited : bool
    successor_named : bool
    approval : float or None
        Measured approval, share 0-1.
    linkage_trade_pct_gdp : float
        Goods trade with the EU and the US, % of GDP (0 where unknown).
    vdem_regime : int
        Regimes of the World code, 0-3 (1 where unknown).
    last_vote_share : float or None
        The ruler's share of the vote at the last national election, 0-1 (RC8).
    """

    present: bool = False
    ruling_base: str = "personal"
    capacity_percentile: float = 50.0
    term_limited: bool = False
    successor_named: bool = False
    approval: float | None = None
    linkage_trade_pct_gdp: float = 0.0
    vdem_regime: int = 1
    last_vote_share: float | None = None

    @property
    def cohesion(self) -> float:
        """RC1: organisational cohesion ``f`` (1 for a personalist regime)."""
        return COHESION_OF_BASE[self.ruling_base]

    @property
    def lame_duck(self) -> float:
        """RC3: lame-duck expectation ``L`` in [0, 1]."""
        if not self.term_limited:
            return 0.0
        approval = UNKNOWN_APPROVAL if self.approval is None else self.approval
        return 1.0 - (approval if self.successor_named else 0.0)

    @property
    def linkage(self) -> float:
        """RC4: linkage to the West ``W`` in [0, 1]."""
        return min(1.0, self.linkage_trade_pct_gdp / FULL_LINKAGE_PCT_GDP)

    @property
    def popularity(self) -> float:
        """RC8: the ruler's popularity ``a`` in [0, 1] (0.5 where nothing measures it).

        Examples
        --------
        >>> RegimeEvidence(approval=0.47, last_vote_share=0.6, vdem_regime=2).popularity
        0.47
        >>> RegimeEvidence(last_vote_share=0.6, vdem_regime=2).popularity
        0.6
        >>> RegimeEvidence(last_vote_share=0.9, vdem_regime=1).popularity
        0.5
        """
        if self.approval is not None:
            return self.approval
        if self.last_vote_share is not None and self.vdem_regime >= COUNTED_VOTE_REGIME:
            return self.last_vote_share
        return UNKNOWN_APPROVAL

    @property
    def capacity(self) -> float:
        """RC2: state capacity as a share, ``g = percentile / 100``."""
        return self.capacity_percentile / 100.0


def _error(path: Path, field: str | None, message: str) -> UserError:
    return UserError(str(path), field, message)


def _value(table: dict[str, str], field: str) -> str | None:
    text = table.get(field)
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    text = str(text).strip()
    return text or None


def _number(path: Path, field: str, text: str | None, low: float, high: float,
            default: float) -> float:
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise _error(path, field, f"{text!r} is not a number") from None
    if not (low <= value <= high):
        raise _error(path, field, f"{value} is outside {low}-{high}")
    return value


def load_evidence(folder: Path, focal: str) -> RegimeEvidence:
    """Read ``folder/evidence.csv`` for the focal state; neutral evidence if absent.

    Raises
    ------
    sim.errors.UserError
        On a missing column, an unknown ruling base, or a value out of its range (the
        message names the file and the field).
    """
    path = Path(folder) / "evidence.csv"
    if not path.is_file():
        return RegimeEvidence()
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _error(path, None, f"not a UTF-8 CSV table ({type(exc).__name__})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise _error(path, missing[0], f"column missing; the columns are {', '.join(COLUMNS)}")
    rows = frame[frame["actor"] == focal]
    if rows["evidence"].duplicated().any():
        field = rows.loc[rows["evidence"].duplicated(), "evidence"].iloc[0]
        raise _error(path, field, f"given twice for {focal}")
    table = dict(zip(rows["evidence"], rows["value"], strict=True))
    base = _value(table, "ruling_base") or "personal"
    if base not in COHESION_OF_BASE:
        raise _error(path, "ruling_base", f"{base!r} is not one of {', '.join(COHESION_OF_BASE)}")
    limited = _value(table, "term_limited")
    if limited not in (None, "True", "False", "true", "false"):
        raise _error(path, "term_limited", f"{limited!r} is not True or False")
    approval = _value(table, "approval")
    vote = _value(table, "last_vote_share")
    trade = sum(_number(path, f, _value(table, f), 0.0, 500.0, 0.0)
                for f in ("trade_eu_pct_gdp", "trade_us_pct_gdp"))
    regime = _number(path, "vdem_regime", _value(table, "vdem_regime"), 0, 3, 1)
    if regime != int(regime):
        raise _error(path, "vdem_regime", f"{regime} is not one of 0, 1, 2, 3")
    return RegimeEvidence(
        present=True,
        ruling_base=base,
        capacity_percentile=_number(path, "wgi_ge", _value(table, "wgi_ge"), 0.0, 100.0, 50.0),
        term_limited=limited in ("True", "true"),
        successor_named=_value(table, "successor_announced") is not None,
        approval=(None if approval is None
                  else _number(path, "approval", approval, 0.0, 100.0, 50.0) / 100.0),
        linkage_trade_pct_gdp=trade,
        vdem_regime=int(regime),
        last_vote_share=(None if vote is None
                         else _number(path, "last_vote_share", vote, 0.0, 100.0, 50.0) / 100.0),
    )
