"""The command line: bad input gets one clear message and exit code 2, writes nothing;
every scenario file runs end to end; the same inputs give the same bytes."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.outputs import tables as outputs
from sim.paths import PROJECT_ROOT, SCENARIOS_DIR, result_folder_name

RESULT_FILES = ("manifest.json", "timeseries.csv", "members.csv", "events.csv",
                "outcomes.csv", "holders.csv", "signposts.csv")
GOOD = """\
name: bad_case
description: test
weeks: 10
seed: 1
members: 5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return path


BAD_CASES = [
    ("not: [yaml", None, "not valid YAML"),
    ("- just\n- a list\n", None, "must be a YAML mapping"),
    (GOOD + "colour: red\n", "colour", "unknown key"),
    (GOOD.replace("weeks: 10", "weeks: -3"), "weeks", "greater than or equal to 1"),
    (GOOD.replace("members: 5", "members: many"), "members", "valid integer"),
    (GOOD + "parameters: {coup_attempt_rate: 2}\n", "parameters", "from 0 to 1"),
    (GOOD + "parameters: {coup_attempt_rate: .nan}\n", "parameters.coup_attempt_rate", "NaN"),
    (GOOD + "parameters: {charisma: 0.5}\n", "parameters", "unknown parameter"),
    (GOOD + "events: [{type: meteor, week: 1}]\n", "events.0", "unknown event type"),
    (GOOD + "events: [{type: protest_wave, week: 1, actor: ATLANTIS}]\n", "events.0.actor",
     "unknown actor"),
    (GOOD + "events: [{type: leader_incapacitated, week: 30}]\n", "events.0.week",
     "before the horizon"),
    (GOOD + "events: [{type: leader_incapacitated, week: 1, mode: bored}]\n",
     "events.0.leader_incapacitated.mode", "natural"),
    (GOOD + "events: [{type: leader_incapacitated, week: 1, when: now}]\n",
     "events.0.leader_incapacitated.when", "unknown key"),
    (GOOD.replace("name: bad_case", "name: ../../etc/passwd"), "name", "should match"),
]


@pytest.mark.parametrize(("text", "field", "message"), BAD_CASES)
def test_bad_scenarios_get_a_clear_error_and_write_nothing(tmp_path, results_dir, capsys,
                                                           text, field, message):
    path = write(tmp_path, text)
    assert main(["run", str(path), "--no-charts", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(path) in err and message in err
    if field:
        assert f": {field}:" in err
    assert "Traceback" not in err
    assert not results_dir.exists() or not any(results_dir.iterdir())


@pytest.mark.parametrize("name", ["../../etc/passwd", "nope", "a/b", "..", ""])
def test_unknown_or_unsafe_names_are_refused(results_dir, capsys, name):
    assert main(["run", name, "--quiet"]) == 2
    assert "error:" in capsys.readouterr().err
    assert not results_dir.exists()


def test_missing_file_and_bad_options(tmp_path, capsys):
    assert main(["run", str(tmp_path / "absent.yaml")]) == 2
    assert "not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["run", "incapacity", "--members", "0"])
    assert info.value.code == 2


def test_cli_errors_have_no_traceback_in_a_real_process(tmp_path):
    path = write(tmp_path, GOOD + "weird: 1\n")
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(path)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "weird" in done.stderr


def test_a_finished_run_ends_its_process_at_once_with_everything_written(tmp_path):
    """python -m sim run skips the interpreter's teardown: output and files complete."""
    import os

    env = {**os.environ, "SIM_RESULTS_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "sim", "run", "incapacity", "--members",
                           "12", "--weeks", "6", "--quiet"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("open the report:")
    folder = tmp_path / result_folder_name("incapacity", {"members": 12, "weeks": 6})
    assert (folder / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert (folder / "manifest.json").stat().st_size > 0


def test_only_a_finished_run_may_end_at_once(results_dir, tmp_path, monkeypatch):
    from sim import cli

    monkeypatch.setattr(cli, "_ENDS_AT_ONCE", [])
    assert main(["run", str(tmp_path / "absent.yaml")]) == 2
    assert not cli.ends_at_once()   # a refused run ends as any process does
    assert main(["run", "incapacity", "--members", "8", "--weeks", "6", "--quiet",
                 "--no-charts"]) == 0
    assert cli.ends_at_once()


def digest(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in RESULT_FILES if name.endswith(".csv")}


@pytest.mark.parametrize("scenario", sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml")))
def test_every_scenario_file_runs_end_to_end(results_dir, scenario):
    # A scenario with observations needs enough members to keep an effective 50 of them
    # (sim.analyses.observations.ess_threshold); 40 would be refused by design.
    watched = "observations:" in (SCENARIOS_DIR / f"{scenario}.yaml").read_text()
    members = 300 if watched else 40
    assert main(["run", scenario, "--members", str(members), "--weeks", "30",
                 "--quiet"]) == 0
    folder = results_dir / result_folder_name(scenario, {"members": members, "weeks": 30})
    for name in RESULT_FILES + (("outcomes_conditioned.csv",) if watched else ()):
        assert (folder / name).stat().st_size > 0, name
    assert any((folder / "charts").glob("*.png"))


def test_same_inputs_give_the_same_bytes(results_dir):
    folder = results_dir / result_folder_name("incapacity", {"members": 30, "weeks": 20})
    main(["run", "incapacity", "--members", "30", "--weeks", "20", "--no-charts", "--quiet"])
    first = digest(folder)
    main(["run", "incapacity", "--members", "30", "--weeks", "20", "--no-charts", "--quiet"])
    assert digest(folder) == first
    main(["run", "incapacity", "--members", "30", "--weeks", "20", "--seed", "5",
          "--no-charts", "--quiet"])
    other = result_folder_name("incapacity", {"members": 30, "weeks": 20, "seed": 5})
    assert digest(results_dir / other) != first and digest(folder) == first


def test_failed_run_leaves_previous_results_intact(results_dir, monkeypatch):
    main(["run", "status_quo", "--members", "20", "--weeks", "10", "--no-charts", "--quiet"])
    folder = result_folder_name("status_quo", {"members": 20, "weeks": 10})
    before = digest(results_dir / folder)

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "outcomes_frame", explode)
    assert main(["run", "status_quo", "--members", "20", "--weeks", "10", "--no-charts",
                 "--quiet"]) == 130
    assert digest(results_dir / folder) == before
    assert [p.name for p in results_dir.iterdir()] == [folder]


def test_unwritable_results_give_a_message_not_a_traceback(results_dir, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(results_dir))

    monkeypatch.setattr("tempfile.mkdtemp", refuse)  # where result folders are staged
    assert main(["run", "status_quo", "--members", "5", "--weeks", "3", "--no-charts",
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Permission denied" in err and "Traceback" not in err
