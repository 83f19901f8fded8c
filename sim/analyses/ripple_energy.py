"""Energy transit through the focal state, and how much of it is at stake.

``energy_transit.csv`` lists every transit flow of the region's ``units.csv`` (rows
whose quantity starts with ``gas_transit`` or ``oil_transit``: gas in bcm a year, oil
in Mt a year, with year, source and grade), its value in US$ bn a year where the data
give a price (oil), and the flow **at stake**: the flow times the chance that the focal
state's ruling group has lost power at the horizon, with that chance's 95% Wilson
interval carried over, as for trade (:mod:`sim.outputs.exposure`). A flow that is zero
(Yamal-Europe westward since 2022) is shown as zero, not left out. Like trade, an
exposure, not a forecast of flows cut: the model has no energy-flow model.
"""

from __future__ import annotations

import pandas as pd

from sim.analyses.ripple_units import units_rows
from sim.engines.stats import wilson_interval
from sim.outputs.exposure import LOST_POWER
from sim.regions.loader import Region

COLUMNS = ("actor", "flow", "volume", "unit", "year", "value_usd_bn", "p_ruling_group_out",
           "p_low", "p_high", "at_stake", "at_stake_low", "at_stake_high",
           "at_stake_usd_bn", "grade", "source", "note")
#: Human names of the transit rows.
FLOWS = {
    "gas_transit_westward_bcm": "gas westward to Europe (Yamal-Europe)",
    "gas_transit_kaliningrad_bcm": "gas to Kaliningrad (via Lithuania)",
    "oil_transit_druzhba_south_mt": "Russian crude, Druzhba south (to Slovakia, Hungary, "
                                    "Czech Rep.)",
    "oil_transit_druzhba_north_russian_mt": "Russian crude, Druzhba north (to Poland, Germany)",
    "oil_transit_druzhba_north_kazakh_mt": "Kazakh crude, Druzhba north (to Germany)",
    "oil_transit_cpc_kazakh_mt": "Kazakh crude, Caspian Pipeline Consortium (to Novorossiysk)",
}
OIL_PRICE = "oil_price_usd_per_t"


def p_ruling_group_out(region: Region, outcomes: pd.DataFrame) -> tuple[float, float, float]:
    """P(the focal ruling group lost power at the horizon) with its 95% Wilson interval."""
    focal = region.roles.focal
    hits = outcomes[(outcomes["actor"] == focal) & outcomes["outcome"].isin(LOST_POWER)]
    members = int(outcomes["members"].iloc[0]) if len(outcomes) else 0
    if not members:
        return 0.0, 0.0, 0.0
    count = int(hits["count"].sum())
    low, high = wilson_interval(count, members)
    return count / members, low, high


def energy_frame(region: Region, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per transit flow through the focal state (see the module docstring)."""
    rows = units_rows(region)
    focal = region.roles.focal
    flows = rows[(rows["actor"] == focal)
                 & rows["quantity"].str.match(r"^(gas|oil)_transit")]
    price = rows[(rows["actor"] == focal) & (rows["quantity"] == OIL_PRICE)]
    oil_price = float(price["value"].iloc[0]) if len(price) else float("nan")
    p, low, high = p_ruling_group_out(region, outcomes)
    out = []
    for r in flows.itertuples():
        # Mt/yr x 10^6 t/Mt x US$/t / 10^9 = US$ bn/yr, i.e. Mt x price / 1000.
        if r.value == 0.0:
            usd = 0.0  # no flow, no value: no price needed
        elif r.quantity.startswith("oil_"):
            usd = r.value * oil_price / 1000.0
        else:
            usd = float("nan")  # no gas price in the data: volume only
        out.append({"actor": focal, "flow": FLOWS.get(r.quantity, r.quantity),
                    "volume": r.value, "unit": r.unit, "year": r.year, "value_usd_bn": usd,
                    "p_ruling_group_out": p, "p_low": low, "p_high": high,
                    "at_stake": r.value * p, "at_stake_low": r.value * low,
                    "at_stake_high": r.value * high, "at_stake_usd_bn": usd * p,
                    "grade": r.grade, "source": r.source, "note": r.note})
    return pd.DataFrame(out, columns=list(COLUMNS))
