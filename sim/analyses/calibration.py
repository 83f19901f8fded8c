"""Calibration and common-random-number checks that docs/model.md quotes.

``python -m sim.analyses.calibration`` prints:

1. the succession base rate: share of members whose regime is still in place 52 weeks
   after a forced incapacity at week 0 (target for a natural death: 81-92%,
   Kendall-Taylor & Frantz 2016 and the Archigos recount in region-facts);
2. the narrowing of paired intervals by common random numbers: for pairs of shipped
   scenarios, the mean width (weeks 5 to the horizon) of the 90% interval of the focal state's
   stability difference, paired against an independent seed for A.
"""

from __future__ import annotations

import numpy as np

from sim.engines.ensemble import run_ensemble
from sim.engines.stats import wilson_interval
from sim.model.context import build_context
from sim.model.scenario import Scenario
from sim.model.state import HOLDER, HOLDERS, METRICS

CONTINUING = ("constitutional_interim", "emergency_body", "insider_successor",
              "designated_successor")
CRN_PAIRS = (("status_quo", "incapacity"), ("status_quo", "protest_wave"),
             ("incapacity", "incapacity_violent"), ("incapacity", "incapacity_russian_move"))


def regime_survival(mode: str, members: int = 4000, seed: int = 7, region=None,
                    parameters: dict | None = None) -> tuple[float, np.ndarray]:
    """Share of members whose regime is in place 52 weeks after a week-0 incapacity.

    Parameters
    ----------
    mode : {"natural", "violent"}
    members, seed : int
        Ensemble size and root seed.
    region : Region, optional
    parameters : dict, optional
        Parameter overrides.

    Returns
    -------
    share : float
    holder : numpy.ndarray
        Holder codes at week 52, one per member.
    """
    scenario = Scenario.model_validate(dict(
        name="calibration", description="forced incapacity at week 0", weeks=53, seed=seed,
        members=members, parameters=parameters or {},
        events=[{"type": "leader_incapacitated", "week": 0, "mode": mode}]))
    holder = run_ensemble(build_context(scenario, region), progress=False).holder[:, 53]
    return float(np.isin(holder, [HOLDER[h] for h in CONTINUING]).mean()), holder


def crn_width_ratio(name_a: str, name_b: str, other_seed: int = 777,
                    members: int = 1000) -> tuple[float, float]:
    """Paired and unpaired mean 90% widths of the focal state's stability difference B - A."""
    from sim.analyses.compare import run_pair
    from sim.analyses.run import RunRequest, prepare

    _, scenario_a, ctx_a = prepare(RunRequest(name_a, members=members))
    _, _, ctx_b = prepare(RunRequest(name_b, members=members))
    _, _, ctx_other = prepare(RunRequest(name_a, members=members, seed=other_seed))
    weeks, ids = scenario_a.weeks, np.arange(members)
    blr, stability = ctx_a.roles.focal, METRICS.index("stability")
    widths = []
    for ctx, paired in ((ctx_a, True), (ctx_other, False)):
        diff = run_pair(ctx, ctx_b, ids, weeks, paired=paired).diff
        widths.append(float((diff[5:, stability, 3, blr] - diff[5:, stability, 1, blr]).mean()))
    return widths[0], widths[1]


def main() -> None:
    """Print the calibration table and the common-random-number narrowing."""
    print("Regime in place 52 weeks after a week-0 incapacity (4,000 members, seed 7):")
    for mode in ("natural", "violent"):
        share, holder = regime_survival(mode)
        low, high = wilson_interval(int(round(share * len(holder))), len(holder))
        parts = ", ".join(f"{h} {np.mean(holder == HOLDER[h]):.3f}" for h in HOLDERS
                          if np.any(holder == HOLDER[h]))
        print(f"  {mode:8s} {share:.3f} (95% CI {low:.3f}-{high:.3f}); {parts}")
    print("Mean width of the 90% interval of the focal state's stability difference, "
          "weeks 5-104:")
    for a, b in CRN_PAIRS:
        paired, unpaired = crn_width_ratio(a, b)
        print(f"  {a} -> {b}: paired {paired:.4f}, independent seed {unpaired:.4f}, "
              f"ratio {paired / unpaired:.3f}")


if __name__ == "__main__":
    main()
