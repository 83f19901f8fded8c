"""The dashboard's data layer without a browser: run folders, forms, formatting."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.dashboard import data, jobs
from sim.dashboard.settings import MAX_MEMBERS, MAX_WEEKS
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
    assert [r.folder.name for r in runs] == ["incapacity__members-10"]
    assert "members=10" in runs[0].label


def test_form_caps_and_parameters():
    form = jobs.RunForm(scenario="incapacity", members=MAX_MEMBERS + 1, weeks=MAX_WEEKS + 1)
    assert len(jobs.check_form(form)) == 2
    assert jobs.check_form(jobs.RunForm("incapacity", 50, 10)) == []
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
    rows = data.parameter_rows({"parameters": {"patron_support_gain": 1.0}})
    changed = rows[rows["changed"]]
    assert list(changed["name"]) == ["patron_support_gain"]
    assert set(rows["grade"]) <= {"sourced", "recalled", "assumption", "calibrated", "lever"}
