"""One-at-a-time sensitivity: whether every parameter moves a headline output.

``python -m sim.analyses.sensitivity [--members N] [--region FOLDER]`` sets each
parameter in turn to the low and the high end of its *plausible* range (the rest at
their defaults) and measures, on common random numbers (same seed, so member ``k``
draws the same numbers in every run), the change of twelve headline outputs in
six cases of the Belarus region:

* **incapacity**: natural incapacity at week 0, horizon 104 weeks:
  ``continuity_52`` (regime in place at week 52), ``takeover_52`` (patron control at
  week 52), ``patron_drop`` (the first patron's peak fall of mean stability, % of
  baseline), ``posture_rise`` (largest peak rise of mean posture among the reported
  states), ``alignment_shift`` (the focal state's mean alignment change at the horizon);
* **violent**: violent incapacity at week 0: ``continuity_52_violent``;
* **patron move**: natural incapacity and a patron move at week 0: ``takeover_move``
  (patron control at week 52);
* **wave**: a 2020-scale protest wave at week 2 against a wavering bloc
  (``elite_loyalty_factor`` 0.75), horizon 40 weeks: ``regime_change_wave`` (opposition
  in power at the horizon), ``peak_unrest`` (median peak protest share in the focal
  state), ``neighbour_stress`` (largest peak rise of mean stress among the other states);
* **big wave**: the same with a ten-times wave (intensity 3.0): ``neighbour_unrest``
  (largest relative peak rise of mean unrest among the other states);
* **status quo**, horizon 104 weeks: ``leader_continues`` (the incumbent still rules).

A parameter is **inert** when no output moves by more than :data:`INERT` at either
end. Writes ``results/sensitivity/oat.csv`` (``oat_<region>.csv`` for a region other than
the default; one row per parameter and end) and
prints the table with the inert parameters flagged.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engines.ensemble import run_ensemble
from sim.model.context import build_context
from sim.model.params import PARAMS
from sim.model.scenario import Scenario
from sim.model.state import HOLDER, METRICS
from sim.paths import DATA_DIR, analysis_dir
from sim.regions.loader import Region, load_region

SEED = 20261127
#: Smallest change (probability, share or % point) that counts as moving an output.
INERT = 0.001
#: The ruling group still in power (an open split included: calibration.CONTINUING).
CONTINUING = [HOLDER[h] for h in ("constitutional_interim", "emergency_body",
                                  "insider_successor", "designated_successor", "contested")]
OUTPUTS = ("continuity_52", "takeover_52", "patron_drop", "posture_rise", "alignment_shift",
           "continuity_52_violent", "takeover_move", "regime_change_wave", "peak_unrest",
           "neighbour_stress", "neighbour_unrest", "leader_continues")


@dataclass(frozen=True)
class Case:
    """One of the three cases: its events, horizon and fixed parameters."""

    events: tuple[dict, ...]
    weeks: int
    fixed: tuple[tuple[str, float], ...] = ()


CASES = {
    "incapacity": Case(({"type": "leader_incapacitated", "week": 0, "mode": "natural"},), 104),
    "violent": Case(({"type": "leader_incapacitated", "week": 0, "mode": "violent"},), 53),
    "patron_move": Case(({"type": "leader_incapacitated", "week": 0, "mode": "natural"},
                         {"type": "patron_move", "week": 0}), 53),
    "wave": Case(({"type": "protest_wave", "week": 2, "intensity": 1.15,
                   "duration_weeks": 8},), 40,
                 (("elite_loyalty_factor", 0.75), ("health_risk_multiplier", 0.0))),
    "big_wave": Case(({"type": "protest_wave", "week": 2, "intensity": 3.0,
                       "duration_weeks": 8},), 40,
                     (("elite_loyalty_factor", 0.75), ("health_risk_multiplier", 0.0))),
    "status_quo": Case((), 104),
}


def _run(region: Region, case: Case, members: int, overrides: dict[str, float]):
    parameters = {**dict(case.fixed), **overrides}
    scenario = Scenario.in_code("sensitivity", weeks=case.weeks, members=members, seed=SEED,
                                events=case.events, parameters=parameters)
    ctx = build_context(scenario, region)
    return ctx, run_ensemble(ctx)


def headline_outputs(region: Region, members: int,
                     overrides: dict[str, float] | None = None) -> dict[str, float]:
    """The twelve headline outputs (module docstring) under parameter ``overrides``."""
    overrides = overrides or {}
    roles = region.roles
    stability, posture = METRICS.index("stability"), METRICS.index("posture")
    out: dict[str, float] = {}
    ctx, result = _run(region, CASES["incapacity"], members, overrides)
    holder = result.holder[:, 52]
    out["continuity_52"] = float(np.isin(holder, CONTINUING).mean())
    out["takeover_52"] = float((holder == HOLDER["patron_controlled"]).mean())
    mean = result.quantiles[:, :, 0, :]
    base = ctx.baseline
    if roles.patrons:
        p = region.index(roles.patrons[0])
        out["patron_drop"] = float(100 * (mean[:, stability, p].min() / base["stability0"][p]
                                          - 1))
    else:
        out["patron_drop"] = 0.0
    reported = [region.index(a) for a in roles.reported]
    out["posture_rise"] = float((mean[:, posture, reported].max(axis=0)
                                 - base["posture0"][reported]).max()) if reported else 0.0
    focal = region.index(roles.focal)
    alignment = METRICS.index("alignment")
    out["alignment_shift"] = float(mean[-1, alignment, focal] - base["alignment0"][focal])
    _, result = _run(region, CASES["violent"], members, overrides)
    out["continuity_52_violent"] = float(np.isin(result.holder[:, 52], CONTINUING).mean())
    if roles.patrons:
        _, result = _run(region, CASES["patron_move"], members, overrides)
        out["takeover_move"] = float((result.holder[:, 52] == HOLDER["patron_controlled"]).mean())
    else:
        out["takeover_move"] = 0.0
    ctx, result = _run(region, CASES["wave"], members, overrides)
    out["regime_change_wave"] = float((result.holder[:, -1] == HOLDER["opposition_led"]).mean())
    out["peak_unrest"] = float(np.median(result.high[:, METRICS.index("unrest"), focal]))
    stress = result.quantiles[:, METRICS.index("stress"), 0, :]
    others = [i for i, k in enumerate(region.kinds) if k == "state" and i != focal]
    out["neighbour_stress"] = float((stress[:, others].max(axis=0)
                                     - ctx.baseline["stress0"][others]).max())
    ctx, result = _run(region, CASES["big_wave"], members, overrides)
    unrest = result.quantiles[:, METRICS.index("unrest"), 0, :]
    unrest0 = np.maximum(ctx.baseline["unrest0"][others], 1e-9)
    out["neighbour_unrest"] = float((unrest[:, others].max(axis=0) / unrest0 - 1.0).max())
    _, result = _run(region, CASES["status_quo"], members, overrides)
    out["leader_continues"] = float((result.holder[:, -1] == HOLDER["incumbent"]).mean())
    return out


def one_at_a_time(region: Region, members: int) -> pd.DataFrame:
    """Change of every headline output at each end of every plausible range."""
    reference = headline_outputs(region, members)
    rows = []
    for name, param in PARAMS.items():
        for end, value in zip(("low", "high"), param.plausible, strict=True):
            moved = headline_outputs(region, members, {name: value})
            rows.append({"parameter": name, "grade": param.grade, "end": end, "value": value,
                         **{f"d_{k}": moved[k] - reference[k] for k in OUTPUTS}})
    frame = pd.DataFrame(rows)
    largest = frame[[f"d_{k}" for k in OUTPUTS]].abs().groupby(frame["parameter"]).max()
    frame["inert"] = frame["parameter"].map((largest.max(axis=1) <= INERT).to_dict())
    return frame


def main(argv: list[str] | None = None) -> None:
    """Run the one-at-a-time table, write it and print it."""
    parser = argparse.ArgumentParser(prog="python -m sim.analyses.sensitivity")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--region", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    region = load_region(args.region)
    frame = one_at_a_time(region, args.members)
    # One file per region, so a run on another region never replaces this one's table.
    target = analysis_dir("sensitivity")
    target.mkdir(parents=True, exist_ok=True)
    name = "oat.csv" if Path(args.region).resolve() == DATA_DIR.resolve() \
        else f"oat_{Path(args.region).resolve().name}.csv"
    frame.to_csv(target / name, index=False, float_format="%.6g")
    with pd.option_context("display.width", 250, "display.max_rows", 200,
                           "display.float_format", "{:.4f}".format):
        print(frame.to_string(index=False))
    inert = sorted(frame.loc[frame["inert"], "parameter"].unique())
    print(f"\ninert parameters (no output moves by more than {INERT}): "
          f"{', '.join(inert) if inert else 'none'}")
    print(f"written to {target / name}")


if __name__ == "__main__":
    main()
