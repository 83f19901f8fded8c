"""A helper forked from the run's process draws the charts the run's process would draw."""

import os
import signal
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
@pytest.mark.parametrize("second", [True, False], ids=["two-helpers", "one-helper"])
def test_the_helper_draws_the_same_bytes(tmp_path, frames, second, ahead):
    region, tables = frames
    inline = write_run_charts(tmp_path / "inline", *tables, region, "fork_test")
    with chart_fork.ChartHelper(region if ahead else None, second=second) as helper:
        drawn = helper.wait(helper.start(tmp_path / "fork", *tables, region, "fork_test"))
    _same_bytes(inline, drawn)


def test_the_second_helper_draws_when_woken(tmp_path, frames):
    """Woken at once, the second helper takes charts too (both share the counter)."""
    region, tables = frames
    with chart_fork.ChartHelper(region) as helper:
        job = helper.start(tmp_path / "fork", *tables, region, "fork_test")
        _wait_for(lambda: helper._second_pid.value != 0)
        second = helper._second_pid.value
        drawn = helper.wait(job)
    assert [p.name for p in drawn] == list(chart_pool.RUN_CHARTS)
    assert _gone(second)


def test_handing_over_does_not_wait_for_the_helper(tmp_path, frames):
    """The tables (more than a pipe holds) go over while the helper is not reading."""
    region, tables = frames
    big = (tables[0].sample(frac=40, replace=True, random_state=1), *tables[1:])
    with chart_fork.ChartHelper(region) as helper:
        os.kill(helper._process.pid, signal.SIGSTOP)   # a helper still warming up
        try:
            starting = threading.Thread(
                target=helper.start, args=(tmp_path / "fork", *big, region, "fork_test"))
            starting.start()
            starting.join(timeout=60)   # guards a hang only: start() returns at once
            assert not starting.is_alive()
            assert helper._sender.is_alive()   # still writing: the helper reads nothing
        finally:
            os.kill(helper._process.pid, signal.SIGCONT)
        helper._sender.join()


def test_a_failed_run_leaves_no_helper(tmp_path, frames):
    """Closed after the tables went over but before wait(): both helpers are stopped."""
    region, tables = frames
    helper = chart_fork.ChartHelper(region)
    helper.start(tmp_path / "fork", *tables, region, "fork_test")
    _wait_for(lambda: helper._second_pid.value != 0)
    second, first = helper._second_pid.value, helper._process
    helper.close()
    assert not first.is_alive()
    _wait_for(lambda: _gone(second))


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie not yet reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def _wait_for(condition, limit_s: float = 60.0) -> None:
    """Poll ``condition`` until it holds (a guard against hanging, not a timing test)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.02)


def test_every_chart_is_taken_once():
    assert sorted(chart_fork.ORDER) == sorted(chart_pool.RUN_CHARTS)


def test_a_helper_without_work_stops(tmp_path):
    helper = chart_fork.ChartHelper()
    process = helper._process
    helper.close()   # stopped at once, even while it still warms up
    assert not process.is_alive()
    assert process.exitcode is not None


@pytest.mark.parametrize("second", [True, False], ids=["two-helpers", "one-helper"])
def test_a_failure_in_the_helper_is_raised(tmp_path, frames, second):
    _, tables = frames
    with chart_fork.ChartHelper(second=second) as helper, pytest.raises(RuntimeError,
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
