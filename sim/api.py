"""A Python API for notebooks: run or compare scenarios and get DataFrames back.

Example (the README runs this as a test)::

    from sim import api

    quo = api.run("status_quo", members=200, weeks=52)
    shock = api.run("incapacity", members=200, weeks=52,
                    set={"patron_support_gain": 1.0})
    print(shock.outcomes.query("outcome == 'patron_takeover'")[["actor", "probability"]])
    pair = api.compare("status_quo", "incapacity")
    gain = api.compare(quo, shock)        # any two runs of one region, or their folders

Runs follow the command line's rule for result folders: a scenario run as written owns
``results/<name>/``; a run with any override (``members``, ``seed``, ``weeks``, ``set``)
goes to its own folder ``results/<name>__<overrides>/``, so a notebook never replaces
a scenario's own results (``docs``: README, Result folders). Every argument is checked
as the command line checks it: a wrong type or value is a :class:`sim.errors.UserError`
naming it.
"""

from __future__ import annotations

import inspect
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analyses.run import RunRequest
from sim.analyses.run import run as _run
from sim.arguments import call_text, flag, parameter_settings, scenario_text, whole_number
from sim.errors import UserError

__all__ = ["Comparison", "RunResult", "compare", "run"]


@dataclass(frozen=True)
class RunResult:
    """The files of one run, loaded.

    Attributes
    ----------
    folder : pathlib.Path
        Where the run wrote its files.
    outcomes, timeseries, members, holders, events : pandas.DataFrame
        The run's CSV files (README, What a run writes).
    manifest : dict
        ``manifest.json``.
    """

    folder: Path
    outcomes: pd.DataFrame
    timeseries: pd.DataFrame
    members: pd.DataFrame
    holders: pd.DataFrame
    events: pd.DataFrame
    manifest: dict

    @classmethod
    def load(cls, folder: Path) -> RunResult:
        """Read a finished run's folder."""
        folder = Path(folder)
        return cls(folder=folder, outcomes=pd.read_csv(folder / "outcomes.csv"),
                   timeseries=pd.read_csv(folder / "timeseries.csv"),
                   members=pd.read_csv(folder / "members.csv"),
                   holders=pd.read_csv(folder / "holders.csv"),
                   events=pd.read_csv(folder / "events.csv"),
                   manifest=json.loads((folder / "manifest.json").read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Comparison:
    """The files of a paired comparison, loaded (``deltas``, ``ripple``, ``outcomes``)."""

    folder: Path
    deltas: pd.DataFrame
    ripple: pd.DataFrame
    outcomes: pd.DataFrame


_RUN = "sim.api.run"
_COMPARE = "sim.api.compare"
_EXPLORE = "sim.api.explore"


def run(scenario: str | os.PathLike, *, members: int | None = None, seed: int | None = None,
        weeks: int | None = None, set: dict[str, float] | None = None,  # noqa: A002
        charts: bool = False, report: bool = False, workers: int | None = None,
        uncertain: bool = False, posterior: bool = False, fixed: bool = False) -> RunResult:
    """Run a scenario (a name in ``scenarios/`` or a ``.yaml`` path) and load its results.

    Parameters
    ----------
    scenario : str or os.PathLike
    members, seed, weeks : int, optional
        Overrides of the scenario file (whole numbers: members and weeks at least 1,
        seed at least 0).
    set : dict of str to float, optional
        Parameter overrides (names and ranges as in ``docs/model.md``).
    charts, report : bool
        Also draw the charts and write ``report.html`` (off by default: faster).
    workers : int, optional
        Worker processes (default: chosen by the job's size, in this process; the same
        bytes for any number).
    uncertain : bool
        Draw each member's parameters from the scenario's uncertainties (its own result
        folder, ``<name>__uncertain-1``), as ``make run UNCERTAIN=1``.
    posterior : bool
        Ask for the default explicitly: each member draws the calibrated parameters from
        the shipped posterior (``make run``; the folder has no mode in its name).
    fixed : bool
        A fixed-point run, every parameter at its default (its own result folder,
        ``<name>__fixed-1``), as ``make run FIXED=1``.

    The call is recorded as the ``command`` of the run's ``manifest.json``.

    Raises
    ------
    sim.errors.UserError
        For bad input, of a wrong type or value included (the message names the
        argument or the file and what is allowed).
    """
    given = {"members": whole_number(members, _RUN, "members", 1),
             "seed": whole_number(seed, _RUN, "seed", 0),
             "weeks": whole_number(weeks, _RUN, "weeks", 1),
             "set": dict(parameter_settings(set, _RUN)) or None,
             "charts": flag(charts, _RUN, "charts"), "report": flag(report, _RUN, "report"),
             "workers": whole_number(workers, _RUN, "workers", 1),
             "uncertain": flag(uncertain, _RUN, "uncertain"),
             "posterior": flag(posterior, _RUN, "posterior"),
             "fixed": flag(fixed, _RUN, "fixed")}
    scenario = scenario_text(scenario, _RUN, "scenario")
    command = call_text(_RUN, (scenario,), given, _defaults(run))
    request = RunRequest(scenario=scenario, members=given["members"], seed=given["seed"],
                         weeks=given["weeks"], charts=given["charts"],
                         report=given["report"], progress=False, workers=given["workers"],
                         parameters=tuple(sorted((given["set"] or {}).items())),
                         uncertain=given["uncertain"], posterior=given["posterior"],
                         fixed=given["fixed"], command=command)
    return RunResult.load(_run(request))


def _defaults(function) -> dict[str, object]:
    """The keyword defaults of ``function`` (for the recorded call)."""
    return {name: p.default for name, p in inspect.signature(function).parameters.items()}


def _side(value: object, field: str) -> str:
    """A side of :func:`compare`: a scenario, a result folder or a :class:`RunResult`."""
    if isinstance(value, RunResult):
        return str(value.folder)
    return scenario_text(value, _COMPARE, field)


def compare(a: str | os.PathLike | RunResult, b: str | os.PathLike | RunResult, *,
            unpaired: bool = False, workers: int | None = 1,
            charts: bool = False) -> Comparison:
    """Compare run ``b`` with run ``a`` member by member and load the comparison.

    Parameters
    ----------
    a, b : str, os.PathLike or RunResult
        A scenario (a name or a ``.yaml`` path, run as written), a run's result folder
        (``results/<name>__<overrides>/``, from the command line, the API or the
        dashboard) or the :class:`RunResult` of :func:`run`. Both must be runs of one
        region; runs with other weeks, members or seed are compared unpaired (a note
        says so and the tables' ``paired`` column is False).
    unpaired : bool
        Kept for older notebooks (no longer needed).
    workers : int, optional
        Worker processes.
    charts : bool
        Also draw the charts.

    Raises
    ------
    sim.errors.UserError
        For bad input (of a wrong type included), or runs of two regions.
    """
    from sim.analyses.compare import compare as _compare

    side_a, side_b = _side(a, "a"), _side(b, "b")
    given = {"unpaired": flag(unpaired, _COMPARE, "unpaired"),
             "workers": whole_number(workers, _COMPARE, "workers", 1),
             "charts": flag(charts, _COMPARE, "charts")}
    folder = _compare(side_a, side_b, unpaired=given["unpaired"], workers=given["workers"],
                      charts=given["charts"],
                      command=call_text(_COMPARE, (side_a, side_b), given, _defaults(compare)))
    return Comparison(folder=folder, deltas=pd.read_csv(folder / "deltas.csv"),
                      ripple=pd.read_csv(folder / "ripple.csv"),
                      outcomes=pd.read_csv(folder / "outcomes.csv"))


@dataclass(frozen=True)
class Exploration:
    """The tables of an exploration (``make explore``), as DataFrames."""

    folder: Path
    design: pd.DataFrame
    outcomes: pd.DataFrame
    indices: pd.DataFrame | None
    noise: pd.DataFrame
    prim: pd.DataFrame


def explore(scenario: str | os.PathLike, *, method: str = "morris", samples: int | None = None,
            replicates: int | None = None, weeks: int | None = None,
            cases: tuple[str, ...] | None = None, charts: bool = False) -> Exploration:
    """Run ``make explore`` from Python and load its tables.

    Parameters
    ----------
    scenario : str
    method : {"morris", "sobol", "lhs"}
    samples, replicates, weeks : int, optional
        As ``SAMPLES=``, ``REPLICATES=`` and ``WEEKS=`` (defaults per method).
    cases : tuple of str, optional
        PRIM cases ``OUTPUT>THRESHOLD`` (default: regime change above 10%, patron
        takeover above 5%).
    charts : bool
        Also draw the charts (the report is always written).

    Raises
    ------
    sim.errors.UserError
        For bad input, of a wrong type or value included (``samples=0`` is refused,
        never read as the default).
    """
    from sim.analyses.explore import METHODS
    from sim.analyses.explore_run import DEFAULT_CASES
    from sim.analyses.explore_run import explore as _explore

    scenario = scenario_text(scenario, _EXPLORE, "scenario")
    if not isinstance(method, str) or method not in METHODS:
        raise UserError(_EXPLORE, "method", f"must be one of {', '.join(METHODS)}, got "
                        f"{method!r}")
    if cases is not None and (isinstance(cases, str) or not isinstance(cases, tuple | list)
                              or not all(isinstance(c, str) for c in cases)):
        raise UserError(_EXPLORE, "cases", "must be a tuple of 'OUTPUT>THRESHOLD' texts, "
                        f"e.g. ('p_regime_change>0.1',), got {cases!r}")
    given = {"method": method, "samples": whole_number(samples, _EXPLORE, "samples", 1),
             "replicates": whole_number(replicates, _EXPLORE, "replicates", 1),
             "weeks": whole_number(weeks, _EXPLORE, "weeks", 1),
             "cases": tuple(cases) if cases is not None else None,
             "charts": flag(charts, _EXPLORE, "charts")}
    folder = _explore(scenario, method, given["samples"], given["replicates"],
                      given["cases"] or DEFAULT_CASES, given["weeks"], given["charts"],
                      quiet=True,
                      command=call_text(_EXPLORE, (scenario,), given, _defaults(explore)))
    indices = folder / "indices.csv"
    return Exploration(folder=folder, design=pd.read_csv(folder / "design.csv"),
                       outcomes=pd.read_csv(folder / "outcomes.csv"),
                       indices=pd.read_csv(indices) if indices.is_file() else None,
                       noise=pd.read_csv(folder / "noise.csv"),
                       prim=pd.read_csv(folder / "prim.csv"))
