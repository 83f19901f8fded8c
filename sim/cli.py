"""Command-line interface: ``python -m sim run|compare|replay|bench|backtest ...``.

User mistakes (bad scenario files, unknown names, out-of-range options) print one
line naming the file and field and exit with code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from sim.arguments import command_line
from sim.arguments import whole_number_from as _whole_number_from
from sim.errors import RunError, UserError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_IO_ERROR = 1


_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", re.ASCII)


def _parameter_setting(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` of ``--set``: a known parameter and a number in its range."""
    from sim.model.params import check_value

    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    # The number syntax of a scenario file (ASCII digits, no '_' separators): float()
    # alone would also take '1_0' or full-width digits, which the YAML reader refuses.
    if not _NUMBER.fullmatch(value.strip()):
        raise argparse.ArgumentTypeError(f"{name}: not a number: {value!r} (write it as in "
                                         "a scenario file, e.g. 0.5, 2 or 1e-3)")
    number = float(value)
    problem = check_value(name.strip(), number)
    if problem:
        raise argparse.ArgumentTypeError(f"{name.strip()}: {problem}")
    return name.strip(), number


_positive_int = _whole_number_from(1)
_non_negative_int = _whole_number_from(0)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m sim",
        description="Regional-instability scenario simulator (Belarus, Russia or a region "
                    "of your own).")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a scenario ensemble into results/<scenario>/",
                         description="Run a scenario ensemble and write CSVs and charts "
                                     "to results/<scenario>/.")
    run.add_argument("scenario", help="scenario name in scenarios/ (e.g. incapacity) or a "
                                      "path to a .yaml file")
    run.add_argument("--members", type=_positive_int, help="override the number of members")
    run.add_argument("--seed", type=_non_negative_int, help="override the root seed")
    run.add_argument("--weeks", type=_positive_int, help="override the horizon in weeks")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     type=_parameter_setting,
                     help="override a parameter (repeatable; docs/model.md lists them); the "
                          "run goes to its own folder results/<scenario>__<overrides>/")
    run.add_argument("--no-charts", action="store_true", help="write CSVs only")
    run.add_argument("--no-report", action="store_true", help="no report.html")
    run.add_argument("--posterior", action="store_true",
                     help="the default parameter mode, asked for explicitly: each member "
                          "draws the calibrated parameters from the shipped posterior "
                          "(sim/calibration/posterior.csv, make calibrate); results go to "
                          "results/<name>/")
    run.add_argument("--fixed", action="store_true",
                     help="fixed-point run: every parameter at its default (intervals cover "
                          "Monte Carlo noise only); results go to results/<name>__fixed-1/")
    run.add_argument("--uncertain", action="store_true",
                     help="draw each member's parameters from the scenario's uncertainties "
                          "(default: every plausible range); results go to "
                          "results/<name>__uncertain-1/")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_engine_options(run)
    run.add_argument("--save-members", action="store_true",
                     help="also write every member's full trajectory to trajectories.parquet")
    compare = sub.add_parser(
        "compare", help="compare two runs (scenarios or result folders) member by member",
        description="Compare run B with run A member by member (B minus A) and write "
                    "results/compare/<A>_vs_<B>/. A and B are scenarios (a name or a .yaml "
                    "path: the scenario run as written) or result folders of runs "
                    "(results/<name>__<overrides>/, from the command line, the API or the "
                    "dashboard) of one region. Runs either side first if its results are "
                    "missing or out of date. Runs with different weeks, members or seed "
                    "are compared unpaired, with a note.")
    compare.add_argument("a", help="baseline: scenario name, .yaml path or result folder")
    compare.add_argument("b", help="run compared with the baseline (same forms)")
    compare.add_argument("--unpaired", action="store_true",
                         help="accepted for older scripts: runs that cannot be paired "
                              "(different weeks, members or seed) are compared unpaired "
                              "anyway, with a note")
    compare.add_argument("--workers", type=_positive_int, help="worker processes")
    compare.add_argument("--no-charts", action="store_true", help="write CSVs only")

    replay = sub.add_parser(
        "replay", help="re-run one ensemble member with full agent-level detail",
        description="Re-run one member of a scenario's ensemble in the Mesa model and "
                    "write results/<scenario>/replay/member_<k>/.")
    replay.add_argument("scenario", help="scenario name or .yaml path")
    replay.add_argument("--member", type=_non_negative_int, required=True,
                        help="member index (0 to members - 1)")
    replay.add_argument("--no-charts", action="store_true", help="write CSVs only")
    replay.add_argument("--members", type=_positive_int,
                        help="replay the run made with this --members override")
    replay.add_argument("--seed", type=_non_negative_int,
                        help="replay the run made with this --seed override")
    replay.add_argument("--weeks", type=_positive_int,
                        help="replay the run made with this --weeks override")
    replay.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        type=_parameter_setting,
                        help="replay the run made with these --set overrides")
    replay.add_argument("--uncertain", action="store_true",
                        help="replay the run made with --uncertain (same drawn parameters)")
    replay.add_argument("--fixed", action="store_true",
                        help="replay the run made with --fixed (the default parameters)")
    replay.add_argument("--posterior", action="store_true",
                        help="replay a run that drew from the posterior (the default; the "
                             "same draw for the member)")

    bench = sub.add_parser(
        "bench", help="run the speed and memory benchmark",
        description="Run the benchmark cases, the baseline commit side by side; writes "
                    "results/bench/bench.csv.")
    bench.add_argument("--case", action="append",
                       help="run only this case (repeat for several; see sim/analyses/bench.py)")
    bench.add_argument("--repeats", type=_positive_int,
                       help="timed runs per side of a side-by-side case (default 3)")
    bench.add_argument("--quick", action="store_true", help="tiny sizes (checks the machinery)")
    bench.add_argument("--baseline", metavar="COMMIT",
                       help="baseline commit of the side-by-side cases (default 97c2688)")
    bench.add_argument("--before", metavar="COMMIT",
                       help="a third side in the same runs, e.g. the code before a change")
    overview = sub.add_parser(
        "overview", help="headline outcomes of every shipped scenario in one table and chart",
        description="Run every scenario of scenarios/ whose results are missing or stale, "
                    "then write results/overview/overview.csv and overview.png.")
    overview.add_argument("--workers", type=_positive_int, help="worker processes")
    explore = sub.add_parser(
        "explore", help="which assumptions drive the answer: Morris, Sobol or LHS designs",
        description="Sample the scenario's uncertain parameters, run the whole design as "
                    "one ensemble with replicate members per point, and write sensitivity "
                    "indices, Monte Carlo noise shares and PRIM boxes to "
                    "results/explore/<scenario>_<method>/.")
    explore.add_argument("scenario", help="scenario name or YAML path")
    explore.add_argument("--method", default="morris", choices=("morris", "sobol", "lhs"))
    explore.add_argument("--samples", type=_positive_int,
                         help="trajectories (morris, default 20), N (sobol, a power of two, "
                              "default 256) or points (lhs, default 500)")
    explore.add_argument("--replicates", type=_positive_int,
                         help="members per design point (default 200; sobol 96)")
    explore.add_argument("--weeks", type=_positive_int, help="horizon")
    explore.add_argument("--case", action="append",
                         help="OUTPUT>THRESHOLD for PRIM, repeatable (default: "
                              "p_regime_change>0.1 and p_patron_takeover>0.05)")
    explore.add_argument("--no-charts", action="store_true", help="write CSVs only")
    explore.add_argument("--quiet", action="store_true", help="no progress or summary")
    backtest = sub.add_parser(
        "backtest", help="score the model on historical episodes",
        description="Run every episode (default: the development set in sim/episodes/) as "
                    "an ensemble, score the predicted classes A/B/C against what happened "
                    "and against the null, and write results/backtest/.")
    backtest.add_argument("paths", nargs="*", help="episode folders, or folders of episodes")
    backtest.add_argument("--members", type=_positive_int,
                          help="members per episode (default 1000)")
    backtest.add_argument("--no-charts", action="store_true", help="write CSVs only")
    backtest.add_argument("--perturb", type=_positive_int, default=0, metavar="N",
                          help="also score N rebuilds with the recalled inputs drawn within "
                               "their stated errors (300 members each unless --members)")
    backtest.add_argument("--quiet", action="store_true", help="no progress or table")
    return parser


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=_positive_int,
                        help="worker processes (default: chosen by the job's size: this "
                             "process, with one thread per core for large ensembles; more "
                             "than the cores is reduced to the cores; results are identical "
                             "for any number)")
    parser.add_argument("--executor", choices=("processes", "local", "dask"),
                        default="processes",
                        help="where members run: worker processes (default), this process "
                             "only, or a Dask cluster")
    parser.add_argument("--scheduler",
                        help="Dask scheduler address tcp://HOST:PORT (default: "
                             "$SIM_DASK_SCHEDULER)")


def _run(args: argparse.Namespace, command: str) -> Path:
    """``python -m sim run``: the run the arguments ask for; its results folder."""
    from sim.analyses.run import RunRequest, run

    return run(RunRequest(scenario=args.scenario, members=args.members, seed=args.seed,
                          weeks=args.weeks, charts=not args.no_charts,
                          progress=False if args.quiet else None, workers=args.workers,
                          executor=args.executor, scheduler=args.scheduler,
                          save_members=args.save_members, parameters=tuple(args.set),
                          report=not args.no_report, uncertain=args.uncertain,
                          posterior=args.posterior, fixed=args.fixed, command=command))


#: Set when the command has finished everything it does and its process may end at once
#: (:func:`ends_at_once`).
_ENDS_AT_ONCE: list[bool] = []


def ends_at_once() -> bool:
    """Whether ``python -m sim`` may end its process at once, skipping the teardown.

    True after a finished ``run`` (every result file written and closed, every helper
    process joined, the summary printed; not with a Dask executor, whose client closes
    its connection when the interpreter exits). The interpreter's teardown frees the
    objects of some 900 modules one by one: measured 0.2 s of a 2.8 s default run and
    0.4 s of a 10,000-member run, for nothing a run needs.
    """
    return bool(_ENDS_AT_ONCE)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # Recorded in each manifest: the command that produced the results.
        command = command_line(argv)
        if args.command == "run":
            from sim.outputs import chart_fork, chart_pool

            # the chart pool's helpers import matplotlib meanwhile; where a helper can be
            # forked from the run itself (sim/outputs/chart_fork.py), none is needed
            if not args.no_charts and not chart_fork.possible():
                chart_pool.start_early()
            try:
                target = _run(args, command)
            finally:
                chart_pool.discard()
            from sim.outputs.summary import console_summary

            print(console_summary(target))
            if args.executor != "dask":  # a Dask client closes its connection at exit
                _ENDS_AT_ONCE.append(True)
        elif args.command == "compare":
            from sim.analyses.compare import compare

            target = compare(args.a, args.b, unpaired=args.unpaired, workers=args.workers,
                             charts=not args.no_charts, command=command)
            from sim.outputs.summary import compare_summary

            print(compare_summary(target))
        elif args.command == "replay":
            from sim.analyses.replay import replay

            target = replay(args.scenario, args.member, charts=not args.no_charts,
                            members=args.members, seed=args.seed, weeks=args.weeks,
                            parameters=tuple(args.set), uncertain=args.uncertain,
                            posterior=args.posterior, fixed=args.fixed)
            print(f"replay written to {target}")
        elif args.command == "bench":
            from sim.analyses import bench

            return bench.main([*(f"--case={c}" for c in args.case or ()),
                               *(["--repeats", str(args.repeats)] if args.repeats else []),
                               *(["--quick"] if args.quick else []),
                               *([f"--baseline={args.baseline}"] if args.baseline else []),
                               *([f"--before={args.before}"] if args.before else [])])
        elif args.command == "overview":
            from sim.analyses.overview import overview

            target = overview(workers=args.workers)
            import pandas as pd

            from sim.outputs.summary import overview_summary

            print(overview_summary(pd.read_csv(target / "overview.csv"), target))
        elif args.command == "explore":
            from sim.analyses.explore_run import DEFAULT_CASES, explore

            target = explore(args.scenario, args.method, args.samples, args.replicates,
                             tuple(args.case or DEFAULT_CASES), args.weeks,
                             not args.no_charts, args.quiet, command=command)
            print(f"exploration written to {target}")
        elif args.command == "backtest":
            from pathlib import Path

            from sim.analyses.backtest import backtest

            target = backtest([Path(p) for p in args.paths] or None, members=args.members,
                              charts=not args.no_charts, perturb=args.perturb,
                              progress=not args.quiet)
            if not args.quiet:
                print((target / "summary.txt").read_text(encoding="utf-8"))
            print(f"backtest written to {target}")
        return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted: earlier results were left as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RunError as exc:  # e.g. a worker process was killed
        print(f"error: {exc}; earlier results were left as they were", file=sys.stderr)
        return EXIT_IO_ERROR
    except MemoryError:
        print("error: out of memory; lower --members (or 'members:' in the scenario file) "
              "or --weeks, or use fewer --workers; earlier results were left as they were",
              file=sys.stderr)
        return EXIT_IO_ERROR
    except OSError as exc:  # e.g. results/ not writable, disk full
        print(f"error: {exc.strerror or exc} ({exc.filename or 'file system'}); earlier "
              "results were left as they were", file=sys.stderr)
        return EXIT_IO_ERROR


if __name__ == "__main__":
    sys.exit(main())
