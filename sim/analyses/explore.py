"""Which assumptions drive the answer: designs over parameter uncertainty (``make explore``).

An exploration samples the scenario's uncertain parameters (its ``uncertainties:``
block, or by default every plausible range, :func:`uncertainties_of`) with a Morris,
Sobol or Latin-hypercube design (SALib, scipy), runs the **whole design as one
vectorised ensemble** (parameters per member, :meth:`sim.model.context.Context.with_design`)
with ``R`` replicate members per point and common random numbers (replicate ``r`` of
every point draws the numbers of member ``r`` of a plain run), and reduces each point to
outcomes: the focal state's outcome probabilities, the patron's takeover, and each
reported state's mean peak fall in stability. Points are run in chunks of about
:data:`CHUNK_ROWS` members, so memory stays flat as the design grows.

The analysis (:mod:`sim.analyses.explore_analysis`) gives Morris mu* and sigma or Sobol
first-order and total indices with their confidence intervals, the share of each
output's variance across points that is Monte Carlo noise of the ``R`` replicates, and
PRIM boxes (ema_workbench) for outcomes an analyst names.

References
----------
Morris (1991), Technometrics 33(2); Campolongo, Cariboni & Saltelli (2007), Environ.
Model. Softw. 22; Saltelli et al. (2010), Comput. Phys. Commun. 181; Herman & Usher
(2017), SALib, JOSS 2(9); Friedman & Fisher (1999), Stat. Comput. 9 (PRIM); Kwakkel
(2017), EMA Workbench, Environ. Model. Softw. 96.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from sim.engines.ensemble import run_ensemble
from sim.engines.executors import plan_local
from sim.engines.stats import summarise
from sim.errors import UserError
from sim.model.context import Context
from sim.model.params import CONTEXT_ONLY, PARAMS
from sim.model.scenario import Scenario, Uncertainty
from sim.model.state import METRICS
from sim.outputs.tables import OUTCOMES, member_outcomes
from sim.regions.layer_weights import is_layer_factor

#: Members per chunk of the design run at once, so memory stays flat as points grow:
#: measured peak 605 MB for a 37,000-member design (one chunk) and 835 MB for 295,000.
CHUNK_ROWS = 40_000
#: Members whose trajectories pool into the fan charts of a design that varies layer
#: weights (run point by point, so the first points' trajectories are kept).
POOLED_MEMBERS = 2_000
#: Design methods and their default number of samples (Morris: trajectories; Sobol:
#: the base sample N, a power of two; LHS: points) and replicate members per point.
METHODS: dict[str, dict[str, int]] = {
    "morris": {"samples": 20, "replicates": 200},
    "sobol": {"samples": 256, "replicates": 96},
    "lhs": {"samples": 500, "replicates": 200},
}


@dataclass(frozen=True)
class Problem:
    """The uncertain inputs of an exploration, in a fixed order."""

    names: tuple[str, ...]
    specs: tuple[Uncertainty, ...]

    def salib(self) -> dict:
        """The SALib problem on the unit hypercube (values are mapped by :meth:`values`)."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[0.0, 1.0]] * len(self.names)}

    def values(self, unit: np.ndarray) -> np.ndarray:
        """Map points of the unit hypercube to parameter values (inverse CDFs)."""
        out = np.empty_like(unit, dtype=np.float64)
        for j, spec in enumerate(self.specs):
            u = np.clip(unit[:, j], 0.0, 1.0)
            if spec.distribution == "triangular":
                width = spec.high - spec.low
                c = (spec.mode - spec.low) / width
                out[:, j] = scipy_stats.triang.ppf(u, c, loc=spec.low, scale=width)
            else:
                out[:, j] = spec.low + u * (spec.high - spec.low)
        return out


def uncertainties_of(scenario: Scenario) -> Problem:
    """The scenario's uncertainties, or by default every plausible range.

    The default leaves out levers (a player's choices, not estimates), parameters the
    scenario fixes in its ``parameters:`` block (its own assumptions), parameters that
    take one value per ensemble (:data:`sim.model.params.CONTEXT_ONLY`) and those
    whose plausible range is a single value.
    """
    if scenario.uncertainties:
        names = tuple(scenario.uncertainties)
        return Problem(names, tuple(scenario.uncertainties[n] for n in names))
    names, specs = [], []
    for name, param in PARAMS.items():
        low, high = param.plausible
        if (param.grade == "lever" or name in scenario.parameters or name in CONTEXT_ONLY
                or not low < high):
            continue
        names.append(name)
        specs.append(Uncertainty(low=low, high=high))
    return Problem(tuple(names), tuple(specs))


#: Largest design an exploration runs (points); a bigger one is refused before anything
#: is allocated. 100,000 points x 30 replicates is about a day of this 2-core machine.
MAX_DESIGN_POINTS = 100_000


def design_points(method: str, samples: int, parameters: int) -> int:
    """How many design points ``sample`` would make, computed before making them.

    Examples
    --------
    >>> design_points("morris", 16, 45), design_points("sobol", 64, 45), design_points("lhs", 9, 3)
    (736, 3008, 9)
    """
    per = {"morris": parameters + 1, "sobol": parameters + 2, "lhs": 1}.get(method)
    if per is None:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    return samples * per


def check_design_size(method: str, samples: int, replicates: int, parameters: int,
                      weeks: int, actors: int) -> None:
    """Refuse a design above :data:`MAX_DESIGN_POINTS` or whose chunk would not fit in memory.

    Raises
    ------
    UserError
        Naming ``--samples`` (or ``--replicates``), the size asked for and the cap.
    """
    from sim.engines.limits import check_memory

    points = design_points(method, samples, parameters)
    if points > MAX_DESIGN_POINTS:
        raise UserError("--samples", None,
                        f"{method} with {samples:,} samples over {parameters} parameters "
                        f"makes {points:,} design points, more than the cap of "
                        f"{MAX_DESIGN_POINTS:,}; lower --samples")
    check_memory(min(CHUNK_ROWS, points * replicates), weeks, actors)


def sample(problem: Problem, method: str, samples: int, seed: int) -> np.ndarray:
    """Design points on the unit hypercube, shape (points, len(problem.names)).

    Parameters
    ----------
    method : {"morris", "sobol", "lhs"}
        ``morris``: ``samples`` trajectories on a 4-level grid (k + 1 points each);
        ``sobol``: Saltelli's scheme without second order, N = ``samples`` (a power of
        two), N (k + 2) points; ``lhs``: ``samples`` Latin-hypercube points.
    seed : int
        Seed of the design (the simulation's own numbers come from the scenario seed).
    """
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem.salib(), samples, num_levels=4, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        if samples & (samples - 1):
            raise ValueError(f"sobol needs a power of two for SAMPLES, got {samples}")
        return sobol.sample(problem.salib(), samples, calc_second_order=False, seed=seed)
    if method == "lhs":
        return scipy_stats.qmc.LatinHypercube(d=len(problem.names), seed=seed).random(samples)
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def evaluate(ctx: Context, names: tuple[str, ...], values: np.ndarray, replicates: int,
             chunk_rows: int = CHUNK_ROWS, progress=None
             ) -> tuple[pd.DataFrame, np.ndarray]:
    """Run every design point with ``replicates`` members; one row of outcomes per point.

    Parameters
    ----------
    ctx : Context
        The scenario's context (its parameters are the values not in the design).
    names : tuple of str
        The varied parameters, the columns of ``values``.
    values : numpy.ndarray, shape (points, len(names))
    replicates : int
        Members per point; replicate ``r`` draws the numbers of member ``r``.
    chunk_rows : int
        Members run at once (whole points per chunk).
    progress : callable, optional
        Called with (points done, points) after each chunk.

    Returns
    -------
    outcomes : pandas.DataFrame
        ``point`` and, per point: the focal outcome probabilities (``p_<outcome>``),
        their Monte Carlo variance (``var_<output>``, of the mean over replicates) and
        each state's mean peak fall in stability relative to its baseline
        (``drop_<actor>``).
    pooled_quantiles : numpy.ndarray, shape (weeks + 1, metrics, stats, N)
        Quantiles across all members of the first chunk (parameter uncertainty and
        Monte Carlo noise together), for the fan charts.
    """
    layer = [j for j, name in enumerate(names) if is_layer_factor(name)]
    if layer:
        return _evaluate_by_point(ctx, names, values, replicates, layer, chunk_rows, progress)
    points = values.shape[0]
    pooled = None
    per_chunk = max(1, chunk_rows // replicates)
    frames = []
    for start in range(0, points, per_chunk):
        stop = min(points, start + per_chunk)
        chunk = values[start:stop]
        design = {name: np.repeat(chunk[:, j], replicates) for j, name in enumerate(names)}
        rows = np.arange(len(chunk) * replicates)
        design_ctx = ctx.with_design(design, replicates)
        result = run_ensemble(design_ctx, members=rows, progress=False,
                              executor=plan_local(len(rows), ctx.region.n))
        frames.append(point_outcomes(result, ctx, replicates, first_point=start))
        pooled = result.quantiles if pooled is None else pooled
        if progress is not None:
            progress(stop, points)
    return pd.concat(frames, ignore_index=True), pooled


def _evaluate_by_point(ctx: Context, names: tuple[str, ...], values: np.ndarray,
                       replicates: int, layer: list[int], chunk_rows: int, progress
                       ) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`evaluate` for a design that varies layer weights: one context per point.

    A layer weight shapes the graph every member shares, so each point runs as its own
    ensemble on its own region (:func:`sim.regions.layer_weights.with_layer_factors`),
    with the point's other parameters per member as usual. Replicate ``r`` still draws
    the numbers of member ``r``. The pooled quantiles (fan charts) are taken over the
    members of the first points, up to :data:`POOLED_MEMBERS` (their trajectories are
    kept in memory: about 63 MB per 1,000 members of Belarus over 104 weeks).
    """
    from sim.model.context import build_context
    from sim.regions.layer_weights import with_layer_factors

    others = [j for j in range(len(names)) if j not in layer]
    pool_points = max(1, min(values.shape[0], POOLED_MEMBERS // replicates))
    frames, kept = [], []
    rows = np.arange(replicates)
    for point in range(values.shape[0]):
        region = with_layer_factors(ctx.region, {names[j]: values[point, j] for j in layer})
        point_ctx = build_context(ctx.scenario, region)
        if others:
            point_ctx = point_ctx.with_design(
                {names[j]: np.full(replicates, values[point, j]) for j in others}, replicates)
        result = run_ensemble(point_ctx, members=rows, progress=False,
                              keep_trajectories=point < pool_points,
                              executor=plan_local(replicates, ctx.region.n))
        frames.append(point_outcomes(result, ctx, replicates, first_point=point))
        if point < pool_points:
            kept.append(result.trajectories)
        if progress is not None:
            progress(point + 1, values.shape[0])
    # summarise -> (stats, weeks + 1, metrics, N); the result's layout puts stats third.
    pooled = np.moveaxis(summarise(np.concatenate(kept, axis=0)), 0, 2)
    return pd.concat(frames, ignore_index=True), pooled


def point_outcomes(result, ctx: Context, replicates: int, first_point: int = 0
                   ) -> pd.DataFrame:
    """Reduce the members of each point (consecutive runs of ``replicates``) to outcomes."""
    points = len(result.members) // replicates
    outcome = member_outcomes(result).reshape(points, replicates)
    frame = {"point": np.arange(first_point, first_point + points)}
    continuing = ("regime_and_leader_continue", "regime_continues_new_leader")
    groups = {"regime_continues": np.isin(outcome, continuing)}
    groups.update({name: outcome == name for name in OUTCOMES})
    for name, hit in groups.items():
        hits = hit.astype(np.float64)
        frame[f"p_{name}"] = hits.mean(axis=1)
        frame[f"var_p_{name}"] = hits.var(axis=1, ddof=1) / replicates if replicates > 1 else 0.0
    s0 = ctx.baseline["stability0"]
    low = result.low[:, METRICS.index("stability")]
    safe = np.where(s0 > 0, s0, 1.0)
    drop = np.where(s0 > 0, 1.0 - low / safe, 0.0).reshape(points, replicates, -1)
    for a, actor in enumerate(ctx.region.ids):
        if ctx.region.kinds[a] != "state":
            continue
        frame[f"drop_{actor}"] = drop[:, :, a].mean(axis=1)
        frame[f"var_drop_{actor}"] = (drop[:, :, a].var(axis=1, ddof=1) / replicates
                                      if replicates > 1 else 0.0)
    return pd.DataFrame(frame)


def output_columns(outcomes: pd.DataFrame) -> list[str]:
    """The outcome columns of :func:`evaluate` (without the point and the variances)."""
    return [c for c in outcomes.columns if c != "point" and not c.startswith("var_")]
