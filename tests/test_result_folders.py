"""Result folders (issue 8, items 1, 5 and 7): reserved names, no writing through links
inside results/, an atomic swap with no leftovers, whatever moment a run is killed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim import paths
from sim.cli import main
from sim.errors import UserError
from sim.outputs import atomic
from sim.outputs.atomic import atomic_directory, remove_stale
from sim.outputs.tables import atomic_directory as reexported
from sim.paths import PROJECT_ROOT, SCENARIOS_DIR

SMALL = ["--members", "5", "--weeks", "3", "--no-charts", "--quiet", "--workers", "1"]


def scenario_named(tmp_path: Path, name: str) -> Path:
    text = (SCENARIOS_DIR / "status_quo.yaml").read_text(encoding="utf-8")
    path = tmp_path / "renamed.yaml"
    path.write_text(text.replace("name: status_quo", f"name: {name}"), encoding="utf-8")
    return path


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_tables_still_exports_atomic_directory():
    assert reexported is atomic_directory


# -- item 1: names that are not result folders ------------------------------------------

@pytest.mark.parametrize("name", ["compare", "bench", "backtest", "calibration",
                                  "sensitivity", "README.md", "Compare", "readme.MD"])
def test_reserved_names_are_refused(name, results_dir):
    with pytest.raises(UserError, match="reserved|file of the repository"):
        paths.safe_result_name(name, "s.yaml")
    with pytest.raises(UserError):
        paths.results_dir_for(name)


def test_tracked_files_under_results_are_reserved():
    assert "readme.md" in paths.tracked_result_names()


def test_analysis_folders_come_from_the_registry(results_dir):
    assert paths.analysis_dir("compare") == results_dir / "compare"
    assert paths.compare_dir_for("a", "b") == results_dir / "compare" / "a_vs_b"
    with pytest.raises(ValueError, match="ANALYSIS_DIRS"):
        paths.analysis_dir("exploration")


def test_an_existing_file_or_link_in_results_is_not_a_result_name(results_dir, tmp_path):
    results_dir.mkdir()
    (results_dir / "notes.txt").write_text("mine")
    (results_dir / "elsewhere").symlink_to(tmp_path)
    for name in ("notes.txt", "elsewhere"):
        with pytest.raises(UserError, match="not a result folder"):
            paths.check_result_name(name, "s.yaml")
    assert paths.check_result_name("status_quo", "s.yaml") == "status_quo"


@pytest.mark.parametrize("name", ["compare", "bench", "README.md"])
def test_a_scenario_named_like_a_reserved_folder_deletes_nothing(name, tmp_path, results_dir,
                                                                 capsys):
    kept = results_dir / name
    if name == "README.md":
        results_dir.mkdir()
        kept.write_text("tracked")
    else:
        (kept / "x_vs_y").mkdir(parents=True)
        (kept / "x_vs_y" / "deltas.csv").write_text("kept")
    assert main(["run", str(scenario_named(tmp_path, name)), *SMALL]) == 2
    assert "name" in capsys.readouterr().err
    assert kept.exists()
    assert (kept.read_text() == "tracked" if name == "README.md"
            else (kept / "x_vs_y" / "deltas.csv").read_text() == "kept")


# -- item 7: never through a link ----------------------------------------------------------

def test_no_write_through_a_link_inside_results(results_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    results_dir.mkdir()
    (results_dir / "status_quo").symlink_to(outside)
    (results_dir / "compare").symlink_to(outside)
    for target in (results_dir / "status_quo" / "replay" / "member_0",
                   results_dir / "compare" / "a_vs_b", results_dir / "status_quo"):
        with pytest.raises(UserError, match="symbolic link"), atomic_directory(target) as out:
            (out / "x.csv").write_text("x")
    assert list(outside.iterdir()) == []


def test_a_linked_staging_folder_is_refused(results_dir, tmp_path):
    results_dir.mkdir()
    (results_dir / ".tmp").symlink_to(tmp_path)
    with pytest.raises(UserError, match="symbolic link"), atomic_directory(results_dir / "x"):
        pass


def test_replay_refuses_a_linked_result_folder(results_dir, tmp_path, capsys):
    assert main(["run", "status_quo", *SMALL]) == 0
    folder = paths.result_folder_name("status_quo", {"members": 5, "weeks": 3})
    moved = tmp_path / "moved"
    (results_dir / folder).rename(moved)
    (results_dir / folder).symlink_to(moved)
    assert main(["replay", "status_quo", "--member", "0", "--members", "5", "--weeks", "3",
                 "--no-charts"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not (moved / "replay").exists()


def test_results_dir_itself_may_be_a_link(results_dir, tmp_path):
    real = tmp_path / "big_disk"
    real.mkdir()
    results_dir.symlink_to(real)
    with atomic_directory(results_dir / "s") as out:
        (out / "a.csv").write_text("a")
    assert (real / "s" / "a.csv").read_text() == "a"


# -- item 5: atomic swap and leftovers ----------------------------------------------------

def test_swap_replaces_and_leaves_nothing_behind(results_dir):
    target = results_dir / "s"
    for content in ("old", "new"):
        with atomic_directory(target) as out:
            assert out.parent == results_dir / ".tmp"
            (out / "f.csv").write_text(content)
    assert (target / "f.csv").read_text() == "new"
    assert sorted(p.name for p in results_dir.iterdir()) == ["s"]


def test_failure_inside_leaves_old_result_and_no_leftover(results_dir):
    target = results_dir / "s"
    with atomic_directory(target) as out:
        (out / "f.csv").write_text("old")
    with pytest.raises(RuntimeError), atomic_directory(target) as out:
        (out / "f.csv").write_text("half")
        raise RuntimeError
    assert (target / "f.csv").read_text() == "old"
    assert sorted(p.name for p in results_dir.iterdir()) == ["s"]


def test_stale_folders_of_dead_runs_are_removed_live_ones_kept(results_dir):
    staging = results_dir / ".tmp"
    staging.mkdir(parents=True)
    host = atomic._host()
    dead = staging / f"{dead_pid()}_{host}_abc_s"
    live = staging / f"{os.getppid()}_{host}_abc_s"
    other_host = staging / f"{dead_pid()}_another-host_abc_s"
    for folder in (dead, live, other_host):
        folder.mkdir()
        (folder / "timeseries.csv").write_text("partial")
    legacy_old = results_dir / f".s.old-{dead_pid()}"
    legacy_tmp = results_dir / ".s.tmp-k3j2h1"
    for folder in (legacy_old, legacy_tmp):
        folder.mkdir()
    week_ago = time.time() - 7 * 86_400
    os.utime(legacy_tmp, (week_ago, week_ago))
    with atomic_directory(results_dir / "s") as out:
        (out / "f.csv").write_text("x")
    assert not dead.exists() and not legacy_old.exists() and not legacy_tmp.exists()
    assert live.exists() and other_host.exists()


def test_fallback_swap_killed_between_renames_is_repaired(results_dir, monkeypatch):
    """Where RENAME_EXCHANGE is missing: a kill between the two renames loses nothing."""
    staging = results_dir / ".tmp"
    staging.mkdir(parents=True)
    base = staging / f"{dead_pid()}_{atomic._host()}_abc_s"
    (base.with_name(base.name + ".old")).mkdir()
    (base.with_name(base.name + ".old") / "f.csv").write_text("old")
    base.mkdir()
    (base / "f.csv").write_text("new")
    base.with_name(base.name + ".target").write_text(str(results_dir / "s"))
    remove_stale(staging)
    assert (results_dir / "s" / "f.csv").read_text() == "old"
    assert list(staging.iterdir()) == []
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    for content in ("one", "two"):
        with atomic_directory(results_dir / "s") as out:
            (out / "f.csv").write_text(content)
    assert (results_dir / "s" / "f.csv").read_text() == "two"
    assert not staging.exists()


KILLED_SWAP = """
import os, signal, sys
from pathlib import Path
from sim.outputs import atomic

moment, target = sys.argv[1], Path(sys.argv[2])


def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)


if moment == "after_exchange":
    real_exchange = atomic.exchange
    atomic.exchange = lambda a, b: real_exchange(a, b) and die()
elif moment == "fallback_between_renames":
    real_rename = os.rename
    atomic.exchange = lambda a, b: False

    def rename(src, dst):
        real_rename(src, dst)
        if str(dst).endswith(".old"):
            die()

    os.rename = rename
with atomic.atomic_directory(target) as out:
    (out / "f.csv").write_text("new")
    if moment == "writing":
        die()
"""


@pytest.mark.parametrize("moment", ["writing", "after_exchange", "fallback_between_renames"])
def test_kill_at_each_step_of_the_swap(results_dir, moment):
    """A child process SIGKILLs itself at a step of the swap; then the next run cleans up."""
    target = results_dir / "s"
    with atomic_directory(target) as out:
        (out / "f.csv").write_text("old")
    child = subprocess.run([sys.executable, "-c", KILLED_SWAP, moment, str(target)],
                           cwd=PROJECT_ROOT, env=dict(os.environ, SIM_RESULTS_DIR=str(results_dir)),
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    if moment != "fallback_between_renames":  # there the folder is restored by the next run
        assert (target / "f.csv").read_text() in ("old", "new")
    assert len(list((results_dir / ".tmp").iterdir())) >= 1  # the killed run's leftovers
    remove_stale()
    assert (target / "f.csv").read_text() == ("new" if moment == "after_exchange" else "old")
    assert sorted(p.name for p in target.iterdir()) == ["f.csv"]
    assert list((results_dir / ".tmp").iterdir()) == []


def _snapshot(folder: Path) -> dict[str, bytes]:
    # manifest.json and report.html carry the run's times; every other file is compared.
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.name not in ("manifest.json", "report.html")}


def test_cli_run_killed_at_random_moments_keeps_old_or_new_and_cleans_up(tmp_path):
    """SIGKILL ``python -m sim run`` at random moments: results/<name> is always one
    complete run (of either seed), and the next run leaves nothing else behind."""
    results = tmp_path / "results"
    env = dict(os.environ, SIM_RESULTS_DIR=str(results))
    target = results / "kill_test"
    scenario = tmp_path / "kill_test.yaml"
    template = (SCENARIOS_DIR / "status_quo.yaml").read_text(encoding="utf-8")

    def command(seed: int) -> list[str]:
        # One scenario file, edited between runs: its results folder is replaced.
        text = template.replace("name: status_quo", "name: kill_test")
        text = text.replace("seed: 20261127", f"seed: {seed}").replace("members: 1000",
                                                                       "members: 20")
        scenario.write_text(text.replace("weeks: 104", "weeks: 8"), encoding="utf-8")
        return [sys.executable, "-m", "sim", "run", str(scenario), "--no-charts",
                "--workers", "1", "--quiet"]

    references, durations = {}, []
    for seed in (1, 2):
        started = time.perf_counter()
        subprocess.run(command(seed), cwd=PROJECT_ROOT, env=env, check=True,
                       capture_output=True, timeout=120)
        durations.append(time.perf_counter() - started)
        references[seed] = _snapshot(target)
    assert references[1] != references[2]
    rng = random.Random(8)
    longest = max(durations)
    for attempt in range(8):
        seed = 1 + attempt % 2
        # half the kills anywhere in the run, half near its end, where the swap happens
        delay = rng.uniform(0.0, longest) if attempt % 2 else rng.uniform(0.6, 1.1) * longest
        child = subprocess.Popen(command(seed), cwd=PROJECT_ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        found = _snapshot(target)
        assert found in (references[1], references[2]), f"kill {attempt} after {delay:.2f} s"
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        assert found == references[manifest["root_seed"]]
    subprocess.run(command(1), cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
                   timeout=120)
    assert _snapshot(target) == references[1]
    assert sorted(p.name for p in results.iterdir()) == ["kill_test"]


def test_sensitivity_tables_of_two_regions_do_not_replace_each_other(results_dir,
                                                                     monkeypatch, capsys):
    import pandas as pd

    from sim.analyses import sensitivity
    from sim.paths import DATA_DIR, REGIONS_DIR

    monkeypatch.setattr(sensitivity, "one_at_a_time", lambda region, members: pd.DataFrame(
        {"parameter": [region.name], "inert": [False]}))
    sensitivity.main(["--region", str(DATA_DIR)])
    sensitivity.main(["--region", str(REGIONS_DIR / "russia")])
    folder = results_dir / "sensitivity"
    assert pd.read_csv(folder / "oat.csv")["parameter"].tolist() == ["belarus"]
    assert pd.read_csv(folder / "oat_russia.csv")["parameter"].tolist() == ["russia"]
