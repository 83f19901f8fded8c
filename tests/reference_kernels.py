"""Plain numpy reference versions of the compiled kernels (issue 12).

These are the implementations the project shipped before the kernels were compiled
with numba or rewritten: the Philox4x32-10 bijection and its uniforms and normals, the
neighbour sum ``pull`` as a loop over slots, and ``summarise`` with ``np.percentile``.
``tests/test_kernels.py`` checks that the shipped kernels give the same bytes.
"""

from __future__ import annotations

import numpy as np

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)

PERCENTILES = (5, 25, 50, 75, 95)


def philox4x32(counter, key):
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) & _MASK32 for c in counter)
    c0, c1, c2, c3 = np.broadcast_arrays(c0, c1, c2, c3)
    k0, k1 = np.uint64(key[0]) & _MASK32, np.uint64(key[1]) & _MASK32
    for round_index in range(10):
        if round_index:
            k0 = (k0 + _W0) & _MASK32
            k1 = (k1 + _W1) & _MASK32
        p0 = _M0 * c0
        p1 = _M1 * c2
        hi0, lo0 = p0 >> _SHIFT32, p0 & _MASK32
        hi1, lo1 = p1 >> _SHIFT32, p1 & _MASK32
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return [c0, c1, c2, c3]


def to_unit_interval(high, low):
    bits53 = (high >> np.uint64(5)) * np.uint64(1 << 26) + (low >> np.uint64(6))
    return (bits53.astype(np.float64) + 0.5) / float(1 << 53)


def words(key, members, week, width, draw):
    member_axis = np.asarray(members, dtype=np.uint64)[:, None]
    slot_axis = np.arange(width, dtype=np.uint64)[None, :]
    return philox4x32((member_axis, np.uint64(week), slot_axis, np.uint64(draw)), key)


def uniform(key, members, week, width, draw=0):
    w = words(key, members, week, width, draw)
    return to_unit_interval(w[0], w[1])


def normal(key, members, week, width, draw=0):
    w = words(key, members, week, width, draw)
    u1 = to_unit_interval(w[0], w[1])
    u2 = to_unit_interval(w[2], w[3])
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def pull(x, rows):
    total = rows.weight[:, 0] * x[..., rows.src[:, 0]]
    for k in range(1, rows.src.shape[1]):
        total = total + rows.weight[:, k] * x[..., rows.src[:, k]]
    return total


def summarise(values):
    return np.concatenate([values.mean(axis=0)[None],
                           np.percentile(values, PERCENTILES, axis=0)], axis=0)
