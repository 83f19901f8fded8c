"""Ripples in real units: people, US$ and troops converted from the model's indices."""

import numpy as np
import pandas as pd
import pytest
from conftest import INCAPACITY, make_context

from sim.analyses.ripple_anchor import USED, factor
from sim.analyses.ripple_energy import energy_frame
from sim.analyses.ripple_tables import summary_frames, troops_per_usd_bn
from sim.analyses.ripple_units import (
    OutflowRecorder,
    destination_shares,
    extra_milex_pct,
    milex_from_posture,
    people_members,
    posture_states,
)
from sim.analyses.ripple_units_compare import compare_units
from sim.engines.blocks import WeekRecord
from sim.engines.ensemble import run_ensemble
from sim.model.params import CONTEXT_ONLY, PARAMS
from sim.model.state import METRICS
from sim.regions.indicators import posture_from_milex

UNREST = METRICS.index("unrest")


# --- exact answers from degenerate inputs -------------------------------------------------
@pytest.mark.parametrize("x", [0.0, 0.4, 1.1, 2.7, 3.9, 5.39, 36.24])
def test_the_r5_inverse_round_trips(x):
    assert float(milex_from_posture(posture_from_milex(x))) == pytest.approx(x, rel=1e-12)
    p = posture_from_milex(x)
    assert posture_from_milex(float(milex_from_posture(p))) == pytest.approx(p, rel=1e-12)


def test_a_posture_at_or_below_baseline_is_no_extra_spending():
    p0 = posture_from_milex(2.7)
    assert extra_milex_pct(np.array([p0, p0 - 0.05, 0.0]), p0).tolist() == [0.0, 0.0, 0.0]
    assert float(extra_milex_pct(np.array([posture_from_milex(4.0)]), p0)[0]) == \
        pytest.approx(4.0 - 2.7)
    assert np.isinf(milex_from_posture(1.0))  # full posture: no finite spending


def test_factor_zero_gives_zero_people_and_exact_totals_otherwise():
    outflow = np.array([[0.0, 0.001, 0.002], [0.0, 0.0, 0.0]])  # million people per week
    zero = people_members(outflow, 0.0)
    assert zero["total"].tolist() == [0.0, 0.0] and zero["peak_week"].tolist() == [0.0, 0.0]
    half = people_members(outflow, 0.5)
    assert half["total"] == pytest.approx([1500.0, 0.0])
    assert half["peak_week"] == pytest.approx([1000.0, 0.0])


def _record(week, unrest_blr, ctx):
    snapshot = np.zeros((len(unrest_blr), len(METRICS), ctx.region.n))
    snapshot[:, UNREST, ctx.roles.focal] = unrest_blr
    return WeekRecord(week=week, snapshot=snapshot, holder=np.zeros(len(unrest_blr), np.int8),
                      events=[], incapacity_week=np.full(len(unrest_blr), -1),
                      incapacity_kind=np.zeros(len(unrest_blr), np.int8))


def test_the_recorder_is_the_refugee_rules_outflow_term(region):
    ctx = make_context(region)
    recorder = OutflowRecorder.of(ctx)
    u0 = recorder.unrest0
    recorder(_record(0, np.array([u0, u0 - 0.0005, u0 + 0.01]), ctx))
    focal = ctx.roles.focal
    expected = 0.01 * region.attrs["repression"][focal] * region.attrs["population_m"][focal]
    assert recorder.outflow()[:, 0] == pytest.approx([0.0, 0.0, expected])


def test_destinations_are_the_border_shares(region):
    ctx = make_context(region)
    shares = destination_shares(ctx)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["RUS"] == pytest.approx(1312 / 3599)
    assert "DEU" not in shares and "BLR" not in shares


def test_troops_per_dollar_read_personnel_over_the_r5_spending(region):
    ctx = make_context(region)
    from sim.analyses.ripple_units import units_rows

    pol = region.ids.index("POL")
    per_bn, year, source = troops_per_usd_bn(ctx, pol, units_rows(region))
    assert per_bn == pytest.approx(164_100 / (0.039 * 811.2), rel=1e-3)
    assert year == "2023" and "IISS" in source
    ukr = region.ids.index("UKR")  # no personnel row: no troops, never a made-up figure
    assert np.isnan(troops_per_usd_bn(ctx, ukr, units_rows(region))[0])


def test_only_states_whose_posture_can_move_are_converted(region):
    ctx = make_context(region)
    assert {region.ids[a] for a in posture_states(ctx)} == {"RUS", "POL", "LTU", "LVA", "EST"}


def test_stopped_energy_flows_show_zero_and_the_rest_scale_with_the_chance(region):
    outcomes = pd.DataFrame([{"actor": "BLR", "outcome": o, "count": n, "members": 200,
                              "probability": n / 200, "ci_low": 0, "ci_high": 1}
                             for o, n in (("regime_change", 20), ("rival_takeover", 30),
                                          ("regime_continues_new_leader", 150))])
    frame = energy_frame(region, outcomes).set_index("flow")
    yamal = frame.loc["gas westward to Europe (Yamal-Europe)"]
    assert yamal["volume"] == 0 and yamal["at_stake"] == 0 and yamal["value_usd_bn"] == 0
    south = frame.loc[[f for f in frame.index if "Druzhba south" in f][0]]
    assert south["at_stake"] == pytest.approx(south["volume"] * 0.25)
    assert south["value_usd_bn"] == pytest.approx(south["volume"] * 601 / 1000)


def test_identical_sides_compare_to_zero(tmp_path):
    members = pd.DataFrame({"member": [0, 1, 2], "people_total": [1.0, 5.0, 9.0],
                            "people_peak_week": [0.1, 0.5, 0.9],
                            "POL_milex_usd_bn_peak": [0.0, 1.0, 2.0]})
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        members.to_csv(tmp_path / side / "ripple_units_members.csv", index=False)
    table = compare_units(tmp_path / "a", tmp_path / "b", True, "BLR")
    assert (table[["diff_median", "diff_p05", "diff_p95"]] == 0).all().all()
    assert table.loc[0, "actor"] == "BLR" and table.loc[2, "unit"] == "US$ bn/yr"
    assert compare_units(tmp_path / "a", tmp_path / "missing", True) is None


def test_the_conversion_factors_are_never_varied_by_a_design():
    for name in ("emigration_per_protest_week", "troops_marginal_share"):
        assert name in PARAMS and name in CONTEXT_ONLY


# --- the anchor ---------------------------------------------------------------------------
def test_the_declared_factor_is_the_belarus_2020_anchor():
    from sim.analyses.ripple_anchor import repressed_protest

    q = float(np.median(repressed_protest(USED.episode, members=300)))
    assert factor(USED.people, q) == pytest.approx(
        PARAMS["emigration_per_protest_week"].default, rel=0.05)
    low, high = PARAMS["emigration_per_protest_week"].plausible
    assert factor(USED.low, q) == pytest.approx(low, rel=0.05)
    assert factor(USED.high, q) == pytest.approx(high, rel=0.05)


# --- direction of effect ------------------------------------------------------------------
def test_an_incapacity_sends_more_people_and_raises_more_spending_than_the_status_quo(region):
    tables = {}
    for label, events in (("quo", []), ("incapacity", INCAPACITY)):
        ctx = make_context(region, weeks=40, members=120, seed=5, events=events,
                           parameters={"health_risk_multiplier": 0.0})
        recorder = OutflowRecorder.of(ctx)
        result = run_ensemble(ctx, on_week=recorder, progress=False)
        summary, weekly, members = summary_frames(ctx, result, recorder.outflow())
        tables[label] = summary.set_index(["kind", "actor", "when", "unit"])
        cumulative = weekly[weekly.kind == "people"]["median"].to_numpy()
        assert (np.diff(cumulative) >= 0).all()  # people who have left never decrease
    quo, inc = tables["quo"], tables["incapacity"]
    people = ("people", "BLR", "by the horizon", "people")
    assert inc.loc[people, "median"] > quo.loc[people, "median"] >= 0
    spend = ("spending", "POL", "peak", "US$ bn/yr")
    assert inc.loc[spend, "median"] > quo.loc[spend, "median"] >= 0
    troops = ("troops", "LTU", "peak", "troops")
    assert inc.loc[troops, "median_factor_high"] > inc.loc[troops, "median_factor_low"]


# --- end to end ---------------------------------------------------------------------------
def test_the_incapacity_run_writes_the_real_units_table(results_dir):
    from sim.cli import main
    from sim.paths import result_folder_name

    assert main(["run", "incapacity", "--members", "40", "--weeks", "20", "--quiet",
                 "--no-charts", "--workers", "1"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 40, "weeks": 20})
    summary = pd.read_csv(folder / "ripple_units.csv")
    assert {"people", "spending", "troops"} <= set(summary["kind"])
    assert summary[["unit", "year", "source"]].notna().all().all()
    assert len(pd.read_csv(folder / "ripple_units_members.csv")) == 40
    weekly = pd.read_csv(folder / "ripple_units_weekly.csv")
    assert set(weekly["week"]) == set(range(21))
    html = (folder / "report.html").read_text()
    assert "Ripples in real units" in html and "order of magnitude, not measurements" in html
    assert "Energy transit through Belarus" in html
    assert "by week 13" in html and "by week 26" not in html  # the path, within 20 weeks
    total = summary[(summary.kind == "people") & (summary.actor == "BLR")
                    & (summary.when == "by the horizon")].iloc[0]
    from sim.outputs.report import _sig

    assert _sig(total["median"]) in html


# --- bad input ----------------------------------------------------------------------------
HEADER = "actor,quantity,value,unit,year,source,grade,note\n"


@pytest.mark.parametrize("row, field, says", [
    ("POL,active_personnel,many,troops,2023,IISS,recalled,", "line 2, value", "not a number"),
    ("POL,active_personnel,-5,troops,2023,IISS,recalled,", "line 2, value", ">= 0"),
    ("XXX,active_personnel,5,troops,2023,IISS,recalled,", "line 2, actor", "not an actor"),
    ("POL,tanks,5,tanks,2023,IISS,recalled,", "line 2, quantity", "gas_transit_<name>"),
    ("POL,active_personnel,5,troops,2023,IISS,guessed,", "line 2, grade", "sourced"),
    ("POL,active_personnel,5,troops,2023,,recalled,", "line 2, source", "empty"),
])
def test_a_bad_units_table_is_refused_naming_file_line_and_field(region, tmp_path, row, field,
                                                                 says):
    import dataclasses

    from sim.analyses.ripple_units import units_rows
    from sim.regions.loader import DataError

    (tmp_path / "units.csv").write_text(HEADER + row + "\n")
    bare = dataclasses.replace(region, folder=tmp_path)
    with pytest.raises(DataError) as caught:
        units_rows(bare)
    assert caught.value.origin.endswith("units.csv") and caught.value.field == field
    assert says in caught.value.message


def test_a_missing_column_is_refused_and_no_table_is_no_rows(region, tmp_path):
    import dataclasses

    from sim.analyses.ripple_units import units_rows
    from sim.regions.loader import DataError

    bare = dataclasses.replace(region, folder=tmp_path)
    assert units_rows(bare).empty  # a region without units.csv: no troops, no energy rows
    (tmp_path / "units.csv").write_text("actor,quantity,value\nPOL,active_personnel,5\n")
    with pytest.raises(DataError, match="missing column"):
        units_rows(bare)


def test_the_compare_console_prints_the_largest_real_unit_ripples(tmp_path):
    from sim.outputs.summary import compare_summary

    pd.DataFrame({"outcome": ["regime_and_leader_continue"], "actor": ["BLR"],
                  "paired": [True], "probability_a": [0.9], "probability_b": [0.1],
                  "diff": [-0.8], "ci_low": [-0.85], "ci_high": [-0.75]}).to_csv(
        tmp_path / "outcomes.csv", index=False)
    pd.DataFrame({"actor": ["BLR", "RUS", "RUS"],
                  "quantity": ["people who have left Belarus", "extra military spending",
                               "extra troops the spending pays"],
                  "when": ["by the horizon", "peak", "peak"],
                  "unit": ["people", "US$ bn/yr", "troops"],
                  "median_a": [1800, 0.1, 10], "median_b": [31000, 28.0, 140000],
                  "diff_median": [28000, 27.9, 139990], "diff_p05": [9700, 1.0, 50],
                  "diff_p95": [140000, 300.0, 1e6], "paired": [True] * 3}).to_csv(
        tmp_path / "ripple_units.csv", index=False)
    text = compare_summary(tmp_path)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("ripples in real units"))
    assert "people who have left Belarus" in lines[start + 1] and "+28,000" in lines[start + 1]
    assert "US$ bn/yr" in lines[start + 2] and "troops" not in text.split("ripples")[1]
