import numpy as np
import pytest

from sim.model.rng import STREAMS, RandomStreams, philox4x32

# Random123 tests/kat_vectors, "philox4x32 10" lines: counter, key, expected output.
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_philox_known_answers(counter, key, expected):
    out = philox4x32([np.array(c) for c in counter], key)
    assert tuple(int(w) for w in out) == expected


def test_member_draws_do_not_depend_on_batch():
    streams = RandomStreams(99)
    full = streams.uniform("health", np.arange(500), week=7, width=15)
    subset = streams.uniform("health", np.array([499, 3, 250]), week=7, width=15)
    assert np.array_equal(subset, full[[499, 3, 250]])
    normal_full = streams.normal("mobilisation", np.arange(500), 7, 15)
    normal_one = streams.normal("mobilisation", np.array([42]), 7, 15)
    assert np.array_equal(normal_one[0], normal_full[42])


def test_streams_weeks_and_seeds_differ():
    a, b = RandomStreams(1), RandomStreams(2)
    m = np.arange(100)
    assert not np.array_equal(a.uniform("health", m, 0, 3), b.uniform("health", m, 0, 3))
    assert not np.array_equal(a.uniform("health", m, 0, 3), a.uniform("health", m, 1, 3))
    assert not np.array_equal(a.uniform("health", m, 0, 3), a.uniform("succession", m, 0, 3))
    assert not np.array_equal(a.uniform("health", m, 0, 3, draw=0),
                              a.uniform("health", m, 0, 3, draw=1))


def test_uniform_and_normal_are_well_formed():
    streams = RandomStreams(5)
    u = streams.uniform("reactions", np.arange(20000), 3, 5)
    assert u.min() > 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005
    z = streams.normal("mobilisation", np.arange(20000), 3, 5)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1.0) < 0.02


def test_unknown_stream_is_refused():
    with pytest.raises(KeyError):
        RandomStreams(1).uniform("nope", np.arange(2), 0, 1)
    assert len(set(STREAMS)) == len(STREAMS)
