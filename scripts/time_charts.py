"""Time every chart function on the same stored results (median of N runs, seconds).

Usage (from the worktree, after ``make run SCENARIO=incapacity``, ``make compare`` and
``make replay SCENARIO=incapacity MEMBER=3``)::

    .venv/bin/python scripts/time_charts.py [RESULTS_DIR] [REPEATS]

The frames are read from CSV once; each chart function is then called REPEATS times
(default 3, after one warm-up call of every chart) into a temporary folder and the
median wall time is printed. Only the
chart code is timed, never the simulation.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from sim.outputs.charts import compare_charts, maps, replay_charts, run_charts
from sim.outputs.charts.arrival_charts import _arrival_chart
from sim.outputs.charts.common import _posture_ids, _state_ids
from sim.regions.loader import load_region


def main() -> None:
    """Read the frames, time every chart function and print the table."""
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "results")
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    region = load_region()
    run = results / "incapacity"
    ts = pd.read_csv(run / "timeseries.csv")
    holders = pd.read_csv(run / "holders.csv")
    outcomes = pd.read_csv(run / "outcomes.csv")
    cmp_dir = results / "compare" / "status_quo_vs_incapacity"
    deltas = pd.read_csv(cmp_dir / "deltas.csv")
    ripple = pd.read_csv(cmp_dir / "ripple.csv")
    cmp_out = pd.read_csv(cmp_dir / "outcomes.csv")
    rep = run / "replay" / "member_3"
    agents = pd.read_csv(rep / "agents.csv")
    model = pd.read_csv(rep / "model.csv")
    runs = replay_charts._holder_runs(model)
    states, posture = _state_ids(region), _posture_ids(region)
    jobs = {
        "run: fan_stability": lambda d: run_charts._fan_chart(
            d / "a.png", ts, states, "stability", region, "t"),
        "run: fan_unrest": lambda d: run_charts._fan_chart(
            d / "a.png", ts, states, "unrest", region, "t"),
        "run: fan_posture": lambda d: run_charts._fan_chart(
            d / "a.png", ts, posture, "posture", region, "t"),
        "run: outcomes_focal": lambda d: run_charts._outcomes_chart(
            d / "a.png", outcomes, region, "t"),
        "run: holders": lambda d: run_charts._holders_chart(d / "a.png", holders, region, "t"),
        "run: ripple_map": lambda d: maps._ripple_map(d / "a.png", ts, region, "t"),
        "run: ripple_summary": lambda d: run_charts._ripple_summary(
            d / "a.png", outcomes, region, "t"),
        "compare: diff_fan_stability": lambda d: compare_charts._diff_fan_chart(
            d / "a.png", deltas, ripple, states, "stability", region, "t"),
        "compare: diff_fan_unrest": lambda d: compare_charts._diff_fan_chart(
            d / "a.png", deltas, ripple, states, "unrest", region, "t"),
        "compare: diff_fan_posture": lambda d: compare_charts._diff_fan_chart(
            d / "a.png", deltas, ripple, posture, "posture", region, "t"),
        "compare: ripple_map": lambda d: compare_charts._compare_ripple_map(
            d / "a.png", ripple, region, "t"),
        "compare: outcomes_side_by_side": lambda d: compare_charts._outcomes_side_by_side(
            d / "a.png", cmp_out, "A", "B", region, "t"),
        "compare: arrival_vs_distance": lambda d: _arrival_chart(d / "a.png", ripple, region, "t"),
        "replay: member_states": lambda d: replay_charts._member_states_chart(
            d / "a.png", agents, runs, region, "t"),
        "replay: member_power": lambda d: replay_charts._member_power_chart(
            d / "a.png", agents, model, runs, region, "t"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for job in jobs.values():  # warm-up: fonts, glyph caches, imports
            job(folder)
        totals: dict[str, float] = {}
        print(f"{'chart':34s} {'median s':>9s}")
        for name, job in jobs.items():
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                job(folder)
                times.append(time.perf_counter() - t0)
            med = statistics.median(times)
            group = name.split(":")[0]
            totals[group] = totals.get(group, 0.0) + med
            print(f"{name:34s} {med:9.3f}")
        for group, total in totals.items():
            print(f"{'total ' + group:34s} {total:9.3f}")


if __name__ == "__main__":
    main()
