"""The HTML report, the console summary, --set overrides and the Python API."""

import re

import pandas as pd
import pytest

from sim import api
from sim.cli import main
from sim.errors import UserError
from sim.outputs.tables import OUTCOMES
from sim.paths import result_folder_name


def test_a_run_prints_the_summary_and_writes_a_self_contained_report(results_dir, capsys):
    assert main(["run", "incapacity", "--members", "40", "--weeks", "20", "--quiet",
                 "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "who rules BLR at week 20" in out and "report.html" in out
    folder = results_dir / result_folder_name("incapacity", {"members": 40, "weeks": 20})
    html = (folder / "report.html").read_text()
    outcomes = pd.read_csv(folder / "outcomes.csv")
    for row in outcomes[(outcomes.actor == "BLR") & outcomes.outcome.isin(OUTCOMES)].itertuples():
        assert f"{100 * row.probability:.1f}%" in html           # the numbers of outcomes.csv
    assert "data:image/png;base64," in html                     # charts embedded
    assert not re.search(r'src="(?!data:)', html)                # nothing fetched: offline
    for grade in ("sourced", "recalled", "assumption"):
        assert f'class="grade {grade}"' in html
    # the default run draws from the posterior; the report says what its intervals cover
    assert "Parameter mode: calibrated posterior" in html
    assert "the Monte Carlo noise <b>and</b> what the literature" in html


def test_set_overrides_a_parameter_in_its_own_folder(results_dir, capsys):
    assert main(["run", "incapacity", "--members", "30", "--weeks", "12", "--quiet",
                 "--no-charts", "--no-report", "--set", "patron_support_gain=0",
                 "--workers", "1"]) == 0
    folder = results_dir / result_folder_name(
        "incapacity", {"members": 30, "weeks": 12, "patron_support_gain": 0.0})
    manifest = pd.read_json(folder / "manifest.json", typ="series")
    assert manifest["parameters"]["patron_support_gain"] == 0.0
    assert not (results_dir / "incapacity").exists()


@pytest.mark.parametrize(("setting", "expected"), [
    ("charisma=1", "unknown parameter"), ("patron_support_gain=99", "must be a number from"),
    ("patron_support_gain", "NAME=VALUE"), ("patron_support_gain=lots", "not a number"),
    # the scenario file's number syntax: no '_' separators, ASCII digits, no nan
    ("patron_support_gain=1_0", "not a number"), ("patron_support_gain=\uff11", "not a number"),
    ("patron_support_gain=nan", "not a number")])
def test_bad_set_options_are_refused(setting, expected, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "incapacity", "--set", setting])
    assert info.value.code == 2 and expected in capsys.readouterr().err


def test_the_readme_api_example_runs(results_dir):
    quo = api.run("status_quo", members=60, weeks=20)
    shock = api.run("incapacity", members=60, weeks=20, set={"patron_support_gain": 1.0})
    table = shock.outcomes.query("actor == 'BLR'")[["outcome", "probability"]]
    assert set(OUTCOMES) <= set(table.outcome)
    assert shock.manifest["parameters"]["patron_support_gain"] == 1.0
    assert quo.folder != shock.folder and not (results_dir / "incapacity").exists()
    with pytest.raises(UserError):
        api.run("incapacity", set={"charisma": 1.0})


def test_overview_runs_what_is_missing_and_tabulates_every_scenario(results_dir, tmp_path,
                                                                   monkeypatch, capsys):
    from sim import paths
    from sim.analyses import overview as overview_module

    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("status_quo", "incapacity"):
        text = (paths.SCENARIOS_DIR / f"{name}.yaml").read_text()
        text = text.replace("members: 1000", "members: 20").replace("weeks: 104", "weeks: 10")
        (folder / f"{name}.yaml").write_text(text)
    monkeypatch.setattr(paths, "SCENARIOS_DIR", folder)
    monkeypatch.setattr(overview_module, "SCENARIOS_DIR", folder)
    target = overview_module.overview(workers=1)
    table = pd.read_csv(target / "overview.csv")
    assert sorted(table.scenario.unique()) == ["incapacity", "status_quo"]
    assert len(table) == 2 * len(OUTCOMES) and (target / "overview.png").stat().st_size > 5000
    assert "running incapacity" in capsys.readouterr().err
    overview_module.overview(workers=1)
    assert "running" not in capsys.readouterr().err            # nothing stale: nothing re-run
    from sim.outputs.summary import overview_summary

    printed = overview_summary(table, target).splitlines()
    assert printed[0].split()[:3] == ["scenario", "same", "leader"]
    assert sorted(line.split()[0] for line in printed[1:3]) == ["incapacity", "status_quo"]
    assert printed[-1] == f"overview written to {target}"


def test_a_run_with_set_can_be_replayed_exactly(results_dir):
    import numpy as np

    args = ["--members", "6", "--weeks", "8", "--set", "patron_support_gain=0.5"]
    assert main(["run", "incapacity", *args, "--quiet", "--no-charts", "--no-report",
                 "--workers", "1"]) == 0
    assert main(["replay", "incapacity", "--member", "5", *args, "--no-charts"]) == 0
    folder = results_dir / result_folder_name(
        "incapacity", {"members": 6, "weeks": 8, "patron_support_gain": 0.5})
    agents = pd.read_csv(folder / "replay" / "member_5" / "agents.csv")
    members = pd.read_csv(folder / "members.csv").set_index("member")
    final = agents[(agents.week == 8) & (agents.actor == "BLR")].iloc[0]
    assert np.isclose(float(f"{final.stability:.6g}"), members.loc[5, "BLR_stability_end"])


def test_every_outcome_has_a_label_in_the_console_and_the_report():
    from sim.outputs.charts.common import FOCAL_OUTCOMES
    from sim.outputs.summary import LABELS
    from sim.outputs.tables import OUTCOMES

    assert set(LABELS) == set(OUTCOMES) == set(FOCAL_OUTCOMES)
