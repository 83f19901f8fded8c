import numpy as np

from sim.regions.graph import SparseRows, pull


def test_pull_matches_dense_product():
    rng = np.random.default_rng(0)
    dense = rng.random((6, 6)) * (rng.random((6, 6)) < 0.5)
    x = rng.random((4, 6))
    rows = SparseRows.from_dense(dense)
    np.testing.assert_allclose(pull(x, rows), x @ dense.T, rtol=1e-12)
    np.testing.assert_array_equal(rows.to_dense(), dense)


def test_pull_is_exact_for_any_batch():
    rng = np.random.default_rng(1)
    dense = rng.random((15, 15)) * (rng.random((15, 15)) < 0.6)
    rows = SparseRows.from_dense(dense)
    x = rng.random((1000, 15))
    batch = pull(x, rows)
    for k in (0, 17, 999):
        assert np.array_equal(pull(x[k:k + 1], rows)[0], batch[k])
        assert np.array_equal(pull(x[k], rows), batch[k])


def test_empty_matrix_pulls_zero():
    rows = SparseRows.from_dense(np.zeros((3, 3)))
    assert np.array_equal(pull(np.ones(3), rows), np.zeros(3))
