"""Sparse weighted adjacency over the actor axis, applied the same way to any batch.

``pull(x, rows)`` computes ``y[..., i] = sum_k w[i, k] * x[..., src[i, k]]``: the
weighted sum of what actor ``i`` receives from the actors it depends on. The sum runs
over neighbour slots in a fixed order of element-wise operations, so the result for one
ensemble member is bit-for-bit the same whether it is computed alone or in a batch of
ten thousand (a BLAS matrix product does not promise that). Large batches go to a
numba-compiled loop (:mod:`sim.model.compiled`) that performs the same operations in
the same order, hence the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: Batches of at least this many numbers (members x actors for ``pull``, members x slots
#: for the random draws of :mod:`sim.model.rng`) go to the compiled kernels of
#: :mod:`sim.model.compiled`; smaller ones stay in numpy. Same bytes either way. Loading
#: numba and its cached code costs about 0.4 s (measured), which the default run of
#: 1,000 members x 15 actors (15,000 numbers per call) would not win back, while runs of
#: 2,000 members and more gain from it.
COMPILED_FROM = 20_000


@dataclass(frozen=True)
class SparseRows:
    """Row-wise neighbour lists of a weight matrix ``W[target, source]``.

    Attributes
    ----------
    src : numpy.ndarray of int, shape (n_actors, k)
        Source actor of each slot (padding slots point at the row's own actor).
    weight : numpy.ndarray of float, shape (n_actors, k)
        Weight of each slot (0 for padding).
    """

    src: np.ndarray
    weight: np.ndarray

    @cached_property
    def filled(self) -> np.ndarray:
        """Real (non-padding) slots of each row, shape (n_actors,); computed once."""
        return (self.weight != 0).sum(axis=1)

    @classmethod
    def from_dense(cls, matrix: np.ndarray) -> SparseRows:
        """Build neighbour lists from a dense ``(n, n)`` matrix of ``W[target, source]``.

        Zero entries are dropped; rows are padded to the longest row.
        """
        matrix = np.asarray(matrix, dtype=np.float64)
        n = matrix.shape[0]
        nonzero = [np.flatnonzero(matrix[i]) for i in range(n)]
        width = max(1, max((len(nz) for nz in nonzero), default=0))
        src = np.tile(np.arange(n)[:, None], (1, width))
        weight = np.zeros((n, width))
        for i, nz in enumerate(nonzero):
            src[i, : len(nz)] = nz
            weight[i, : len(nz)] = matrix[i, nz]
        return cls(src=src, weight=weight)

    def to_dense(self) -> np.ndarray:
        """Return the dense ``(n, n)`` matrix (for tests and docs)."""
        n = self.src.shape[0]
        dense = np.zeros((n, n))
        for i in range(n):
            for j, w in zip(self.src[i], self.weight[i], strict=True):
                dense[i, j] += w
        return dense


def pull(x: np.ndarray, rows: SparseRows) -> np.ndarray:
    """Weighted sum of sources for every target: ``y[..., i] = sum_j W[i, j] x[..., j]``.

    Parameters
    ----------
    x : numpy.ndarray, shape (..., n_actors)
        Values on the actor axis (any leading batch shape).
    rows : SparseRows
        The weight matrix as neighbour lists.

    Returns
    -------
    numpy.ndarray, shape (..., n_actors)

    Examples
    --------
    >>> rows = SparseRows.from_dense(np.array([[0.0, 0.5], [0.0, 0.0]]))
    >>> pull(np.array([1.0, 4.0]), rows)
    array([2., 0.])
    """
    x = np.asarray(x, dtype=np.float64)
    n = rows.src.shape[0]
    if x.shape[-1] != n:
        raise ValueError(f"pull: last axis has {x.shape[-1]} actors, the graph {n}")
    if x.size >= COMPILED_FROM:
        from sim.model.compiled import pull_rows

        flat = np.ascontiguousarray(x).reshape(-1, n)
        out = np.empty_like(flat)
        pull_rows(flat, rows.src, rows.weight, rows.filled, out)
        return out.reshape(x.shape)
    total = rows.weight[:, 0] * x[..., rows.src[:, 0]]
    for k in range(1, rows.src.shape[1]):
        total = total + rows.weight[:, k] * x[..., rows.src[:, k]]
    return total
