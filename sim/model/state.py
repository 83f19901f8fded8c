"""The simulation state.

Arrays whose last axis is the actors (or, for the focal state's regime variables, one
value per member; for the patrons' variables, one column per patron).

The leading axis is the ensemble member. A single Mesa run holds the same arrays
with one member, so every rule runs unchanged for one member or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Per-actor metrics written to the result files, in output order.
METRICS: tuple[str, ...] = ("stability", "alignment", "unrest", "posture", "stress")

#: Who holds power in the focal state (codes stored in ``State.holder``). The region's
#: ``roles.yaml`` says who the interim and the emergency body are.
HOLDERS: tuple[str, ...] = (
    "incumbent",               # the leader rules
    "constitutional_interim",  # the constitutional successor acts (natural vacancy)
    "emergency_body",          # an emergency body rules (violent death, where the rules say so)
    "insider_successor",       # a regime insider elected or installed after a vacancy
    "contested",               # the elite has split; no settled ruler
    "opposition_led",          # the opposition has taken power
    "patron_controlled",       # a patron has taken control (``State.controller`` says which)
    "designated_successor",    # the successor the ruler named at a voluntary handover
    "rival_takeover",          # a faction outside the ruling group (rival or junior officers)
)
HOLDER = {name: code for code, name in enumerate(HOLDERS)}


def holder_in(holder: np.ndarray, codes) -> np.ndarray:
    """``holder`` is one of ``codes``: ``np.isin`` by a lookup table (several times faster).

    Examples
    --------
    >>> holder_in(np.array([0, 3, 1], dtype=np.int8), [1, 3]).tolist()
    [False, True, True]
    """
    table = np.zeros(len(HOLDERS), dtype=bool)
    table[np.asarray(codes, dtype=np.intp)] = True
    return table[holder]

#: How the leader left office, stored in ``State.incapacity_kind``.
INCAPACITY_KINDS: tuple[str, ...] = ("none", "natural", "violent", "handover")


@dataclass
class State:
    """All mutable state of an ensemble (or of one member, with M = 1).

    Per-actor arrays have shape (M, N); per-member arrays have shape (M,).

    Attributes
    ----------
    stability : share in [0, 1]; for power centres, loyalty to the regime
        (the leader's is its capacity to rule).
    alignment : [-1 Moscow, +1 West].
    unrest : share of the population mobilised in protest.
    posture : military readiness in [0, 1].
    stress : economic stress in [0, 1].
    prejudice : Friedkin-Johnsen anchor of each actor's alignment.
    distress_sent : relative distress already passed on by contagion.
    holder : code into :data:`HOLDERS`.
    leader_capable : True while the leader can rule.
    incapacity_week, incapacity_kind : when and how the leader was incapacitated
        (-1 and 0 when not).
    election_week : week of the scheduled election (-1 when none).
    patron_support : shape (M, P), each patron's support for the rulers in [0, 1].
    patron_move : shape (M, P), True after a ``patron_move`` event of that patron.
    controller : patron index (0 .. P - 1) in control of the focal state, -1 if none.
    """

    stability: np.ndarray
    alignment: np.ndarray
    unrest: np.ndarray
    posture: np.ndarray
    stress: np.ndarray
    prejudice: np.ndarray
    distress_sent: np.ndarray
    holder: np.ndarray
    leader_capable: np.ndarray
    incapacity_week: np.ndarray
    incapacity_kind: np.ndarray
    election_week: np.ndarray
    patron_support: np.ndarray
    patron_move: np.ndarray
    controller: np.ndarray

    def snapshot(self) -> np.ndarray:
        """The output metrics stacked as shape (M, len(METRICS), N)."""
        return np.stack([getattr(self, m) for m in METRICS], axis=1)

    @property
    def members(self) -> int:
        """Number of members held."""
        return self.holder.shape[0]


def initial_state(baseline: dict[str, np.ndarray], prejudice: np.ndarray, members: int,
                  patrons: int) -> State:
    """The undisturbed state of ``members`` members.

    Parameters
    ----------
    baseline : dict
        ``stability0``, ``alignment0``, ``unrest0``, ``posture0``, ``stress0`` per actor.
    prejudice : numpy.ndarray, shape (N,) or (members, N)
        Friedkin-Johnsen anchors that make the baseline a fixed point (per member when
        the susceptibility differs from member to member).
    members : int
        Number of members.
    patrons : int
        Number of patrons of the focal state.
    """
    def tile(values: np.ndarray) -> np.ndarray:
        return np.tile(np.asarray(values, dtype=np.float64), (members, 1))

    n = np.shape(prejudice)[-1]
    return State(
        stability=tile(baseline["stability0"]),
        alignment=tile(baseline["alignment0"]),
        unrest=tile(baseline["unrest0"]),
        posture=tile(baseline["posture0"]),
        stress=tile(baseline["stress0"]),
        prejudice=np.broadcast_to(np.asarray(prejudice, dtype=np.float64),
                                  (members, n)).copy(),
        distress_sent=np.zeros((members, n)),
        holder=np.full(members, HOLDER["incumbent"], dtype=np.int8),
        leader_capable=np.ones(members, dtype=bool),
        incapacity_week=np.full(members, -1, dtype=np.int32),
        incapacity_kind=np.zeros(members, dtype=np.int8),
        election_week=np.full(members, -1, dtype=np.int32),
        patron_support=np.zeros((members, patrons)),
        patron_move=np.zeros((members, patrons), dtype=bool),
        controller=np.full(members, -1, dtype=np.int8),
    )
