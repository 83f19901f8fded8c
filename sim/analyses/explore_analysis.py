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
#: An assumption: four in five of the box's points in the case, a box an analyst can
#: call "where the case is likely"; the whole trajectory is written for other choices.
PRIM_DENSITY = 0.8
#: The reported box keeps PRIM's restrictions tightest first, only as many as it takes
#: to reach this share of the PRIM box's density (PRIM's small peels on many dimensions
#: add little); its coverage and density are recomputed for what it keeps.
PRIM_DENSITY_KEPT = 0.95


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
        reported box's limits (PRIM's restrictions, tightest first, as many as reach
        :data:`PRIM_DENSITY_KEPT` of its density; with the full range for comparison)
        and that box's statistics (and PRIM's own for its full box); None when no point
        is in the case or every point is.
    """
    # PRIM pastes fractional limits into the frame: integer-valued columns (as read back
    # from a CSV) must be floats first (pandas refuses the lossy cast).
    values = values.astype(np.float64)
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
    lows = {c: float(values[c].min()) for c in values.columns}
    highs = {c: float(values[c].max()) for c in values.columns}
    kept = {c: (float(limits[c].iloc[1]) - float(limits[c].iloc[0]))
            / max(highs[c] - lows[c], 1e-300) for c in values.columns}
    prim_restricted = sorted((c for c in values.columns if kept[c] < 1.0 - 1e-9),
                             key=lambda c: kept[c])
    row = trajectory.loc[chosen]
    goal = PRIM_DENSITY_KEPT * float(row["density"])
    inside = np.ones(len(values), dtype=bool)
    restricted: list[str] = []
    for c in prim_restricted:
        if (inside & hits).sum() / max(inside.sum(), 1) >= goal:
            break
        inside &= ((values[c] >= limits[c].iloc[0]) & (values[c] <= limits[c].iloc[1])).to_numpy()
        restricted.append(c)
    table = pd.DataFrame({"parameter": restricted,
                          "box_low": [float(limits[c].iloc[0]) for c in restricted],
                          "box_high": [float(limits[c].iloc[1]) for c in restricted],
                          "range_low": [lows[c] for c in restricted],
                          "range_high": [highs[c] for c in restricted],
                          "share_of_range_kept": [kept[c] for c in restricted]})
    stats = {"case": case.name, "points_in_case": int(hits.sum()), "points": len(hits),
             "base_rate": float(hits.mean()),
             "coverage": float((inside & hits).sum() / hits.sum()),
             "density": float((inside & hits).sum() / max(inside.sum(), 1)),
             "mass": float(inside.mean()), "restricted": len(restricted),
             "prim_coverage": float(row["coverage"]), "prim_density": float(row["density"]),
             "prim_restricted": len(prim_restricted), "box_index": chosen}
    return trajectory, table, stats
