"""Intervals for differences of proportions (issue 8, last bullet): Newcombe's score
intervals, paired and unpaired, never collapse to a point when the sides differ."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.engines.stats import (
    newcombe_paired_interval,
    newcombe_unpaired_interval,
    paired_difference_interval,
    unpaired_difference_interval,
    wilson_interval,
)


@pytest.mark.parametrize("table, expected", [
    ((36, 12, 2, 0), (0.0569, 0.3404)), ((18, 12, 2, 18), (0.0562, 0.3290)),
    ((53, 0, 0, 1), (-0.0729, 0.0729)), ((0, 30, 0, 0), (0.8395, 1.0)),
])
def test_paired_matches_newcombe_1998_table_ii(table, expected):
    _, low, high = newcombe_paired_interval(*table)
    assert (round(low, 4), round(high, 4)) == expected


@pytest.mark.parametrize("counts, expected", [
    ((56, 70, 48, 80), (0.0524, 0.3339)), ((9, 10, 3, 10), (0.1705, 0.8090)),
])
def test_unpaired_matches_newcombe_1998_table_ii(counts, expected):
    _, low, high = newcombe_unpaired_interval(*counts)
    assert (round(low, 4), round(high, 4)) == expected


def test_all_tables_of_twelve_pairs_give_proper_intervals():
    for a, b, c in itertools.product(range(13), repeat=3):
        d = 12 - a - b - c
        if d < 0:
            continue
        diff, low, high = newcombe_paired_interval(a, b, c, d)
        assert -1.0 <= low <= diff <= high <= 1.0
        assert high - low > 0.05  # never collapsed to a point, whatever the table
        mirrored = newcombe_paired_interval(a, c, b, d)
        assert mirrored == pytest.approx((-diff, -high, -low))


def test_uncorrelated_pairs_give_the_unpaired_interval():
    """With phi = 0 (one margin empty) the paired formula is the unpaired one."""
    paired = newcombe_paired_interval(0, 7, 0, 13)
    unpaired = newcombe_unpaired_interval(7, 20, 0, 20)
    assert paired == pytest.approx(unpaired)


def test_from_indicators_b_minus_a():
    rng = np.random.default_rng(3)
    xa = rng.random(500) < 0.3
    xb = xa | (rng.random(500) < 0.1)  # B: A's events plus some
    diff, low, high = paired_difference_interval(xa, xb)
    assert diff == pytest.approx(xb.mean() - xa.mean()) and 0 < low < diff < high
    u_diff, u_low, u_high = unpaired_difference_interval(xa, xb)
    assert u_diff == pytest.approx(diff)
    assert high - low < u_high - u_low  # pairing narrows the interval of correlated sides


def test_wald_collapse_case_is_an_interval():
    """The old paired Wald interval was [1, 1] when every member differed the same way."""
    xa, xb = np.zeros(50, bool), np.ones(50, bool)
    diff, low, high = paired_difference_interval(xa, xb)
    assert diff == 1.0 and low < 1.0 and high == 1.0
    low_b, _ = wilson_interval(50, 50)
    assert low < low_b
