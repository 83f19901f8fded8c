"""Exploration (issue 13): designs, the analysis path against known answers, the
simulator's design run, PRIM and bad input."""

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import INCAPACITY, make_context, make_scenario

from sim.analyses.explore import Problem, evaluate, sample, uncertainties_of
from sim.analyses.explore_analysis import (
    Case,
    morris_indices,
    noise_share,
    prim_box,
    sobol_indices,
)
from sim.cli import main
from sim.engines.ensemble import run_ensemble
from sim.model.params import CONTEXT_ONLY, PARAMS
from sim.model.scenario import Uncertainty
from sim.model.state import HOLDER


def _problem(bounds):
    names = tuple(f"x{i + 1}" for i in range(len(bounds)))
    return Problem(names, tuple(Uncertainty(low=lo, high=hi) for lo, hi in bounds))


def _outcomes(y):
    return pd.DataFrame({"point": np.arange(len(y)), "y": y, "var_y": np.zeros(len(y))})


def test_sobol_path_recovers_the_ishigami_indices():
    # Ishigami (a=7, b=0.1) on [-pi, pi]^3: analytic S1 and ST (Saltelli et al. 2008).
    problem = _problem([(-math.pi, math.pi)] * 3)
    unit = sample(problem, "sobol", 2048, seed=7)
    x = problem.values(unit)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    found = sobol_indices(problem.salib(), _outcomes(y), ["y"], seed=7).set_index("parameter")
    expected_s1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
    expected_st = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
    for name in expected_s1:
        assert found.loc[name, "S1"] == pytest.approx(expected_s1[name], abs=0.04)
        assert found.loc[name, "ST"] == pytest.approx(expected_st[name], abs=0.04)


def test_morris_path_recovers_a_linear_model_exactly():
    problem = _problem([(0.0, 2.0), (10.0, 11.0), (-1.0, 1.0)])
    unit = sample(problem, "morris", 12, seed=3)
    x = problem.values(unit)
    y = 3.0 * x[:, 0] - 5.0 * x[:, 1] + 0.0 * x[:, 2]
    found = morris_indices(problem.salib(), unit, _outcomes(y), ["y"], seed=3)
    found = found.set_index("parameter")
    assert found.loc["x1", "mu_star"] == pytest.approx(6.0)  # 3 x range 2
    assert found.loc["x2", "mu_star"] == pytest.approx(5.0)  # |-5| x range 1
    assert found.loc["x3", "mu_star"] == pytest.approx(0.0)
    assert found["sigma"].max() == pytest.approx(0.0, abs=1e-9)


def test_noise_share_counts_the_replicates_variance():
    frame = pd.DataFrame({"y": [0.0, 1.0], "var_y": [0.05, 0.15]})
    assert noise_share(frame, "y") == pytest.approx(0.1 / 0.5)


def test_default_uncertainties_leave_out_levers_fixed_and_context_parameters():
    scenario = make_scenario(parameters={"patron_support_gain": 1.0})
    names = uncertainties_of(scenario).names
    assert "patron_support_gain" not in names
    assert not set(names) & set(CONTEXT_ONLY)
    assert all(PARAMS[n].grade != "lever" for n in names)
    assert len(names) >= 20


def test_triangular_uncertainty_maps_the_unit_interval():
    spec = Uncertainty(low=0.0, high=1.0, distribution="triangular", mode=1.0)
    values = Problem(("a",), (spec,)).values(np.array([[0.0], [0.25], [1.0]]))[:, 0]
    assert values == pytest.approx([0.0, 0.5, 1.0])  # F(x) = x^2


def test_design_points_equal_plain_runs_of_each_point(region):
    ctx = make_context(region, weeks=20, members=8, events=INCAPACITY)
    names = ("patron_intervention_rate", "threshold_spread")
    values = np.array([[0.001, 0.08], [0.02, 0.15], [0.05, 0.1]])
    outcomes, _ = evaluate(ctx, names, values, replicates=8, chunk_rows=16)
    for point, row in enumerate(values):
        alone = make_context(region, weeks=20, members=8, events=INCAPACITY,
                             parameters=dict(zip(names, row, strict=True)))
        result = run_ensemble(alone)
        taken = (result.holder[:, -1] == HOLDER["patron_controlled"]).mean()
        assert outcomes.loc[point, "p_patron_takeover"] == taken


def test_prim_finds_the_box_that_makes_the_case():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((400, 3)), columns=["a", "b", "c"])
    outcomes = pd.DataFrame({"y": ((x["a"] > 0.7) & (x["b"] < 0.4)).astype(float)})
    trajectory, limits, stats = prim_box(x, outcomes, Case.parse("y>0.5"))
    assert set(limits["parameter"]) == {"a", "b"}
    assert stats["density"] >= 0.8 and stats["coverage"] >= 0.8
    assert limits.set_index("parameter").loc["a", "box_low"] == pytest.approx(0.7, abs=0.05)


def test_explore_writes_its_folder_end_to_end(results_dir, capsys):
    code = main(["explore", "incapacity", "--samples", "2", "--replicates", "10",
                 "--weeks", "12", "--quiet"])
    assert code == 0
    folder = results_dir / "explore" / "incapacity_morris__replicates-10_samples-2_weeks-12"
    for name in ("design.csv", "outcomes.csv", "indices.csv", "noise.csv", "prim.csv",
                 "manifest.json", "report.html", "charts/tornado.png", "charts/fans.png"):
        assert (folder / name).exists(), name
    report = (folder / "report.html").read_text()
    assert "which assumptions drive the answer" in report and "data:image/png;base64" in report
    # A later run of the scenario quotes this exploration in its own report.
    assert main(["run", "incapacity", "--members", "20", "--weeks", "12", "--quiet",
                 "--no-charts"]) == 0
    run_report = (results_dir / "incapacity__members-20_weeks-12" / "report.html").read_text()
    assert "How far these numbers move" in run_report and "incapacity_morris" in run_report
    design = pd.read_csv(folder / "design.csv")
    outcomes = pd.read_csv(folder / "outcomes.csv")
    assert len(design) == len(outcomes) == 2 * (len(design.columns) - 1 + 1)


def test_explorations_with_other_settings_get_their_own_folder(results_dir):
    for samples in ("1", "2"):
        assert main(["explore", "incapacity", "--samples", samples, "--replicates", "4",
                     "--weeks", "8", "--quiet", "--no-charts"]) == 0
    names = sorted(p.name for p in (results_dir / "explore").iterdir())
    assert names == ["incapacity_morris__replicates-4_samples-1_weeks-8",
                     "incapacity_morris__replicates-4_samples-2_weeks-8"]


def test_bad_exploration_input_is_a_clear_error(results_dir, capsys, tmp_path):
    assert main(["explore", "incapacity", "--method", "sobol", "--samples", "3",
                 "--weeks", "8"]) == 2
    assert "power of two" in capsys.readouterr().err
    assert main(["explore", "incapacity", "--case", "nonsense", "--samples", "1",
                 "--replicates", "2", "--weeks", "8", "--quiet"]) == 2
    assert "OUTPUT>THRESHOLD" in capsys.readouterr().err
    text = yaml.safe_load(open("scenarios/incapacity.yaml"))
    text["uncertainties"] = {"max_dependence_row_sum": {"low": 0.5, "high": 0.9}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(text))
    assert main(["explore", str(path), "--samples", "1", "--weeks", "8"]) == 2
    err = capsys.readouterr().err
    assert "uncertainties" in err and "separate runs" in err and "Traceback" not in err
    assert not (results_dir / "explore").exists() or not any(
        (results_dir / "explore").glob("bad*"))


def test_run_with_uncertain_parameters_gets_its_own_folder_and_says_so(results_dir):
    import json

    assert main(["run", "incapacity", "--members", "40", "--weeks", "12", "--quiet",
                 "--uncertain", "--no-charts"]) == 0
    assert main(["run", "incapacity", "--members", "40", "--weeks", "12", "--quiet",
                 "--no-charts", "--fixed"]) == 0
    uncertain = results_dir / "incapacity__members-40_uncertain-1_weeks-12"
    fixed = results_dir / "incapacity__fixed-1_members-40_weeks-12"
    manifest = json.loads((uncertain / "manifest.json").read_text())
    assert manifest["engine"]["mode"]["parameters"].startswith("uncertain")
    assert "threshold_spread" in manifest["engine"]["mode"]["uncertainties"]
    assert "Parameter mode: uncertain" in (uncertain / "report.html").read_text()
    assert "Monte Carlo noise only" not in (uncertain / "report.html").read_text()
    assert "Monte Carlo noise only" in (fixed / "report.html").read_text()
    assert "Parameter mode: fixed" in (fixed / "report.html").read_text()
    # Different parameters per member: the members' end states differ from the fixed run.
    assert (uncertain / "members.csv").read_bytes() != (fixed / "members.csv").read_bytes()


def test_the_readme_python_example_runs(results_dir):
    from sim import api

    x = api.explore("incapacity", method="morris", samples=2, replicates=6, weeks=10)
    top = x.indices.query("output == 'p_regime_continues'").nlargest(5, "mu_star")
    assert len(top) == 5 and set(top.columns) >= {"parameter", "mu_star", "sigma"}
    assert set(x.noise["output"]) >= {"p_regime_continues", "p_patron_takeover"}
    assert len(x.design) == len(x.outcomes)
    run = api.run("incapacity", uncertain=True, members=12, weeks=10)
    assert run.folder.name == "incapacity__members-12_uncertain-1_weeks-10"


def test_a_region_without_patrons_explores_without_a_takeover_headline(results_dir):
    import json

    assert main(["explore", "russia_incapacity", "--samples", "1", "--replicates", "4",
                 "--weeks", "8", "--quiet"]) == 0
    (folder,) = (results_dir / "explore").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "p_patron_takeover" not in manifest["headline"]
    assert "p_regime_continues" in manifest["headline"]
    assert (folder / "report.html").is_file() and (folder / "charts" / "fans.png").is_file()


def test_run_reports_prefer_the_exploration_with_default_settings(results_dir, monkeypatch):
    import json

    from sim.analyses import explore_run
    from sim.analyses.explore import METHODS
    from sim.outputs.explore_report import exploration_standing

    # A "default" exploration made small by shrinking the defaults, then a newer quick one.
    monkeypatch.setitem(METHODS, "morris", {"samples": 1, "replicates": 3})
    explore_run.explore("incapacity", "morris", weeks=None, charts=False, quiet=True)
    explore_run.explore("incapacity", "morris", samples=2, replicates=3, charts=False,
                        quiet=True)
    found = exploration_standing("incapacity")
    assert found["folder"].name == "incapacity_morris"
    assert json.loads((found["folder"] / "manifest.json").read_text())["samples"] == 1


def test_a_design_above_the_cap_is_refused_before_anything_is_sampled(results_dir, monkeypatch,
                                                                       capsys):
    from sim.analyses import explore_run
    from sim.cli import main

    def no_sampling(*args, **kwargs):
        raise AssertionError("the design was sampled before the size check")

    monkeypatch.setattr(explore_run, "sample", no_sampling)
    assert main(["explore", "incapacity", "--method", "sobol", "--samples", "1048576",
                 "--replicates", "2", "--weeks", "10"]) == 2
    err = capsys.readouterr().err
    assert "--samples" in err and "cap of 100,000" in err and "Traceback" not in err


def test_design_points_match_what_sampling_makes():
    from sim.analyses.explore import design_points, sample, uncertainties_of
    from sim.model.scenario import Scenario

    problem = uncertainties_of(Scenario.in_code("x", weeks=10, members=5, seed=1))
    k = len(problem.names)
    for method, samples in (("morris", 3), ("sobol", 4), ("lhs", 7)):
        assert len(sample(problem, method, samples, 1)) == design_points(method, samples, k)


# --- layer weights as uncertainties (sim/regions/layer_weights.py) --------------------------

def test_a_layer_factor_of_one_is_the_datas_region_and_zero_removes_the_layer(region):
    from sim.regions.layer_weights import all_layer_uncertainties, with_layer_factors

    same = with_layer_factors(region, {"layer.trade.contagion": 1.0,
                                       "layer.regime.influence": 1.0})
    assert np.array_equal(same.contagion_raw, region.contagion_raw)
    assert np.array_equal(same.influence_raw, region.influence_raw)
    factors = {name: 0.0 for name in all_layer_uncertainties(region)}
    assert len(factors) == 2 * len(region.layer_weights) == 14
    empty = with_layer_factors(region, factors)
    assert not empty.contagion_raw.any() and not empty.influence_raw.any()
    trade_only = with_layer_factors(region, {"layer.trade.contagion": 2.0})
    w = region.layer_weights["trade"][0]
    assert np.allclose(trade_only.contagion_raw - region.contagion_raw,
                       w * region.layers["trade"])


def test_a_design_point_with_layer_factors_of_one_equals_the_plain_run(region):
    ctx = make_context(region, weeks=20, members=8, events=INCAPACITY)
    names = ("layer.trade.contagion", "threshold_spread")
    values = np.array([[1.0, 0.08], [1.0, 0.15]])
    outcomes, pooled = evaluate(ctx, names, values, replicates=8)
    for point, row in enumerate(values):
        alone = make_context(region, weeks=20, members=8, events=INCAPACITY,
                             parameters={"threshold_spread": row[1]})
        result = run_ensemble(alone)
        drop = 1.0 - result.low[:, 0, :] / ctx.baseline["stability0"]
        assert outcomes.loc[point, "drop_RUS"] == pytest.approx(
            drop[:, region.index("RUS")].mean(), rel=0, abs=1e-12)
    assert pooled.shape[0] == 21 and pooled.shape[2] == len(run_ensemble(ctx).quantiles[0, 0])


def test_the_regime_layers_contagion_weight_moves_the_patrons_ripple(region):
    ctx = make_context(region, weeks=30, members=60, events=INCAPACITY)
    values = np.array([[0.0], [1.5]])
    outcomes, _ = evaluate(ctx, ("layer.regime.contagion",), values, replicates=60)
    assert outcomes.loc[0, "drop_BLR"] != outcomes.loc[1, "drop_BLR"]


@pytest.mark.parametrize(("name", "bounds", "says"), [
    ("layer.trade.weight", (0.5, 1.5), "layer.<layer>.contagion"),
    ("layer.trade.contagion", (0.5, 9.0), "multiplier"),
    ("layer.nonsense.contagion", (0.5, 1.5), "has no layer 'nonsense'"),
])
def test_bad_layer_uncertainties_are_clear_errors(results_dir, capsys, tmp_path, name, bounds,
                                                  says):
    text = yaml.safe_load(open("scenarios/incapacity.yaml"))
    text["uncertainties"] = {name: {"low": bounds[0], "high": bounds[1]}}
    path = tmp_path / "layers.yaml"
    path.write_text(yaml.safe_dump(text))
    assert main(["explore", str(path), "--samples", "1", "--replicates", "2",
                 "--weeks", "8", "--quiet", "--no-charts"]) == 2
    err = capsys.readouterr().err
    assert says in err and name in err and "Traceback" not in err


def test_explore_varies_layer_weights_end_to_end(results_dir, tmp_path):
    text = yaml.safe_load(open("scenarios/incapacity.yaml"))
    text["uncertainties"] = {"layer.trade.contagion": {"low": 0.5, "high": 1.5},
                             "threshold_spread": {"low": 0.08, "high": 0.15}}
    path = tmp_path / "layers.yaml"
    path.write_text(yaml.safe_dump(text))
    assert main(["explore", str(path), "--samples", "2", "--replicates", "4",
                 "--weeks", "8", "--quiet"]) == 0
    folder = next((results_dir / "explore").iterdir())
    design = pd.read_csv(folder / "design.csv")
    assert list(design.columns) == ["point", "layer.trade.contagion", "threshold_spread"]
    assert (folder / "indices.csv").exists() and (folder / "charts" / "fans.png").exists()
