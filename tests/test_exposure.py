"""Trade at stake in US$ bn: the region's trade rows times P(ruling group out)."""

import dataclasses

import pandas as pd
import pytest

from sim.outputs.exposure import bilateral_trade, exposure_frame


def _outcomes(focal: str, counts: dict[str, int], members: int = 200) -> pd.DataFrame:
    return pd.DataFrame([{"actor": focal, "outcome": o, "probability": n / members,
                          "ci_low": 0.0, "ci_high": 1.0, "count": n, "members": members}
                         for o, n in counts.items()])


def test_exposure_is_trade_times_the_chance_the_ruling_group_is_out(region):
    outcomes = _outcomes("BLR", {"regime_continues_new_leader": 150, "regime_change": 10,
                                 "rival_takeover": 30, "patron_takeover": 10})
    frame = exposure_frame(region, outcomes).set_index("actor")
    edges = pd.read_csv(region.folder / "edges.csv")
    trade = edges[(edges.layer == "trade") & ((edges.source == "BLR") | (edges.target == "BLR"))]
    assert set(frame.index) == (set(trade.source) | set(trade.target)) - {"BLR"}
    assert frame.loc["POL", "trade_with_focal_usd_bn"] == pytest.approx(2.9)
    assert frame.loc["POL", "p_ruling_group_out"] == pytest.approx(50 / 200)
    assert frame.loc["POL", "exposed_trade_usd_bn"] == pytest.approx(2.9 * 0.25)
    assert frame.loc["POL", "exposed_low_usd_bn"] < 2.9 * 0.25 < frame.loc[
        "POL", "exposed_high_usd_bn"]
    gdp = dict(zip(region.ids, region.attrs["gdp_usd_bn"], strict=True))
    assert frame.loc["RUS", "trade_share_of_gdp_pct"] == pytest.approx(100 * 30.5 / gdp["RUS"])


def test_no_trade_rows_no_exposure(region, tmp_path):
    bare = dataclasses.replace(region, folder=tmp_path)
    assert bilateral_trade(bare).empty
    assert exposure_frame(bare, _outcomes("BLR", {"regime_change": 1})).empty
