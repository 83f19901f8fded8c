"""Mechanism experiments that the docs and the issue notes quote.

``python -m sim.analyses.experiments [--members N]`` prints three tables, each from
seeded ensembles of the Belarus region:

1. **Ripple of a calm succession**: the leader is incapacitated (natural) at week 0 and
   the elite never splits (split and coup rates 0); each state's peak fall in mean
   stability, in % of its baseline, over 104 weeks. The ripple of a calm succession
   should be small outside Belarus and explained by each state's own exposure.
2. **Protest waves**: a 2020-scale wave (peak near 2% of the public) and a ten-times
   wave, each with a loyal or a wavering security bloc (``elite_loyalty_factor`` 1.0 or
   0.75), with and without patron support (``patron_support_gain`` default or 0); the
   share of members in which the regime has fallen to the opposition by week 52.
3. **Patron presence**: the share of members under patron control at week 104 after a
   natural incapacity at week 4, with the region's data and with the patron's troops,
   security tie and border removed from the focal state's rows.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engines.ensemble import run_ensemble
from sim.model.context import build_context
from sim.model.scenario import Scenario
from sim.model.state import HOLDER, METRICS
from sim.paths import DATA_DIR
from sim.regions.loader import Region, load_region

SEED = 20261127
#: Protest-wave intensities (the protest push) of a 2020-scale and a ten-times wave.
WAVES = {"2020-scale": 1.15, "10x": 3.0}
WAVERING = 0.75


def _scenario(weeks: int, members: int, events: list, parameters: dict) -> Scenario:
    return Scenario.in_code("experiment", weeks=weeks, members=members, seed=SEED,
                            events=events, parameters=parameters)


def calm_ripple(region: Region, members: int) -> pd.DataFrame:
    """Peak fall of mean stability (% of baseline) of every state after a calm succession."""
    no_split = {"transition_split_rate": 0.0, "coup_attempt_rate": 0.0}
    ctx = build_context(_scenario(104, members, [
        {"type": "leader_incapacitated", "week": 0, "mode": "natural"}], no_split), region)
    mean = run_ensemble(ctx).quantiles[:, METRICS.index("stability"), 0, :]
    base = ctx.baseline["stability0"]
    rows = []
    for i, actor in enumerate(region.ids):
        if region.kinds[i] == "state" and base[i] > 0:
            rows.append({"actor": actor, "peak_change_pct": 100 * (mean[:, i].min() / base[i] - 1),
                         "week": int(mean[:, i].argmin())})
    return pd.DataFrame(rows)


def protest_outcomes(region: Region, members: int) -> pd.DataFrame:
    """Share of members with the regime fallen to the opposition at week 52, per case."""
    focal = region.index(region.roles.focal)
    rows = []
    for wave, intensity in WAVES.items():
        for bloc, factor in (("loyal", 1.0), ("wavering", WAVERING)):
            for support in (True, False):
                parameters = {"elite_loyalty_factor": factor, "health_risk_multiplier": 0.0}
                if not support:
                    parameters["patron_support_gain"] = 0.0
                ctx = build_context(_scenario(53, members, [
                    {"type": "protest_wave", "week": 2, "intensity": intensity,
                     "duration_weeks": 8}], parameters), region)
                result = run_ensemble(ctx)
                unrest = result.high[:, METRICS.index("unrest"), focal]
                holder = result.holder[:, 53]
                rows.append({"wave": wave, "security_bloc": bloc, "patron_support": support,
                             "median_peak_unrest": float(np.median(unrest)),
                             "regime_change": float((holder == HOLDER["opposition_led"]).mean()),
                             "contested": float((holder == HOLDER["contested"]).mean()),
                             "patron_takeover": float(
                                 (holder == HOLDER["patron_controlled"]).mean())})
    return pd.DataFrame(rows)


def _without_presence(folder: Path, region: Region) -> Path:
    """Copy of the region without the first patron's troops, security tie and border."""
    focal, patron = region.roles.focal, region.roles.patrons[0]
    edges = pd.read_csv(folder / "edges.csv", dtype=str, keep_default_na=False)
    pair = ((edges.source == patron) & (edges.target == focal)) | \
        ((edges.source == focal) & (edges.target == patron))
    drop = pair & edges.layer.isin(["troops", "security", "border"])
    target = Path(tempfile.mkdtemp(prefix="no-presence-"))
    for name in ("actors.csv", "attributes.csv", "layers.csv", "roles.yaml"):
        shutil.copy(folder / name, target / name)
    edges[~drop].to_csv(target / "edges.csv", index=False)
    return target


def presence_takeover(members: int, folder: Path = DATA_DIR) -> pd.DataFrame:
    """Patron takeover at week 104 after an incapacity, with and without presence."""
    region = load_region(folder)
    bare = _without_presence(folder, region)
    rows = []
    try:
        for label, data in (("with presence (region data)", region),
                            ("no troops, security tie or border", load_region(bare))):
            ctx = build_context(_scenario(105, members, [
                {"type": "leader_incapacitated", "week": 4, "mode": "natural"}], {}), data)
            holder = run_ensemble(ctx).holder[:, 104]
            rows.append({"case": label, "patron_takeover":
                         float((holder == HOLDER["patron_controlled"]).mean())})
    finally:
        shutil.rmtree(bare, ignore_errors=True)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Print the three tables."""
    parser = argparse.ArgumentParser(prog="python -m sim.analyses.experiments")
    parser.add_argument("--members", type=int, default=2000)
    args = parser.parse_args(argv)
    region = load_region()
    with pd.option_context("display.width", 120, "display.float_format", "{:.4f}".format):
        print("1. Calm succession (no split): peak fall of mean stability, % of baseline")
        print(calm_ripple(region, args.members).to_string(index=False))
        print("\n2. Protest waves: share of members by week 52")
        print(protest_outcomes(region, args.members).to_string(index=False))
        print("\n3. Patron takeover at week 104 after an incapacity at week 4")
        print(presence_takeover(args.members).to_string(index=False))


if __name__ == "__main__":
    main()
