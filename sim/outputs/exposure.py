"""Ripples in real units, first part: the trade each state has at stake, in US$ bn.

``trade_exposure.csv`` sets, for every state of the region but the focal one, its
annual goods trade with the focal state (the region's ``trade`` rows, US$ bn, both
directions, with year and source as the data give them), that trade as a share of
the state's GDP (``gdp_usd_bn``), and the **exposure**: that trade times the chance that
the focal state's ruling group has lost power at the horizon (to the opposition, rival
officers or a patron; class C of the backtests), with the chance's 95% Wilson interval
carried over. It is an exposure, not a forecast of trade lost: the model has no
trade-flow model, and a change of rulers need not cut trade (``docs/model.md`` 12).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.engines.stats import wilson_interval
from sim.regions.loader import Region

#: Focal outcomes in which the ruling group has lost power (backtest class C).
LOST_POWER = ("regime_change", "rival_takeover", "patron_takeover")
COLUMNS = ("actor", "name", "trade_with_focal_usd_bn", "trade_year", "trade_source",
           "trade_share_of_gdp_pct", "p_ruling_group_out", "p_low", "p_high",
           "exposed_trade_usd_bn", "exposed_low_usd_bn", "exposed_high_usd_bn")


def bilateral_trade(region: Region) -> pd.DataFrame:
    """Trade rows between the focal state and each partner: value (US$ bn), year, source."""
    path = Path(region.folder) / "edges.csv"
    if not path.is_file():  # a region built in code (benchmarks) has no tables
        return pd.DataFrame(columns=["actor", "value", "year", "source"])
    edges = pd.read_csv(path, dtype=str, keep_default_na=False)
    focal = region.roles.focal
    rows = edges[(edges["layer"] == "trade") & (edges["unit"] == "US$ bn")
                 & ((edges["source"] == focal) | (edges["target"] == focal))]
    out = []
    for r in rows.itertuples():
        partner = r.target if r.source == focal else r.source
        out.append({"actor": partner, "value": float(r.value), "year": r.year,
                    "source": r.source_ref})
    frame = pd.DataFrame(out, columns=["actor", "value", "year", "source"])
    if frame.empty:
        return frame
    return frame.groupby("actor", as_index=False).agg(
        value=("value", "sum"), year=("year", lambda y: "/".join(sorted(set(y)))),
        source=("source", lambda s: "; ".join(sorted(set(s)))))


def exposure_frame(region: Region, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per partner state with trade data (see the module docstring)."""
    focal = region.roles.focal
    hits = outcomes[(outcomes["actor"] == focal) & outcomes["outcome"].isin(LOST_POWER)]
    members = int(outcomes["members"].iloc[0]) if len(outcomes) else 0
    count = int(hits["count"].sum())
    p = count / members if members else 0.0
    low, high = wilson_interval(count, members) if members else (0.0, 0.0)
    trade = bilateral_trade(region).set_index("actor")
    names = dict(zip(region.ids, region.names, strict=True))
    gdp = dict(zip(region.ids, region.attrs["gdp_usd_bn"], strict=True))
    rows = []
    for actor in region.ids:
        if actor == focal or actor not in trade.index:
            continue
        t = trade.loc[actor]
        rows.append({"actor": actor, "name": names[actor],
                     "trade_with_focal_usd_bn": t["value"], "trade_year": t["year"],
                     "trade_source": t["source"],
                     "trade_share_of_gdp_pct": 100 * t["value"] / gdp[actor] if gdp[actor] else
                     float("nan"),
                     "p_ruling_group_out": p, "p_low": low, "p_high": high,
                     "exposed_trade_usd_bn": t["value"] * p,
                     "exposed_low_usd_bn": t["value"] * low,
                     "exposed_high_usd_bn": t["value"] * high})
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.sort_values("trade_with_focal_usd_bn", ascending=False, ignore_index=True)
