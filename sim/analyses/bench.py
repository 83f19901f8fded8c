"""Speed and memory benchmark (``make bench``): writes ``results/bench/bench.csv``.

Each case runs in a fresh Python process so that its peak memory (the process and its
workers) is its own. Targets are checked as ratios and limits measured in this one run,
never by timed assertions in tests.

Cases
-----
mesa_vs_ensemble
    The same members of ``incapacity`` run member by member in Mesa, then all at once
    by the ensemble engine (one process); target: ensemble at least 100x faster.
default_run
    ``python -m sim run incapacity`` end to end (1,000 members x 104 weeks, CSVs and
    charts); target: under 10 s.
members_10k
    ``python -m sim run incapacity --members 10000`` end to end; target: under 30 s and
    peak memory under 2 GB.
synthetic_1000_actors
    The ensemble engine on a seeded 1,000-actor Watts-Strogatz region, 1,000 members x
    104 weeks (summaries only); target: under 120 s.
workers_20k
    The ensemble engine on 20,000 members, 1 worker then 2 workers; target: 2 workers at
    least 1.6x faster.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import pandas as pd

from sim import paths

COLUMNS = ["case", "engine", "members", "actors", "weeks", "wall_s", "actor_steps_per_s",
           "peak_rss_mb", "speedup", "target", "meets_target"]


def _peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


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
        t0 = time.perf_counter()
        subprocess.run(command, check=True, env=env, cwd=paths.PROJECT_ROOT,
                       stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
    row = _row(case, "ensemble (cli, end to end)", members or 1000, 15, 104, wall)
    ok = wall < limit_s and (limit_mb is None or row["peak_rss_mb"] < limit_mb)
    target = f"< {limit_s:g} s" + (f", < {limit_mb:g} MB" if limit_mb else "")
    return [{**row, "target": target, "meets_target": ok}]


def case_default_run() -> list[dict]:
    """``make run SCENARIO=incapacity`` as a user runs it."""
    return _cli_run("default_run", None, 10.0, None)


def case_members_10k() -> list[dict]:
    """10,000 members end to end."""
    return _cli_run("members_10k", 10_000, 30.0, 2048.0)


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
    t0 = time.perf_counter()
    run_ensemble(ctx, progress=False)
    wall = time.perf_counter() - t0
    return [_row("synthetic_1000_actors", "ensemble", members, actors, 104, wall,
                 target="< 120 s", meets_target=wall < 120)]


def case_workers_20k(members: int = 20_000) -> list[dict]:
    """1 worker vs 2 workers on the same members."""
    from sim.engines.ensemble import run_ensemble
    from sim.engines.executors import LocalExecutor, ProcessExecutor

    ctx = _incapacity_context(members)
    weeks, actors = ctx.scenario.weeks, ctx.region.n
    t0 = time.perf_counter()
    run_ensemble(ctx, executor=LocalExecutor(), progress=False)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_ensemble(ctx, executor=ProcessExecutor(2), progress=False)
    two = time.perf_counter() - t0
    speedup = one / two
    return [_row("workers_20k", "ensemble, 1 worker", members, actors, weeks, one),
            _row("workers_20k", "ensemble, 2 workers", members, actors, weeks, two,
                 speedup=round(speedup, 2), target=">= 1.6x vs 1 worker",
                 meets_target=speedup >= 1.6)]


CASES = {
    "mesa_vs_ensemble": case_mesa_vs_ensemble,
    "default_run": case_default_run,
    "members_10k": case_members_10k,
    "synthetic_1000_actors": case_synthetic_1000_actors,
    "workers_20k": case_workers_20k,
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
    for name in CASES:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        rows.extend(run_case_in_subprocess(name))
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    paths.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    table.to_csv(paths.BENCH_DIR / "bench.csv", index=False, lineterminator="\n")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False))
    print(f"written to {paths.BENCH_DIR / 'bench.csv'}")
    missed = table[table["meets_target"] == False]  # noqa: E712 (NaN rows have no target)
    return 1 if len(missed) else 0


if __name__ == "__main__":
    sys.exit(main())
