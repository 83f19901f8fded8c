"""A Python API for notebooks: run or compare scenarios and get DataFrames back.

Example (the README runs this as a test)::

    from sim import api

    quo = api.run("status_quo", members=200, weeks=52)
    shock = api.run("incapacity", members=200, weeks=52,
                    set={"patron_support_gain": 1.0})
    print(shock.outcomes.query("outcome == 'patron_takeover'")[["actor", "probability"]])
    pair = api.compare("status_quo", "incapacity")

Runs follow the command line's rule for result folders: a scenario run as written owns
``results/<name>/``; a run with any override (``members``, ``seed``, ``weeks``, ``set``)
goes to its own folder ``results/<name>__<overrides>/``, so a notebook never replaces
a scenario's own results (``docs``: README, Result folders).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analyses.run import RunRequest
from sim.analyses.run import run as _run

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


def run(scenario: str, *, members: int | None = None, seed: int | None = None,
        weeks: int | None = None, set: dict[str, float] | None = None,  # noqa: A002
        charts: bool = False, report: bool = False, workers: int | None = None,
        uncertain: bool = False) -> RunResult:
    """Run a scenario (a name in ``scenarios/`` or a ``.yaml`` path) and load its results.

    Parameters
    ----------
    scenario : str
    members, seed, weeks : int, optional
        Overrides of the scenario file.
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

    Raises
    ------
    sim.errors.UserError
        For bad input (the message names the file or the option and what is allowed).
    """
    parameters = tuple(sorted((set or {}).items()))
    request = RunRequest(scenario=scenario, members=members, seed=seed, weeks=weeks,
                         charts=charts, report=report, progress=False, workers=workers,
                         parameters=parameters, uncertain=uncertain)
    return RunResult.load(_run(request))


def compare(a: str, b: str, *, unpaired: bool = False, workers: int | None = 1,
            charts: bool = False) -> Comparison:
    """Compare scenario ``b`` with ``a`` member by member and load the comparison."""
    from sim.analyses.compare import compare as _compare

    folder = _compare(a, b, unpaired=unpaired, workers=workers, charts=charts)
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


def explore(scenario: str, *, method: str = "morris", samples: int | None = None,
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
    """
    from sim.analyses.explore_run import DEFAULT_CASES
    from sim.analyses.explore_run import explore as _explore

    folder = _explore(scenario, method, samples, replicates, cases or DEFAULT_CASES, weeks,
                      charts, quiet=True)
    indices = folder / "indices.csv"
    return Exploration(folder=folder, design=pd.read_csv(folder / "design.csv"),
                       outcomes=pd.read_csv(folder / "outcomes.csv"),
                       indices=pd.read_csv(indices) if indices.is_file() else None,
                       noise=pd.read_csv(folder / "noise.csv"),
                       prim=pd.read_csv(folder / "prim.csv"))
