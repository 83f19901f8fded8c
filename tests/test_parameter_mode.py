"""The parameter mode of a run: posterior draws by default, --fixed / FIXED=1 /
api.run(fixed=True) for fixed-point runs, each mode in its own folder and manifest, and a
posterior made for another model said plainly."""

import json

import numpy as np
import pytest

from sim import api
from sim.analyses.inference import shipped
from sim.analyses.run import RunRequest, prepare, with_parameter_mode
from sim.cli import main
from sim.errors import UserError
from sim.paths import result_folder_name

ARGS = ["--members", "24", "--weeks", "12", "--no-charts", "--quiet"]


def _manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def test_the_default_run_draws_from_the_posterior_and_fixed_does_not(results_dir):
    assert main(["run", "incapacity", *ARGS]) == 0
    assert main(["run", "incapacity", *ARGS, "--fixed"]) == 0
    default = results_dir / result_folder_name("incapacity", {"members": 24, "weeks": 12})
    fixed = results_dir / result_folder_name("incapacity", {"members": 24, "weeks": 12,
                                                            "fixed": 1})
    assert default.name == "incapacity__members-24_weeks-12"
    assert fixed.name == "incapacity__fixed-1_members-24_weeks-12"
    a, b = _manifest(default), _manifest(fixed)
    assert a["engine"]["mode"]["parameter_mode"] == "posterior"
    assert b["engine"]["mode"]["parameter_mode"] == "fixed"
    assert "fixed" not in a["overrides"] and b["overrides"]["fixed"] == 1
    names, _, _ = shipped.load_posterior()
    assert set(a["engine"]["mode"]["uncertainties"]) == set(names)
    assert "uncertainties" not in b["engine"]["mode"]


def test_posterior_asked_for_explicitly_is_the_default_run(results_dir):
    assert RunRequest("x", posterior=True).overrides() == RunRequest("x").overrides() == {}
    assert RunRequest("x", fixed=True).overrides() == {"fixed": 1}
    assert main(["run", "incapacity", *ARGS, "--posterior"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 24, "weeks": 12})
    assert _manifest(folder)["engine"]["mode"]["parameter_mode"] == "posterior"


def test_the_api_defaults_to_the_posterior_and_takes_fixed(results_dir):
    drawn = api.run("incapacity", members=16, weeks=8)
    fixed = api.run("incapacity", members=16, weeks=8, fixed=True)
    assert drawn.manifest["engine"]["mode"]["parameter_mode"] == "posterior"
    assert fixed.manifest["engine"]["mode"]["parameter_mode"] == "fixed"
    assert drawn.folder != fixed.folder and "fixed=True" in fixed.manifest["command"]
    with pytest.raises(UserError, match="fixed"):
        api.run("incapacity", members=16, weeks=8, fixed="yes")
    with pytest.raises(UserError, match="not both"):
        api.run("incapacity", members=16, weeks=8, fixed=True, posterior=True)


def test_the_same_seed_gives_the_same_draws_in_two_scenarios():
    """Compare pairs members that share a posterior draw: the draw depends on the seed
    and the member only."""
    contexts = []
    for name in ("status_quo", "incapacity"):
        request = RunRequest(name, members=30, weeks=5, seed=99)
        _, scenario, ctx = prepare(request)
        contexts.append(with_parameter_mode(ctx, scenario, request)[0])
    a, b = (c.design for c in contexts)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    request = RunRequest("incapacity", members=30, weeks=5, seed=99, fixed=True)
    _, scenario, ctx = prepare(request)
    assert not with_parameter_mode(ctx, scenario, request)[0].design


def test_a_posterior_for_another_model_still_runs_and_says_so(results_dir, tmp_path,
                                                             monkeypatch, capsys):
    meta = json.loads(shipped.POSTERIOR_JSON.read_text())
    meta["model_sha256"] = "0" * 64
    (tmp_path / "posterior.json").write_text(json.dumps(meta))
    monkeypatch.setattr(shipped, "POSTERIOR_JSON", tmp_path / "posterior.json")
    assert main(["run", "incapacity", "--members", "12", "--weeks", "6", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "another version of the model" in err
    folder = results_dir / result_folder_name("incapacity", {"members": 12, "weeks": 6})
    posterior = _manifest(folder)["engine"]["mode"]["posterior"]
    assert posterior["model_matches"] is False
    assert "another version of the model" in (folder / "report.html").read_text()


def test_the_shipped_posterior_matches_the_running_model():
    """The shipped posterior was made by this model (make calibrate re-run after a
    model change): otherwise every run says it is not a fit of this model."""
    meta = json.loads(shipped.POSTERIOR_JSON.read_text())
    assert meta.get("model_sha256") == shipped._model_fingerprint()


def test_a_folder_side_keeps_its_parameter_mode(results_dir):
    from sim.analyses.sides import prepare_side, request_from_folder

    assert main(["run", "incapacity", *ARGS, "--fixed"]) == 0
    folder = results_dir / result_folder_name("incapacity", {"members": 24, "weeks": 12,
                                                            "fixed": 1})
    side = prepare_side(request_from_folder(folder))
    assert side.request.parameter_mode() == "fixed" and not side.ctx.design
    assert side.name == folder.name


def test_the_dashboard_form_carries_the_parameter_mode(results_dir):
    from sim.dashboard import jobs, run_settings

    path = "scenarios/incapacity.yaml"
    default = jobs.RunForm(scenario=path, members=10, weeks=5)
    fixed = jobs.RunForm(scenario=path, members=10, weeks=5,
                         fixed=run_settings.FORM_MODES["Fixed at the defaults (FIXED=1)"])
    assert next(iter(run_settings.FORM_MODES.values())) is False   # the first: posterior
    assert default.request().parameter_mode() == "posterior"
    assert fixed.request().parameter_mode() == "fixed"
    assert jobs.target_folder(fixed).name == "incapacity__fixed-1_members-10_weeks-5"
    assert jobs.target_folder(default).name == "incapacity__members-10_weeks-5"
