"""Compare any two runs of one region, by result folder or by scenario (issue 22, item 3)."""

import json

import pandas as pd
import pytest

from sim import api, paths
from sim.cli import main
from sim.errors import UserError

SMALL = ["--no-charts", "--no-report", "--quiet", "--workers", "1"]


def _run(results_dir, scenario, *options):
    assert main(["run", scenario, *options, *SMALL]) == 0
    return max((p for p in results_dir.iterdir() if p.name != ".tmp"),
               key=lambda p: (p / "manifest.json").stat().st_mtime_ns)


def test_two_result_folders_compare_paired_from_the_command_line(results_dir, capsys):
    base = _run(results_dir, "incapacity", "--members", "20", "--weeks", "10")
    gain = _run(results_dir, "incapacity", "--members", "20", "--weeks", "10",
                "--set", "patron_support_gain=1")
    capsys.readouterr()
    assert main(["compare", str(base), str(gain), "--no-charts"]) == 0
    out = capsys.readouterr().out
    assert "(paired;" in out
    target = results_dir / "compare" / f"{base.name}_vs_{gain.name}"
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["paired"] and manifest["a"]["folder"] == str(base)
    assert manifest["b"]["overrides"]["patron_support_gain"] == 1
    assert manifest["command"].startswith("python -m sim compare")
    deltas = pd.read_csv(target / "deltas.csv")
    assert deltas["diff_mean"].abs().max() > 0


def test_an_uncertain_run_compares_with_its_base_and_folders_equal_names(results_dir):
    base = api.run("status_quo", members=12, weeks=6)
    uncertain = api.run("status_quo", members=12, weeks=6, uncertain=True)
    pair = api.compare(base, uncertain)                     # RunResult objects
    assert json.loads((pair.folder / "manifest.json").read_text())["paired"]
    again = api.compare(str(base.folder), uncertain.folder)  # folder text and Path
    assert again.folder == pair.folder
    assert again.deltas.equals(pair.deltas)


def test_runs_that_do_not_pair_are_compared_unpaired_with_a_note(results_dir, capsys):
    a = _run(results_dir, "status_quo", "--members", "12", "--weeks", "6")
    b = _run(results_dir, "status_quo", "--members", "10", "--weeks", "6", "--seed", "3")
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--no-charts"]) == 0
    captured = capsys.readouterr()
    assert "unpaired" in captured.err and "members 12 vs 10" in captured.err
    assert "(unpaired;" in captured.out
    target = results_dir / "compare" / f"{a.name}_vs_{b.name}"
    assert json.loads((target / "manifest.json").read_text())["paired"] is False


def test_two_regions_are_refused(results_dir, capsys):
    belarus = _run(results_dir, "status_quo", "--members", "5", "--weeks", "3")
    russia = _run(results_dir, "russia_status_quo", "--members", "5", "--weeks", "3")
    capsys.readouterr()
    assert main(["compare", str(belarus), str(russia), "--no-charts"]) == 2
    err = capsys.readouterr().err
    assert "different regions" in err and "Traceback" not in err


@pytest.mark.parametrize(("content", "expected"), [
    (None, "manifest.json"),
    ("[1, 2]", "manifest.json"),
    ('{"scenario_file": 5, "overrides": {}}', "scenario_file"),
    ('{"scenario_file": "x.yaml", "overrides": []}', "overrides"),
    ('{"a": {}, "b": {}}', "comparison"),
])
def test_a_folder_that_is_not_a_run_is_refused(results_dir, capsys, content, expected):
    folder = results_dir / "odd"
    folder.mkdir(parents=True)
    if content is not None:
        (folder / "manifest.json").write_text(content)
    assert main(["compare", str(folder), "status_quo", "--no-charts"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_a_folder_whose_scenario_file_is_gone_is_refused(results_dir, tmp_path):
    scenario = tmp_path / "gone.yaml"
    text = (paths.SCENARIOS_DIR / "status_quo.yaml").read_text().replace(
        "name: status_quo", "name: gone")
    scenario.write_text(text)
    folder = api.run(str(scenario), members=5, weeks=3).folder
    scenario.unlink()
    with pytest.raises(UserError, match="scenario file"):
        api.compare(folder, "status_quo")
