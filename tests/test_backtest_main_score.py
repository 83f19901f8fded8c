"""make backtest: the cross-validated score is the main one, the in-sample one beside it,
both labelled; without a shipped cross-validation the in-sample score is the main one."""

import json

import numpy as np
import pandas as pd
import pytest
from test_backtest import _episode

from sim.analyses import backtest as bt
from sim.analyses.inference import shipped


def _fake_crossval(folder, n=20):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"episode": [f"e{i}" for i in range(n)],
                          "trigger": rng.choice(["protest", "death"], n),
                          "observed": rng.choice(list("ABC"), n)})
    for prefix in ("cv", "in", "logit", "null_cv"):
        p = rng.dirichlet(np.ones(3), n)
        for k, c in enumerate("ABC"):
            frame[f"{prefix}_p_{c}"] = p[:, k]
    (folder / "crossval.csv").write_text(frame.to_csv(index=False))
    (folder / "posterior.json").write_text(json.dumps(
        {"episodes_sha256": {f"e{i}": "h" for i in range(n)}, "git_commit": "abc123"}))


def test_the_cross_validated_score_comes_first_and_is_the_verdict(tmp_path, results_dir,
                                                                  monkeypatch):
    folder = _episode(tmp_path)
    _fake_crossval(tmp_path)
    monkeypatch.setattr(shipped, "CROSSVAL_CSV", tmp_path / "crossval.csv")
    monkeypatch.setattr(shipped, "POSTERIOR_JSON", tmp_path / "posterior.json")
    monkeypatch.setattr(bt, "EPISODES_DIR", tmp_path)   # the one episode is "every" one
    target = bt.backtest([folder], members=50, charts=False)
    summary = (target / "summary.txt").read_text()
    assert summary.startswith("MAIN SCORE: cross-validated")
    assert summary.index("logit benchmark, cross-validated") < summary.index(
        "Beside it: Backtest of 1 development episodes, in-sample at the default parameters")
    assert "Verdict (in-sample score" in summary
    manifest = json.loads((target / "manifest.json").read_text())
    cv = pd.read_csv(target / "crossval_scores.csv")
    row = cv[(cv.forecast == "cross-validated") & (cv.metric == "brier_skill_vs_null")]
    assert manifest["verdict"]["score"] == "cross-validated"
    assert manifest["verdict"]["skill"] == pytest.approx(float(row.model.iloc[0]), abs=1e-6)
    assert manifest["verdict"]["in_sample"]["skill"] != manifest["verdict"]["skill"]
    assert set(cv.forecast) == {"cross-validated", "in-sample", "logit (cross-validated)"}


def test_without_a_shipped_cross_validation_the_in_sample_score_is_labelled_main(
        tmp_path, results_dir, monkeypatch):
    folder = _episode(tmp_path)
    monkeypatch.setattr(shipped, "CROSSVAL_CSV", tmp_path / "none.csv")
    monkeypatch.setattr(bt, "EPISODES_DIR", tmp_path)
    target = bt.backtest([folder], members=50, charts=False)
    summary = (target / "summary.txt").read_text()
    assert summary.startswith("Cross-validated: none shipped")
    assert json.loads((target / "manifest.json").read_text())["verdict"]["score"] == "in-sample"
    assert not (target / "crossval_scores.csv").exists()
