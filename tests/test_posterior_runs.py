"""Runs that draw from the calibrated posterior: exact replay, pairing, user's values win,
bad posterior files refused."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.analyses.inference import shipped
from sim.analyses.run import RunRequest, prepare, with_posterior_parameters
from sim.cli import main
from sim.engines.ensemble import run_ensemble
from sim.errors import UserError
from sim.model.state import METRICS
from sim.paths import result_folder_name


def test_the_shipped_posterior_loads_and_every_draw_is_a_valid_parameter_set():
    names, draws, weights = shipped.load_posterior()
    assert len(names) >= 10 and draws.shape == (len(weights), len(names))
    assert weights.sum() == pytest.approx(1.0) and (weights >= 0).all()
    meta = json.loads(shipped.POSTERIOR_JSON.read_text())
    assert meta["rows"] == len(weights) and meta["parameters"] == list(names)


def test_a_members_draw_depends_on_seed_and_member_only():
    weights = np.full(50, 1 / 50)
    a = shipped.member_draws(7, np.arange(200), weights)
    assert np.array_equal(shipped.member_draws(7, np.arange(100, 200), weights), a[100:])
    assert not np.array_equal(shipped.member_draws(8, np.arange(200), weights), a)
    skewed = np.array([0.7, 0.2, 0.1, 0.0])
    counts = np.bincount(shipped.member_draws(7, np.arange(20000), skewed), minlength=4)
    assert counts[3] == 0 and np.allclose(counts / 20000, skewed, atol=0.015)


def test_scenario_values_win_over_the_posterior():
    design, mode = shipped.posterior_design(3, 20, {"defection_crowd"})
    assert "defection_crowd" not in design and "defection_rate" in design
    assert mode["posterior"]["fixed_by_scenario"] == ["defection_crowd"]
    assert all(len(v) == 20 for v in design.values())


def test_replay_of_a_posterior_run_is_exact_and_differs_from_the_fixed_run(results_dir):
    args = ["--members", "30", "--weeks", "20"]
    assert main(["run", "incapacity", *args, "--posterior", "--no-charts", "--quiet"]) == 0
    assert main(["replay", "incapacity", "--member", "11", *args, "--posterior",
                 "--no-charts"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 30, "weeks": 20})
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"]["mode"]["posterior"]["file"] == "sim/calibration/posterior.csv"
    agents = pd.read_csv(folder / "replay" / "member_11" / "agents.csv")
    _, scenario, ctx = prepare(RunRequest("incapacity", members=30, weeks=20))
    design_ctx, _ = with_posterior_parameters(ctx, scenario)
    ensemble = run_ensemble(design_ctx, keep_trajectories=True)
    n = ctx.region.n
    replayed = agents[list(METRICS)].to_numpy().reshape(21, n, len(METRICS)).transpose(0, 2, 1)
    assert np.array_equal(replayed, ensemble.trajectories[11])
    plain = run_ensemble(ctx, keep_trajectories=True)
    assert not np.array_equal(replayed, plain.trajectories[11])
    # the default replay (no flag) replays the default run: the same draw
    assert main(["replay", "incapacity", "--member", "11", *args, "--no-charts"]) == 0
    again = pd.read_csv(folder / "replay" / "member_11" / "agents.csv")
    assert again[list(METRICS)].equals(agents[list(METRICS)])


@pytest.mark.parametrize("flags", [["--uncertain", "--posterior"], ["--fixed", "--posterior"],
                                   ["--fixed", "--uncertain"]])
def test_two_parameter_modes_together_are_refused(results_dir, capsys, flags):
    assert main(["run", "incapacity", "--members", "5", "--weeks", "10", *flags,
                 "--no-charts", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "not both" in err and "Traceback" not in err


@pytest.mark.parametrize(("text", "field"), [
    ("defection_crowd\n0.04\n", "weight"),
    ("weight,not_a_parameter\n1,0.5\n", "not_a_parameter"),
    ("weight,defection_crowd\n1,9.0\n", "defection_crowd"),
    ("weight,defection_crowd\n-1,0.04\n", "weight"),
])
def test_a_broken_posterior_file_is_refused_with_its_field(tmp_path, text, field):
    path = tmp_path / "posterior.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        shipped.load_posterior(path)
    assert err.value.field == field


def test_a_missing_posterior_says_how_to_make_one(tmp_path):
    with pytest.raises(UserError, match="make calibrate"):
        shipped.load_posterior(tmp_path / "none.csv")


def test_a_drawn_run_splits_its_spread_into_parameters_and_dice(results_dir):
    args = ["--members", "200", "--weeks", "30"]
    assert main(["run", "incapacity", *args, "--posterior", "--no-charts", "--quiet"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 200, "weeks": 30})
    split = json.loads((folder / "manifest.json").read_text())["engine"]["mode"]["split"]
    outcomes = pd.read_csv(folder / "outcomes.csv").query("actor == 'BLR'")
    for outcome, v in split.items():
        row = outcomes[outcomes.outcome == outcome]
        assert v["probability"] == pytest.approx(float(row.probability.iloc[0]))
        assert 0.0 <= v["parameter_p05"] <= v["parameter_p95"] <= 1.0
        assert v["parameter_share"] + v["monte_carlo_share"] == pytest.approx(
            1.0 if 0 < v["probability"] < 1 else v["monte_carlo_share"])
    page = (folder / "report.html").read_text()
    assert "How much of the spread" in page
    # The assumptions section does not claim that every parameter is at its default.
    assert "the calibrated ones are drawn from\ntheir posterior" in page
    assert "every parameter at its\ndefault" not in page


def test_a_fixed_run_has_no_split(results_dir):
    assert main(["run", "incapacity", "--members", "20", "--weeks", "10", "--no-charts",
                 "--quiet", "--fixed"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 20, "weeks": 10,
                                                             "fixed": 1})
    mode = json.loads((folder / "manifest.json").read_text())["engine"]["mode"]
    assert "split" not in mode and mode["parameter_mode"] == "fixed"
    assert "every parameter at its\ndefault" in (folder / "report.html").read_text()


def test_every_report_sets_the_defaults_beside_the_posterior(results_dir):
    assert main(["run", "incapacity", "--members", "20", "--weeks", "10", "--no-charts",
                 "--quiet", "--fixed"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 20, "weeks": 10,
                                                             "fixed": 1})
    page = (folder / "report.html").read_text()
    names, _, _ = shipped.load_posterior()
    assert "The calibrated parameters: defaults and posterior" in page
    assert all(f"<code>{n}</code>" in page for n in names)


def test_exploration_fans_get_a_posterior_column():
    from sim.analyses.explore_run import _posterior_quantiles

    _, scenario, ctx = prepare(RunRequest("incapacity", members=20, weeks=12))
    q = _posterior_quantiles(ctx, scenario, 20)
    plain = run_ensemble(ctx, members=np.arange(20), progress=False).quantiles
    assert q is not None and q.shape == plain.shape and not np.array_equal(q, plain)
    assert _posterior_quantiles(ctx.with_design({"defection_rate": np.ones(20)}, 20),
                                scenario, 20) is None   # a design run keeps its own draws


def test_the_backtest_reports_the_shipped_cross_validation_and_says_when_stale(
        tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    n = 20
    frame = pd.DataFrame({"episode": [f"e{i}" for i in range(n)],
                          "observed": rng.choice(list("ABC"), n)})
    for prefix in ("cv", "logit", "null_cv"):
        p = rng.dirichlet(np.ones(3), n)
        for k, c in enumerate("ABC"):
            frame[f"{prefix}_p_{c}"] = p[:, k]
    (tmp_path / "crossval.csv").write_text(frame.to_csv(index=False))
    hashes = {f"e{i}": "h" for i in range(n)}
    (tmp_path / "posterior.json").write_text(json.dumps({"episodes_sha256": hashes,
                                                         "git_commit": "abc123"}))
    monkeypatch.setattr(shipped, "CROSSVAL_CSV", tmp_path / "crossval.csv")
    monkeypatch.setattr(shipped, "POSTERIOR_JSON", tmp_path / "posterior.json")
    lines = shipped.crossval_lines(hashes)
    assert lines[0].startswith("MAIN SCORE: cross-validated") and "abc123" in lines[-1]
    assert any("logit benchmark, cross-validated" in line for line in lines)
    assert any("Verdict (main score, cross-validated)" in line for line in lines)
    assert "the ones it ran on" in lines[-1]
    assert "STALE" in shipped.crossval_lines({**hashes, "e0": "changed"})[-1]
    monkeypatch.setattr(shipped, "CROSSVAL_CSV", tmp_path / "none.csv")
    assert "none shipped" in shipped.crossval_lines(hashes)[0]
