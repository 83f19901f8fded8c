"""Backtests: the episode format, a degenerate episode, the scores by hand, bad files."""

import math

import numpy as np
import pandas as pd
import pytest
from test_regions_as_data import _write_region

from sim.analyses.backtest import backtest
from sim.analyses.episodes import CLASS_OF_HOLDER, crowd_share, load_episode
from sim.analyses.scoring import (
    all_scores,
    episode_brier,
    null_probabilities,
    scores,
    smoothed,
    verdict,
)
from sim.errors import UserError
from sim.model.state import HOLDERS

HANDOVER = """name: tiny_handover
title: Tiny handover
trigger: handover
trigger_date: 2019-03-19
observed: B
crowd: none
events:
  - {type: voluntary_handover, week: 0, successor: the Senate chair}
sources: [test]
"""


def _episode(tmp_path, text=HANDOVER, loyal=True):
    folder = _write_region(tmp_path / "ep")
    if loyal:  # a perfectly loyal elite: no split and no coup hazard
        path = folder / "attributes.csv"
        lines = [ln for ln in path.read_text().splitlines()
                 if not ln.startswith(("AAA_S,stability0", "AAA_A,stability0"))]
        lines += ["AAA_S,stability0,1,share,2024,assumption: test,assumption,",
                  "AAA_A,stability0,1,share,2024,assumption: test,assumption,"]
        path.write_text("\n".join(lines) + "\n")
    (folder / "episode.yaml").write_text(text)
    return folder


def test_every_holder_has_a_class():
    assert set(CLASS_OF_HOLDER) == set(HOLDERS)


def test_a_handover_with_no_split_hazard_gives_b_with_probability_one(tmp_path, results_dir):
    folder = _episode(tmp_path)
    target = backtest([folder], members=200, charts=False)
    row = pd.read_csv(target / "episodes.csv").iloc[0]
    assert (row.n_A, row.n_B, row.n_C) == (0, 200, 0)
    assert row.p_B == pytest.approx(200.5 / 201.5)        # the fixed smoothing
    assert (row.cond_n_A, row.cond_n_B, row.cond_n_C) == (0, 200, 0)   # no crowd fed
    for name in ("scores.csv", "manifest.json", "worst.csv", "summary.txt"):
        assert (target / name).is_file()
    import json

    manifest = json.loads((target / "manifest.json").read_text())
    assert len(manifest["folder_sha256"]["tiny_handover"]) == 64


def test_the_conditional_scenario_feeds_the_reported_crowd_and_the_main_does_not(tmp_path):
    text = HANDOVER.replace("crowd: none", "crowd: {low: 2000, high: 8000, week: 3}")
    episode = load_episode(_episode(tmp_path, text))
    assert [e.type for e in episode.scenario.events] == ["voluntary_handover"]
    wave = episode.conditional.events[-1]
    assert (wave.type, wave.week, wave.intensity) == ("protest_wave", 3, 0.0)
    assert wave.crowd_share == pytest.approx(4000 / (episode.region.attrs["population_m"][
        episode.region.index("AAA")] * 1e6))
    crowd_for = load_episode(_episode(tmp_path / "for", text.replace("week: 3", "week: 3, "
                                                                    "side: for")))
    assert crowd_for.crowd_share == 0 and len(crowd_for.conditional.events) == 1


def test_scores_match_hand_computed_values():
    model = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    observed = ["A", "C"]
    got = scores(model, observed)
    brier = ((0.3**2 + 0.2**2 + 0.1**2) + (0.1**2 + 0.1**2 + 0.2**2)) / 2
    assert got["brier"] == pytest.approx(brier)
    assert got["log_loss"] == pytest.approx(-(math.log(0.7) + math.log(0.8)) / 2)
    assert got["roc_auc_c"] == 1.0 and got["pr_auc_c"] == 1.0


def test_the_pooled_null_is_the_class_frequency_of_each_trigger_kind():
    triggers = ["death", "protest", "protest", "protest", "handover", "death"]
    observed = ["B", "C", "A", "C", "B", "C"]
    pooled = null_probabilities(triggers, observed, "pooled")
    assert pooled[0].tolist() == pytest.approx([0.0, 0.5, 0.5])       # deaths: B, C
    assert pooled[1].tolist() == pytest.approx([1 / 3, 0.0, 2 / 3])   # itself included
    assert pooled[4].tolist() == pytest.approx([0.0, 1.0, 0.0])
    literature = null_probabilities(triggers, observed, "literature")
    assert literature[0].tolist() == pytest.approx([0.0, 0.89, 0.11])
    assert literature[1].tolist() == pytest.approx(pooled[1].tolist())
    old = null_probabilities(triggers, observed, "old")
    # protest 1 (C) sees the others: one A, one C -> smoothed (1.5, 0.5, 1.5) / 3.5
    assert old[1].tolist() == pytest.approx([1.5 / 3.5, 0.5 / 3.5, 1.5 / 3.5])
    assert old[4].tolist() == pytest.approx([1 / 3] * 3)   # no other handover: uniform
    assert smoothed(np.array([0, 0, 0])).tolist() == pytest.approx([1 / 3] * 3)


def test_a_perfect_forecast_beats_the_null_and_a_reversed_one_loses():
    triggers = ["protest"] * 12
    observed = ["A", "C"] * 6
    perfect = np.array([[1.0, 0, 0] if o == "A" else [0, 0, 1.0] for o in observed])
    frame = pd.DataFrame({"trigger": triggers, "observed": observed})
    table = all_scores(frame, {"perfect": perfect, "reversed": perfect[:, ::-1]})
    skill = table[(table.metric == "brier_skill_vs_null") & (table.null_kind == "pooled")
                  & (table.subset == "all")].set_index("forecast")
    assert skill.loc["perfect", "model"] == pytest.approx(1.0)
    assert verdict(skill.loc["perfect", "model_ci_low"],
                   skill.loc["perfect", "model_ci_high"]) == "better than the null"
    assert verdict(skill.loc["reversed", "model_ci_low"],
                   skill.loc["reversed", "model_ci_high"]) == "worse than the null"
    assert set(table.subset) == {"all", "protest"}   # 12 >= the minimum for a kind
    assert episode_brier(perfect, observed).tolist() == [0.0] * 12


def test_the_verdict_words_follow_the_interval():
    assert verdict(-0.3, -0.01) == "worse than the null"
    assert verdict(-0.01, 0.2) == "not distinguishable from the null"
    assert verdict(0.01, 0.2) == "better than the null"


def test_the_crowd_rule():
    from sim.analyses.episodes import CrowdRange

    assert crowd_share(CrowdRange(low=10_000, high=40_000), 2.0) == pytest.approx(0.01)
    assert crowd_share(CrowdRange(low=5_000, high=5_000), 5.0) == pytest.approx(0.001)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("observed: B", "observed: D", "observed"),
    ("crowd: none", "crowd: {low: 9, high: 3}", "crowd: low must not exceed high"),
    ("crowd: none", "crowd: {low: 100, high: 300, side: maybe}", "crowd"),
    ("events:\n  - {type: voluntary_handover, week: 0, successor: the Senate chair}",
     "events: []", "events: only an election trigger may have no event"),
    ("sources: [test]", "sources: [test]\nparameters: {coup_attempt_rate: 0}",
     "an episode cannot set parameters"),
    ("trigger: handover", "trigger: earthquake", "trigger"),
    ("week: 0", "week: 60", "events.0.week"),
])
def test_bad_episode_files_get_clear_messages(tmp_path, old, new, expected):
    assert old in HANDOVER
    folder = _episode(tmp_path, HANDOVER.replace(old, new))
    with pytest.raises(UserError) as info:
        load_episode(folder)
    assert "episode.yaml" in str(info.value) and expected in str(info.value)


def test_a_folder_without_an_episode_is_named(tmp_path):
    with pytest.raises(UserError, match="episode file not found"):
        load_episode(tmp_path)


def test_the_numpy_scores_equal_scikit_learn_on_random_forecasts_with_ties():
    from sklearn.metrics import (
        average_precision_score,
        brier_score_loss,
        log_loss,
        roc_auc_score,
    )

    rng = np.random.default_rng(5)
    for _ in range(50):
        n = int(rng.integers(4, 40))
        probs = rng.dirichlet([1, 1, 1], n).round(1) + 1e-3   # rounding makes ties
        probs /= probs.sum(axis=1, keepdims=True)
        observed = list(rng.choice(["A", "B", "C"], n))
        if len(set(observed)) < 3:
            continue
        got = scores(probs, observed)
        is_c = np.array([o == "C" for o in observed])
        assert got["brier"] == pytest.approx(
            brier_score_loss(observed, probs, labels=["A", "B", "C"]))
        assert got["log_loss"] == pytest.approx(log_loss(observed, probs,
                                                         labels=["A", "B", "C"]))
        assert got["roc_auc_c"] == pytest.approx(roc_auc_score(is_c, probs[:, 2]))
        assert got["pr_auc_c"] == pytest.approx(average_precision_score(is_c, probs[:, 2]))
