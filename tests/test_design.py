"""Parameters per member: a whole experimental design runs as one ensemble (issue 13).

Row ``k`` of a design with ``R`` replicates per point has the parameters of point
``k // R`` and draws the random numbers of member ``k % R`` of a plain run. A point run
alone as a plain ensemble of ``R`` members must equal its rows in the design exactly,
whatever the blocks, threads or worker processes; replay (Mesa) of a row must equal it.
"""

import numpy as np
import pytest
from conftest import INCAPACITY, make_context

from sim.engines.ensemble import run_ensemble
from sim.engines.executors import LocalExecutor, ProcessExecutor
from sim.engines.mesa_model import RegionModel
from sim.model.params import CONTEXT_ONLY, PARAMS, Parameters

# Every parameter a design may vary, at two points inside its plausible range.
VARIED = [name for name, p in PARAMS.items() if name not in CONTEXT_ONLY]


def _points(count: int, seed: int = 3) -> list[dict]:
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(count):
        point = {}
        for name in VARIED:
            low, high = PARAMS[name].plausible
            point[name] = float(low + (high - low) * rng.random())
        points.append(point)
    return points


def _design(points, replicates):
    return {name: np.repeat([p[name] for p in points], replicates) for name in VARIED}


def _same(a, b, rows):
    for name in ("end", "low", "high", "incapacity_week", "incapacity_kind"):
        assert np.array_equal(getattr(a, name), getattr(b, name)[rows]), name
    assert np.array_equal(a.holder, b.holder[rows])


@pytest.fixture(scope="module")
def setting(region):
    ctx = make_context(region, weeks=30, members=5, events=INCAPACITY)
    points = _points(3)
    replicates = 5  # 15 rows = 15 actors: a wrong broadcast would not raise
    design_ctx = ctx.with_design(_design(points, replicates), replicates)
    rows = np.arange(len(points) * replicates)
    return ctx, points, replicates, design_ctx, rows


def test_a_point_alone_equals_its_rows_in_the_design(setting):
    ctx, points, replicates, design_ctx, rows = setting
    assert ctx.region.n == len(rows)
    design = run_ensemble(design_ctx, members=rows, executor=LocalExecutor(blocks=4))
    for index, point in enumerate(points):
        alone_ctx = make_context(ctx.region, weeks=30, members=replicates, events=INCAPACITY,
                                 parameters=point)
        alone = run_ensemble(alone_ctx)
        _same(alone, design, slice(index * replicates, (index + 1) * replicates))


def test_design_results_do_not_depend_on_blocks_threads_or_processes(setting):
    _, _, _, design_ctx, rows = setting
    one = run_ensemble(design_ctx, members=rows, executor=LocalExecutor())
    for executor in (LocalExecutor(blocks=6, threads=2), ProcessExecutor(2)):
        other = run_ensemble(design_ctx, members=rows, executor=executor)
        _same(other, one, slice(None))
        assert np.array_equal(other.quantiles, one.quantiles)


def test_replay_of_a_design_row_equals_the_row(setting):
    _, _, _, design_ctx, rows = setting
    ensemble = run_ensemble(design_ctx, members=rows, keep_trajectories=True)
    row = 7
    model = RegionModel(design_ctx, row)
    for _ in range(30):
        model.step()
    assert np.array_equal(model.state.snapshot()[0], ensemble.trajectories[row, -1])


def test_parameters_that_shape_the_context_cannot_vary_per_member():
    with pytest.raises(ValueError, match="one value per ensemble"):
        Parameters(per_member={"max_dependence_row_sum": np.array([0.5, 0.6])})
    with pytest.raises(ValueError, match="must be a number from"):
        Parameters(per_member={"coup_attempt_rate": np.array([0.05, 99.0])})
