"""Counter-based random numbers: every draw is a pure function of its coordinates.

A draw is ``f(root seed, stream, member, week, slot, draw)`` computed with the
Philox4x32-10 bijection (Salmon et al. 2011, "Parallel random numbers: as easy as
1, 2, 3", SC'11), vectorised over numpy arrays. Consequences the rest of the code
relies on:

* member ``k`` gets the same numbers whether it runs alone (Mesa replay), in an
  ensemble of 10 or 10,000, in any order, on any worker;
* each mechanism draws from its own named stream, so adding a mechanism or an event
  does not shift anyone else's draws (common random numbers across scenarios that
  share a root seed);
* nothing uses global random state.

The root seed is split into one key per stream with numpy's ``SeedSequence`` (the
stream's stable id is its ``spawn_key``), as the developers' guide asks.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from sim.regions import graph

# Philox4x32 constants (Random123, philox.h).
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_ROUNDS = 10
_SHIFT5 = np.uint64(5)
_SHIFT6 = np.uint64(6)
_TWO26 = np.uint64(1 << 26)
_TWO53 = float(1 << 53)


#: The named random streams, one per stochastic mechanism. A new mechanism adds a
#: name here; existing streams keep their keys, so their draws do not move.
STREAMS: tuple[str, ...] = (
    "health",
    "succession",
    "mobilisation",  # unused since protest_noise left; kept so later streams keep keys
    "reactions",
    "events",       # scheduled events with a random outcome (coup attempts)
    "defection",    # the security bloc's defection under street pressure
    "tolerance",    # each member's draw of the bloc's breaking point (week 0 only)
    "election",     # the count of a scheduled vote
    "posterior",    # each member's draw from the calibrated posterior (week 0 only)
    "outsider",     # whether the ruling group blocks an outside constitutional successor
)


def philox4x32(counter: Sequence[np.ndarray], key: tuple[int, int]) -> list[np.ndarray]:
    """Apply Philox4x32-10 to arrays of counters.

    Parameters
    ----------
    counter : sequence of four integer arrays
        The four 32-bit counter words; they broadcast against each other.
    key : tuple of two int
        The two 32-bit key words.

    Returns
    -------
    list of four numpy.ndarray of uint64
        The four 32-bit output words (held in uint64 arrays).

    References
    ----------
    Salmon, Moraes, Dror & Shaw (2011), SC'11; known-answer vectors from Random123's
    ``tests/kat_vectors``.
    """
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) & _MASK32 for c in counter)
    c0, c1, c2, c3 = np.broadcast_arrays(c0, c1, c2, c3)
    k0, k1 = np.uint64(key[0]) & _MASK32, np.uint64(key[1]) & _MASK32
    return list(philox_rounds(c0, c1, c2, c3, k0, k1))


def philox_rounds(c0, c1, c2, c3, k0, k1):
    """The ten rounds of Philox4x32-10 on 32-bit words held in uint64.

    Written once for both paths: numpy calls it on arrays of counters
    (:func:`philox4x32`), and :mod:`sim.model.compiled` compiles the very same function
    with numba for one counter at a time.
    """
    for round_index in range(_ROUNDS):
        if round_index:
            k0 = (k0 + _W0) & _MASK32
            k1 = (k1 + _W1) & _MASK32
        p0 = _M0 * c0
        p1 = _M1 * c2
        hi0, lo0 = p0 >> _SHIFT32, p0 & _MASK32
        hi1, lo1 = p1 >> _SHIFT32, p1 & _MASK32
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return c0, c1, c2, c3


def unit_interval(high, low):
    """53-bit float strictly inside (0, 1) from two 32-bit words (arrays or scalars).

    Shared, like :func:`philox_rounds`, by the numpy path and the compiled kernel.
    """
    bits53 = (high >> _SHIFT5) * _TWO26 + (low >> _SHIFT6)
    return (np.float64(bits53) + 0.5) / _TWO53


def _numpy_grid(members: np.ndarray, week: int, width: int, draw: int, k0: int, k1: int,
                pairs: int) -> np.ndarray:
    """Uniforms for the counters ``(member, week, slot, draw)``, shape (pairs, M, width).

    The numpy path of :meth:`RandomStreams._grid`: the operations of
    :func:`philox_rounds` and :func:`unit_interval`, each into a preallocated array
    (``out=``) instead of a new one per operation. The same integer operations in the
    same order, so the same bits (``tests/test_kernels.py`` compares them with the
    frozen reference); about three times faster for a 1,000-member x 15-actor grid,
    where allocating some 100 temporary arrays per draw cost more than the arithmetic
    (measured side by side in one process).
    """
    shape = (members.shape[0], width)
    c0 = np.empty(shape, dtype=np.uint64)
    c0[...] = (members & _MASK32)[:, None]
    c1 = np.full(shape, np.uint64(week) & _MASK32, dtype=np.uint64)
    c2 = np.empty(shape, dtype=np.uint64)
    c2[...] = np.arange(width, dtype=np.uint64)[None, :]
    c3 = np.full(shape, np.uint64(draw) & _MASK32, dtype=np.uint64)
    key0, key1 = np.uint64(k0) & _MASK32, np.uint64(k1) & _MASK32
    p0 = np.empty(shape, dtype=np.uint64)
    p1 = np.empty(shape, dtype=np.uint64)
    for round_index in range(_ROUNDS):
        if round_index:
            key0 = (key0 + _W0) & _MASK32
            key1 = (key1 + _W1) & _MASK32
        np.multiply(_M0, c0, out=p0)
        np.multiply(_M1, c2, out=p1)
        # c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0 (philox_rounds)
        np.right_shift(p1, _SHIFT32, out=c0)
        np.bitwise_xor(c0, c1, out=c0)
        np.bitwise_xor(c0, key0, out=c0)
        np.bitwise_and(p1, _MASK32, out=c1)
        np.right_shift(p0, _SHIFT32, out=c2)
        np.bitwise_xor(c2, c3, out=c2)
        np.bitwise_xor(c2, key1, out=c2)
        np.bitwise_and(p0, _MASK32, out=c3)
    out = np.empty((pairs, *shape))
    for pair, (high, low) in enumerate(((c0, c1), (c2, c3))[:pairs]):
        # unit_interval: ((high >> 5) * 2**26 + (low >> 6) + 0.5) / 2**53
        np.right_shift(high, _SHIFT5, out=high)
        np.multiply(high, _TWO26, out=high)
        np.right_shift(low, _SHIFT6, out=low)
        np.add(high, low, out=high)
        unit = out[pair]
        unit[...] = high
        unit += 0.5
        unit /= _TWO53
    return out


def stream_id(name: str) -> int:
    """Stable 32-bit id of a stream name (independent of Python's hash seed)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """Independent, counter-based random streams derived from one root seed.

    Parameters
    ----------
    root_seed : int
        The scenario's root seed (non-negative).

    Examples
    --------
    >>> streams = RandomStreams(42)
    >>> u = streams.uniform("health", members=np.arange(3), week=0, width=2)
    >>> u.shape
    (3, 2)
    >>> bool(np.all(streams.uniform("health", np.array([2]), 0, 2) == u[2]))
    True
    """

    def __init__(self, root_seed: int) -> None:
        self.root_seed = int(root_seed)
        self._keys: dict[str, tuple[int, int]] = {}
        for name in STREAMS:
            seq = np.random.SeedSequence(self.root_seed, spawn_key=(stream_id(name),))
            words = seq.generate_state(2, dtype=np.uint32)
            self._keys[name] = (int(words[0]), int(words[1]))

    def _grid(self, stream: str, members: np.ndarray, week: int, width: int, draw: int,
              pairs: int) -> np.ndarray:
        if stream not in self._keys:
            raise KeyError(f"unknown random stream {stream!r}; known: {STREAMS}")
        k0, k1 = self._keys[stream]
        members = np.ascontiguousarray(members, dtype=np.uint64)
        if members.shape[0] * width >= graph.COMPILED_FROM:  # one threshold for both kernels
            from sim.model.compiled import uniform_grid

            return uniform_grid(members, int(week), int(width), int(draw), np.uint64(k0),
                                np.uint64(k1), pairs)
        return _numpy_grid(members, week, width, draw, k0, k1, pairs)

    def uniform(
        self, stream: str, members: np.ndarray, week: int, width: int, draw: int = 0
    ) -> np.ndarray:
        """Uniform draws on (0, 1), shape ``(len(members), width)``.

        Parameters
        ----------
        stream : str
            One of :data:`STREAMS`.
        members : numpy.ndarray of int
            Ensemble member indices (the same member always gets the same numbers).
        week : int
            Simulated week.
        width : int
            Number of slots per member (usually the number of actors).
        draw : int, default 0
            Distinguishes several draws of one stream in the same week.
        """
        return self._grid(stream, members, week, width, draw, 1)[0]

    def normal(
        self, stream: str, members: np.ndarray, week: int, width: int, draw: int = 0
    ) -> np.ndarray:
        """Standard normal draws (Box-Muller), shape ``(len(members), width)``."""
        u1, u2 = self._grid(stream, members, week, width, draw, 2)
        # Box-Muller stays in numpy (numpy's log and cos are the reference's), in place:
        # sqrt(-2 log u1) cos(2 pi u2), each product the same IEEE operation as written.
        radius = np.log(u1, out=u1)
        radius *= -2.0
        np.sqrt(radius, out=radius)
        angle = np.multiply(u2, 2.0 * np.pi, out=u2)
        np.cos(angle, out=angle)
        radius *= angle
        return radius
