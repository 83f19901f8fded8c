"""``make explore``: run an exploration and write ``results/explore/<scenario>_<method>/``.

With other settings than the defaults (``SAMPLES``, ``REPLICATES``, ``WEEKS``, cases)
the folder is ``<scenario>_<method>__<settings>``, so no exploration replaces another's.

Files (every CSV with one header row; the folder is swapped in atomically):

``design.csv``
    One row per design point: its parameter values (and its unit-hypercube position).
``outcomes.csv``
    One row per point: the focal outcome probabilities, each state's mean peak fall in
    stability, and the Monte Carlo variance of each (``var_...``).
``indices.csv``
    Morris ``mu_star``/``sigma`` (method ``morris``) or Sobol ``S1``/``ST`` with 95%
    intervals (``sobol``), per output and parameter, with the output's noise share.
``noise.csv``
    Per output: the variance across points, the mean Monte Carlo variance and their
    ratio (the noise share).
``prim_<k>.csv``, ``prim_<k>_trajectory.csv``, ``prim.csv``
    PRIM boxes for the named cases (``--case OUTPUT>THRESHOLD``, default
    :data:`DEFAULT_CASES`).
``charts/``
    ``tornado.png`` (Morris) or ``sobol.png`` (Sobol), ``prim_<k>.png``,
    ``fans.png`` (stability fans with Monte Carlo noise only beside those with
    parameter uncertainty).
``manifest.json``
    Scenario, method, samples, replicates, seeds, uncertainties, timings, versions.
``report.html``
    One self-contained page (:mod:`sim.outputs.explore_report`): how far the headline
    outcomes move, the top drivers, the noise shares, the PRIM boxes, the charts, the
    uncertainties with their grades and sources, and the provenance.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim import paths
from sim.analyses.explore import (
    METHODS,
    check_design_size,
    evaluate,
    output_columns,
    sample,
    uncertainties_of,
)
from sim.analyses.explore_analysis import (
    Case,
    morris_indices,
    noise_share,
    prim_box,
    sobol_indices,
)
from sim.analyses.run import RunRequest, code_fingerprint, git_commit, package_versions, prepare
from sim.arguments import command_line, whole_number_from
from sim.claims import claim, explore_request
from sim.engines.ensemble import run_ensemble
from sim.engines.executors import plan_local
from sim.errors import UserError
from sim.outputs import tables
from sim.outputs.atomic import atomic_directory
from sim.regions.layer_weights import check_layers

#: Cases searched with PRIM when none is named (the README's worked example).
DEFAULT_CASES = ("p_regime_change>0.1", "p_patron_takeover>0.05")
#: Seed of the design itself (the simulation's numbers come from the scenario's seed).
DESIGN_SEED = 20261129
#: Outputs shown in the charts (the rest are in the CSVs).
HEADLINE = ("p_regime_continues", "p_patron_takeover")


def explore(scenario: str, method: str = "morris", samples: int | None = None,
            replicates: int | None = None, cases: tuple[str, ...] = DEFAULT_CASES,
            weeks: int | None = None, charts: bool = True, quiet: bool = False,
            command: str | None = None) -> Path:
    """Run the exploration and write its folder; return the folder's path.

    ``samples``, ``replicates`` and ``weeks`` default (None) to the method's and the
    scenario's; given, each must be at least 1 (0 is refused, never read as the
    default). ``command`` is recorded in the manifest (default: this process's
    command line). A folder holding another request's exploration is never replaced
    (:func:`sim.claims.claim`).
    """
    if method not in METHODS:
        raise UserError("--method", None, f"must be one of {', '.join(METHODS)}")
    for option, value in (("--samples", samples), ("--replicates", replicates),
                          ("--weeks", weeks)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise UserError(option, None, f"must be a whole number of at least 1, got "
                            f"{value!r}")
    # An exploration with other settings than the defaults gets its own folder (as a
    # run with overrides does), so it never replaces the default one silently.
    overrides: dict[str, object] = {k: v for k, v in (("samples", samples),
                                                      ("replicates", replicates),
                                                      ("weeks", weeks)) if v is not None}
    if tuple(cases) != DEFAULT_CASES:
        overrides["cases"] = ";".join(cases)
    samples = METHODS[method]["samples"] if samples is None else samples
    replicates = METHODS[method]["replicates"] if replicates is None else replicates
    try:
        parsed = [Case.parse(c) for c in cases]
    except ValueError as exc:
        raise UserError("--case", None, str(exc)) from None
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    path, scen, ctx = prepare(RunRequest(scenario, weeks=weeks, progress=False))
    problem = uncertainties_of(scen)
    check_layers(problem.names, ctx.region, str(path))
    if not problem.names:
        raise UserError(str(path), "uncertainties", "nothing to explore: every parameter "
                        "is fixed by the scenario or is a lever")
    base = f"{paths.check_result_name(scen.name)}_{method}"
    target = paths.analysis_dir("explore") / paths.result_folder_name(base, overrides)
    command = command or command_line()
    request = explore_request(scen.name, path, method, {
        "samples": samples, "replicates": replicates, "weeks": scen.weeks,
        "cases": ";".join(c.name for c in parsed)})
    # Before the design runs: a refusal costs nothing.
    claim(target, request, str(path), command)
    check_design_size(method, samples, replicates, len(problem.names), scen.weeks,
                      ctx.region.n)
    try:
        unit = sample(problem, method, samples, DESIGN_SEED)
    except ValueError as exc:
        raise UserError("--samples", None, str(exc)) from None
    values = problem.values(unit)

    def report(done: int, total: int) -> None:
        if not quiet:
            print(f"explore: {done}/{total} points", file=sys.stderr, flush=True)

    outcomes, pooled = evaluate(ctx, problem.names, values, replicates, progress=report)
    ran = time.perf_counter() - t0
    for case in parsed:
        if case.output not in outcomes.columns:
            raise UserError("--case", None, f"unknown output {case.output!r}; known: "
                            f"{', '.join(output_columns(outcomes))}")
    design = pd.DataFrame(values, columns=list(problem.names))
    design.insert(0, "point", np.arange(len(design)))
    # A region without patrons has no takeover to explain.
    headline = [o for o in HEADLINE if o in outcomes.columns
                and (o != "p_patron_takeover" or ctx.region.roles.patrons)]
    # The patrons' own stability (for Belarus: Russia's) is the headline ripple.
    patron_drops = [f"drop_{p}" for p in ctx.region.roles.patrons
                    if f"drop_{p}" in outcomes.columns]
    outputs = output_columns(outcomes)
    if method == "morris":
        indices = morris_indices(problem.salib(), unit, outcomes, outputs, DESIGN_SEED)
    elif method == "sobol":
        indices = sobol_indices(problem.salib(), outcomes, outputs, DESIGN_SEED)
    else:
        indices = pd.DataFrame()
    noise = pd.DataFrame([{"output": o, "variance_across_points": outcomes[o].var(ddof=1),
                           "mean_monte_carlo_variance": outcomes[f"var_{o}"].mean(),
                           "noise_share": noise_share(outcomes, o)} for o in outputs])
    with atomic_directory(target) as out:
        tables.write_csv(design, out / "design.csv")
        tables.write_csv(outcomes, out / "outcomes.csv")
        if len(indices):
            tables.write_csv(indices, out / "indices.csv")
        tables.write_csv(noise, out / "noise.csv")
        boxes = _write_prim(out, design[list(problem.names)], outcomes, parsed, charts)
        if charts:
            _write_charts(out, ctx, scen, method, indices, headline + patron_drops, pooled,
                          replicates)
        tables.write_json({
            "request": request, "command": command,
            "scenario": scen.name, "scenario_file": str(path), "method": method,
            "samples": samples, "points": len(design), "replicates": replicates,
            "members_run": len(design) * replicates, "design_seed": DESIGN_SEED,
            "root_seed": scen.seed, "weeks": scen.weeks,
            "uncertainties": {n: s.model_dump() for n, s in
                              zip(problem.names, problem.specs, strict=True)},
            "fixed_parameters": dict(scen.parameters), "cases": [c.name for c in parsed],
            "prim": boxes, "headline": headline + patron_drops, "run_s": round(ran, 2),
            "wall_time_s": round(time.perf_counter() - t0, 2),
            "started_utc": started.isoformat(timespec="seconds"),
            "code_sha256": code_fingerprint(), "git_commit": git_commit(),
            "packages": package_versions(),
        }, out / "manifest.json")
        from sim.outputs.explore_report import write_explore_report

        write_explore_report(out)
    if not quiet:
        _print_summary(indices, noise, boxes, method, headline + patron_drops)
    return target


def _write_prim(out, design: pd.DataFrame, outcomes: pd.DataFrame, cases: list[Case],
                charts: bool) -> list[dict]:
    from sim.outputs.charts import explore_charts

    found = []
    for k, case in enumerate(cases, start=1):
        box = prim_box(design, outcomes, case)
        if box is None:
            found.append({"case": case.name, "note": "no point, or every point, is in the "
                          "case: nothing to discover"})
            continue
        trajectory, limits, stats = box
        tables.write_csv(trajectory, out / f"prim_{k}_trajectory.csv")
        tables.write_csv(limits, out / f"prim_{k}.csv")
        found.append(stats)
        if charts:
            (out / "charts").mkdir(exist_ok=True)
            explore_charts.prim_charts(trajectory, limits, stats, out / "charts" / f"prim_{k}.png")
    tables.write_csv(pd.DataFrame(found), out / "prim.csv")
    return found


def _write_charts(out, ctx, scenario, method: str, indices: pd.DataFrame,
                  shown: list[str], pooled: np.ndarray, replicates: int) -> None:
    from sim.outputs.charts import explore_charts

    charts = out / "charts"
    charts.mkdir(exist_ok=True)
    if method == "morris" and len(indices):
        explore_charts.tornado(indices, shown, charts / "tornado.png", "mu_star",
                               "mu_star_conf")
    elif method == "sobol" and len(indices):
        explore_charts.sobol_bars(indices, [o for o in shown
                                            if o in set(indices["output"])],
                                  charts / "sobol.png")
    plain = run_ensemble(ctx, members=np.arange(replicates), progress=False,
                         executor=plan_local(replicates, ctx.region.n))
    ids = list(ctx.region.ids)
    actors = [(ids.index(a), a) for a in (ctx.region.roles.focal, *ctx.region.roles.patrons)]
    explore_charts.fans_side_by_side(plain.quantiles, pooled, actors, charts / "fans.png",
                                     _posterior_quantiles(ctx, scenario, replicates))


def _posterior_quantiles(ctx, scenario, members: int) -> np.ndarray | None:
    """Quantiles of ``members`` members drawing from the calibrated posterior, if shipped."""
    from sim.analyses.inference.shipped import POSTERIOR_CSV, posterior_design

    if not POSTERIOR_CSV.is_file() or ctx.design:
        return None
    design, _ = posterior_design(scenario.seed, members, set(dict(scenario.parameters)))
    result = run_ensemble(ctx.with_design(design, replicates=members),
                          members=np.arange(members), progress=False,
                          executor=plan_local(members, ctx.region.n))
    return result.quantiles


def _print_summary(indices: pd.DataFrame, noise: pd.DataFrame, boxes: list[dict],
                   method: str, shown: list[str]) -> None:
    value = {"morris": "mu_star", "sobol": "ST"}.get(method)
    for output in shown:
        share = float(noise.loc[noise["output"] == output, "noise_share"].iloc[0])
        if not share == share:  # NaN: no variance across points
            print(f"{output}: the same at every design point (nothing to rank)")
            continue
        print(f"{output} (Monte Carlo noise {share:.0%} of its variance across points)")
        if value and len(indices):
            top = indices[indices["output"] == output].nlargest(5, value)
            for row in top.itertuples():
                print(f"    {row.parameter:32s} {value} {getattr(row, value):.4f}")
    for box in boxes:
        if "coverage" in box:
            print(f"PRIM {box['case']}: coverage {box['coverage']:.0%}, density "
                  f"{box['density']:.0%}, {box['restricted']} parameter(s) restricted")
        else:
            print(f"PRIM {box['case']}: {box['note']}")


def main(argv: list[str] | None = None) -> int:
    """Command line of ``python -m sim explore``."""
    parser = argparse.ArgumentParser(prog="python -m sim explore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario")
    parser.add_argument("--method", default="morris", choices=sorted(METHODS))
    parser.add_argument("--samples", type=whole_number_from(1), help="trajectories "
                        "(morris), N (sobol, a power of two) or points (lhs)")
    parser.add_argument("--replicates", type=whole_number_from(1),
                        help="members per design point")
    parser.add_argument("--weeks", type=whole_number_from(1),
                        help="horizon (default: the scenario's)")
    parser.add_argument("--case", action="append", help="OUTPUT>THRESHOLD for PRIM "
                        "(repeatable; default: " + ", ".join(DEFAULT_CASES) + ")")
    parser.add_argument("--no-charts", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    folder = explore(args.scenario, args.method, args.samples, args.replicates,
                     tuple(args.case or DEFAULT_CASES), args.weeks, not args.no_charts,
                     args.quiet,
                     command=command_line(None if argv is None else ["explore", *argv]))
    print(f"exploration written to {folder}")
    return 0
