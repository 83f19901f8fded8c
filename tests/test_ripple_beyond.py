"""Members beyond the data: a spending or troops figure resting on them is marked, else not.

R5's inverse (x = 4p/(1-p)) is unbounded as a posture nears 1; a percentile that rests on
members whose posture rises above the highest in the region's data is shown as the bound
the data support, everywhere the figures are shown (CSV, consoles, reports, dashboard).
"""

import numpy as np
import pandas as pd
import pytest
from conftest import INCAPACITY, make_context

from sim.analyses.ripple_beyond import (
    Bounds,
    ceiling,
    difference_bounds,
    flagged,
    level_bounds,
    limit_pct,
    percentile,
    shown,
)
from sim.analyses.ripple_tables import summary_frames
from sim.analyses.ripple_units import OutflowRecorder, milex_from_posture
from sim.analyses.ripple_units_compare import compare_units
from sim.engines.ensemble import run_ensemble
from sim.engines.stats import STAT_NAMES
from sim.model.state import METRICS

POSTURE = METRICS.index("posture")


# --- exact answers from degenerate inputs -------------------------------------------------
@pytest.mark.parametrize("q", [0.0, 5.0, 37.5, 50.0, 95.0, 100.0])
def test_the_percentile_is_numpys_on_finite_values(q):
    values = np.random.default_rng(3).lognormal(size=101)
    assert percentile(values, q) == float(np.percentile(values, q))  # same bits


def test_a_percentile_touching_an_unbounded_member_is_infinite():
    values = np.array([1.0, 2.0, 3.0, 4.0, np.inf])
    assert percentile(values, 75.0) == 4.0          # position 3 exactly: not touched
    assert percentile(values, 76.0) == np.inf       # interpolates toward the member
    assert percentile(-values, 24.0) == -np.inf
    assert percentile(np.array([-np.inf, 1.0, 2.0, 3.0, np.inf]), 50.0) == 2.0


def test_no_member_beyond_the_data_marks_nothing():
    values = np.linspace(0.0, 9.0, 100)
    for q in (5.0, 50.0, 95.0):
        bounds = level_bounds(values, np.zeros(100, bool), 10.0, q)
        assert not bounds.beyond
        assert bounds.at_least == bounds.at_most == float(np.percentile(values, q))


def test_every_member_beyond_the_data_marks_every_percentile_at_the_limit():
    values = np.linspace(20.0, 5000.0, 100)  # all converted past the limit
    for q in (5.0, 50.0, 95.0):
        assert level_bounds(values, np.ones(100, bool), 10.0, q) == Bounds(10.0, np.inf)


@pytest.mark.parametrize("count, marked", [(0, set()), (1, set()), (4, set()),
                                           (5, {95.0}), (10, {95.0}), (49, {95.0}),
                                           (50, {50.0, 95.0}), (94, {50.0, 95.0}),
                                           (95, {5.0, 50.0, 95.0})])
def test_a_percentile_is_marked_exactly_when_it_rests_on_members_beyond(count, marked):
    # 100 members: the top `count` (sorted positions 100 - count to 99) beyond the data.
    # The 95th percentile interpolates positions 94 and 95, so it rests on them from 5
    # members on; the median (49.5: positions 49 and 50) from 50; the 5th (4.95: 4 and 5)
    # from 95.
    values = np.arange(100.0)
    beyond = values >= 100 - count
    values = np.where(beyond, 1000.0 + values, values)  # the extrapolation, past the limit
    got = {q for q in (5.0, 50.0, 95.0) if level_bounds(values, beyond, 100.0, q).beyond}
    assert got == marked
    for q in marked:
        low = level_bounds(values, beyond, 100.0, q).at_least
        assert low <= 100.0 and low == float(np.percentile(np.minimum(values, 100.0), q))


def test_differences_are_bounded_on_the_side_the_data_allow():
    xa = np.zeros(20)
    xb = np.arange(20.0)
    none = np.zeros(20, bool)
    top = np.arange(20) >= 18                     # B beyond the data in 2 of 20 members
    # No member beyond: the figure itself, both bounds equal to it.
    plain = difference_bounds(xa, xb, none, none, 50.0, 50.0, 95.0)
    assert plain == Bounds(float(np.percentile(xb, 95.0)), float(np.percentile(xb, 95.0)))
    # B beyond in its top members: the 95th percentile (position 18.05) rests on them and
    # is at least the limit minus A's value; the median does not.
    high = difference_bounds(xa, np.where(top, 900.0, xb), none, top, 50.0, 50.0, 95.0)
    assert high.beyond and high.at_most == np.inf and high.at_least == pytest.approx(50.0)
    assert not difference_bounds(xa, np.where(top, 900.0, xb), none, top, 50.0, 50.0,
                                 50.0).beyond
    # A beyond where B is not: the difference is at most B's value minus A's limit.
    low = difference_bounds(np.where(top, 900.0, 0.0), np.zeros(20), top, none, 50.0, 50.0,
                            5.0)
    assert low.at_least == -np.inf and low.at_most == pytest.approx(-50.0)
    # Beyond on both sides in every member: nothing bounds it.
    both = difference_bounds(xa, xb, ~none, ~none, 50.0, 50.0, 50.0)
    assert both == Bounds(-np.inf, np.inf)


def test_the_text_is_the_figure_or_its_bound():
    f = "{:+,.0f}".format
    assert shown(27.7, 27.7, 27.7, f) == "+28"
    assert shown(5706.0, 596.0, np.inf, f) == "> +596"
    assert shown(-900.0, -np.inf, -50.0, f) == "< -50"
    assert shown(1.0, -np.inf, np.inf, f) == "beyond the data"
    assert shown(6.0, 5.9, 6.2, f) == "+6"        # bounded both sides: the figure
    assert shown(float("nan"), float("nan"), float("nan"), str) == "nan"
    assert [flagged(v) for v in ("True", "False", np.False_, float("nan"))] == [
        True, False, False, False]


def test_the_ceiling_is_the_regions_highest_recorded_posture(region):
    ctx = make_context(region)
    top = ceiling(ctx)
    assert top.actor == "UKR" and top.posture == pytest.approx(0.9006)
    assert top.milex_pct == pytest.approx(36.24, abs=0.01)
    assert "36% of GDP" in top.words() and "UKR" in top.words()
    rus = float(ctx.baseline["posture0"][region.ids.index("RUS")])
    assert limit_pct(top, rus) == pytest.approx(36.24 - 5.39, abs=0.02)
    assert limit_pct(top, 0.95) == 0.0   # a state above the ceiling: no extra at it


# --- the run's tables: the marks follow the members, and only them ------------------------
def _frames(region, rus_peak: np.ndarray, week_p95: int | None = None):
    ctx = make_context(region, weeks=8, members=40, seed=5, events=INCAPACITY)
    recorder = OutflowRecorder.of(ctx)
    result = run_ensemble(ctx, on_week=recorder, progress=False)
    result.high[:, POSTURE, region.ids.index("RUS")] = rus_peak
    if week_p95 is not None:  # the weekly band's 95th percentile beyond the ceiling
        result.quantiles[week_p95, POSTURE, STAT_NAMES.index("p95"),
                         region.ids.index("RUS")] = 0.95
    summary, weekly, members = summary_frames(ctx, result, recorder.outflow())
    return ctx, summary, weekly, members


def test_the_run_table_marks_exactly_the_rows_whose_members_pass_the_data(region):
    rus = region.ids.index("RUS")
    # 36 members at baseline, 4 beyond the ceiling (0.95 > UKR's 0.9006): 10% beyond.
    peak = np.full(40, 0.6)
    peak[-4:] = 0.95
    ctx, summary, _, members = _frames(region, peak)
    top = ceiling(ctx)
    rows = summary.set_index(["kind", "actor", "when", "unit"])
    usd = rows.loc[("spending", "RUS", "peak", "US$ bn/yr")]
    gdp = float(region.attrs["gdp_usd_bn"][rus])
    limit = limit_pct(top, float(ctx.baseline["posture0"][rus])) / 100 * gdp
    assert usd["share_beyond_data"] == pytest.approx(0.1)
    assert usd["p95_beyond_data"] and not usd["median_beyond_data"]
    assert not usd["p05_beyond_data"]
    assert usd["data_limit"] == pytest.approx(limit)
    assert usd["p95_at_least"] == pytest.approx(limit)       # both neighbours beyond
    x95 = float(milex_from_posture(0.95) - milex_from_posture(ctx.baseline["posture0"][rus]))
    assert usd["p95"] == pytest.approx(x95 / 100 * gdp)      # the extrapolation, kept
    assert usd["median_at_least"] == usd["median"]
    assert "36% of GDP" in usd["highest_recorded"]
    troops = rows.loc[("troops", "RUS", "peak", "troops")]
    assert troops["p95_beyond_data"] and troops["p95_at_least"] < troops["p95"]
    assert members["RUS_beyond_data_peak"].sum() == 4
    # Nothing else passes the data: no other row is marked.
    others = summary.drop(index=summary.index[(summary.actor == "RUS")
                                              & (summary["when"] == "peak")])
    assert not others[["p05_beyond_data", "median_beyond_data", "p95_beyond_data"]].any().any()
    people = summary[summary.kind == "people"]
    assert (people["median_at_least"] == people["median"]).all()


def test_the_weekly_table_marks_the_weeks_whose_band_passes_the_data(region):
    _, _, weekly, _ = _frames(region, np.full(40, 0.6), week_p95=6)
    spending = weekly[weekly.kind != "people"]
    marked = spending[spending["p95_beyond_data"]]
    assert set(marked["week"]) == {6} and set(marked["actor"]) == {"RUS"}
    assert len(marked) == 3                       # % of GDP, US$ and troops
    assert (marked["p95"] > marked["data_limit"]).all()
    assert not spending[["p05_beyond_data", "median_beyond_data"]].any().any()


@pytest.mark.parametrize("count, marked", [(1, False), (2, True)])
def test_one_member_beyond_is_counted_but_marks_nothing(region, count, marked):
    # 40 members: the 95th percentile (position 37.05) interpolates sorted positions 37
    # and 38, so the top member alone leaves it alone, and the top two do not.
    peak = np.full(40, 0.6)
    peak[-count:] = 0.95
    _, summary, _, _ = _frames(region, peak)
    usd = summary[(summary.actor == "RUS") & (summary["when"] == "peak")
                  & (summary.unit == "US$ bn/yr")].iloc[0]
    assert usd["share_beyond_data"] == pytest.approx(count / 40)
    assert usd["p95_beyond_data"] == marked
    assert (usd["p95_at_least"] == usd["p95"]) != marked


# --- the comparison ----------------------------------------------------------------------
def _side(folder, usd, beyond, limit=600.0):
    folder.mkdir()
    pd.DataFrame({"member": range(len(usd)), "people_total": np.ones(len(usd)),
                  "RUS_milex_usd_bn_peak": usd, "RUS_beyond_data_peak": beyond}).to_csv(
        folder / "ripple_units_members.csv", index=False)
    pd.DataFrame({"actor": ["RUS"], "when": ["peak"], "unit": ["US$ bn/yr"],
                  "data_limit": [limit], "highest_recorded": ["above 36% of GDP in all"]}
                 ).to_csv(folder / "ripple_units.csv", index=False)


def test_the_comparison_marks_exactly_the_differences_resting_on_members_beyond(tmp_path):
    a = np.full(20, 28.0)
    b = np.full(20, 28.0)
    b[-2:] = 5000.0                                   # B beyond the data in 2 of 20
    _side(tmp_path / "a", a, np.zeros(20, bool))
    _side(tmp_path / "b", b, b > 600.0)
    table = compare_units(tmp_path / "a", tmp_path / "b", True, "BLR").set_index("actor")
    rus = table.loc["RUS"]
    assert rus["share_beyond_data"] == pytest.approx(0.1)
    assert rus["diff_p95_beyond_data"] and rus["diff_p95_at_most"] == np.inf
    assert rus["diff_p95_at_least"] == pytest.approx(600.0 - 28.0)
    assert not rus["diff_median_beyond_data"] and not rus["diff_p05_beyond_data"]
    assert not rus["median_a_beyond_data"] and not rus["median_b_beyond_data"]
    assert rus["diff_p95"] > 4000                     # the extrapolation stays in its column
    assert not table.loc["BLR"]["diff_p95_beyond_data"]
    assert rus["highest_recorded"] == "above 36% of GDP in all"


def test_the_comparison_of_members_within_the_data_marks_nothing(tmp_path):
    a = np.linspace(0.0, 30.0, 20)
    _side(tmp_path / "a", a, np.zeros(20, bool))
    _side(tmp_path / "b", a + 1.0, np.zeros(20, bool))
    rus = compare_units(tmp_path / "a", tmp_path / "b", True, "BLR").iloc[-1]
    assert rus["share_beyond_data"] == 0.0
    for q in ("median", "p05", "p95"):
        assert not rus[f"diff_{q}_beyond_data"]
        assert rus[f"diff_{q}_at_least"] == rus[f"diff_{q}_at_most"] == rus[f"diff_{q}"]


def _compare_folder(tmp_path, at_least, at_most, p95=2430.0):
    pd.DataFrame({"outcome": ["regime_and_leader_continue"], "actor": ["BLR"],
                  "paired": [True], "probability_a": [0.9], "probability_b": [0.1],
                  "diff": [-0.8], "ci_low": [-0.85], "ci_high": [-0.75]}).to_csv(
        tmp_path / "outcomes.csv", index=False)
    beyond = at_least != at_most
    pd.DataFrame({"actor": ["RUS"], "quantity": ["extra military spending"],
                  "when": ["peak"], "unit": ["US$ bn/yr"], "median_a": [27.7],
                  "median_b": [27.8], "diff_median": [0.1], "diff_p05": [0.0],
                  "diff_p95": [p95], "paired": [True], "share_beyond_data": [0.099],
                  "median_a_beyond_data": [False], "median_b_beyond_data": [False],
                  "diff_median_beyond_data": [False], "diff_p05_beyond_data": [False],
                  "diff_p95_beyond_data": [beyond], "median_a_at_least": [27.7],
                  "median_b_at_least": [27.8], "diff_median_at_least": [0.1],
                  "diff_median_at_most": [0.1], "diff_p05_at_least": [0.0],
                  "diff_p05_at_most": [0.0], "diff_p95_at_least": [at_least],
                  "diff_p95_at_most": [at_most],
                  "highest_recorded": ["above 36% of GDP in all (UKR)"]}).to_csv(
        tmp_path / "ripple_units.csv", index=False)


def test_the_compare_console_says_when_an_end_is_beyond_the_data(tmp_path):
    from sim.outputs.summary import compare_summary

    _compare_folder(tmp_path, 596.0, np.inf)
    text = compare_summary(tmp_path)
    line = next(x for x in text.splitlines() if x.startswith("  RUS"))
    assert "(0.00 to > +596)*" in line and "2,430" not in text
    assert "beyond any recorded spending" in text and "above 36% of GDP in all" in text
    assert "RUS 9.9%" in text


def test_the_compare_console_marks_nothing_within_the_data(tmp_path):
    from sim.outputs.summary import compare_summary

    _compare_folder(tmp_path, 24.0, 24.0, p95=24.0)
    text = compare_summary(tmp_path)
    assert "(0.00 to +24)" in text and "*" not in text and "beyond any" not in text


def test_the_compare_report_shows_the_bound(tmp_path):
    from sim.outputs.compare_report import _units_difference

    _compare_folder(tmp_path, 596.0, np.inf)
    row = _units_difference(tmp_path)[0]
    assert row["range"] == "0 to > +600" and "9.9% of members" in row["beyond"]
    _compare_folder(tmp_path, 24.0, 24.0, p95=24.0)
    row = _units_difference(tmp_path)[0]
    assert row["range"] == "0 to +24" and row["beyond"] == ""


# --- the run's readers: report, narrative, dashboard --------------------------------------
def _run_units(tmp_path, beyond: bool):
    row = {"kind": "spending", "actor": "RUS", "name": "Russia",
           "quantity": "extra military spending", "when": "peak", "unit": "US$ bn/yr",
           "median": 27.7, "p05": 27.7, "p95": 5706.0, "median_factor_low": np.nan,
           "median_factor_high": np.nan, "factor": "", "share_beyond_data": 0.099,
           "year": 2023, "source": "R5", "data_limit": 623.5, "p05_beyond_data": False,
           "median_beyond_data": False, "p95_beyond_data": beyond, "p05_at_least": 27.7,
           "median_at_least": 27.7, "p95_at_least": 623.5 if beyond else 5706.0,
           "highest_recorded": "above 36% of GDP in all (the highest in the region's data: "
                               "UKR)"}
    pd.DataFrame([row]).to_csv(tmp_path / "ripple_units.csv", index=False)


@pytest.mark.parametrize("beyond", [True, False])
def test_the_narrative_and_the_dashboard_say_more_than_only_beyond_the_data(results_dir,
                                                                           beyond):
    from sim.dashboard import ripples_data
    from sim.outputs.narrative import _ripple_sentences

    folder = results_dir / "u"
    folder.mkdir(parents=True)
    _run_units(folder, beyond)
    sentence = _ripple_sentences(folder, "Belarus", 104)[0]
    card = ripples_data.real_units(folder)[0]
    if beyond:
        assert "(28 to more than 620); 'more than' marks a bound" in sentence
        assert "9.9% of members would spend above 36% of GDP" in sentence
        assert "5,700" not in sentence
        assert card["range"] == "27.70 to > 623.50" and "9.9% of members" in card["beyond"]
    else:
        assert "(28 to 5,700)" in sentence and "more than" not in sentence
        assert card["range"] == "27.70 to 5,706.00" and card["beyond"] == ""


def test_the_workbook_writes_an_unbounded_figure_as_inf_not_an_error(tmp_path):
    import openpyxl

    from sim.outputs.workbook import write_workbook

    pd.DataFrame({"diff_p95_at_least": [596.0, 3.0], "diff_p95_at_most": [np.inf, 3.0],
                  "diff_p05_at_least": [-np.inf, 1.0]}).to_csv(
        tmp_path / "ripple_units.csv", index=False)
    sheet = openpyxl.load_workbook(write_workbook(tmp_path))["ripple_units"]
    assert [c.value for c in sheet[2]] == [596, "inf", "-inf"]
    assert [c.value for c in sheet[3]] == [3, 3, 1]


def test_percentile_with_infinities_equals_a_huge_stand_in_in_any_order():
    """Invariant: an infinite member behaves as a value beyond every finite one, whatever
    the input order (the first version read the finite extremes off the wrong rows)."""
    from sim.analyses.ripple_beyond import percentile

    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(3, 40))
        values = rng.normal(size=n)
        ups = rng.random(n) < 0.15
        values[ups] = np.inf
        q = float(rng.uniform(0, 100))
        stand_in = np.where(ups, 1e12, values)
        got, want = percentile(values, q), float(np.percentile(stand_in, q))
        if want < 1e6:        # the percentile touches no infinite member
            assert got == pytest.approx(want, abs=1e-12), (values, q)
        else:
            assert got == np.inf
