"""Workers, executors and limits (issue 8, items 8 and 9): one-line messages instead of
tracebacks or hangs, and caps on workers and on memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import make_context

from sim.cli import main
from sim.engines import executors, limits
from sim.engines.executors import LocalExecutor, ProcessExecutor, make_executor
from sim.errors import RunError, UserError
from sim.paths import PROJECT_ROOT

SMALL = ["--members", "20", "--weeks", "3", "--no-charts", "--quiet"]


# -- item 8: caps ---------------------------------------------------------------------

def test_workers_are_capped_at_the_cores(monkeypatch, capsys):
    monkeypatch.setattr(executors, "default_workers", lambda: 2)
    executor = make_executor("processes", 200)
    assert isinstance(executor, ProcessExecutor) and executor.blocks == 2
    assert "note: --workers 200 is more than the 2 core(s)" in capsys.readouterr().err
    assert ProcessExecutor(64).blocks == 2
    monkeypatch.setattr(executors, "default_workers", lambda: 1)
    assert isinstance(make_executor("processes", 8), LocalExecutor)
    assert make_executor("processes", None).blocks == 1


def test_cli_with_too_many_workers_runs_with_a_note(results_dir, capsys):
    assert main(["run", "status_quo", *SMALL, "--workers", "200"]) == 0
    err = capsys.readouterr().err
    assert "note: --workers 200" in err and "Traceback" not in err


def test_memory_estimate_refuses_a_run_too_big_for_the_machine(results_dir, capsys,
                                                               monkeypatch):
    monkeypatch.setattr(limits, "available_bytes", lambda: 4_000_000_000)
    started = time.perf_counter()
    assert main(["run", "status_quo", "--members", "1000000", "--weeks", "2", "--no-charts",
                 "--quiet", "--workers", "1"]) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--members" in err and "GB" in err
    assert not (results_dir / "status_quo").exists()


def test_memory_estimate_grows_with_every_dimension():
    base = limits.estimate_bytes(1000, 10, 15)
    assert limits.estimate_bytes(2000, 10, 15) > base
    assert limits.estimate_bytes(1000, 20, 15) > base
    assert limits.estimate_bytes(1000, 10, 30) > base
    assert limits.estimate_bytes(1000, 10, 15, keep_trajectories=True) > base
    assert limits.available_bytes() is None or limits.available_bytes() > 0


# -- item 9: one line instead of a traceback ------------------------------------------

def test_a_killed_worker_is_reported_in_one_line(region):
    ctx = make_context(region, weeks=5, members=40)
    executor = ProcessExecutor(2)
    executor.start(ctx, [np.arange(20), np.arange(20, 40)])
    try:
        executor.request()
        executor.collect()
        os.kill(executor._procs[-1].pid, signal.SIGKILL)
        executor._procs[-1].join(timeout=10)
        with pytest.raises(RunError, match=r"worker process 2 of 2 was killed by SIGKILL "
                                           r"\(often the system running out of memory"):
            executor.request()
            executor.collect()
    finally:
        executor.close()


def test_a_worker_error_is_reported_in_one_line():
    broken = SimpleNamespace(region=SimpleNamespace(n=3))  # pickles, but Block fails on it
    executor = ProcessExecutor(2)
    executor.start(broken, [np.arange(2), np.arange(2, 4)])
    try:
        with pytest.raises(RunError, match=r"worker process \d of 2 failed: AttributeError"):
            executor.request()
            executor.collect()
    finally:
        executor.close()


def test_cli_prints_run_errors_and_memory_errors_in_one_line(results_dir, capsys,
                                                             monkeypatch):
    from sim.analyses import run as run_module

    for error in (RunError("worker process 1 of 2 was killed by SIGKILL"), MemoryError()):
        def fail(request, error=error):
            raise error

        monkeypatch.setattr(run_module, "run", fail)
        assert main(["run", "status_quo", *SMALL]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1


def test_ctrl_c_during_worker_start_up_prints_one_line(tmp_path):
    env = dict(os.environ, SIM_RESULTS_DIR=str(tmp_path / "results"))
    command = [sys.executable, "-m", "sim", "run", "status_quo", "--members", "2000",
               "--weeks", "30", "--no-charts", "--quiet", "--workers", "2"]
    for delay in (0.3, 0.5, 0.7, 0.9, 1.1):
        child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        time.sleep(delay)
        os.killpg(child.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
        _, err = child.communicate(timeout=60)
        assert "Traceback" not in err, f"after {delay} s:\n{err}"
        assert len(err.splitlines()) <= 1, f"after {delay} s:\n{err}"
        assert child.returncode in (0, 130, -signal.SIGINT)


@pytest.mark.parametrize("address", ["foo://host:8786", "http://127.0.0.1:8786",
                                     "tcp://host", "tcp://host:port"])
def test_bad_dask_address_is_a_user_error(address, results_dir, capsys):
    pytest.importorskip("distributed")
    with pytest.raises(UserError, match="not a Dask scheduler address"):
        make_executor("dask", scheduler=address)
    assert main(["run", "status_quo", *SMALL, "--executor", "dask", "--scheduler",
                 address]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_endpoint_that_is_not_dask_times_out():
    pytest.importorskip("distributed")
    from sim.engines.dask_executor import DaskExecutor

    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])  # accepts, then never answers
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        started = time.perf_counter()
        with pytest.raises(UserError, match="no Dask scheduler answered"):
            DaskExecutor(f"tcp://127.0.0.1:{server.getsockname()[1]}", timeout=1.0)
        assert time.perf_counter() - started < 5.0
        assert accepted
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()
