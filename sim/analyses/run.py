"""Run a scenario end to end: validate, simulate the ensemble, write the result files.

The result directory ``results/<scenario>/`` is replaced atomically (see
:func:`sim.outputs.atomic_directory`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from sim import __version__
from sim.analyses.observables import ObservableRecorder, Observables
from sim.arguments import command_line
from sim.claims import claim, run_request
from sim.engines.blocks import WeekRecord
from sim.engines.ensemble import EnsembleResult, run_ensemble
from sim.engines.executors import make_executor
from sim.errors import UserError
from sim.model.context import Context, build_context
from sim.model.scenario import Scenario, check_against_region, file_sha256, load_scenario
from sim.outputs import chart_fork, chart_pool
from sim.outputs import tables as outputs
from sim.outputs.chart_fork import ChartHelper
from sim.outputs.chart_pool import ChartPool
from sim.paths import (
    PACKAGE_DIR,
    PROJECT_ROOT,
    resolve_scenario_file,
    result_folder_name,
    results_dir_for,
    safe_result_name,
)
from sim.regions.folders import region_sha256
from sim.regions.loader import Region, load_region

KEY_PACKAGES = ("numpy", "pandas", "networkx", "mesa", "matplotlib", "pydantic", "pyyaml",
                "pyarrow")


#: The parameter modes of a run; the first is the default.
PARAMETER_MODES = ("posterior", "fixed", "uncertain")


@dataclass(frozen=True)
class RunRequest:
    """What the user asked to run, with command-line overrides."""

    scenario: str
    members: int | None = None
    seed: int | None = None
    weeks: int | None = None
    charts: bool = True
    progress: bool | None = None
    workers: int | None = None
    executor: str = "processes"
    scheduler: str | None = None
    save_members: bool = False
    parameters: tuple[tuple[str, float], ...] = ()
    report: bool = True
    #: Draw each member's parameters from the scenario's uncertainties (``UNCERTAIN=1``),
    #: so the outcomes include parameter uncertainty, not only Monte Carlo noise.
    uncertain: bool = False
    #: Ask explicitly for the default parameter mode: each member draws the calibrated
    #: parameters from the shipped posterior (``POSTERIOR=1``,
    #: ``sim/calibration/posterior.csv``); the scenario's own values still win.
    posterior: bool = False
    #: Fixed-point run: every parameter at its default or the scenario's value
    #: (``FIXED=1``, ``--fixed``); the intervals then cover Monte Carlo noise only.
    fixed: bool = False
    #: Called with each week's record as the ensemble steps (e.g. a progress display).
    on_week: Callable[[WeekRecord], None] | None = field(default=None, compare=False)
    #: The command that asked for the run, recorded in ``manifest.json`` (the command
    #: line, or the ``sim.api`` call); None records this request (:meth:`describe`).
    command: str | None = field(default=None, compare=False)

    def overrides(self) -> dict[str, float]:
        """The overrides that were given (size, seed, horizon, parameters, mode)."""
        given = {"members": self.members, "seed": self.seed, "weeks": self.weeks}
        out: dict[str, float] = {k: v for k, v in given.items() if v is not None}
        out.update(dict(self.parameters))
        # the default mode (posterior) adds nothing: results/<name>/ is the scenario's
        # own run; the other modes get their own folders by the one naming rule
        mode = self.parameter_mode()
        if mode != "posterior":
            out[mode] = 1
        return out

    def parameter_mode(self) -> str:
        """``posterior`` (the default), ``fixed`` or ``uncertain``.

        Raises
        ------
        sim.errors.UserError
            When two modes are asked for at once.

        Examples
        --------
        >>> RunRequest("x").parameter_mode(), RunRequest("x", fixed=True).parameter_mode()
        ('posterior', 'fixed')
        """
        chosen = [m for m in PARAMETER_MODES if getattr(self, m)]
        if len(chosen) > 1:
            raise UserError(f"--{chosen[1]}", None, "choose one parameter mode: --posterior "
                            "(the default: drawn from the calibrated posterior), --fixed "
                            "(the defaults) or --uncertain (the plausible ranges), not both "
                            f"--{chosen[0]} and --{chosen[1]}")
        return chosen[0] if chosen else "posterior"

    def describe(self) -> str:
        """The Python call that makes this request (for a request from code).

        Examples
        --------
        >>> RunRequest("incapacity", members=5, charts=False).describe()
        "sim.analyses.run.run(RunRequest(scenario='incapacity', members=5, charts=False))"
        """
        given = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                 if f.name not in ("on_week", "command")
                 and (f.name == "scenario" or getattr(self, f.name) != f.default)]
        return f"sim.analyses.run.run(RunRequest({', '.join(given)}))"

    def recorded_command(self) -> str:
        """The command written to ``manifest.json``: :attr:`command` or :meth:`describe`."""
        return self.command or self.describe()


def prepare(request: RunRequest) -> tuple[Path, Scenario, Context]:
    """Resolve and validate the scenario; build its context. Raises UserError."""
    path = resolve_scenario_file(request.scenario)
    scenario = load_scenario(path)
    region = load_region(scenario.region_folder())
    check_against_region(scenario, region.roles,
                         dict(zip(region.ids, region.kinds, strict=True)), str(path))
    safe_result_name(scenario.name, str(path))
    scenario = scenario.with_overrides(members=request.members, seed=request.seed,
                                       weeks=request.weeks,
                                       parameters=dict(request.parameters))
    return path, scenario, build_context(scenario, region)


def code_fingerprint() -> str:
    """sha256 over the package's code and data files: changes whenever the model does."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        # Episodes are backtest inputs, never read by a run: editing one leaves runs current.
        if (path.suffix in {".py", ".csv", ".yaml"} and "__pycache__" not in path.parts
                and "episodes" not in path.relative_to(PACKAGE_DIR).parts):
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def git_commit() -> str:
    """The current git commit (with ``-dirty`` if the tree has changes), or ``unknown``."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, check=True,
                                capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=PROJECT_ROOT, check=True, capture_output=True, text=True,
                               timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def package_versions() -> dict[str, str]:
    """Installed versions of the key packages."""
    versions = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _provenance() -> dict:
    """The manifest's code fingerprint, git commit and package versions."""
    return {"code_sha256": code_fingerprint(), "git_commit": git_commit(),
            "packages": package_versions()}


def manifest(path: Path, scenario: Scenario, ctx: Context, started: dt.datetime,
             wall_s: float, engine: dict, overrides: dict, command: str | None = None,
             provenance: dict | None = None) -> dict:
    """The ``manifest.json`` content of a run (``command``: what asked for it).

    ``provenance``: :func:`_provenance`, when computed earlier (else now).
    """
    provenance = _provenance() if provenance is None else provenance
    return {
        "request": run_request(scenario.name, path, overrides),
        "scenario": scenario.name,
        "scenario_file": str(path),
        "scenario_sha256": scenario.source_sha256 or file_sha256(path),
        "region": {"name": ctx.region.name, "folder": str(ctx.region.folder),
                   "sha256": region_sha256(ctx.region.folder)},
        "root_seed": scenario.seed,
        "members": scenario.members,
        "weeks": scenario.weeks,
        "engine": engine,
        "overrides": overrides,
        "project_version": __version__,
        "code_sha256": provenance["code_sha256"],
        "git_commit": provenance["git_commit"],
        "packages": provenance["packages"],
        "command": command or command_line(),
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_time_s": round(wall_s, 3),
        "parameters": ctx.params.as_dict(),
        "events": [e.model_dump() for e in scenario.events],
        "observations": [o.model_dump() for o in scenario.observations],
    }


def write_results(out: Path, path: Path, scenario: Scenario, ctx: Context,
                  result: EnsembleResult, started: dt.datetime, t0: float,
                  charts: bool, engine: dict, overrides: dict, report: bool = True,
                  command: str | None = None, observables: Observables | None = None,
                  chart_pool: ChartHelper | ChartPool | None = None, outflow=None) -> None:
    """Write every result file of a run into the directory ``out``.

    With ``observables`` (recorded as the run went, :func:`recorder_for`), also
    ``signposts.csv`` and, for a scenario with observations, ``observations.csv`` and
    ``outcomes_conditioned.csv`` (or a UserError when the observations leave too few
    effective members, before anything is written). With a ``chart_pool`` its helper
    processes draw the charts while the CSV files are written here; without one the
    charts are drawn in this process. With ``outflow`` (an
    :class:`sim.analyses.ripple_units.OutflowRecorder` that watched the run), also the
    ripples in real units (:mod:`sim.analyses.ripple_tables`).
    """
    outcomes = outputs.outcomes_frame(result, ctx)
    timeseries = outputs.timeseries_frame(result, ctx)
    holders = outputs.holders_frame(result)
    # the helpers start drawing first (a refusal below stops them with the run)
    drawing = (chart_pool.start(out / "charts", timeseries, holders, outcomes, ctx.region,
                                scenario.name) if charts and chart_pool is not None else None)
    if observables is not None:
        write_watching(out, path, scenario, ctx, result, outcomes, observables)
    outputs.write_csv(timeseries, out / "timeseries.csv")
    outputs.write_csv(holders, out / "holders.csv")
    outputs.write_csv(outputs.members_frame(result, ctx), out / "members.csv")
    outputs.write_csv(outputs.events_frame(result), out / "events.csv")
    outputs.write_csv(outcomes, out / "outcomes.csv")
    from sim.outputs.exposure import exposure_frame

    outputs.write_csv(exposure_frame(ctx.region, outcomes), out / "trade_exposure.csv")
    if outflow is not None:
        from sim.analyses.ripple_tables import write_ripple_units

        write_ripple_units(out, ctx, result, outflow, outcomes)
    if report:  # every CSV is written: the workbook now, while helpers draw the charts
        from sim.outputs.workbook import write_workbook

        write_workbook(out)
    # What the manifest and the report need that does not wait for the charts, computed
    # while the helper may still be drawing (same manifest and report either way).
    provenance = _provenance()
    if report:
        from sim.outputs.report import run_report_parts

        parts = run_report_parts(out, ctx.region, scenario)
    if drawing is not None:
        chart_pool.wait(drawing)
    elif charts:
        from sim.outputs import charts as charting

        charting.write_run_charts(out / "charts", timeseries, holders, outcomes, ctx.region,
                                  scenario.name)
    outputs.write_json(manifest(path, scenario, ctx, started, time.perf_counter() - t0,
                                engine, overrides, command, provenance),
                       out / "manifest.json")
    if report:
        from sim.outputs.report import write_run_report

        write_run_report(out, ctx.region, scenario, parts)


def recorder_for(scenario: Scenario, ctx: Context) -> ObservableRecorder:
    """The ``on_week`` hook that keeps what the observations and signposts read."""
    from sim.analyses.observations import weeks_needed
    from sim.analyses.signposts import signpost_weeks

    actors = {ctx.region.index(o.actor) for o in scenario.observations
              if getattr(o, "actor", None) is not None}
    return ObservableRecorder(
        ctx, weeks_needed(scenario.observations) | signpost_weeks(scenario.weeks), actors)


def write_watching(out: Path, path: Path, scenario: Scenario, ctx: Context,
                   result: EnsembleResult, outcomes, observables: Observables) -> None:
    """Write ``signposts.csv`` and, with observations, the conditioned outcomes.

    Conditions on the scenario's observations first (refusing a too small ESS before
    any file is written), then ``observations.csv`` and ``outcomes_conditioned.csv``.
    """
    from sim.analyses import observations as watch
    from sim.analyses.signposts import signposts_frame

    if scenario.observations:
        conditioning = watch.condition(scenario.observations, observables, ctx)
        watch.check(conditioning, scenario.members, str(path))
        outputs.write_csv(watch.observations_frame(conditioning), out / "observations.csv")
        outputs.write_csv(watch.conditioned_frame(outputs.outcome_hits(result, ctx), outcomes,
                                                  conditioning),
                          out / "outcomes_conditioned.csv")
    outputs.write_csv(signposts_frame(observables, ctx, outputs.member_outcomes(result)),
                      out / "signposts.csv")


def _claim(target: Path, path: Path, scenario: Scenario, request: RunRequest) -> None:
    """Refuse to replace another request's results; say when replacing our own.

    ``results/<folder>/`` belongs to the request that made it (:func:`sim.claims.claim`):
    a copy of a scenario file that keeps its ``name:``, or a folder left by another
    request under this name, is refused with what to do. The same request replaces its
    own results, with a visible line when the file changed since or another command
    (the CLI, the API, the dashboard) made them.
    """
    claim(target, run_request(scenario.name, path, request.overrides()), str(path),
          request.recorded_command())
    try:
        stored = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(stored, dict) and stored.get("scenario_sha256") not in (
            None, scenario.source_sha256):
        print(f"note: replacing {target}, made from an earlier version of {path}",
              file=sys.stderr)


def run(request: RunRequest) -> Path:
    """Run a scenario ensemble and write ``results/<name>/``; return that directory."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    request.parameter_mode()   # two modes at once: refused before anything runs
    path, scenario, ctx = prepare(request)
    ctx, mode = with_parameter_mode(ctx, scenario, request, say=True)
    target = results_dir_for(result_folder_name(scenario.name, request.overrides()))
    _claim(target, path, scenario, request)
    with contextlib.ExitStack() as stack:
        # forked before the executor starts worker processes: it holds none of their pipes
        pool = _chart_helpers(request, ctx.region)
        if pool is not None:
            stack.enter_context(pool)
        executor = make_executor(request.executor, request.workers, request.scheduler,
                                 members=scenario.members, actors=ctx.region.n)
        engine = {"engine": "ensemble", "executor": type(executor).__name__,
                  "blocks": executor.blocks, "threads": getattr(executor, "threads", 1)}
        return _run_into(target, path, scenario, ctx, request, executor, started, t0,
                         {**engine, "mode": mode}, pool)


def _chart_helpers(request: RunRequest,
                   region: Region | None = None) -> ChartHelper | ChartPool | None:
    """Who helps draw the charts, or None: this process draws them alone.

    A helper forked from this process (:mod:`sim.outputs.chart_fork`) where forking is
    safe (a single-threaded process on Linux, two cores or more); else the chart pool's
    helpers (:mod:`sim.outputs.chart_pool`) when a second core is idle; none when
    ``SIM_CHARTS_INLINE=1`` asks for the charts in the run's own process. The forked
    helper is given the run's ``region`` to make the fan charts' grids ahead.
    """
    if not request.charts:
        return None
    if chart_fork.possible():
        chart_pool.discard()  # an early pool is not needed
        return ChartHelper(region)  # makes the fan charts' grids while the run steps
    return chart_pool.claim() if chart_pool.available() else None


def _run_into(target: Path, path: Path, scenario: Scenario, ctx: Context,
              request: RunRequest, executor, started: dt.datetime, t0: float, engine: dict,
              chart_pool: ChartHelper | ChartPool | None) -> Path:
    """Run the ensemble and write its results into ``target`` (replaced atomically)."""
    with outputs.atomic_directory(target) as out:
        members = np.arange(scenario.members)
        writer = (outputs.TrajectoryWriter(out / "trajectories.parquet", ctx, members)
                  if request.save_members else None)
        recorder = recorder_for(scenario, ctx)
        from sim.analyses.ripple_units import OutflowRecorder

        outflow = OutflowRecorder.of(ctx)  # the focal state's refugee outflow, per member
        hooks = [hook for hook in (writer.write if writer else None, request.on_week,
                                   recorder, outflow) if hook]

        def on_week(record: WeekRecord) -> None:
            for hook in hooks:
                hook(record)

        result = run_ensemble(ctx, members, progress=request.progress, executor=executor,
                              on_week=on_week)
        if writer is not None:
            writer.close()
        if ctx.design:  # drawn parameters: how much of the spread is theirs (split.py)
            from threadpoolctl import threadpool_limits

            from sim.analyses.inference.split import run_split

            # One BLAS/OpenMP thread: the small fits (members x 28 features) ran 20-30
            # times slower on two threads of the shared 2-core machine (thread hand-offs,
            # 1.0 s against 0.04 s for 1,000 members); the same numbers either way.
            with threadpool_limits(1):
                split = run_split(ctx.design, outputs.member_outcomes(result),
                                  outputs.OUTCOMES)
            engine = {**engine, "mode": {**engine["mode"], "split": split}}
        write_results(out, path, scenario, ctx, result, started, t0, request.charts,
                      engine, request.overrides(), report=request.report,
                      command=request.recorded_command(), chart_pool=chart_pool,
                      observables=recorder.finish(result.holder, result.incapacity_week),
                      outflow=outflow)
    return target


def with_parameter_mode(ctx: Context, scenario: Scenario, request: RunRequest,
                        say: bool = False) -> tuple[Context, dict]:
    """The context of the request's parameter mode, and the manifest's ``mode``.

    ``posterior`` (the default) draws each member's calibrated parameters from the
    shipped posterior, ``fixed`` keeps every parameter at its value, ``uncertain``
    draws from the plausible ranges. With ``say``, a posterior made for another model
    (its fingerprint differs from the running code's) is said on stderr.
    """
    mode_name = request.parameter_mode()
    if mode_name == "uncertain":
        ctx, mode = with_uncertain_parameters(ctx, scenario)
    elif mode_name == "posterior":
        ctx, mode = with_posterior_parameters(ctx, scenario)
        warning = mode["posterior"].get("warning")
        if say and warning:
            print(f"note: {warning}", file=sys.stderr)
    else:
        mode = {"parameters": "fixed (Monte Carlo noise only): every parameter at its "
                              "default or the scenario's value"}
    return ctx, {"parameter_mode": mode_name, **mode}


def with_posterior_parameters(ctx: Context, scenario: Scenario) -> tuple[Context, dict]:
    """Give every member one parameter set drawn from the calibrated posterior.

    See :mod:`sim.analyses.inference.shipped`; the parameters the scenario sets keep
    the scenario's values.
    """
    from sim.analyses.inference.shipped import posterior_design

    design, mode = posterior_design(scenario.seed, scenario.members,
                                    set(dict(scenario.parameters)))
    if not design:   # the scenario sets every calibrated parameter: nothing to draw
        return ctx, mode
    return ctx.with_design(design, replicates=scenario.members), mode


def with_uncertain_parameters(ctx: Context, scenario: Scenario) -> tuple[Context, dict]:
    """Give every member its own parameter values, drawn from the scenario's uncertainties.

    A Latin hypercube of ``members`` points (seeded by the scenario's root seed) over
    :func:`sim.analyses.explore.uncertainties_of`; member ``k`` takes point ``k`` and
    keeps its own random numbers, so the run answers with parameter uncertainty and
    Monte Carlo noise together.
    """
    from scipy.stats import qmc

    from sim.analyses.explore import Problem, uncertainties_of
    from sim.regions.layer_weights import is_layer_factor

    full = uncertainties_of(scenario)
    # A layer weight shapes the graph every member shares: it cannot differ per member
    # (make explore runs it point by point), so it stays at the data's value here.
    kept = [j for j, name in enumerate(full.names) if not is_layer_factor(name)]
    problem = Problem(tuple(full.names[j] for j in kept), tuple(full.specs[j] for j in kept))
    held = [name for name in full.names if is_layer_factor(name)]
    if not problem.names:
        raise UserError(scenario.name, "uncertainties", "nothing uncertain to draw per "
                        "member" + (" (layer weights are explored with make explore)"
                                    if held else ""))
    unit = qmc.LatinHypercube(d=len(problem.names), seed=scenario.seed).random(
        scenario.members)
    values = problem.values(unit)
    design = {name: values[:, j] for j, name in enumerate(problem.names)}
    mode = {"parameters": "uncertain: drawn per member (Latin hypercube, seeded by the "
                          "root seed) from the uncertainties below",
            "uncertainties": {n: s.model_dump() for n, s in
                              zip(problem.names, problem.specs, strict=True)}}
    if held:
        mode["layer_weights_at_data_values"] = held
    return ctx.with_design(design, replicates=scenario.members), mode
