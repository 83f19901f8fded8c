"""The dashboard's data layer without a browser: run folders, forms, formatting."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.dashboard import data, explore_data, jobs, run_settings, widgets
from sim.dashboard.settings import MAX_MEMBERS, MAX_WEEKS, scenarios_dir
from sim.errors import UserError


def test_list_runs_skips_other_folders(tmp_path):
    run = tmp_path / "incapacity__members-10"
    run.mkdir()
    (run / "outcomes.csv").write_text("actor,outcome\n")
    (run / "manifest.json").write_text('{"scenario": "incapacity", "members": 10, '
                                       '"weeks": 8, "overrides": {"members": 10}}')
    for other in ("compare", ".tmp", "half_written"):
        (tmp_path / other).mkdir()
        (tmp_path / other / "outcomes.csv").write_text("")
    runs = data.list_runs(tmp_path)
    # A folder with run files but no manifest is listed as broken (an error card).
    assert [(r.folder.name, bool(r.problem)) for r in runs] == [
        ("half_written", True), ("incapacity__members-10", True)]
    assert "manifest.json is missing" in runs[0].label
    assert "missing or not a regular file: timeseries.csv" in runs[1].problem


def test_form_caps_and_parameters():
    scenario = str(scenarios_dir() / "incapacity.yaml")
    form = jobs.RunForm(scenario=scenario, members=MAX_MEMBERS + 1, weeks=MAX_WEEKS + 1)
    assert len(jobs.check_form(form)) == 2
    assert jobs.check_form(jobs.RunForm(scenario, 50, 10)) == []
    with pytest.raises(UserError, match="unknown parameter"):
        jobs.parse_parameters("no_such=1")
    with pytest.raises(UserError, match="must be a number from"):
        jobs.parse_parameters("patron_support_gain=99")


def test_form_run_gets_its_own_folder(results_dir):
    target = jobs.target_folder(jobs.RunForm("incapacity", 50, 10))
    assert target.name == "incapacity__members-50_weeks-10"
    assert target.parent == results_dir


def test_event_summary_counts_first_occurrences():
    events = pd.DataFrame({"member": [0, 0, 1], "week": [3, 5, 4],
                           "event": ["holder_change"] * 3, "actor": "BLR", "detail": ""})
    row = data.event_summary(events, members=4).iloc[0]
    assert (row.members, row.share, row.first_week, row.last_week) == (2, 0.5, 3, 4)


def test_parameter_rows_mark_changes():
    rows = run_settings.parameter_rows({"parameters": {"patron_support_gain": 1.0}})
    changed = rows[rows["changed"]]
    assert list(changed["name"]) == ["patron_support_gain"]
    assert set(rows["grade"]) <= {"sourced", "recalled", "assumption", "calibrated", "lever"}


def test_parameter_rows_show_the_posterior_interval_of_calibrated_parameters():
    from sim.analyses.inference.shipped import load_posterior

    rows = run_settings.parameter_rows({"parameters": {}}).set_index("name")
    names, _, _ = load_posterior()
    assert all(rows.loc[n, "posterior"] for n in names)
    assert rows.loc["gompertz_slope", "posterior"] == ""   # not calibrated
    html = widgets.parameter_table(rows.reset_index())
    assert "posterior 90%" in html and rows.loc[names[0], "posterior"].replace(
        " ", "&nbsp;") in html


def _fake_exploration(folder, method="morris", prim=None):
    folder.mkdir(parents=True)
    (folder / "outcomes.csv").write_text("point,p_regime_continues\n0,0.5\n")
    (folder / "noise.csv").write_text("output,noise_share\np_regime_continues,0.1\n")
    (folder / "manifest.json").write_text(json.dumps({
        "scenario": "incapacity", "method": method, "points": 120, "replicates": 30,
        "weeks": 30, "uncertainties": {"threshold_spread": {"low": 0.05, "high": 0.2}},
        "started_utc": "2026-11-29T08:49:37+00:00", "prim": prim or []}))


def test_list_explorations_and_empty_state(tmp_path):
    assert explore_data.list_explorations(tmp_path) == []  # no explore/ folder
    (tmp_path / "explore").mkdir()
    assert explore_data.list_explorations(tmp_path) == []  # empty explore/ folder
    _fake_exploration(tmp_path / "explore" / "incapacity_morris")
    _fake_exploration(tmp_path / "explore" / "incapacity_lhs", method="lhs")
    (tmp_path / "explore" / "half_written").mkdir()  # no manifest, no outcomes
    _fake_exploration(tmp_path / "explore" / ".tmp_x")
    entries = explore_data.list_explorations(tmp_path)
    assert [e.folder.name for e in entries] == ["incapacity_lhs", "incapacity_morris"]
    morris = entries[1]
    assert (morris.scenario, morris.method, morris.points, morris.replicates,
            morris.parameters) == ("incapacity", "morris", 120, 30, 1)
    assert "120 points x 30 replicates" in morris.label


def test_prim_boxes_and_top_indices(results_dir):
    folder = results_dir / "explore" / "t_morris"
    _fake_exploration(folder, prim=[{"case": "p_regime_change > 0.1", "coverage": 0.8,
                                     "density": 0.9},
                                    {"case": "p_contested > 0.5", "note": "nothing"}])
    (folder / "prim_1.csv").write_text("parameter,box_low,box_high,range_low,range_high,"
                                       "share_of_range_kept\nthreshold_spread,0.05,0.1,"
                                       "0.05,0.2,0.333\n")
    boxes = explore_data.prim_boxes(folder, data.read_manifest(folder))
    assert boxes[0]["limits"][0]["parameter"] == "threshold_spread"
    assert boxes[0]["chart"] is None and boxes[1]["limits"] == []
    table = pd.DataFrame({"output": ["a", "a", "a", "b"], "parameter": ["x", "y", "z", "x"],
                          "mu_star": [0.1, 0.3, 0.2, 0.9]})
    top = explore_data.top_indices(table, "a", "mu_star", top=2)
    assert list(top["parameter"]) == ["y", "z"]
    assert explore_data.index_outputs(table, ["b"]) == ["b", "a"]
    assert explore_data.noise_text(float("nan")) == "n/a (constant)"
    assert explore_data.noisy(0.25) and not explore_data.noisy(0.2)
