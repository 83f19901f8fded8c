"""No run silently replaces another's results (issue 8, items 4, 6 and 12)."""

import json

import pytest

from sim.analyses.run import RunRequest, prepare, run
from sim.cli import main
from sim.errors import UserError
from sim.paths import SCENARIOS_DIR, result_folder_name

SMALL = ["--no-charts", "--quiet", "--workers", "1"]


def _copy(tmp_path, name="status_quo", **edits):
    text = (SCENARIOS_DIR / "status_quo.yaml").read_text(encoding="utf-8")
    text = text.replace("name: status_quo", f"name: {name}").replace("members: 1000",
                                                                    "members: 8")
    text = text.replace("weeks: 104", "weeks: 6")
    for old, new in edits.items():
        text = text.replace(old, new)
    path = tmp_path / f"{name}_{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_run_with_overrides_gets_its_own_folder(results_dir):
    assert main(["run", "status_quo", "--members", "6", "--weeks", "4", *SMALL]) == 0
    assert not (results_dir / "status_quo").exists()
    assert (results_dir / "status_quo__members-6_weeks-4" / "outcomes.csv").is_file()


def test_a_copy_keeping_the_name_is_refused_with_what_to_do(results_dir, tmp_path, capsys):
    original = _copy(tmp_path)
    assert main(["run", str(original), *SMALL]) == 0
    before = (results_dir / "status_quo" / "manifest.json").read_text()
    copy = _copy(tmp_path, **{"seed: 20261127": "seed: 5"})
    assert main(["run", str(copy), *SMALL]) == 2
    err = capsys.readouterr().err
    assert "holds the results of" in err and "name:" in err
    assert (results_dir / "status_quo" / "manifest.json").read_text() == before


def test_a_new_version_of_the_same_file_replaces_its_results_visibly(results_dir, tmp_path,
                                                                     capsys):
    path = _copy(tmp_path)
    assert main(["run", str(path), *SMALL]) == 0
    path.write_text(path.read_text().replace("seed: 20261127", "seed: 9"))
    assert main(["run", str(path), *SMALL]) == 0
    assert "replacing" in capsys.readouterr().err
    manifest = json.loads((results_dir / "status_quo" / "manifest.json").read_text())
    assert manifest["root_seed"] == 9


@pytest.mark.parametrize("name", ["p_vs_q", "a__b"])
def test_names_that_would_collide_with_comparisons_or_override_folders(tmp_path, name):
    with pytest.raises(UserError, match="must not contain"):
        prepare(RunRequest(str(_copy(tmp_path, name=name))))


def test_the_manifest_hash_is_of_the_bytes_that_were_run(results_dir, tmp_path, monkeypatch):
    import hashlib

    from sim.analyses import run as run_module

    path = _copy(tmp_path)
    read = path.read_bytes()
    real_write = run_module.write_results

    def edit_during_run(*args, **kwargs):
        path.write_text(path.read_text().replace("seed: 20261127", "seed: 3"))
        return real_write(*args, **kwargs)

    monkeypatch.setattr(run_module, "write_results", edit_during_run)
    target = run(RunRequest(str(path), charts=False, progress=False, workers=1))
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["scenario_sha256"] == hashlib.sha256(read).hexdigest()


def test_a_weeks_override_that_drops_an_event_is_refused():
    with pytest.raises(UserError, match="events.0.week"):
        prepare(RunRequest("incapacity", weeks=3))
    assert result_folder_name("incapacity", {"weeks": 5}) == "incapacity__weeks-5"


def test_compare_says_when_it_runs_a_side_first(results_dir, tmp_path, capsys):
    a, b = _copy(tmp_path, name="quo_a"), _copy(tmp_path, name="quo_b")
    assert main(["compare", str(a), str(b), "--no-charts", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "running quo_a first" in err and "running quo_b first" in err
    assert main(["compare", str(a), str(b), "--no-charts", "--workers", "1"]) == 0
    assert "first" not in capsys.readouterr().err


def test_a_comparison_writes_its_report_with_the_numbers_of_outcomes_csv(results_dir,
                                                                         tmp_path):
    import pandas as pd

    a, b = _copy(tmp_path, name="rep_a"), _copy(tmp_path, name="rep_b")
    b.write_text(b.read_text().replace("events: []", "events:\n  - {type: leader_incapacitated"
                                                     ", week: 1, mode: natural}"))
    assert main(["compare", str(a), str(b), "--no-charts", "--workers", "1"]) == 0
    folder = results_dir / "compare" / "rep_a_vs_rep_b"
    html = (folder / "report.html").read_text()
    outcomes = pd.read_csv(folder / "outcomes.csv")
    row = outcomes[(outcomes.actor == "BLR")
                   & (outcomes.outcome == "regime_and_leader_continue")].iloc[0]
    assert f"{100 * row['diff']:+.1f} pts" in html and "Newcombe" in html
