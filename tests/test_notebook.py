"""The example notebook (docs/example.ipynb) runs from top to bottom with a small ensemble."""

import os
import time
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "example.ipynb"


def test_example_notebook_runs_fast(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # The kernel is a child process: the results folder and the ensemble size reach it
    # through the environment (sim.paths.RESULTS_ENV).
    monkeypatch.setenv("SIM_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("SIM_NOTEBOOK_MEMBERS", "60")
    monkeypatch.setenv("SIM_NOTEBOOK_WEEKS", "26")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    started = time.perf_counter()
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"the example notebook took {elapsed:.1f} s (keep it under 30 s)"
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                    for o in outputs)
    assert "Regime continues, new leader" in text and "persists_at_horizon" in text
    assert "60 members x 26 weeks" in text
    assert (tmp_path / "results" / "compare").is_dir()
    assert os.environ["SIM_RESULTS_DIR"] == str(tmp_path / "results")
