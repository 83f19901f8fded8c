"""numba-compiled kernels for large batches: Philox4x32-10 uniforms and neighbour sums.

This module is imported only when a batch is large enough to repay numba's start-up
(about 0.4 s to import numba and load the cached machine code, measured on the 2-core
machine); smaller batches use the numpy versions in :mod:`sim.model.rng` and
:mod:`sim.regions.graph`. Both paths give the same bytes: the kernels are compiled
without fast-math, so every integer and floating-point operation is the one written,
in the order written (no reassociation, no fused multiply-add), and
``tests/test_kernels.py`` checks them bit for bit against a frozen numpy reference
over many seeds and shapes.

The machine code is cached next to this file (``__pycache__``), so only the first run
after an install compiles (about half a second).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.model import rng

_MASK32 = np.uint64(0xFFFFFFFF)

# The Philox rounds and the conversion to (0, 1) are the functions of sim.model.rng,
# compiled here: the rule is written once.
_philox_block = numba.njit(cache=True, inline="always")(rng.philox_rounds)
_unit = numba.njit(cache=True, inline="always")(rng.unit_interval)


@numba.njit(cache=True, nogil=True)
def uniform_grid(members, week, width, draw, k0, k1, pairs):  # pragma: no cover
    """Uniforms for the counters ``(member, week, slot, draw)``, shape (pairs, M, width).

    Pair 0 is made from output words 0 and 1, pair 1 (when ``pairs`` is 2) from words
    2 and 3, exactly as :meth:`sim.model.rng.RandomStreams.uniform` and ``normal`` do.
    """
    out = np.empty((pairs, members.shape[0], width))
    c1 = np.uint64(week) & _MASK32
    c3 = np.uint64(draw) & _MASK32
    for i in range(members.shape[0]):
        c0 = members[i] & _MASK32
        for slot in range(width):
            w0, w1, w2, w3 = _philox_block(c0, c1, np.uint64(slot), c3, k0, k1)
            out[0, i, slot] = _unit(w0, w1)
            if pairs == 2:
                out[1, i, slot] = _unit(w2, w3)
    return out


@numba.njit(cache=True, nogil=True)
def pull_rows(x, src, weight, filled, out):  # pragma: no cover - compiled
    """``out[m, i] = sum_k weight[i, k] * x[m, src[i, k]]``, slots summed in order.

    Padding slots (weight 0, after the ``filled[i]`` real ones) add ``0 * x``, which
    leaves a non-zero sum unchanged; they are added only when the sum so far is zero,
    where they can turn -0.0 into +0.0, so for finite ``x`` the bytes equal those of
    the plain loop over every slot.
    """
    slots = src.shape[1]
    for m in range(x.shape[0]):
        for i in range(src.shape[0]):
            total = weight[i, 0] * x[m, src[i, 0]]
            for k in range(1, filled[i]):
                total = total + weight[i, k] * x[m, src[i, k]]
            if total == 0.0:
                for k in range(max(filled[i], 1), slots):
                    total = total + weight[i, k] * x[m, src[i, k]]
            out[m, i] = total
