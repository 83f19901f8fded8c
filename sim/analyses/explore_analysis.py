"""Sensitivity indices, Monte Carlo noise and scenario discovery for an exploration.

Given the design on the unit hypercube and the outcomes per point
(:func:`sim.analyses.explore.evaluate`), this module computes:

* **Morris** elementary effects (SALib): ``mu_star`` (mean absolute effect of moving a
  parameter across its whole range, in the output's own units), ``sigma`` (their
  spread: interactions or non-linearity) and a bootstrap interval of ``mu_star``;
* **Sobol** first-order ``S1`` and total ``ST`` indices with 95% bootstrap intervals
  (SALib, Saltelli's estimator without second order);
* the **Monte Carlo noise share** of every output: the mean over points of the
  variance of a point's mean over its ``R`` replicates, divided by the variance of the
  output across points. Indices of an output whose noise share is not small measure
  noise as much as the parameters (binary outcomes near a few percent need many
  replicates);
* **PRIM** boxes (ema_workbench) for named cases, e.g. "regime change above 10%",
  with the peeling trajectory (coverage against density) and the chosen box.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Density a PRIM box must reach to be chosen (else the densest box of the trajectory).
PRIM_DENSITY = 0.8


def noise_share(outcomes: pd.DataFrame, output: str) -> float:
    """Share of the output's variance across points that is Monte Carlo noise (0-1+).

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [0.1, 0.3, 0.5], "var_y": [0.0004, 0.0004, 0.0004]})
    >>> round(noise_share(frame, "y"), 3)
    0.01
    """
    total = float(outcomes[output].var(ddof=1))
    noise = float(outcomes[f"var_{output}"].mean())
    return noise / total if total > 0 else float("nan")


def morris_indices(problem: dict, unit: np.ndarray, outcomes: pd.DataFrame,
                   outputs: list[str], seed: int) -> pd.DataFrame:
    """Morris mu*, sigma and mu* interval for every output and parameter."""
    from SALib.analyze import morris

    rows = []
    for output in outputs:
        y = outcomes[output].to_numpy(dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            found = morris.analyze(problem, unit, y, num_levels=4, seed=seed)
        share = noise_share(outcomes, output)
        for j, name in enumerate(problem["names"]):
            rows.append({"output": output, "parameter": name,
                         "mu_star": found["mu_star"][j], "mu_star_conf": found["mu_star_conf"][j],
                         "sigma": found["sigma"][j], "mu": found["mu"][j],
                         "noise_share": share})
    return pd.DataFrame(rows)


def sobol_indices(problem: dict, outcomes: pd.DataFrame, outputs: list[str], seed: int
                  ) -> pd.DataFrame:
    """Sobol S1 and ST with 95% intervals for every output and parameter."""
    from SALib.analyze import sobol

    rows = []
    for output in outputs:
        y = outcomes[output].to_numpy(dtype=np.float64)
        share = noise_share(outcomes, output)
        if not np.var(y) > 0:
            continue  # a constant output has no indices
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            found = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        for j, name in enumerate(problem["names"]):
            rows.append({"output": output, "parameter": name,
                         "S1": found["S1"][j], "S1_conf": found["S1_conf"][j],
                         "ST": found["ST"][j], "ST_conf": found["ST_conf"][j],
                         "noise_share": share})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Case:
    """An outcome an analyst names for scenario discovery: ``output > threshold``."""

    name: str
    output: str
    threshold: float

    @classmethod
    def parse(cls, text: str) -> Case:
        """``"p_regime_change>0.1"`` -> Case; raises ValueError with what is allowed."""
        if ">" not in text:
            raise ValueError(f"case {text!r}: write OUTPUT>THRESHOLD, e.g. p_regime_change>0.1")
        output, threshold = (part.strip() for part in text.split(">", 1))
        return cls(name=f"{output} > {threshold}", output=output, threshold=float(threshold))


def prim_box(values: pd.DataFrame, outcomes: pd.DataFrame, case: Case
             ) -> tuple[pd.DataFrame, pd.DataFrame, dict] | None:
    """PRIM (ema_workbench) for one case.

    Returns
    -------
    (trajectory, limits, chosen) or None
        The peeling trajectory (coverage, density, mass, restricted dimensions), the
        chosen box's limits on the restricted parameters (with the full range for
        comparison) and the chosen box's statistics; None when no point is in the case
        or every point is.
    """
    hits = (outcomes[case.output] > case.threshold).to_numpy()
    if hits.all() or not hits.any():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        finder = prim.Prim(values.reset_index(drop=True), hits)
        box = finder.find_box()
    trajectory = box.peeling_trajectory.copy()
    dense = trajectory[trajectory["density"] >= PRIM_DENSITY]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    box.select(chosen)
    limits = box.box_lims[chosen]
    full = pd.DataFrame({c: [values[c].min(), values[c].max()] for c in values.columns})
    restricted = [c for c in values.columns
                  if not np.isclose(limits[c].iloc[0], full[c].iloc[0])
                  or not np.isclose(limits[c].iloc[1], full[c].iloc[1])]
    table = pd.DataFrame({"parameter": restricted,
                          "box_low": [limits[c].iloc[0] for c in restricted],
                          "box_high": [limits[c].iloc[1] for c in restricted],
                          "range_low": [full[c].iloc[0] for c in restricted],
                          "range_high": [full[c].iloc[1] for c in restricted]})
    row = trajectory.loc[chosen]
    stats = {"case": case.name, "points_in_case": int(hits.sum()), "points": len(hits),
             "base_rate": float(hits.mean()), "coverage": float(row["coverage"]),
             "density": float(row["density"]), "mass": float(row["mass"]),
             "restricted": int(len(restricted)), "box_index": chosen}
    return trajectory, table, stats
