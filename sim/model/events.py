"""What happened in a week, read off the state before and after it.

Both engines (the ensemble and the Mesa model) log events through :func:`detect`, so
an event means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.state import HOLDERS, INCAPACITY_KINDS, State

#: Share of a public mobilised above which a mass protest is under way.
MASS_PROTEST_SHARE = 0.02

EVENT_COLUMNS = ("member", "week", "actor", "event", "detail")


@dataclass(frozen=True)
class Before:
    """The parts of the state that events compare against."""

    holder: np.ndarray
    leader_capable: np.ndarray
    protesting: np.ndarray

    @classmethod
    def of(cls, state: State) -> Before:
        """Record what the comparison needs from ``state``."""
        return cls(state.holder.copy(), state.leader_capable.copy(),
                   state.unrest >= MASS_PROTEST_SHARE)


def detect(before: Before, state: State, week: int, members: np.ndarray,
           actor_ids: tuple[str, ...], focal: int, leader: int,
           patrons: tuple[str, ...] = ()) -> list[tuple]:
    """Events of one week as ``(member, week, actor, event, detail)`` tuples.

    Events: ``leader_incapacitated`` (detail: natural or violent), ``leader_handover``
    (the ruler stepped down to a named successor), ``holder_change`` (detail:
    ``old -> new``, with the patron's id after ``patron_controlled``),
    ``mass_protest_start`` and ``mass_protest_end`` (an actor's unrest crosses
    :data:`MASS_PROTEST_SHARE`; detail: the share).
    """
    rows: list[tuple] = []
    for m in np.flatnonzero(before.leader_capable & ~state.leader_capable):
        kind = INCAPACITY_KINDS[state.incapacity_kind[m]]
        if kind == "handover":
            rows.append((int(members[m]), week, actor_ids[leader], "leader_handover", kind))
        else:
            rows.append((int(members[m]), week, actor_ids[leader], "leader_incapacitated", kind))
    for m in np.flatnonzero(before.holder != state.holder):
        detail = f"{HOLDERS[before.holder[m]]} -> {HOLDERS[state.holder[m]]}"
        if HOLDERS[state.holder[m]] == "patron_controlled" and state.controller[m] >= 0:
            detail += f" ({patrons[state.controller[m]]})"
        rows.append((int(members[m]), week, actor_ids[focal], "holder_change", detail))
    protesting = state.unrest >= MASS_PROTEST_SHARE
    for m, a in zip(*np.nonzero(protesting != before.protesting), strict=True):
        kind = "mass_protest_start" if protesting[m, a] else "mass_protest_end"
        rows.append((int(members[m]), week, actor_ids[a], kind, f"{state.unrest[m, a]:.4f}"))
    return rows


def sort_events(events: list[tuple], actor_ids: tuple[str, ...]) -> list[tuple]:
    """Events in canonical order: member, week, actor axis order, event name."""
    order = {actor: i for i, actor in enumerate(actor_ids)}
    return sorted(events, key=lambda row: (row[0], row[1], order[row[2]], row[3]))
