"""The encoding rules for historical episodes, written once for any region of the world.

Every rule here was written before the episodes of part 2 were encoded and before any
of the 53 was scored with it; the same rules apply to every episode. The builder
(:mod:`sim.episodes.build`) calls them; ``sim/episodes/README.md`` states them in words
(the rule ids below: Y years, G data gaps, E entry, P patrons, T ties, S succession,
V events, C crowds).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from sim.episodes.source import EpisodeSource, PatronCandidate
from sim.safe_yaml import load_yaml

# ---------------------------------------------------------------------------- years
#: Years with a WGI release (biennial 1996-2002, then yearly; none before 1996).
WGI_YEARS = (1996, 1998, 2000, *range(2002, 2024))


def measurement_year(trigger: dt.date) -> int:
    """Rule Y1: measurements are for the last full calendar year before the trigger."""
    return trigger.year - 1


def wgi_year(trigger: dt.date) -> int:
    """Rule G1: the WGI year used: t - 1, else the latest earlier WGI year; 1996 before it.

    WGI has no values for 1995, 1997, 1999 and 2001: the latest earlier release is used
    (1996 for 1997, 1998 for 1999, 2000 for 2001). Before 1996 there is none, and the
    first release (1996) is used: the one case where a measurement may postdate t - 1
    (Serbia 1996, Russia 1996), recorded in the year column.

    Examples
    --------
    >>> [wgi_year(dt.date(y, 6, 1)) for y in (1996, 1997, 1998, 2000, 2002, 2003, 2021)]
    [1996, 1996, 1996, 1998, 2000, 2002, 2020]
    """
    year = measurement_year(trigger)
    earlier = [y for y in WGI_YEARS if y <= year]
    return earlier[-1] if earlier else WGI_YEARS[0]


#: Rule G3: military spending (% of GDP) assumed where SIPRI has no figure for
#: t - 4 ... t - 1: a middle value (R5 gives 0.3333).
MILEX_FALLBACK = 2.0
#: Rule G2: alignment where a state cast no UN votes in t - 1 (FR Yugoslavia, not seated
#: 1992-2000): neutral, an assumption row (no other measure of the same quantity).
ALIGNMENT_FALLBACK = 0.0

# ------------------------------------------------------------------ which states enter
#: Rule E1: at most this many land neighbours, those with the longest borders.
MAX_NEIGHBOURS = 6
#: The rule tables (country ids are data): sim/episodes/rule_tables.yaml.
RULE_TABLES = Path(__file__).resolve().parent / "rule_tables.yaml"


def _tables() -> dict:
    data = load_yaml(RULE_TABLES, str(RULE_TABLES))
    return data if isinstance(data, dict) else {}


_RAW = _tables()
#: Rule E2: the regional great power of each focal state: the dominant power of its
#: regional security complex in Buzan & Waever (2003), *Regions and Powers*, where the
#: complex has one; None where it has none or is centred on an institution.
REGIONAL_POWER: dict[str, str | None] = {
    state: (None if power == "None" else power)
    for power, states in _RAW.get("regional_power", {}).items() for state in states}
#: Rule E5 (stubbornness): the five permanent members of the UN Security Council set
#: their own line.
GREAT_POWERS: tuple[str, ...] = tuple(_RAW.get("great_powers", ()))
#: Rule R4's poles: the Moscow pole's and the West pole's state.
POLE_MOSCOW: str = _RAW.get("poles", {}).get("moscow", "")
POLE_WEST: str = _RAW.get("poles", {}).get("west", "")


def regional_power(focal: str) -> str | None:
    """Rule E2 for one focal state (an unknown focal state is an error, not a guess)."""
    if focal not in REGIONAL_POWER:
        raise KeyError(f"no regional-security-complex entry for {focal}: add it to "
                       "REGIONAL_POWER (sim/episodes/rules.py) by the rule, before encoding")
    return REGIONAL_POWER[focal]


def neighbours(focal: str, borders: dict[frozenset[str], float]) -> list[str]:
    """Rule E1: the focal state's land neighbours, longest border first, at most six."""
    own = [(km, next(iter(pair - {focal}))) for pair, km in borders.items() if focal in pair]
    own.sort(key=lambda x: (-x[0], x[1]))
    return [c for _, c in own[:MAX_NEIGHBOURS]]


def is_patron(candidate: PatronCandidate) -> bool:
    """Rule P1: a mutual-defence treaty or combat forces based by agreement, no dispute.

    A multilateral treaty (NATO, the CSTO, the GCC's joint defence agreement) makes its
    leading state (the largest capability) the candidate; French defence agreements in
    Africa and a bilateral treaty of mutual assistance count as treaties. Training
    missions, advisers, arms sales and radar or supply stations with technical staff
    are not bases (their personnel go into the troops layer).
    """
    return (candidate.treaty is not None or candidate.base is not None) \
        and candidate.dispute is None


def can_take_over(candidate: PatronCandidate, focal: str,
                  borders: dict[frozenset[str], float]) -> bool:
    """Rule P2: a patron may send forces in when it has a treaty or a land border."""
    return candidate.treaty is not None or frozenset((focal, candidate.actor)) in borders


def entering_states(source: EpisodeSource, borders: dict[frozenset[str], float]) -> list[str]:
    """Rules E1-E3: focal state, regional great power, neighbours, then patrons, in order."""
    order = [source.focal]
    power = regional_power(source.focal)
    if power is not None and power not in order:
        order.append(power)
    for state in neighbours(source.focal, borders):
        if state not in order:
            order.append(state)
    for cand in source.patron_candidates:
        if is_patron(cand) and cand.actor not in order:
            order.append(cand.actor)
    return order


# ----------------------------------------------------------------------------- ties
#: Rule T3: security tie strength by kind (the highest applicable value per pair).
SECURITY_TIE = {"union": 1.0, "nato": 0.8, "treaty": 0.5, "partnership": 0.3,
                "basing": 0.3}
SECURITY_MEANING = {
    "union": "a state union with integrated defence",
    "nato": "common NATO membership (mutual defence, art. 5)",
    "treaty": "a mutual-defence treaty (common CSTO or GCC membership, a bilateral treaty)",
    "partnership": "a partnership without mutual defence",
    "basing": "a basing agreement without a mutual-defence treaty",
}
#: Rule T3 (partnership): common membership of a regional organisation with a standing
#: security organ but no operative mutual defence gives a partnership tie (0.3), from
#: the date each state joined (the table in rule_tables.yaml, recalled, verify).
ORGANISATIONS: dict[str, tuple[str, dict[str, dt.date]]] = {
    name: (org["tie"], {c: dt.date.fromisoformat(str(d)) for c, d in org["members"].items()})
    for name, org in _RAW.get("organisations", {}).items()}


def organisation_pairs(states: list[str], day: dt.date) -> dict[frozenset[str], str]:
    """Rule T3: pairs of entering states with a common organisation on ``day``, and why."""
    out: dict[frozenset[str], str] = {}
    for ref, members in ORGANISATIONS.values():
        inside = sorted(s for s in states if s in members and members[s] <= day)
        for i, a in enumerate(inside):
            for b in inside[i + 1:]:
                out.setdefault(frozenset((a, b)), ref)
    return out


#: Rule T5: official debt enters only where it is at least this share of the debtor's GDP.
DEBT_MIN_SHARE = 0.10


def trade_pairs(states: list[str], focal: str) -> set[frozenset[str]]:
    """Rule T1: trade rows needed: the focal state and the regional power with every state."""
    hubs = [focal] + [p for p in [regional_power(focal)] if p is not None and p != focal]
    return {frozenset((h, s)) for h in hubs for s in states if s != h}


# ------------------------------------------------------------------------ succession
#: Rule S2: a deadline of D days gives the window [D - 14, D].
DEADLINE_WINDOW = 14


def election_window(window: tuple[int, int] | None, deadline: int | None,
                    term_end: int | None) -> tuple[int, int]:
    """Rules S2-S3: the election window in days from the vacancy.

    Examples
    --------
    >>> election_window((30, 70), None, None), election_window(None, 45, None)
    ((30, 70), (31, 45))
    >>> election_window(None, None, 409)
    (395, 409)
    """
    if window is not None:
        return (int(window[0]), int(window[1]))
    days = deadline if deadline is not None else term_end
    assert days is not None
    return (days - DEADLINE_WINDOW, days)


def age_years(born: dt.date, on: dt.date) -> float:
    """The ruler's age on the trigger date, years to two decimals."""
    return round((on - born).days / 365.25, 2)


# --------------------------------------------------------------------- events, crowds
#: People at the peak of a crowd reported only as "small" (hundreds, dispersed).
SMALL_CROWD = 1000


#: Rule C3: the baseline share of the public protesting, by the focal regime's V-Dem
#: Regimes of the World class (0-1 autocracy, 2-3 democracy): the values the Belarus
#: region assumes for its autocracies and its EU democracies, so that the push
#: calibrated on Belarus (a 2020-scale wave peaks near 2%) means the same everywhere.
BASELINE_UNREST = {"autocracy": 0.001, "democracy": 0.005}
#: Rule V1: the protest push of every protest trigger, disputed or not: the default of
#: ``disputed_election`` (``sim/model/scenario.py``), calibrated on Belarus 2020.
PROTEST_PUSH = 1.15
#: Weeks in an episode's horizon (the backtest reads the holder at week 52).
HORIZON_WEEKS = 52


def baseline_unrest(focal: bool, vdem_regime: object) -> tuple[float, str]:
    """Rule C3: ``unrest0`` of a state in an episode, with the reason.

    The focal state's value follows its regime class; every other state's is the
    autocracy value (their regime class is not encoded, and the baseline is a fixed point
    of the cascade whatever it is).

    Examples
    --------
    >>> baseline_unrest(True, 2)[0], baseline_unrest(True, 1)[0], baseline_unrest(False, 3)[0]
    (0.005, 0.001, 0.001)
    """
    if focal and vdem_regime is not None and int(vdem_regime) >= 2:
        return BASELINE_UNREST["democracy"], ("rule C3: a democracy's focal public "
                                              "(V-Dem Regimes of the World 2-3)")
    if focal:
        return BASELINE_UNREST["autocracy"], ("rule C3: an autocracy's focal public "
                                              "(V-Dem Regimes of the World 0-1)")
    return BASELINE_UNREST["autocracy"], ("rule C3: a state other than the focal one "
                                          "(the autocracy value)")


def vote_week(trigger: dt.date, vote: dt.date) -> int | None:
    """Rule V2: the week of a scheduled vote after the trigger, or None outside the horizon.

    Examples
    --------
    >>> vote_week(dt.date(2000, 1, 1), dt.date(2000, 1, 20)), vote_week(
    ...     dt.date(2000, 1, 1), dt.date(2001, 6, 1))
    (3, None)
    """
    week = math.ceil((vote - trigger).days / 7)
    return week if 0 <= week <= HORIZON_WEEKS else None


def events(source: EpisodeSource) -> list[dict]:
    """Rule V1: the trigger's event, chosen by the trigger kind, at its default push.

    An election with no fraud dispute is the scheduled vote itself (``election``, whose
    result the regime's evidence decides: ``sim/model/mechanisms/election.py``); the
    flags written at encoding ("the model has no election path") predate that event.
    """
    trigger = source.trigger
    if trigger.kind == "death":
        return [{"type": "leader_incapacitated", "week": 0, "mode": trigger.death_mode}]
    if trigger.kind == "handover":
        return [{"type": "voluntary_handover", "week": 0, "successor": trigger.successor}]
    if trigger.kind == "protest":
        # One push for every protest (rule V1): the disputed election's default, which
        # gives a 2020-scale peak near 2% in Belarus; reported crowds after undisputed
        # triggers were no smaller (docs/model.md 13, the crowd check).
        return [{"type": "disputed_election", "week": 0} if trigger.vote_disputed
                else {"type": "protest_wave", "week": 0, "actor": source.focal,
                      "intensity": PROTEST_PUSH}]
    if trigger.kind == "coup":
        return [{"type": "coup_attempt", "week": 0}]
    if trigger.kind == "election":
        return [{"type": "election", "week": 0}]
    return []


def scheduled_elections(source: EpisodeSource) -> list[dict]:
    """Rule V2: every vote scheduled before the trigger that falls inside the horizon."""
    weeks = [vote_week(source.trigger.date, v.date) for v in source.scheduled_votes]
    return [{"type": "election", "week": w} for w in weeks if w is not None]
