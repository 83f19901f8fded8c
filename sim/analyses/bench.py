"""Speed and memory benchmark (``make bench``): writes ``results/bench/bench.csv``.

Each case runs in a fresh Python process so that its peak memory (the process and its
workers) is its own. Speed-ups are ratios to the baseline commit's code timed side by
side in this same run (:mod:`sim.analyses.bench_sides`), never to a stored number;
limits are checked on times measured in this run. A missed target is printed and the
exit code stays 0; tests never assert timings.

Peak memory is that of the whole process tree: a case's own process and every worker
process it started (``RUSAGE_CHILDREN`` after they have been waited for). The table
states the machine: cores, Python, numpy and numba versions.

Cases
-----
mesa_vs_ensemble
    The same members of ``incapacity`` run member by member in Mesa, then all at once
    by the ensemble engine (one process); target: ensemble at least 100x faster.
run_10k
    ``python -m sim run incapacity --members 10000`` end to end (CSVs, charts, report),
    the baseline commit's code and this code side by side (:mod:`sim.analyses.bench_sides`):
    warm, alternating, median of ``--repeats``; target: at least 2x the baseline.
default_run
    ``python -m sim run incapacity`` end to end (1,000 members x 104 weeks), side by
    side in the same way; target: this code's warm run under 3 s.
stepping_10k
    The ensemble's stepping alone, 10,000 members x 104 weeks on one thread (one block),
    baseline and new side by side; the ratio is reported, no target.
design_sims
    Simulations per second of an ensemble design as ``make calibrate`` runs it
    (:meth:`sim.model.context.Context.with_design`, per-member parameters, 53 weeks):
    this code only, since the baseline commit has no ``with_design``; no target.
synthetic_1000_cli
    ``python -m sim run`` on a 1,000-actor synthetic region folder, 200 members x 26
    weeks, with charts; target: under 60 s and no warning printed.
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

COLUMNS = ["case", "engine", "side", "commit", "members", "actors", "weeks", "wall_s",
           "repeats", "runs_s", "ratio_vs_baseline", "actor_steps_per_s", "sims_per_s",
           "peak_rss_mb", "speedup", "warnings", "target", "meets_target"]

#: Sizes of the side-by-side cases; ``--quick`` (the tests) shrinks them.
SIZES = {"run_members": 10_000, "repeats": 3, "stepping_members": 10_000,
         "design_points": 64, "design_replicates": 100, "synthetic_actors": 1000,
         "synthetic_members": 200, "synthetic_weeks": 26, "weeks": None, "charts": True}
QUICK_SIZES = {"run_members": 30, "repeats": 1, "stepping_members": 50,
               "design_points": 3, "design_replicates": 4, "synthetic_actors": 40,
               "synthetic_members": 5, "synthetic_weeks": 8, "weeks": 8, "charts": False}


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
    """``make run SCENARIO=incapacity`` as a user runs it, warm, baseline and new."""
    from sim.analyses.bench_sides import run_side_by_side

    return run_side_by_side("default_run", None, SIZES["repeats"], weeks=SIZES["weeks"],
                            charts=SIZES["charts"], limit_s=3.0)


def case_run_10k() -> list[dict]:
    """10,000 members end to end, baseline and new side by side."""
    from sim.analyses.bench_sides import BASELINE_COMMIT, chosen_baseline, run_side_by_side

    # the 2x target is against the session-1 commit; against another baseline: no target
    target = 2.0 if chosen_baseline["commit"] == BASELINE_COMMIT else None
    return run_side_by_side("run_10k", SIZES["run_members"], SIZES["repeats"],
                            weeks=SIZES["weeks"], charts=SIZES["charts"], target_ratio=target)


def case_stepping_10k() -> list[dict]:
    """The stepping alone, one thread, baseline and new side by side."""
    from sim.analyses.bench_sides import stepping_side_by_side

    return stepping_side_by_side(SIZES["stepping_members"], SIZES["repeats"])


def case_design_sims() -> list[dict]:
    """Simulations per second of a calibration design (this code only)."""
    from sim.analyses.bench_sides import BASELINE_COMMIT
    from sim.analyses.inference.design import CALIBRATED, _design_run, latin_hypercube
    from sim.model.scenario import Scenario
    from sim.regions.folders import region_folder
    from sim.regions.loader import load_region

    points, replicates = SIZES["design_points"], SIZES["design_replicates"]
    region = load_region(region_folder("belarus"))
    scenario = Scenario.in_code("bench_design", weeks=53, members=replicates, seed=1,
                                events=[{"type": "leader_incapacitated", "week": 4}])
    values = latin_hypercube(points)
    _design_run(scenario, region, CALIBRATED, values[:2], replicates)  # numba's cache
    t0 = time.perf_counter()
    _design_run(scenario, region, CALIBRATED, values, replicates)
    wall = time.perf_counter() - t0
    sims = points * replicates
    return [_row("design_sims", f"Context.with_design, {points} points x {replicates} "
                 f"replicates (new only: {BASELINE_COMMIT} has no with_design)", sims,
                 region.n, 53, wall, side="new", sims_per_s=round(sims / wall, 1))]


def case_synthetic_1000_cli() -> list[dict]:
    """A 1,000-actor region folder through ``python -m sim run``, charts on."""
    from sim.regions.synthetic import write_synthetic_region

    actors, members, weeks = (SIZES["synthetic_actors"], SIZES["synthetic_members"],
                              SIZES["synthetic_weeks"])
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_synthetic_region(folder / "region", actors, seed=2026)
        scenario = folder / "synthetic.yaml"
        scenario.write_text(
            f"name: synthetic_{actors}\ndescription: make bench\nregion: region\n"
            f"weeks: {weeks}\nseed: 1\nmembers: {members}\nparameters: {{}}\nevents:\n"
            "  - type: leader_incapacitated\n    week: 4\n    mode: natural\n",
            encoding="utf-8")
        env = {**os.environ, paths.RESULTS_ENV: str(folder / "results")}
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), "--quiet"],
                              cwd=paths.PROJECT_ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    warnings = sum("Warning" in line for line in done.stderr.splitlines())
    return [_row("synthetic_1000_cli", "cli end to end with charts", members, actors, weeks,
                 wall, side="new", warnings=warnings, target="< 60 s, no warnings",
                 meets_target=wall < 60 and warnings == 0)]


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
    return [_row("charts_default", "write_run_charts (8 charts)", 1000, ctx.region.n,
                 ctx.scenario.weeks, wall)]


def case_explore_morris() -> list[dict]:
    """Morris screening of every default uncertainty, 20 trajectories x 200 replicates."""
    return _explore_case("explore_morris", "morris", 20, 200, None, 60.0)


def case_explore_sobol() -> list[dict]:
    """Sobol, 16 parameters, N = 512, 32 replicates."""
    return _explore_case("explore_sobol", "sobol", 512, 32, 16, 300.0)


CASES = {
    "run_10k": case_run_10k,
    "default_run": case_default_run,
    "stepping_10k": case_stepping_10k,
    "design_sims": case_design_sims,
    "synthetic_1000_cli": case_synthetic_1000_cli,
    "mesa_vs_ensemble": case_mesa_vs_ensemble,
    "members_100k": case_members_100k,
    "synthetic_1000_actors": case_synthetic_1000_actors,
    "charts_default": case_charts_default,
    "explore_morris": case_explore_morris,
    "explore_sobol": case_explore_sobol,
}


def run_case_in_subprocess(name: str, quick: bool = False, repeats: int | None = None,
                           baseline: str | None = None, before: str | None = None
                           ) -> list[dict]:
    """Run one case in a fresh interpreter; return its rows (a failure row if it fails)."""
    command = [sys.executable, "-m", "sim.analyses.bench", "--in-process", name]
    command += ["--quick"] if quick else []
    command += ["--repeats", str(repeats)] if repeats else []
    command += ["--baseline", baseline] if baseline else []
    command += ["--before", before] if before else []
    done = subprocess.run(command, capture_output=True, text=True, cwd=paths.PROJECT_ROOT)
    if done.returncode:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        print(f"bench: {name} failed: {reason}", file=sys.stderr)
        return [{"case": name, "engine": f"failed: {reason}"}]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (every case, or those named by ``--case``); always returns 0.

    A missed target is printed, never an exit code: the machine's load moves timings.
    """
    parser = argparse.ArgumentParser(prog="python -m sim bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", choices=sorted(CASES),
                        help="run only this case (repeat for several)")
    parser.add_argument("--repeats", type=int, help="timed runs per side of a side-by-side "
                        f"case (default {SIZES['repeats']})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes for the side-by-side and new-only cases, to check "
                             "the machinery (the tests)")
    parser.add_argument("--baseline", metavar="COMMIT",
                        help="the commit the side-by-side cases run as their baseline "
                             "(default: the session-1 commit 97c2688); e.g. the commit "
                             "before a change, to measure that change")
    parser.add_argument("--before", metavar="COMMIT",
                        help="a third side timed in the same alternating runs (e.g. the "
                             "code before a change): its ratio to the baseline is given "
                             "beside this code's")
    parser.add_argument("--in-process", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from sim.analyses import bench_sides

    for option, given in (("--baseline", args.baseline), ("--before", args.before)):
        if given is not None and not (given and all(c in "0123456789abcdefABCDEF"
                                                    for c in given)):
            parser.error(f"{option}: a commit hash (hex digits), e.g. b014187")
    if args.baseline:
        bench_sides.chosen_baseline["commit"] = args.baseline
    if args.before:
        bench_sides.chosen_before["commit"] = args.before
    if args.quick:
        SIZES.update(QUICK_SIZES)
    if args.repeats:
        SIZES["repeats"] = max(1, args.repeats)
    if args.in_process:
        print(json.dumps(CASES[args.in_process]()))
        return 0
    rows = []
    about = machine()
    print("bench: machine " + ", ".join(f"{k} {v}" for k, v in about.items()), file=sys.stderr)
    for name in args.case or CASES:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        rows.extend(run_case_in_subprocess(name, args.quick, args.repeats, args.baseline,
                                           args.before))
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    table["repeats"] = table["repeats"].astype("Int64")
    for key, value in about.items():
        table[key] = value
    paths.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    table.to_csv(paths.BENCH_DIR / "bench.csv", index=False, lineterminator="\n")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in about.items()))
    shown = table.drop(columns=list(about) + ["runs_s"]).dropna(axis=1, how="all")
    with pd.option_context("display.width", 250, "display.max_columns", 30,
                           "display.max_colwidth", 60):
        print(shown.to_string(index=False))
    print(f"written to {paths.BENCH_DIR / 'bench.csv'}")
    for _, row in table[table["meets_target"] == False].iterrows():  # noqa: E712
        print(f"target missed: {row['case']} ({row['target']}): {row['wall_s']} s"
              + (f", {row['ratio_vs_baseline']}x the baseline"
                 if pd.notna(row["ratio_vs_baseline"]) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
