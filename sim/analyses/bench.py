"""Speed and memory benchmark (``make bench``): writes ``results/bench/bench.csv``.

Each case runs in a fresh Python process so that its peak memory (the process and its
workers) is its own. Targets are checked as ratios and limits measured in this one run,
never by timed assertions in tests.

Peak memory is that of the whole process tree: a case's own process and every worker
process it started (``RUSAGE_CHILDREN`` after they have been waited for). The table
states the machine: cores, Python, numpy and numba versions.

Cases
-----
mesa_vs_ensemble
    The same members of ``incapacity`` run member by member in Mesa, then all at once
    by the ensemble engine (one process); target: ensemble at least 100x faster.
stepping_10k
    10,000 members x 104 weeks of ``incapacity`` on one thread, first with the plain
    numpy kernels (Philox and neighbour sums in numpy, quantiles by ``np.percentile``:
    the kernels of the baseline commit, same bytes), then as shipped; then as the
    engine chooses for the job (:func:`sim.engines.executors.plan_local`) and with two
    worker processes. Target: shipped stepping at least 3x the baseline commit's rate
    measured on this machine (:data:`BASELINE`).
default_run
    ``python -m sim run incapacity`` end to end (1,000 members x 104 weeks, CSVs,
    charts and report), warm; target: under 4 s.
members_100k
    ``python -m sim run incapacity --members 100000`` end to end; target: under 30 s
    and the process tree's peak memory under 2 GB.
synthetic_1000_actors
    The ensemble engine on a seeded 1,000-actor Watts-Strogatz region, 1,000 members x
    104 weeks (summaries only); target: under 40 s.
charts_default
    The default run's chart set (``write_run_charts``) drawn from one 1,000-member run of
    ``incapacity``, median of 3 after a warm-up (the numbers are computed once; only
    drawing is timed); reported, no target of its own (the default run's target holds
    the whole job).
explore_morris
    ``make explore SCENARIO=incapacity``'s design and analysis: a Morris screening of
    every default uncertainty (20 trajectories) with 200 replicates per point; target:
    under 60 s.
explore_sobol
    A Sobol design of 16 parameters at N = 512 (9,216 points) with 32 replicates per
    point, 104 weeks, and its indices; target: under 300 s, memory flat (the design
    runs in chunks of ``CHUNK_ROWS`` members).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim import paths

COLUMNS = ["case", "engine", "members", "actors", "weeks", "wall_s", "actor_steps_per_s",
           "peak_rss_mb", "speedup", "target", "meets_target"]

#: The stepping rate of the baseline commit of issue 12 (e40b1f9, before the kernels),
#: 10,000 members x 104 weeks of ``incapacity`` on one thread (15.6 million
#: actor-steps), measured on this 2-core machine on 2026-11-29 in five runs of one
#: timing script under varying load: 4.16, 4.05, 3.87, 4.13 and 4.40 s; the median,
#: 4.13 s, is 3.78 million actor-steps per second (the old ``make bench`` gave the same
#: rate for 20,000 members on one worker: 8.27 s).
BASELINE = {"commit": "e40b1f9", "actor_steps_per_s": 3.78e6}


def _peak_rss_mb() -> float:
    """Peak resident memory of this process or its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def _run_tree(command: list[str], env: dict) -> tuple[float, float]:
    """Run ``command``; return its wall time (s) and its process tree's peak memory (MB).

    The memory is the peak of the summed resident memory of the command and all its
    descendants, sampled every 20 ms. ``ru_maxrss`` only knows single processes, while
    a run with worker processes holds several at once; sampling the tree sees their sum.
    """
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=paths.PROJECT_ROOT,
                            stdout=subprocess.DEVNULL)
    peak = 0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        total = 0
        with contextlib.suppress(psutil.Error):
            for member in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += member.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, command)
    return wall, peak / 2**20


def _row(case: str, engine: str, members: int, actors: int, weeks: int, wall: float,
         **extra) -> dict:
    return {"case": case, "engine": engine, "members": members, "actors": actors,
            "weeks": weeks, "wall_s": round(wall, 3),
            "actor_steps_per_s": round(members * actors * weeks / wall),
            "peak_rss_mb": round(_peak_rss_mb(), 1), **extra}


def _incapacity_context(members: int):
    from sim.analyses.run import RunRequest, prepare

    return prepare(RunRequest("incapacity", members=members))[2]


def case_mesa_vs_ensemble(members: int = 1000) -> list[dict]:
    """Same members, Mesa member by member vs the ensemble engine."""
    from sim.engines.ensemble import run_ensemble
    from sim.engines.executors import LocalExecutor
    from sim.engines.mesa_model import RegionModel

    ctx = _incapacity_context(members)
    weeks, actors = ctx.scenario.weeks, ctx.region.n
    t0 = time.perf_counter()
    for member in range(members):
        RegionModel(ctx, member).run()
    mesa_wall = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_ensemble(ctx, executor=LocalExecutor(), progress=False)
    ensemble_wall = time.perf_counter() - t0
    speedup = mesa_wall / ensemble_wall
    return [_row("mesa_vs_ensemble", "mesa", members, actors, weeks, mesa_wall),
            _row("mesa_vs_ensemble", "ensemble", members, actors, weeks, ensemble_wall,
                 speedup=round(speedup, 1), target=">= 100x vs mesa",
                 meets_target=speedup >= 100)]


def _cli_run(case: str, members: int | None, limit_s: float, limit_mb: float | None
             ) -> list[dict]:
    command = [sys.executable, "-m", "sim", "run", "incapacity", "--quiet"]
    if members:
        command += ["--members", str(members)]
    with tempfile.TemporaryDirectory() as results:
        env = {**os.environ, paths.RESULTS_ENV: results}
        wall, tree_mb = _run_tree(command, env)
    row = _row(case, "ensemble (cli, end to end)", members or 1000, 15, 104, wall)
    row["peak_rss_mb"] = round(tree_mb, 1)
    ok = wall < limit_s and (limit_mb is None or row["peak_rss_mb"] < limit_mb)
    target = f"< {limit_s:g} s" + (f", < {limit_mb:g} MB" if limit_mb else "")
    return [{**row, "target": target, "meets_target": ok}]


def case_default_run() -> list[dict]:
    """``make run SCENARIO=incapacity`` as a user runs it (warm: the second of two)."""
    _cli_run("default_run", None, 1e9, None)
    return _cli_run("default_run", None, 4.0, None)


def case_members_100k() -> list[dict]:
    """100,000 members end to end."""
    return _cli_run("members_100k", 100_000, 30.0, 2048.0)


def case_synthetic_1000_actors(members: int = 1000, actors: int = 1000) -> list[dict]:
    """The ensemble engine on a large synthetic region."""
    from sim.engines.ensemble import run_ensemble
    from sim.model.context import build_context
    from sim.model.scenario import Scenario
    from sim.regions.synthetic import synthetic_region

    region = synthetic_region(actors, seed=2026)
    scenario = Scenario.in_code("synthetic", weeks=104, members=members, seed=1,
                                events=[{"type": "leader_incapacitated", "week": 4}])
    ctx = build_context(scenario, region)
    from sim.engines.executors import plan_local

    t0 = time.perf_counter()
    run_ensemble(ctx, progress=False, executor=plan_local(members, actors))
    wall = time.perf_counter() - t0
    return [_row("synthetic_1000_actors", "ensemble (planned executor)", members, actors, 104,
                 wall, target="< 40 s", meets_target=wall < 40)]


def case_stepping_10k(members: int = 10_000) -> list[dict]:
    """Stepping rate with numpy kernels, as shipped, as planned, with 2 processes."""
    from sim.engines import ensemble
    from sim.engines.ensemble import run_ensemble
    from sim.engines.executors import LocalExecutor, ProcessExecutor, plan_local
    from sim.regions import graph

    ctx = _incapacity_context(members)
    weeks, actors = ctx.scenario.weeks, ctx.region.n
    # Warm up both paths: numba loads its cached machine code on first use (about 0.4 s).
    run_ensemble(ctx, members=np.arange(2000), weeks=3, progress=False)

    def timed(executor) -> float:
        t0 = time.perf_counter()
        run_ensemble(ctx, executor=executor, progress=False)
        return time.perf_counter() - t0

    shipped = (graph.COMPILED_FROM, ensemble.summarise)
    graph.COMPILED_FROM = 10**15
    ensemble.summarise = _percentile_summary
    try:
        plain = timed(LocalExecutor())
    finally:
        graph.COMPILED_FROM, ensemble.summarise = shipped
    fast = timed(LocalExecutor())
    planned_executor = plan_local(members, actors)
    planned = timed(planned_executor)
    two = timed(ProcessExecutor(2))
    rate = members * actors * weeks / fast
    speedup = rate / BASELINE["actor_steps_per_s"]
    return [_row("stepping_10k", "numpy kernels, 1 thread", members, actors, weeks, plain),
            _row("stepping_10k", "shipped, 1 thread", members, actors, weeks, fast,
                 speedup=round(speedup, 2),
                 target=f">= 3x baseline {BASELINE['commit']}", meets_target=speedup >= 3),
            _row("stepping_10k", f"planned ({planned_executor.blocks} block(s), "
                 f"{planned_executor.threads} thread(s))", members, actors, weeks, planned,
                 speedup=round(members * actors * weeks / planned
                               / BASELINE["actor_steps_per_s"], 2)),
            _row("stepping_10k", "2 worker processes", members, actors, weeks, two,
                 speedup=round(members * actors * weeks / two
                               / BASELINE["actor_steps_per_s"], 2))]


def _percentile_summary(values: np.ndarray) -> np.ndarray:
    """The baseline's summary: mean and ``np.percentile`` (same bytes as the shipped)."""
    from sim.engines.stats import PERCENTILES

    return np.concatenate([values.mean(axis=0)[None],
                           np.percentile(values, PERCENTILES, axis=0)], axis=0)


def machine() -> dict:
    """The machine the benchmark ran on."""
    import numba

    from sim.engines.executors import default_workers

    return {"cores": default_workers(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__,
            "cpu": platform.processor() or platform.machine()}


def _explore_case(case: str, method: str, samples: int, replicates: int, keep: int | None,
                  limit_s: float) -> list[dict]:
    from sim.analyses.explore import Problem, evaluate, output_columns, sample, uncertainties_of
    from sim.analyses.explore_analysis import morris_indices, sobol_indices

    ctx = _incapacity_context(replicates)
    problem = uncertainties_of(ctx.scenario)
    if keep:
        problem = Problem(problem.names[:keep], problem.specs[:keep])
    t0 = time.perf_counter()
    unit = sample(problem, method, samples, 1)
    outcomes, _ = evaluate(ctx, problem.names, problem.values(unit), replicates)
    outputs = output_columns(outcomes)
    if method == "morris":
        morris_indices(problem.salib(), unit, outcomes, outputs, 1)
    else:
        sobol_indices(problem.salib(), outcomes, outputs, 1)
    wall = time.perf_counter() - t0
    members = len(unit) * replicates
    row = _row(case, f"{method}: {len(problem.names)} parameters, {len(unit)} points x "
               f"{replicates} replicates", members, ctx.region.n, ctx.scenario.weeks, wall,
               target=f"< {limit_s:g} s", meets_target=wall < limit_s)
    return [row]


def case_charts_default(repeats: int = 3) -> list[dict]:
    """Drawing time of the default run's charts."""
    import statistics

    from sim.engines.ensemble import run_ensemble
    from sim.outputs import charts as charting
    from sim.outputs import tables

    ctx = _incapacity_context(1000)
    result = run_ensemble(ctx, progress=False)
    frames = (tables.timeseries_frame(result, ctx), tables.holders_frame(result),
              tables.outcomes_frame(result, ctx))
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats + 1):
            t0 = time.perf_counter()
            charting.write_run_charts(Path(folder) / "charts", *frames, ctx.region, "bench")
            times.append(time.perf_counter() - t0)
    wall = statistics.median(times[1:])
    return [_row("charts_default", "write_run_charts (7 charts)", 1000, ctx.region.n,
                 ctx.scenario.weeks, wall)]


def case_explore_morris() -> list[dict]:
    """Morris screening of every default uncertainty, 20 trajectories x 200 replicates."""
    return _explore_case("explore_morris", "morris", 20, 200, None, 60.0)


def case_explore_sobol() -> list[dict]:
    """Sobol, 16 parameters, N = 512, 32 replicates."""
    return _explore_case("explore_sobol", "sobol", 512, 32, 16, 300.0)


CASES = {
    "mesa_vs_ensemble": case_mesa_vs_ensemble,
    "stepping_10k": case_stepping_10k,
    "default_run": case_default_run,
    "members_100k": case_members_100k,
    "synthetic_1000_actors": case_synthetic_1000_actors,
    "charts_default": case_charts_default,
    "explore_morris": case_explore_morris,
    "explore_sobol": case_explore_sobol,
}


def run_case_in_subprocess(name: str) -> list[dict]:
    """Run one case in a fresh interpreter; return its rows."""
    done = subprocess.run([sys.executable, "-m", "sim.analyses.bench", "--case", name], check=True,
                          capture_output=True, text=True, cwd=paths.PROJECT_ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (all cases, or one with ``--case``)."""
    parser = argparse.ArgumentParser(prog="python -m sim bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(CASES[args.case]()))
        return 0
    rows = []
    about = machine()
    print("bench: machine " + ", ".join(f"{k} {v}" for k, v in about.items()), file=sys.stderr)
    for name in CASES:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        rows.extend(run_case_in_subprocess(name))
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    for key, value in about.items():
        table[key] = value
    paths.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    table.to_csv(paths.BENCH_DIR / "bench.csv", index=False, lineterminator="\n")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in about.items()))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False))
    print(f"written to {paths.BENCH_DIR / 'bench.csv'}")
    missed = table[table["meets_target"] == False]  # noqa: E712 (NaN rows have no target)
    return 1 if len(missed) else 0


if __name__ == "__main__":
    sys.exit(main())
