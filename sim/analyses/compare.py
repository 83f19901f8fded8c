"""Paired comparison of two runs: ``python -m sim compare A B``.

A and B are scenarios (run as written) or the result folders of any two runs of one
region, with overrides or drawn parameters (:mod:`sim.analyses.sides`). Both are stepped
together, member by member. With the same root seed, member
``k`` of A and of B draw the same random numbers for the same mechanism (common random
numbers, :mod:`sim.model.rng`), so the paired difference ``B_k - A_k`` reflects the scenario,
not the noise. Results go to ``results/compare/<A>_vs_<B>/`` (``<A>``, ``<B>``: the sides' result
folder names; :func:`sim.paths.compare_folder_name`):

* ``deltas.csv``: week, actor, metric, mean in A and B, and the mean and 5th/50th/95th
  percentiles of the paired difference;
* ``ripple.csv``: per actor and metric, the peak mean difference and its week, the
  arrival week (first week the 5th-95th percentile range of the member differences, a
  spread across members and not a confidence interval, clears zero by more than the
  metric's :data:`ARRIVAL_TOLERANCE`), whether the difference persists at the horizon
  (:func:`persists`: the mean there is at least half its peak, same sign), and the
  actor's graph distance from the focal state;
* ``outcomes.csv``: outcome probabilities in A and B and their difference with a 95%
  interval (paired when the runs are paired);
* ``ripple_units.csv``: the ripples in real units (people, US$, troops) in A and B and
  their member-by-member difference (:mod:`sim.analyses.ripple_units_compare`);
* ``manifest.json`` naming both runs; ``charts/``.

Runs that cannot be paired (different weeks, members or root seed) are compared
unpaired, with a note on stderr: member ``k`` is set beside member ``k`` over the common
weeks and members (independent draws), with unpaired intervals, and the manifest and every
CSV say so. Two regions are refused.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyses.run import code_fingerprint, run
from sim.analyses.sides import Side, for_rerun, prepare_side, side_request, up_to_date
from sim.arguments import command_line
from sim.claims import claim, compare_request, run_request
from sim.engines.blocks import WeekRecord
from sim.engines.ensemble import EnsembleResult, RunSummary, split_members
from sim.engines.executors import make_executor
from sim.engines.stats import (
    ARRIVAL_TOLERANCE,
    PERCENTILES,
    paired_difference_interval,
    unpaired_difference_interval,
)
from sim.errors import UserError
from sim.model.context import Context
from sim.model.scenario import Scenario, file_sha256
from sim.model.state import METRICS
from sim.outputs import tables as outputs
from sim.paths import compare_dir_for, results_dir_for

DIFF_STATS = ("diff_mean", "diff_p05", "diff_p50", "diff_p95")
#: A difference persists at the horizon when its mean there is at least this share of its
#: peak mean, with the same sign (:func:`persists`).
PERSIST_SHARE = 0.5
#: The rules of ``ripple.csv``, written into the comparison's manifest.
RIPPLE_RULES: dict[str, str] = {
    "band": "diff_p05/diff_p95 (deltas.csv) and members_p05/p95_at_horizon (ripple.csv) are "
            "the 5th and 95th percentiles of the member-by-member differences: the spread "
            "across members, not a confidence interval of the mean difference",
    "arrival_week": "first week the 5th-95th percentile range of member differences lies "
                    "entirely beyond the metric's arrival tolerance on one side of zero",
    "persists_at_horizon": f"the mean difference at the horizon has the sign of the peak "
                           f"mean difference, is at least {PERSIST_SHARE:g} of it "
                           "(horizon_share_of_peak >= "
                           f"{PERSIST_SHARE:g}) and exceeds the arrival tolerance",
}


@dataclass
class PairResult:
    """Both sides' ensemble summaries plus the paired differences.

    Attributes
    ----------
    a, b : EnsembleResult
    diff : numpy.ndarray, shape (weeks + 1, len(METRICS), len(DIFF_STATS), N)
        Mean and 5th/50th/95th percentiles of ``B_k - A_k`` across members.
    paired : bool
    """

    a: EnsembleResult
    b: EnsembleResult
    diff: np.ndarray
    paired: bool


def pairing_problems(a: Scenario, b: Scenario) -> list[str]:
    """Why two scenarios cannot be paired member by member (empty if they can)."""
    problems = []
    for field in ("weeks", "members", "seed"):
        if getattr(a, field) != getattr(b, field):
            problems.append(f"{field} {getattr(a, field)} vs {getattr(b, field)}")
    return problems


def run_pair(ctx_a: Context, ctx_b: Context, members: np.ndarray, weeks: int,
             paired: bool = True, workers: int | None = None) -> PairResult:
    """Step both scenarios in lockstep and summarise each side and the differences.

    Parameters
    ----------
    ctx_a, ctx_b : Context
        The two scenarios' contexts.
    members : numpy.ndarray of int
        Members to run on both sides.
    weeks : int
        Common horizon.
    paired : bool
        Recorded in the result (the caller checked the seeds).
    workers : int, optional
        Worker processes (default: none; each side in this process, as the job's size
        decides, see :func:`sim.engines.executors.plan_local`; with N, max(1, N // 2)
        per side).
    """
    per_side = None if workers is None else max(1, workers // 2)
    sides = [(ctx, make_executor("processes", per_side, members=len(members),
                                 actors=ctx.region.n)) for ctx in (ctx_a, ctx_b)]
    summaries = [RunSummary(members, weeks, ctx_a.region.n, keep=False) for _ in sides]
    diff = np.empty((weeks + 1, len(METRICS), len(DIFF_STATS), ctx_a.region.n))
    try:
        for ctx, executor in sides:  # inside the try: a Ctrl-C while B starts closes A
            executor.start(ctx, split_members(members, executor.blocks))
        for week in range(weeks + 1):
            records = []
            for _, executor in sides:
                executor.request()
            for _, executor in sides:
                records.append(WeekRecord.join(executor.collect()))
            for summary, record in zip(summaries, records, strict=True):
                summary.add(record)
            delta = records[1].snapshot - records[0].snapshot
            diff[week] = np.concatenate([
                delta.mean(axis=0)[:, None],
                np.percentile(delta, (5, 50, 95), axis=0).transpose(1, 0, 2)], axis=1)
    finally:
        for _, executor in sides:
            executor.close()
        for summary in summaries:
            summary.close()
    return PairResult(a=summaries[0].result(ctx_a.region.ids),
                      b=summaries[1].result(ctx_b.region.ids), diff=diff, paired=paired)


def deltas_frame(pair: PairResult, ctx: Context) -> pd.DataFrame:
    """Week, actor, metric, mean_a, mean_b, diff_mean, diff_p05, diff_p50, diff_p95."""
    weeks, n_metrics, _, n = pair.diff.shape
    week, metric, actor = np.meshgrid(np.arange(weeks), np.arange(n_metrics), np.arange(n),
                                      indexing="ij")
    frame = pd.DataFrame({
        "week": week.ravel(),
        "actor": np.array(ctx.region.ids)[actor.ravel()],
        "metric": np.array(METRICS)[metric.ravel()],
        "mean_a": pair.a.quantiles[:, :, 0, :].ravel(),
        "mean_b": pair.b.quantiles[:, :, 0, :].ravel(),
    })
    for i, stat in enumerate(DIFF_STATS):
        frame[stat] = pair.diff[:, :, i, :].ravel()
    frame["paired"] = pair.paired
    return frame.sort_values(["week", "actor", "metric"], kind="stable").reset_index(drop=True)


def persists(peak: np.ndarray, horizon: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """The ripple rule for ``persists_at_horizon`` (``docs/model.md`` section 10).

    A difference persists when the mean paired difference at the horizon has the sign of
    the peak mean difference, is at least :data:`PERSIST_SHARE` of it, and is larger than
    the metric's :data:`~sim.engines.stats.ARRIVAL_TOLERANCE`. It is read from the mean
    (``diff_at_horizon`` and ``peak_diff`` in ``ripple.csv``), not from the spread across
    members, so a difference carried by a minority of members still counts.

    Examples
    --------
    >>> persists(np.array([-0.02, -0.02, 0.01, 0.0005]), np.array([-0.017, -0.009, -0.01,
    ...          0.0005]), np.full(4, 1e-3)).tolist()
    [True, False, False, False]
    """
    peak, horizon = np.asarray(peak, float), np.asarray(horizon, float)
    same_sign = np.sign(peak) == np.sign(horizon)
    return (same_sign & (np.abs(horizon) >= PERSIST_SHARE * np.abs(peak))
            & (np.abs(horizon) > np.asarray(tolerance, float)))


def ripple_table(diff: np.ndarray, ids: list[str], kinds: list[str],
                 distance: dict[str, int], paired: bool) -> pd.DataFrame:
    """One row per actor and metric from the difference statistics (see :func:`ripple_frame`).

    Parameters
    ----------
    diff : numpy.ndarray, shape (weeks + 1, len(METRICS), len(DIFF_STATS), N)
        Mean and 5th/50th/95th percentiles across members of ``B_k - A_k``.
    ids, kinds : list of str
        The actors and their kinds.
    distance : dict
        Hops from the focal state per actor.
    paired : bool
        Recorded in every row.
    """
    mean = diff[:, :, 0, :]
    low, high = diff[:, :, 1, :], diff[:, :, 3, :]
    tolerance = np.array([ARRIVAL_TOLERANCE[m] for m in METRICS])
    # Arrival: the central 90% of members' differences (p05-p95 across members, a spread,
    # not a confidence interval) lies beyond the tolerance on one side of zero.
    clear = (low > tolerance[None, :, None]) | (high < -tolerance[None, :, None])
    rows = []
    for a, actor in enumerate(ids):
        for m, metric in enumerate(METRICS):
            peak_week = int(np.argmax(np.abs(mean[:, m, a])))
            peak, last = mean[peak_week, m, a], mean[-1, m, a]
            arrived = np.flatnonzero(clear[:, m, a])
            rows.append({
                "actor": actor, "kind": kinds[a], "metric": metric,
                "peak_diff": peak, "peak_week": peak_week,
                "arrival_week": int(arrived[0]) if len(arrived) else None,
                "persists_at_horizon": bool(persists(peak, last, tolerance[m])),
                "diff_at_horizon": last,
                "horizon_share_of_peak": last / peak if peak != 0 else np.nan,
                "members_p05_at_horizon": low[-1, m, a],
                "members_p95_at_horizon": high[-1, m, a],
                "distance_from_focal": distance.get(actor),
            })
    frame = pd.DataFrame(rows)
    frame["arrival_week"] = frame["arrival_week"].astype("Int64")
    frame["distance_from_focal"] = frame["distance_from_focal"].astype("Int64")
    frame["paired"] = paired
    return frame


def ripple_frame(pair: PairResult, ctx: Context) -> pd.DataFrame:
    """One row per actor and metric: when and how strongly the difference arrives.

    Columns: ``peak_diff`` and ``peak_week`` (largest mean difference), ``arrival_week``
    (first week the 5th-95th percentile range of member differences clears zero by the
    tolerance), ``persists_at_horizon`` (:func:`persists`), ``diff_at_horizon``,
    ``horizon_share_of_peak`` (their ratio), ``members_p05_at_horizon`` and
    ``members_p95_at_horizon`` (the spread across members at the horizon, not a
    confidence interval), ``distance_from_focal`` and ``paired``.
    """
    distance = ctx.region.distance_from(ctx.region.roles.focal)
    return ripple_table(pair.diff, list(ctx.region.ids), list(ctx.region.kinds), distance,
                        pair.paired)


def _difference_interval(xa: np.ndarray, xb: np.ndarray, paired: bool
                         ) -> tuple[float, float, float]:
    """Difference of two proportions, B - A, with Newcombe's 95% score interval.

    Paired (same members, common random numbers): Newcombe 1998 method 10 for paired
    proportions; independent: Newcombe's hybrid score interval. Neither collapses to
    [0, 0] when one side never sees the event (a Wald interval does).
    """
    interval = paired_difference_interval if paired else unpaired_difference_interval
    return interval(np.asarray(xa, bool), np.asarray(xb, bool))


def outcomes_frame(pair: PairResult, ctx: Context) -> pd.DataFrame:
    """Outcome probabilities in A and B, their difference and its 95% interval."""
    indicators = []
    out_a, out_b = outputs.member_outcomes(pair.a), outputs.member_outcomes(pair.b)
    for name in outputs.OUTCOMES:
        indicators.append((ctx.region.roles.focal, name, out_a == name, out_b == name))
    hits_a = outputs.ripple_indicators(pair.a, ctx)
    hits_b = outputs.ripple_indicators(pair.b, ctx)
    for name in hits_a:
        for i, actor in enumerate(ctx.region.ids):
            if ctx.region.kinds[i] == "state":
                indicators.append((actor, name, hits_a[name][:, i], hits_b[name][:, i]))
    rows = []
    for actor, name, xa, xb in indicators:
        diff, low, high = _difference_interval(xa, xb, pair.paired)
        rows.append({"actor": actor, "outcome": name, "probability_a": xa.mean(),
                     "probability_b": xb.mean(), "diff": diff, "ci_low": low, "ci_high": high,
                     "paired": pair.paired})
    return pd.DataFrame(rows)


def _up_to_date(name: str, path: Path, ctx: Context) -> bool:
    """Whether results/<name>/ was made from this file, region data and code."""
    return up_to_date(results_dir_for(name), path, ctx)


def _check_region(a: Side, b: Side, origin: str) -> None:
    """Refuse two sides on different regions (other actors, roles or data folder)."""
    ra, rb = a.ctx.region, b.ctx.region
    if (ra.ids != rb.ids or ra.roles != rb.roles
            or Path(ra.folder).resolve() != Path(rb.folder).resolve()):
        raise UserError(origin, "region",
                        f"the runs are on different regions ({ra.name!r} and {rb.name!r}); "
                        "compare two runs of one region")


def _side_manifest(side: Side, rerun: bool) -> dict:
    """What a comparison's manifest says about one side."""
    return {"scenario": side.scenario.name, "file": str(side.path),
            "folder": str(results_dir_for(side.name)), "overrides": side.request.overrides(),
            "scenario_sha256": file_sha256(side.path), "seed": side.scenario.seed,
            "members": side.scenario.members, "weeks": side.scenario.weeks, "rerun": rerun}


def compare(name_a: str | Path, name_b: str | Path, unpaired: bool = False,
            workers: int | None = None, charts: bool = True, progress: bool | None = False,
            command: str | None = None) -> Path:
    """Compare run B with run A and write ``results/compare/<A>_vs_<B>/``.

    Parameters
    ----------
    name_a, name_b : str or pathlib.Path
        Each a scenario (a name or a ``.yaml`` path: the scenario run as written) or a
        run's result folder (:mod:`sim.analyses.sides`); ``<A>`` and ``<B>`` are the
        names of their result folders.
    unpaired : bool
        Kept for older callers: runs that cannot be paired member by member (other
        weeks, members or seed) are compared unpaired anyway, with a note on stderr.
    workers : int, optional
        Worker processes.
    charts : bool
        Also draw the charts.
    progress : bool, optional
        Progress display of a side that is run first.
    command : str, optional
        The command recorded in the manifest (default: this process's command line).

    Each side's own results are (re)made first if missing or out of date (another file
    hash, region data or code version).

    Raises
    ------
    UserError
        For bad input, runs on two regions, or a folder holding another request's
        comparison (:func:`sim.claims.claim`).
    """
    del unpaired  # pairing is decided by the runs themselves (see above)
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    side_a, side_b = (prepare_side(side_request(given)) for given in (name_a, name_b))
    origin = f"{side_a.path} vs {side_b.path}"
    _check_region(side_a, side_b, origin)
    problems = pairing_problems(side_a.scenario, side_b.scenario)
    if problems:
        print(f"note: {side_a.name} and {side_b.name} cannot be paired member by member ("
              + "; ".join(problems) + "): comparing them unpaired (independent draws, wider "
              "intervals, over the common weeks and members)", file=sys.stderr)
    modes = [s.request.parameter_mode() for s in (side_a, side_b)]
    if modes[0] != modes[1]:
        print(f"note: {side_a.name} is a {modes[0]} run and {side_b.name} a {modes[1]} "
              "run: members share their random numbers but not their parameters, so the "
              "differences mix the scenarios' effect with the parameters'", file=sys.stderr)
    target = compare_dir_for(side_a.name, side_b.name)
    command = command or command_line()
    request = compare_request(*(run_request(s.scenario.name, s.path, s.request.overrides())
                                for s in (side_a, side_b)))
    claim(target, request, origin, command)
    refreshed = []
    for side in (side_a, side_b):
        overrides = side.request.overrides()
        refreshed.append(not up_to_date(results_dir_for(side.name), side.path, side.ctx,
                                        overrides))
        if refreshed[-1]:
            print(f"note: running {side.name} first: results/{side.name} is missing "
                  "or was made from another file, region data or code version",
                  file=sys.stderr)
            run(for_rerun(side, charts=charts, progress=progress, workers=workers,
                          command=side.request.command))
    scenario_a, scenario_b, ctx_a = side_a.scenario, side_b.scenario, side_a.ctx
    members = np.arange(min(scenario_a.members, scenario_b.members))
    weeks = min(scenario_a.weeks, scenario_b.weeks)
    pair = run_pair(ctx_a, side_b.ctx, members, weeks, paired=not problems, workers=workers)
    with outputs.atomic_directory(target) as out:
        deltas = deltas_frame(pair, ctx_a)
        ripple = ripple_frame(pair, ctx_a)
        outcomes = outcomes_frame(pair, ctx_a)
        outputs.write_csv(deltas, out / "deltas.csv")
        outputs.write_csv(ripple, out / "ripple.csv")
        outputs.write_csv(outcomes, out / "outcomes.csv")
        from sim.analyses.ripple_units_compare import compare_units

        units = compare_units(results_dir_for(side_a.name), results_dir_for(side_b.name),
                              pair.paired, ctx_a.region.ids[ctx_a.roles.focal])
        if units is not None:  # ripples in real units, B - A per member
            outputs.write_csv(units, out / "ripple_units.csv")
        if charts:
            from sim.outputs import charts as charting

            charting.write_compare_charts(out / "charts", deltas, ripple, outcomes,
                                          ctx_a.region, side_a.name, side_b.name)
        outputs.write_json({
            "request": request,
            "a": _side_manifest(side_a, refreshed[0]),
            "b": _side_manifest(side_b, refreshed[1]),
            "paired": pair.paired,
            "pairing_problems": problems,
            "members_compared": len(members),
            "weeks_compared": weeks,
            "difference": "member k of B minus member k of A",
            "arrival_tolerance": ARRIVAL_TOLERANCE,
            "ripple_rules": RIPPLE_RULES,
            "percentiles": list(PERCENTILES),
            "code_sha256": code_fingerprint(),
            "command": command,
            "started_utc": started.isoformat(timespec="seconds"),
            "wall_time_s": round(time.perf_counter() - t0, 3),
        }, out / "manifest.json")
        from sim.outputs.compare_report import write_compare_report

        write_compare_report(out, ctx_a.region, scenario_a, scenario_b)
        from sim.outputs.workbook import write_workbook

        write_workbook(out)
    return target
