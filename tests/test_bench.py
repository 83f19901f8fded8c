"""make bench's side-by-side machinery at a tiny size (no timing is asserted)."""

import subprocess

import pandas as pd
import pytest

from sim import paths
from sim.analyses import bench, bench_sides


def _has_baseline() -> bool:
    done = subprocess.run(["git", "cat-file", "-e", f"{bench_sides.BASELINE_COMMIT}^{{commit}}"],
                          cwd=paths.PROJECT_ROOT, capture_output=True)
    return done.returncode == 0


needs_baseline = pytest.mark.skipif(not _has_baseline(),
                                    reason="the baseline commit is not in this clone")


@needs_baseline
def test_baseline_tree_is_extracted_once(tmp_path):
    folder = bench_sides.baseline_tree(folder=tmp_path / "base")
    assert (folder / "sim" / "run.py").is_file()  # the session-1 layout
    stamp = (folder / ".baseline-commit").stat().st_mtime_ns
    assert bench_sides.baseline_tree(folder=tmp_path / "base") == folder
    assert (folder / ".baseline-commit").stat().st_mtime_ns == stamp


@pytest.mark.slow
@needs_baseline
def test_bench_runs_both_sides_and_writes_ratios(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(paths.RESULTS_ENV, str(tmp_path))
    monkeypatch.setattr(paths, "BENCH_DIR", tmp_path / "bench")
    assert bench.main(["--quick", "--case", "run_10k", "--case", "stepping_10k",
                       "--case", "design_sims"]) == 0
    table = pd.read_csv(tmp_path / "bench" / "bench.csv")
    for case in ("run_10k", "stepping_10k"):
        rows = table[table["case"] == case].set_index("side")
        assert set(rows.index) == {"baseline", "new"}
        assert rows.loc["baseline", "commit"] == bench_sides.BASELINE_COMMIT
        assert rows["wall_s"].gt(0).all()
        ratio = rows.loc["new", "ratio_vs_baseline"]
        assert ratio == pytest.approx(rows.loc["baseline", "wall_s"] / rows.loc["new", "wall_s"],
                                      rel=0.05)
    design = table[table["case"] == "design_sims"].iloc[0]
    assert design["sims_per_s"] > 0 and "new only" in design["engine"]
    assert "written to" in capsys.readouterr().out


def test_no_remembered_baseline_number():
    assert not hasattr(bench, "BASELINE")


def test_another_baseline_commit_is_passed_to_the_cases(monkeypatch):
    seen = []
    monkeypatch.setattr(bench, "run_case_in_subprocess",
                        lambda name, quick, repeats, baseline, before:
                        seen.append(baseline) or [])
    monkeypatch.setattr(bench.paths, "BENCH_DIR", paths.PROJECT_ROOT / "results" / "bench-test")
    try:
        bench.main(["--case", "default_run", "--baseline", "b014187"])
    finally:
        import shutil

        shutil.rmtree(paths.PROJECT_ROOT / "results" / "bench-test", ignore_errors=True)
    assert seen == ["b014187"]
    assert bench_sides.chosen_baseline["commit"] == "b014187"
    bench_sides.chosen_baseline["commit"] = bench_sides.BASELINE_COMMIT
    assert bench_sides.sides()[0].commit == bench_sides.BASELINE_COMMIT


def test_a_baseline_that_is_not_a_commit_hash_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        bench.main(["--baseline=--upload-pack=x"])
    assert stop.value.code == 2
    assert "commit hash" in capsys.readouterr().err


@needs_baseline
def test_a_before_side_is_timed_in_the_same_runs(monkeypatch):
    """``--before COMMIT``: a third side, alternating with the others, its own ratio."""
    monkeypatch.setitem(bench_sides.chosen_before, "commit", bench_sides.BASELINE_COMMIT)
    rows = bench_sides.stepping_side_by_side(members=20, repeats=1)
    by_side = {row["side"]: row for row in rows}
    assert list(by_side) == ["baseline", "before", "new"]
    assert by_side["before"]["commit"] == bench_sides.BASELINE_COMMIT
    assert by_side["before"]["ratio_vs_baseline"] == pytest.approx(
        by_side["baseline"]["wall_s"] / by_side["before"]["wall_s"], rel=0.02)
    assert "ratio_vs_baseline" not in by_side["baseline"]


def test_a_before_that_is_not_a_commit_hash_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        bench.main(["--before", "main;rm"])
    assert stop.value.code == 2
    assert "--before: a commit hash" in capsys.readouterr().err
