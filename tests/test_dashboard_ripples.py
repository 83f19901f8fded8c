"""The Results page's analyst cards and the compare-by-folder rules, without a browser.

Readers of ``charts/map.png``, ``signposts.csv``, ``outcomes_conditioned.csv`` (with
``observations.csv``), ``trade_exposure.csv`` and the narrative: None when the file is
absent, the numbers of a hand-made file exactly, and a :class:`BrokenFolder` naming the
file (never a server path) when it is truncated, linked or of the wrong shape. Then the
pairing and refusal rules of the Compare page's two-runs mode.
"""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from sim import paths
from sim.dashboard import compare_data, data, ripples_data
from sim.dashboard.data import BrokenFolder


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small real run with charts and report (60 members, 30 weeks)."""
    from sim import api

    root = tmp_path_factory.mktemp("ripples") / "results"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "RESULTS_DIR", root)
        api.run("incapacity", members=60, weeks=30, charts=True, report=True)
    return root / "incapacity__members-60_weeks-30"


@pytest.fixture()
def run_copy(small_run, results_dir):
    folder = results_dir / small_run.name
    shutil.copytree(small_run, folder)
    return folder


def _truncate(path, share: float = 0.5) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * share)])


def _no_path(exc: BaseException, folder) -> None:
    assert str(folder.parent) not in str(exc)


# ---------------------------------------------------------------- absent files: no card

def test_absent_files_give_no_card(run_copy):
    for name in ("signposts.csv", "trade_exposure.csv", "charts/map.png"):
        (run_copy / name).unlink()
    assert ripples_data.map_png(run_copy) is None
    assert ripples_data.signposts(run_copy) is None
    assert ripples_data.trade_exposure(run_copy) is None
    # a run without observations wrote no conditioned outcomes
    assert not (run_copy / "outcomes_conditioned.csv").exists()
    assert ripples_data.watched(run_copy, "BLR") is None


# ---------------------------------------------------------------- the map

def test_map_is_a_complete_png_or_an_error(run_copy):
    raw = ripples_data.map_png(run_copy)
    assert raw == (run_copy / "charts" / "map.png").read_bytes()
    _truncate(run_copy / "charts" / "map.png")
    with pytest.raises(BrokenFolder, match="charts/map.png is not a complete PNG") as info:
        ripples_data.map_png(run_copy)
    _no_path(info.value, run_copy)


def test_linked_map_is_not_read(run_copy, tmp_path):
    other = tmp_path / "elsewhere.png"
    shutil.copy(run_copy / "charts" / "map.png", other)
    (run_copy / "charts" / "map.png").unlink()
    (run_copy / "charts" / "map.png").symlink_to(other)
    with pytest.raises(BrokenFolder, match="not a regular file"):
        ripples_data.map_png(run_copy)


# ---------------------------------------------------------------- signposts

SIGNPOST_HEADER = ("signpost,week,description,outcome,members,seen_count,seen_share,"
                   "seen_after_split,probability,p_seen,p_seen_low,p_seen_high,p_not_seen,"
                   "p_not_seen_low,p_not_seen_high,shift\n")


def test_signposts_in_words_exactly(results_dir):
    folder = results_dir / "t"
    folder.mkdir(parents=True)
    # 100 members: seen in 40 (30 of them regime change), not seen in 60 (6 of them);
    # a rare signpost (5 members seen) is not ranked.
    (folder / "signposts.csv").write_text(
        SIGNPOST_HEADER
        + "crowd,8,a crowd by week 8,regime_change,100,40,0.4,0.25,0.36,0.75,0.6,0.86,"
          "0.1,0.05,0.2,0.39\n"
        + "crowd,8,a crowd by week 8,contested,100,40,0.4,0.25,0.1,0.1,0.04,0.23,0.1,"
          "0.05,0.2,0\n"
        + "rare,8,a rare thing,regime_change,100,5,0.05,1,0.36,1,0.57,1,0.33,0.24,0.43,"
          "0.64\n"
        + "rare,8,a rare thing,contested,100,5,0.05,1,0.1,0,0,0.43,0.105,0.05,0.2,-0.1\n")
    found = ripples_data.signposts(folder, patron="Russia")
    assert (found.signposts, found.usable) == (2, 1)
    (row,) = found.rows
    assert row["sentence"] == ("If you see a crowd by week 8 (seen in 40.0% of members), "
                               "P(Regime change (opposition)) goes from 36.0% to 75.0% "
                               "(95% interval 60.0-86.0%); if not, 10.0%.")
    assert (row["seen_n"], row["if_not_interval"], row["after_split"]) == (
        "40/100", "5.0-20.0%", "25.0%")


def test_signposts_of_a_real_run_match_the_file(run_copy):
    from sim.analyses.signposts import strongest

    found = ripples_data.signposts(run_copy)
    top = strongest(pd.read_csv(run_copy / "signposts.csv"), ripples_data.SHOWN_SIGNPOSTS)
    assert [r["description"] for r in found.rows] == list(top["description"])
    assert [r["if_seen"] for r in found.rows] == [data.pct(p) for p in top["p_seen"]]


@pytest.mark.parametrize("how, message", [
    ("truncate", "signposts.csv is truncated (its last line is cut)"),
    ("cut_at_line_end", "signposts.csv: a signpost lacks some outcome rows"),
    ("drop_column", "signposts.csv lacks the column(s) p_seen"),
    ("empty", "signposts.csv is empty"),
    ("text", "signposts.csv: probability has values that are not numbers"),
])
def test_broken_signposts_name_the_file(run_copy, how, message):
    path = run_copy / "signposts.csv"
    if how == "truncate":
        _truncate(path, 0.5)
        path.write_text(path.read_text().rstrip("\n"))
    elif how == "cut_at_line_end":
        path.write_text("".join(path.read_text().splitlines(keepends=True)[:-2]))
    elif how == "drop_column":
        pd.read_csv(path).drop(columns="p_seen").to_csv(path, index=False)
    elif how == "empty":
        path.write_text("")
    else:
        frame = pd.read_csv(path)
        frame["probability"] = frame["probability"].astype(object)
        frame.loc[0, "probability"] = "n/a"
        frame.to_csv(path, index=False)
    with pytest.raises(BrokenFolder, match=re.escape(message)) as info:
        ripples_data.signposts(run_copy)
    _no_path(info.value, run_copy)


# ---------------------------------------------------------------- watching the news

CONDITIONED = ("actor,outcome,probability,ci_low,ci_high,probability_unconditioned,"
               "ci_low_unconditioned,ci_high_unconditioned,shift,effective_members,members\n"
               "BLR,regime_change,0.2,0.1,0.3,0.25,0.2,0.3,-0.05,80.5,100\n"
               "BLR,contested,0.1,0.05,0.2,0.1,0.05,0.2,-0.0004,80.5,100\n"
               "RUS,mass_protest,0.3,0.2,0.4,0.1,0.05,0.2,0.2,80.5,100\n")
OBSERVED = ("week,type,observation,consistent_share\n"
            "8,leader_in_office,week 8: the leader is not in office,1\n"
            "6,crowd,\"week 6: a crowd, about 0.3%\",0.33\n")


def _watched_folder(results_dir, conditioned=CONDITIONED, observed=OBSERVED):
    folder = results_dir / "w"
    folder.mkdir(parents=True)
    (folder / "outcomes_conditioned.csv").write_text(conditioned)
    if observed is not None:
        (folder / "observations.csv").write_text(observed)
    return folder


def test_watched_outcomes_exactly(results_dir):
    found = ripples_data.watched(_watched_folder(results_dir), "BLR", "Russia")
    assert (found.effective, found.members, found.threshold) == (80.5, 100, 50)
    assert found.observations == [
        {"week": "8", "observation": "the leader is not in office", "consistent": "100.0%"},
        {"week": "6", "observation": "a crowd, about 0.3%", "consistent": "33.0%"}]
    # focal outcomes only, in the vocabulary's order; a rounded -0.04 pp reads +0.0
    assert found.rows == [
        {"outcome": "Contested (elite split)", "before": "10.0%", "before_interval":
         "5.0-20.0%", "after": "10.0%", "after_interval": "5.0-20.0%", "shift": "+0.0 pp"},
        {"outcome": "Regime change (opposition)", "before": "25.0%", "before_interval":
         "20.0-30.0%", "after": "20.0%", "after_interval": "10.0-30.0%", "shift": "-5.0 pp"}]


def test_watched_without_observations_file_is_an_error(results_dir):
    folder = _watched_folder(results_dir, observed=None)
    with pytest.raises(BrokenFolder, match="observations.csv is missing"):
        ripples_data.watched(folder, "BLR")


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("80.5,100\nBLR,contested", "8x,100\nBLR,contested"),
     "effective_members has values that are not numbers"),
    (lambda t: t.replace("0.2,0.1,0.3,0.25", "1.2,0.1,0.3,0.25"), "outside 0-1"),
    (lambda t: t.replace("80.5", "180.5"), "effective_members is not between"),
    (lambda t: t.replace("BLR", "XXX"), "holds no outcome of BLR"),
])
def test_broken_conditioned_outcomes_name_the_file(results_dir, change, message):
    folder = _watched_folder(results_dir, conditioned=change(CONDITIONED))
    with pytest.raises(BrokenFolder, match=re.escape(message)):
        ripples_data.watched(folder, "BLR")


# ---------------------------------------------------------------- trade exposure

EXPOSURE = ("actor,name,trade_with_focal_usd_bn,trade_year,trade_source,"
            "trade_share_of_gdp_pct,p_ruling_group_out,p_low,p_high,exposed_trade_usd_bn,"
            "exposed_low_usd_bn,exposed_high_usd_bn\n"
            "RUS,Russia,30.5,2021,Trade monitor <b>x</b>,1.5,0.1,0.05,0.2,3.05,1.525,6.1\n"
            "CHN,China,3.5,2019/2021,,,0.1,0.05,0.2,0.35,0.175,0.7\n")


def test_trade_exposure_exactly(results_dir):
    folder = results_dir / "e"
    folder.mkdir(parents=True)
    (folder / "trade_exposure.csv").write_text(EXPOSURE)
    found = ripples_data.trade_exposure(folder)
    assert found.chance == "10.0% (95% interval 5.0-20.0%)"
    assert found.total == "34.0"
    assert found.rows == [
        {"state": "Russia (RUS)", "trade": "30.5", "share": "1.50%", "exposed": "3.05",
         "exposed_interval": "1.52-6.10", "year": "2021", "source": "Trade monitor <b>x</b>"},
        {"state": "China (CHN)", "trade": "3.5", "share": "n/a", "exposed": "0.35",
         "exposed_interval": "0.17-0.70", "year": "2019/2021", "source": ""}]


def test_trade_exposure_of_a_real_run_carries_its_source(run_copy):
    frame = pd.read_csv(run_copy / "trade_exposure.csv")
    found = ripples_data.trade_exposure(run_copy)
    assert [r["source"] for r in found.rows] == list(frame["trade_source"])
    assert [r["trade"] for r in found.rows] == [f"{v:,.1f}" for v in
                                                frame["trade_with_focal_usd_bn"]]


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("30.5,2021", "-30.5,2021"), "negative"),
    (lambda t: t.replace(",0.1,0.05,0.2,3.05", ",1.5,0.05,0.2,3.05"), "outside 0-1"),
    (lambda t: t.replace("exposed_trade_usd_bn,", ""), "lacks the column"),
    (lambda t: t[: len(t) - 20], "trade_exposure.csv"),
])
def test_broken_trade_exposure_names_the_file(results_dir, change, message):
    folder = results_dir / "e"
    folder.mkdir(parents=True)
    (folder / "trade_exposure.csv").write_text(change(EXPOSURE))
    with pytest.raises(BrokenFolder, match=re.escape(message)):
        ripples_data.trade_exposure(folder)


# ---------------------------------------------------------------- narrative

def test_narrative_is_the_report_s(run_copy):
    from sim.outcomes import OUTCOMES
    from sim.outputs.narrative import run_narrative

    lines = ripples_data.narrative(run_copy, "Belarus")
    assert lines == run_narrative(run_copy, OUTCOMES, "Belarus")
    assert lines[0].startswith("Belarus at week 30: ")


def test_narrative_of_a_folder_with_a_link_is_refused(run_copy, tmp_path):
    (tmp_path / "x.csv").write_text("a\n")
    (run_copy / "extra.csv").symlink_to(tmp_path / "x.csv")
    with pytest.raises(BrokenFolder, match="links"):
        ripples_data.narrative(run_copy, "Belarus")


def test_downloads_offer_the_workbook(run_copy):
    assert "results.xlsx" in data.DOWNLOADS and (run_copy / "results.xlsx").is_file()
    assert data.mime_type("results.xlsx").endswith("spreadsheetml.sheet")
    assert data.mime_type("signposts.csv") == "text/csv"
    assert data.mime_type("odd.bin") == "application/octet-stream"


# ---------------------------------------------------------------- compare by folder

def _manifest(folder, **changes):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))
    return manifest


def test_pairing_of_two_runs():
    a = {"root_seed": 7, "members": 100, "weeks": 52}
    paired = compare_data.pairing(a, dict(a))
    assert paired.paired and paired.problems == [] and "pair member by member" in paired.text
    other = compare_data.pairing(a, {"root_seed": 7, "members": 80, "weeks": 30})
    assert not other.paired and (other.members, other.weeks) == (80, 30)
    assert other.problems == ["members: 100 in A, 80 in B", "weeks: 52 in A, 30 in B"]
    assert "compared unpaired over the common 80 members and 30 weeks" in other.text
    drawn = compare_data.pairing(a, {**a, "engine": {"mode": {"parameters": "uncertain"}}})
    assert drawn.paired and drawn.drawn == [
        "B draws its parameters per member from their ranges: the difference includes the "
        "effect of those draws"]


def test_refusals_of_compare_by_folder(run_copy, results_dir):
    other = results_dir / "incapacity__members-60_weeks-30_seed-1"
    shutil.copytree(run_copy, other)
    assert compare_data.refusal(results_dir, run_copy.name, other.name) == ""
    assert compare_data.refusal(results_dir, run_copy.name, run_copy.name) == (
        "pick two different runs")
    assert "B is not a run folder" in compare_data.refusal(results_dir, run_copy.name,
                                                           "../elsewhere")
    region = _manifest(other)["region"]
    _manifest(other, region={**region, "name": "russia",
                             "folder": str(paths.PACKAGE_DIR / "regions" / "russia")})
    assert compare_data.refusal(results_dir, run_copy.name, other.name) == (
        "A is a run of region 'belarus' and B of region 'russia': compare two runs of one "
        "region")
    _manifest(other, region=region, overrides={"posterior": 1})
    assert "cannot be compared yet" in compare_data.refusal(results_dir, run_copy.name,
                                                            other.name)
    _truncate(other / "outcomes.csv")  # broken folders are not offered
    _manifest(other, overrides={"members": 60})
    (other / "holders.csv").unlink()
    assert [e.folder.name for e in compare_data.run_folders(results_dir)] == [run_copy.name]


def test_comparison_folder_and_side_labels(results_dir):
    folder = compare_data.comparison_folder(results_dir / "incapacity",
                                            results_dir / "incapacity__uncertain-1")
    assert folder == results_dir / "compare" / "incapacity_vs_incapacity__uncertain-1"
    assert compare_data.side_label({"folder": str(results_dir / "x__g-1")}) == "x__g-1"
    assert compare_data.side_label("odd") == "?"


# ---------------------------------------------------------------- ripples in real units

UNITS = ("kind,actor,name,quantity,when,unit,median,p05,p95,median_factor_low,"
         "median_factor_high,factor,share_beyond_data,year,source\n"
         "people,BLR,Belarus,people who have left Belarus,by the horizon,people,23670.7,"
         "21743.5,127404,11835.4,48733.8,f,,2020,\"anchor <b>x</b>\"\n"
         "spending,RUS,Russia,extra military spending,peak,US$ bn/yr,27.8483,27.7688,"
         "367.218,,,,0.01,2023,R5\n")


def test_real_units_exactly(results_dir):
    folder = results_dir / "u"
    folder.mkdir(parents=True)
    assert ripples_data.real_units(folder) is None
    (folder / "ripple_units.csv").write_text(UNITS)
    rows = ripples_data.real_units(folder)
    assert [(r["state"], r["median"], r["range"], r["unit"]) for r in rows] == [
        ("Belarus", "24,000", "22,000 to 130,000", "people"),
        ("Russia", "27.85", "27.77 to 367.22", "US$ bn/yr")]
    assert rows[0]["source"] == "anchor <b>x</b>"   # escaped by the card, not here


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("27.8483", "many"), "not numbers"),
    (lambda t: t.replace(",median,", ",middle,"), "lacks the column"),
    (lambda t: t[: len(t) - 5], "ripple_units.csv"),
])
def test_broken_real_units_names_the_file(results_dir, change, message):
    folder = results_dir / "u"
    folder.mkdir(parents=True)
    (folder / "ripple_units.csv").write_text(change(UNITS))
    with pytest.raises(BrokenFolder, match=re.escape(message)):
        ripples_data.real_units(folder)
