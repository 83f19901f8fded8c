"""Watching the news (observations) and signposts: known answers, refusals, bad input."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analyses import observations as watch
from sim.analyses.run import RunRequest, prepare, recorder_for
from sim.analyses.signposts import SIGNPOSTS, signposts_frame, strongest
from sim.cli import main
from sim.engines.ensemble import run_ensemble
from sim.engines.stats import wilson_interval
from sim.errors import UserError
from sim.model.state import HOLDER
from sim.outputs import tables
from sim.paths import SCENARIOS_DIR, result_folder_name

HEAD = """\
name: watched_case
description: test
weeks: {weeks}
seed: 20261127
members: {members}
events: {events}
observations:
{observations}"""
VACANCY = "[{type: leader_incapacitated, week: 4}]"


def scenario_file(tmp_path: Path, observations: str, events: str = "[]", weeks: int = 20,
                  members: int = 200) -> Path:
    path = tmp_path / "watched_case.yaml"
    path.write_text(HEAD.format(weeks=weeks, members=members, events=events,
                                observations=observations))
    return path


def conditioned(path: Path, members: int | None = None, weeks: int | None = None):
    """Run the scenario in memory; return (outcomes frame, conditioning, observables)."""
    _, scenario, ctx = prepare(RunRequest(str(path), members=members, weeks=weeks))
    recorder = recorder_for(scenario, ctx)
    result = run_ensemble(ctx, on_week=recorder, progress=False)
    data = recorder.finish(result.holder, result.incapacity_week)
    outcomes = tables.outcomes_frame(result, ctx)
    cond = watch.condition(scenario.observations, data, ctx)
    frame = watch.conditioned_frame(tables.outcome_hits(result, ctx), outcomes, cond)
    return frame, cond, (result, ctx, data)


def test_an_impossible_observation_is_refused_with_exit_code_2(tmp_path, results_dir, capsys):
    # The leader is incapacitated at week 4: "still in office at week 8" holds in no member.
    path = scenario_file(tmp_path, "  - {week: 8, type: leader_in_office, value: true}",
                         events=VACANCY)
    assert main(["run", str(path), "--no-charts", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and ": observations:" in err and "no member of 200" in err
    assert "0.0% of members" in err and "Traceback" not in err
    assert not results_dir.exists() or not any(results_dir.iterdir())


def test_a_certain_observation_changes_nothing_exactly(tmp_path):
    # "Not in office at week 8" holds in every member of the incapacity run: equal weights.
    path = scenario_file(tmp_path, "  - {week: 8, type: leader_in_office, value: false}",
                         events=VACANCY)
    frame, cond, _ = conditioned(path)
    assert np.all(cond.weights == 1.0) and cond.ess == 200.0
    for column in ("probability", "ci_low", "ci_high"):
        assert frame[column].tolist() == frame[f"{column}_unconditioned"].tolist()
    assert (frame["shift"] == 0).all()


def test_leader_in_office_in_the_status_quo_changes_little(tmp_path):
    path = scenario_file(tmp_path, "  - {week: 8, type: leader_in_office, value: true}",
                         members=400)
    frame, cond, _ = conditioned(path)
    focal = frame[frame["outcome"].isin(tables.OUTCOMES)]
    assert cond.ess > 390
    assert focal["shift"].abs().max() < 0.02


def test_conditioning_on_a_fact_equals_counting_the_members_where_it_holds(tmp_path):
    # A known answer: with a 0/1 fact, the conditioned probability is the share among the
    # members where the fact holds (here: no open split by week 12 after a vacancy).
    path = scenario_file(tmp_path, "  - {week: 12, type: no_mass_protest}", events=VACANCY,
                         weeks=30, members=300)
    frame, cond, (result, ctx, data) = conditioned(path)
    holds = data.unrest_max[(12, ctx.roles.focal)] < 0.02
    assert np.array_equal(cond.weights > 0, holds)
    outcome = tables.member_outcomes(result)
    for r in frame[frame["outcome"].isin(tables.OUTCOMES)].itertuples():
        assert r.probability == pytest.approx((outcome[holds] == r.outcome).mean(), abs=1e-12)
    assert cond.ess == pytest.approx(holds.sum())


def test_crowd_likelihood_is_lognormal_and_favours_members_near_the_estimate(tmp_path):
    path = scenario_file(tmp_path, "  - {week: 6, type: crowd, share: 0.004, log_error: 0.5}",
                         events=VACANCY, weeks=20, members=300)
    _, cond, (result, ctx, data) = conditioned(path)
    share = data.unrest[(6, ctx.roles.focal)]
    expected = np.exp(-0.5 * ((np.log(0.004) - np.log(share)) / 0.5) ** 2)
    np.testing.assert_allclose(cond.weights, expected / expected.max(), rtol=1e-12)
    assert cond.weights[np.argmin(np.abs(np.log(share / 0.004)))] == 1.0


def test_a_reported_fact_with_an_error_rate_keeps_contradicting_members(tmp_path):
    path = scenario_file(tmp_path, "  - {week: 8, type: patron_move, value: true, "
                         "error: 0.2}", events=VACANCY, members=300)
    _, cond, (_, ctx, data) = conditioned(path)
    moved = data.patron_moved(8, 0)
    assert not moved.any()                      # no full backing by week 8 in the model
    assert np.all(cond.weights == 1.0)          # every member equally (un)likely: 0.2 each
    assert cond.rows[0]["consistent_share"] == pytest.approx(0.2)


def test_the_ess_refusal_names_the_threshold(tmp_path, results_dir, capsys):
    # A precise crowd estimate far above what the model produces: a few members carry all.
    path = scenario_file(tmp_path, "  - {week: 6, type: crowd, share: 0.006, log_error: 0.1}",
                         events=VACANCY, members=300)
    _, cond, _ = conditioned(path)
    assert 0 < cond.ess < watch.ess_threshold(300)
    assert main(["run", str(path), "--no-charts", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "effective" in err and "below the 50 needed" in err


def test_ess_threshold_and_kish():
    assert watch.ess_threshold(300) == 50 and watch.ess_threshold(10_000) == 500
    assert watch.kish_ess(np.array([1.0, 1.0, 0.0, 0.0])) == 2.0
    assert watch.kish_ess(np.zeros(3)) == 0.0
    with pytest.raises(UserError, match="effective 2.0 of 300"):
        watch.check(watch.Conditioning(np.array([1.0, 1.0]), 2.0, []), 300, "f.yaml")
    for k in (0, 3, 17, 40):
        assert watch.weighted_wilson(k / 40, 40.0) == wilson_interval(k, 40)


BAD = [
    ("  - {week: 8, type: rumour}", "observations.0", "unknown observation type"),
    ("  - {week: 30, type: no_mass_protest}", "observations.0.week", "after the horizon"),
    ("  - {week: -1, type: no_mass_protest}", "observations.0.no_mass_protest.week",
     "greater than or equal to 0"),
    ("  - {week: 6, type: crowd, share: 0.01, log_error: -0.5}",
     "observations.0.crowd.log_error", "greater than 0"),
    ("  - {week: 6, type: crowd, share: 0.01}", "observations.0.crowd.log_error", "Field "
     "required"),
    ("  - {week: 6, type: leader_in_office, value: true, error: 0.7}",
     "observations.0.leader_in_office.error", "less than 0.5"),
    ("  - {week: 6, type: crowd, share: 0.01, log_error: 0.5, actor: ATLANTIS}",
     "observations.0.actor", "not a state"),
    ("  - {week: 6, type: patron_move, patron: CHN}", "observations.0.patron",
     "not a patron"),
    ("  - {week: 6, type: no_mass_protest, colour: red}",
     "observations.0.no_mass_protest.colour", "unknown key"),
]


@pytest.mark.parametrize(("text", "field", "message"), BAD)
def test_bad_observations_get_one_clear_error(tmp_path, results_dir, capsys, text, field,
                                              message):
    path = scenario_file(tmp_path, text)
    assert main(["run", str(path), "--no-charts", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(path) in err and f": {field}:" in err
    assert message in err and "Traceback" not in err


def test_a_shorter_horizon_than_an_observation_is_refused(results_dir, capsys):
    assert main(["run", "incapacity_watched", "--weeks", "10", "--no-charts",
                 "--quiet"]) == 2
    assert "observations.1.week" in capsys.readouterr().err


def test_signposts_add_up_to_the_unconditioned_probability(tmp_path):
    path = scenario_file(tmp_path, "  - {week: 8, type: leader_in_office, value: false}",
                         events=VACANCY, weeks=40, members=300)
    _, _, (result, ctx, data) = conditioned(path)
    frame = signposts_frame(data, ctx, tables.member_outcomes(result))
    assert set(frame["signpost"]) == {s.name for s in SIGNPOSTS}
    seen = frame["seen_share"]
    total = (seen * frame["p_seen"].fillna(0) + (1 - seen) * frame["p_not_seen"].fillna(0))
    np.testing.assert_allclose(total, frame["probability"], atol=1e-12)
    both = frame[(frame["seen_count"] > 0) & (frame["seen_count"] < frame["members"])]
    assert (both["p_seen_low"] <= both["p_seen"]).all()
    assert (both["p_seen"] <= both["p_seen_high"]).all()
    # The quiet interim is the complement of an early split after the week-4 vacancy.
    quiet = frame[frame["signpost"] == "interim_quiet_8_weeks"].iloc[0]
    split = (result.holder[:, 4:13] == HOLDER["contested"]).any(axis=1)
    assert quiet["seen_count"] == int((~split).sum())
    top = strongest(frame)
    assert top["signpost"].is_unique


def test_the_example_scenario_writes_conditioned_outcomes_beside_and_same_bytes(results_dir):
    args = ["run", "incapacity_watched", "--members", "300", "--weeks", "30", "--no-charts",
            "--quiet"]
    assert main(args) == 0
    folder = results_dir / result_folder_name("incapacity_watched",
                                              {"members": 300, "weeks": 30})
    first = {n: (folder / n).read_bytes() for n in ("outcomes_conditioned.csv",
                                                    "observations.csv", "signposts.csv")}
    frame = pd.read_csv(folder / "outcomes_conditioned.csv")
    plain = pd.read_csv(folder / "outcomes.csv")
    assert frame["probability_unconditioned"].tolist() == plain["probability"].tolist()
    assert (frame["effective_members"] >= 50).all()
    html = (folder / "report.html").read_text()
    assert "Given what has been observed" in html and "Signposts to watch" in html
    assert main(args) == 0
    assert {n: (folder / n).read_bytes() for n in first} == first


def test_the_example_scenario_is_shipped():
    assert (SCENARIOS_DIR / "incapacity_watched.yaml").is_file()
