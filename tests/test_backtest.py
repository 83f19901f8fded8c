"""Backtests: the episode format, a degenerate episode, the scores by hand, bad files."""

import math

import numpy as np
import pandas as pd
import pytest
from test_regions_as_data import _write_region

from sim.analyses.backtest import backtest, null_probabilities, scores, smoothed
from sim.analyses.episodes import CLASS_OF_HOLDER, crowd_share, load_episode
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
    assert (target / "scores.csv").is_file() and (target / "manifest.json").is_file()


def test_scores_match_hand_computed_values():
    model = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    observed = ["A", "C"]
    got = scores(model, observed)
    brier = ((0.3**2 + 0.2**2 + 0.1**2) + (0.1**2 + 0.1**2 + 0.2**2)) / 2
    assert got["brier"] == pytest.approx(brier)
    assert got["log_loss"] == pytest.approx(-(math.log(0.7) + math.log(0.8)) / 2)
    assert got["roc_auc_c"] == 1.0 and got["pr_auc_c"] == 1.0


def test_the_null_uses_the_literature_for_deaths_and_leave_one_out_otherwise():
    null = null_probabilities(["death", "protest", "protest", "protest", "handover"],
                              ["B", "C", "A", "C", "B"])
    assert null[0].tolist() == pytest.approx([0.0, 0.89, 0.11])
    # protest 1 (C) sees the others: one A, one C -> smoothed (1.5, 0.5, 1.5) / 3.5
    assert null[1].tolist() == pytest.approx([1.5 / 3.5, 0.5 / 3.5, 1.5 / 3.5])
    assert null[4].tolist() == pytest.approx([1 / 3] * 3)   # no other handover: uniform
    assert smoothed(np.array([0, 0, 0])).tolist() == pytest.approx([1 / 3] * 3)


def test_the_crowd_rule():
    from sim.analyses.episodes import CrowdRange

    assert crowd_share(CrowdRange(low=10_000, high=40_000), 2.0) == pytest.approx(0.01)
    assert crowd_share(CrowdRange(low=5_000, high=5_000), 5.0) == pytest.approx(0.001)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("observed: B", "observed: D", "observed"),
    ("crowd: none", "crowd: {low: 9, high: 3}", "crowd: low must not exceed high"),
    ("crowd: none", "crowd: {low: 100, high: 300}", "crowd: a crowd needs a protest_wave"),
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
