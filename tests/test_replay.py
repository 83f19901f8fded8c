"""Replay of one member equals that member's record in the ensemble exactly."""

import json

import numpy as np
import pandas as pd

from sim.analyses.run import RunRequest, prepare
from sim.cli import main
from sim.engines.ensemble import run_ensemble
from sim.model.state import METRICS
from sim.paths import result_folder_name


def test_replay_equals_the_ensemble_record(results_dir):
    # a fixed-point run (the default draws from the posterior: test_posterior_runs.py)
    args = ["--members", "50", "--weeks", "30", "--seed", "3", "--fixed"]
    assert main(["run", "incapacity", *args, "--no-charts", "--quiet"]) == 0
    assert main(["replay", "incapacity", "--member", "49", *args, "--no-charts"]) == 0
    run_folder = results_dir / result_folder_name(
        "incapacity", {"members": 50, "weeks": 30, "seed": 3, "fixed": 1})
    folder = run_folder / "replay" / "member_49"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["overrides"] == {"members": 50, "weeks": 30, "seed": 3, "fixed": 1}
    agents = pd.read_csv(folder / "agents.csv")
    _, _, ctx = prepare(RunRequest("incapacity", members=50, weeks=30, seed=3))
    ensemble = run_ensemble(ctx, keep_trajectories=True)
    n = ctx.region.n
    replayed = agents[list(METRICS)].to_numpy().reshape(31, n, len(METRICS)).transpose(0, 2, 1)
    assert np.array_equal(replayed, ensemble.trajectories[49])
    members = pd.read_csv(run_folder / "members.csv")
    row = members[members.member == 49].iloc[0]
    final = agents[(agents.week == 30) & (agents.actor == "BLR")].iloc[0]
    assert float(f"{final.stability:.6g}") == row.BLR_stability_end
    model = pd.read_csv(folder / "model.csv")
    assert model.holder.iloc[-1] == row.holder_end


def test_replay_of_a_member_outside_the_ensemble_is_refused(results_dir, capsys):
    assert main(["replay", "status_quo", "--member", "1000", "--no-charts"]) == 2
    assert "--member" in capsys.readouterr().err


def test_replay_of_an_uncertain_run_uses_the_members_drawn_parameters(results_dir):
    from sim.analyses.run import with_uncertain_parameters

    args = ["--members", "30", "--weeks", "20"]
    assert main(["run", "incapacity", *args, "--uncertain", "--no-charts", "--quiet"]) == 0
    assert main(["replay", "incapacity", "--member", "17", *args, "--uncertain",
                 "--no-charts"]) == 0
    run_folder = results_dir / result_folder_name("incapacity", {"members": 30, "weeks": 20,
                                                                 "uncertain": 1})
    agents = pd.read_csv(run_folder / "replay" / "member_17" / "agents.csv")
    path, scenario, ctx = prepare(RunRequest("incapacity", members=30, weeks=20))
    design_ctx, _ = with_uncertain_parameters(ctx, scenario)
    ensemble = run_ensemble(design_ctx, keep_trajectories=True)
    n = ctx.region.n
    replayed = agents[list(METRICS)].to_numpy().reshape(21, n, len(METRICS)).transpose(0, 2, 1)
    assert np.array_equal(replayed, ensemble.trajectories[17])
    plain = run_ensemble(ctx, keep_trajectories=True)
    assert not np.array_equal(replayed, plain.trajectories[17])  # the parameters differ
    members = pd.read_csv(run_folder / "members.csv")
    assert members[members.member == 17].iloc[0].holder_end == pd.read_csv(
        run_folder / "replay" / "member_17" / "model.csv").holder.iloc[-1]
