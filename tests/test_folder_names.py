"""One naming rule for result, comparison and exploration folders (issue 22, item 1).

Every folder name is derived from the full request and checked against the
``manifest.json`` of any folder it would replace; manifests record the command that
produced them.
"""

import json
import sys

import pytest

from sim import api, paths
from sim.analyses.run import RunRequest, run
from sim.cli import main

SMALL = ["--no-charts", "--no-report", "--quiet", "--workers", "1"]


# -- names ---------------------------------------------------------------------------------

def test_values_are_written_exactly_and_minus_zero_is_zero():
    name = paths.result_folder_name
    assert name("x", {"g": 1}) != name("x", {"g": 1.0000004})
    assert name("x", {"g": -0.0}) == name("x", {"g": 0}) == name("x", {"g": 0.0})
    assert name("x", {"g": 1}) == name("x", {"g": 1.0})


def test_long_names_are_not_cut_into_one_folder():
    # Two explorations whose names share their first 49 characters (issue 22).
    first = "a" * 55 + "_first_morris"
    second = "a" * 55 + "_other_morris"
    settings = {"samples": 4, "replicates": 3}
    assert (paths.result_folder_name(first, settings)
            != paths.result_folder_name(second, settings))
    long = paths.result_folder_name("s", {f"p{i}": 0.5 for i in range(40)})
    assert len(long) <= paths.MAX_FOLDER_NAME and "~" in long


def test_text_that_cannot_be_written_in_a_folder_name_gets_a_hash():
    one = paths.result_folder_name("s_morris", {"cases": "p_regime_change>0.1"})
    other = paths.result_folder_name("s_morris", {"cases": "p_regime_change<0.1"})
    assert one != other


def test_compare_names_with_vs_in_them_do_not_share_a_folder(results_dir):
    assert paths.compare_dir_for("x_vs", "yy") != paths.compare_dir_for("x", "vs_yy")
    assert paths.compare_dir_for("status_quo", "incapacity").name == \
        "status_quo_vs_incapacity"


# -- the manifest of the folder a request would replace -----------------------------------

def _foreign_manifest(folder, **fields):
    folder.mkdir(parents=True)
    manifest = {"scenario": "status_quo", "scenario_file": str(paths.SCENARIOS_DIR
                                                               / "status_quo.yaml"),
                "overrides": {"members": 5, "weeks": 3}, **fields}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "outcomes.csv").write_text("kept")


def test_a_run_never_replaces_another_requests_folder(results_dir, capsys):
    # A folder left by another request under the name this run derives (e.g. by an
    # older naming rule that rounded values).
    folder = results_dir / paths.result_folder_name("status_quo", {"members": 5, "weeks": 3})
    _foreign_manifest(folder, overrides={"members": 5, "weeks": 3,
                                         "patron_support_gain": 1.0000004})
    assert main(["run", "status_quo", "--members", "5", "--weeks", "3", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "another request" in err and "patron_support_gain" in err
    assert "Traceback" not in err
    assert (folder / "outcomes.csv").read_text() == "kept"


def test_a_folder_without_a_manifest_is_not_replaced(results_dir, capsys):
    folder = results_dir / paths.result_folder_name("status_quo", {"members": 5, "weeks": 3})
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("mine")
    assert main(["run", "status_quo", "--members", "5", "--weeks", "3", *SMALL]) == 2
    assert "manifest.json" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text() == "mine"


def test_the_same_request_refreshes_its_own_folder(results_dir):
    first = run(RunRequest("status_quo", members=5, weeks=3, charts=False, report=False,
                           progress=False, workers=1))
    again = run(RunRequest("status_quo", members=5, weeks=3, charts=False, report=False,
                           progress=False, workers=1))
    assert first == again and (again / "outcomes.csv").is_file()


def test_the_api_says_when_it_replaces_a_cli_run_of_the_same_request(results_dir, capsys):
    assert main(["run", "status_quo", "--members", "5", "--weeks", "3", "--uncertain",
                 *SMALL]) == 0
    capsys.readouterr()
    api.run("status_quo", members=5, weeks=3, uncertain=True)
    err = capsys.readouterr().err
    assert "note: replacing" in err and "python -m sim run status_quo" in err


def test_a_comparison_never_replaces_another_comparisons_folder(results_dir, capsys):
    folder = paths.compare_dir_for("status_quo", "incapacity")
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(
        {"a": {"scenario": "status_quo", "file": "/elsewhere/status_quo.yaml"},
         "b": {"scenario": "incapacity", "file": "/elsewhere/incapacity.yaml"}}))
    assert main(["compare", "status_quo", "incapacity", "--no-charts"]) == 2
    assert "another request" in capsys.readouterr().err
    assert json.loads((folder / "manifest.json").read_text())["a"]["file"].startswith(
        "/elsewhere")


def test_an_exploration_never_replaces_another_explorations_folder(results_dir, capsys):
    folder = paths.analysis_dir("explore") / paths.result_folder_name(
        "incapacity_morris", {"replicates": 3, "samples": 1, "weeks": 8})
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(
        {"scenario": "incapacity", "scenario_file": "/elsewhere/incapacity.yaml",
         "method": "morris", "samples": 1, "replicates": 3, "weeks": 8}))
    assert main(["explore", "incapacity", "--samples", "1", "--replicates", "3",
                 "--weeks", "8", "--quiet", "--no-charts"]) == 2
    assert "another request" in capsys.readouterr().err


# -- the command in the manifest (item 4) --------------------------------------------------

def test_the_manifest_records_the_cli_command(results_dir):
    assert main(["run", "status_quo", "--members", "5", "--weeks", "3", *SMALL]) == 0
    folder = results_dir / paths.result_folder_name("status_quo", {"members": 5, "weeks": 3})
    command = json.loads((folder / "manifest.json").read_text())["command"]
    assert command.startswith("python -m sim run status_quo --members 5 --weeks 3")
    assert "pytest" not in command


def test_the_manifest_records_the_api_call(results_dir):
    result = api.run("status_quo", members=5, weeks=3, set={"patron_support_gain": 0.5})
    assert result.manifest["command"] == ("sim.api.run('status_quo', members=5, weeks=3, "
                                          "set={'patron_support_gain': 0.5})")


def test_the_manifest_of_a_dashboard_run_records_its_request(results_dir, monkeypatch):
    jobs = pytest.importorskip("sim.dashboard.jobs")
    monkeypatch.setattr(sys, "argv", ["solara", "run", "sim.dashboard.app", "--port", "1"])
    form = jobs.RunForm(scenario=str(paths.SCENARIOS_DIR / "status_quo.yaml"), members=5,
                        weeks=3)
    folder = run(form.request())
    command = json.loads((folder / "manifest.json").read_text())["command"]
    assert "solara" not in command and "RunRequest(" in command and "members=5" in command


def test_a_replay_never_writes_into_another_requests_folder(results_dir, capsys):
    folder = results_dir / paths.result_folder_name("status_quo", {"members": 5, "weeks": 3})
    _foreign_manifest(folder, overrides={"members": 5, "weeks": 3, "seed": 1})
    assert main(["replay", "status_quo", "--member", "0", "--members", "5", "--weeks", "3",
                 "--no-charts"]) == 2
    assert "another request" in capsys.readouterr().err
    assert not (folder / "replay").exists()


def test_a_replay_before_the_run_does_not_block_the_run(results_dir):
    assert main(["replay", "status_quo", "--member", "0", "--members", "5", "--weeks", "3",
                 "--no-charts"]) == 0
    assert main(["run", "status_quo", "--members", "5", "--weeks", "3", *SMALL]) == 0
