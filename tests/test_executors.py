"""Exact equality of results across executors: 1 worker, 2 workers, several blocks in
one process, and a Dask LocalCluster on loopback."""

import numpy as np
import pytest
from conftest import INCAPACITY, make_context

from sim.engines.ensemble import run_ensemble
from sim.engines.executors import LocalExecutor, ProcessExecutor, make_executor
from sim.outputs import tables as outputs
from sim.paths import result_folder_name


def _same(a, b):
    for name in ("quantiles", "holder", "end", "low", "high", "incapacity_week",
                 "incapacity_kind", "trajectories"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.events == b.events


@pytest.fixture(scope="module")
def ctx(region):
    return make_context(region, weeks=40, members=101, events=INCAPACITY)


@pytest.fixture(scope="module")
def reference(ctx):
    return run_ensemble(ctx, keep_trajectories=True, executor=LocalExecutor())


def test_blocks_in_one_process_equal_one_block(ctx, reference):
    _same(run_ensemble(ctx, keep_trajectories=True, executor=LocalExecutor(blocks=7)), reference)


def test_threads_stepping_blocks_equal_one_block(ctx, reference):
    threaded = LocalExecutor(blocks=5, threads=2)
    _same(run_ensemble(ctx, keep_trajectories=True, executor=threaded), reference)


def test_two_worker_processes_equal_one(ctx, reference):
    _same(run_ensemble(ctx, keep_trajectories=True, executor=ProcessExecutor(2)), reference)


def test_csv_bytes_do_not_depend_on_workers(ctx, reference, tmp_path):
    two = run_ensemble(ctx, executor=ProcessExecutor(2))
    for build in (outputs.timeseries_frame, outputs.members_frame, outputs.outcomes_frame):
        outputs.write_csv(build(reference, ctx), tmp_path / "one.csv")
        outputs.write_csv(build(two, ctx), tmp_path / "two.csv")
        assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_dask_local_cluster_equals_one_process(ctx, reference):
    distributed = pytest.importorskip("distributed")
    from sim.engines.dask_executor import DaskExecutor

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address, blocks=3)
        _same(run_ensemble(ctx, keep_trajectories=True, executor=executor), reference)


def test_make_executor_choices():
    assert isinstance(make_executor("local", 4), LocalExecutor)
    assert isinstance(make_executor("processes", 1), LocalExecutor)
    assert isinstance(make_executor("processes", 2), ProcessExecutor)


def test_automatic_choice_follows_the_job_size():
    small = make_executor("processes", None, members=1000, actors=15)
    assert isinstance(small, LocalExecutor) and (small.blocks, small.threads) == (1, 1)
    large = make_executor("processes", None, members=100_000, actors=15)
    assert isinstance(large, LocalExecutor) and large.blocks == 10 and large.threads >= 1


def test_cli_on_a_dask_cluster_gives_the_same_bytes(results_dir):
    distributed = pytest.importorskip("distributed")
    from sim.cli import main

    args = ["run", "incapacity", "--members", "30", "--weeks", "12", "--no-charts", "--quiet"]
    assert main([*args, "--workers", "1"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 30, "weeks": 12})
    local = (folder / "timeseries.csv").read_bytes()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert main([*args, "--executor", "dask", "--scheduler",
                     cluster.scheduler_address]) == 0
    assert (folder / "timeseries.csv").read_bytes() == local


def test_dask_without_a_scheduler_is_a_user_error(results_dir, capsys, monkeypatch):
    from sim.cli import main

    monkeypatch.delenv("SIM_DASK_SCHEDULER", raising=False)
    assert main(["run", "incapacity", "--executor", "dask", "--quiet"]) == 2
    assert "--scheduler" in capsys.readouterr().err


def test_saved_member_trajectories_match_the_ensemble(results_dir, region):
    pq = pytest.importorskip("pyarrow.parquet")
    from sim.analyses.run import RunRequest, prepare
    from sim.cli import main
    from sim.model.state import METRICS

    # compared with a fixed-point ensemble below, so a fixed-point run
    args = ["run", "incapacity", "--members", "12", "--weeks", "8", "--no-charts", "--quiet",
            "--fixed"]
    assert main([*args, "--save-members", "--workers", "2"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 12, "weeks": 8,
                                                             "fixed": 1})
    table = pq.read_table(folder / "trajectories.parquet").to_pandas()
    _, _, ctx = prepare(RunRequest("incapacity", members=12, weeks=8))
    expected = run_ensemble(ctx, keep_trajectories=True).trajectories
    table = table.sort_values(["member", "week"], kind="stable")
    values = table[list(METRICS)].to_numpy().reshape(12, 9, region.n, len(METRICS))
    assert np.array_equal(values.transpose(0, 1, 3, 2), expected)
