"""A helper forked from the run's process draws the charts the run's process would draw."""

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from sim.analyses.run import RunRequest, _chart_helpers, prepare, run
from sim.engines.ensemble import run_ensemble
from sim.outputs import chart_fork, chart_pool
from sim.outputs import tables as outputs
from sim.outputs.charts import write_run_charts


@pytest.fixture(scope="module")
def frames():
    ctx = prepare(RunRequest("incapacity", members=20, weeks=12))[2]
    result = run_ensemble(ctx, np.arange(20), progress=False)
    return ctx.region, (outputs.timeseries_frame(result, ctx), outputs.holders_frame(result),
                        outputs.outcomes_frame(result, ctx))


def _same_bytes(inline, drawn):
    assert [p.name for p in drawn] == [p.name for p in inline]
    assert len(drawn) >= 7
    for a, b in zip(inline, drawn, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize("ahead", [True, False], ids=["grids-ahead", "no-region"])
@pytest.mark.parametrize("join", [True, False], ids=["shared", "helper-only"])
def test_the_helper_draws_the_same_bytes(tmp_path, frames, monkeypatch, join, ahead):
    region, tables = frames
    inline = write_run_charts(tmp_path / "inline", *tables, region, "fork_test")
    monkeypatch.setattr(chart_pool, "available", lambda: join)
    with chart_fork.ChartHelper(region if ahead else None) as helper:
        drawn = helper.wait(helper.start(tmp_path / "fork", *tables, region, "fork_test"))
    _same_bytes(inline, drawn)


def test_every_chart_is_taken_once():
    assert sorted(chart_fork.ORDER) == sorted(chart_pool.RUN_CHARTS)


def test_a_helper_without_work_stops(tmp_path):
    helper = chart_fork.ChartHelper()
    process = helper._process
    helper.close()
    assert not process.is_alive()
    assert process.exitcode == 0


def test_a_failure_in_the_helper_is_raised(tmp_path, frames, monkeypatch):
    _, tables = frames
    monkeypatch.setattr(chart_pool, "available", lambda: False)  # the helper draws alone
    with chart_fork.ChartHelper() as helper, pytest.raises(RuntimeError,
                                                           match="chart helper failed"):
        helper.wait(helper.start(tmp_path / "bad", *tables, None, "fork_test"))


def test_no_fork_when_asked_or_threaded(monkeypatch):
    monkeypatch.setenv("SIM_CHARTS_INLINE", "1")
    assert not chart_fork.possible()
    monkeypatch.delenv("SIM_CHARTS_INLINE")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not chart_fork.possible()   # a threaded program (the dashboard) never forks
    finally:
        stop.set()
        other.join()


def test_a_run_chooses_the_forked_helper(monkeypatch, frames):
    monkeypatch.setattr(chart_fork, "possible", lambda: True)
    helper = _chart_helpers(RunRequest("incapacity"), frames[0])
    with helper:
        assert isinstance(helper, chart_fork.ChartHelper)
    assert _chart_helpers(RunRequest("incapacity", charts=False)) is None
    monkeypatch.setattr(chart_fork, "possible", lambda: False)
    monkeypatch.setattr(chart_pool, "available", lambda: False)
    assert _chart_helpers(RunRequest("incapacity")) is None


def test_a_run_with_the_forked_helper_writes_its_charts(results_dir, monkeypatch):
    monkeypatch.setattr(chart_fork, "possible", lambda: True)
    target = run(RunRequest("incapacity", members=10, weeks=8, progress=False))
    names = {p.name for p in (target / "charts").glob("*.png")}
    assert {"fan_stability.png", "holders.png", "ripple_summary.png"} <= names
    assert "data:image/png" in (target / "report.html").read_text(encoding="utf-8")


def test_the_helper_exits_when_the_run_is_killed(tmp_path):
    """A run killed before its charts leaves no helper behind, waiting for ever."""
    script = ("import os, signal, sys\n"
              "from sim.outputs.chart_fork import ChartHelper\n"
              "helper = ChartHelper()\n"
              "print(helper._process.pid, flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -9
    pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(pid, 9)
    raise AssertionError("the chart helper outlived its killed run")
