"""Likelihood words: every ICD 203 band, its edges, and the run's narrative."""

import json

import pandas as pd
import pytest

from sim.outputs.narrative import (
    ICD203_BANDS,
    likelihood_term,
    percent_text,
    run_narrative,
)

#: The seven bands of ICD 203 (ODNI 2015, D.6.b(2)(a)), percent.
BANDS = {"almost no chance": (1, 5), "very unlikely": (5, 20), "unlikely": (20, 45),
         "roughly even chance": (45, 55), "likely": (55, 80), "very likely": (80, 95),
         "almost certain": (95, 99)}


@pytest.mark.parametrize("term", sorted(BANDS))
def test_every_term_covers_exactly_its_icd203_band(term):
    low, high = BANDS[term]
    inside = [low + (high - low) * k / 10 for k in range(10)]   # lower edge included
    assert {likelihood_term(p / 100) for p in inside} == {term}
    assert likelihood_term(high / 100) != term or term == "almost certain"


def test_below_one_and_above_ninety_nine_percent_say_so_in_numbers():
    assert likelihood_term(0.0) == "almost no chance" and percent_text(0.004) == "under 1%"
    assert likelihood_term(1.0) == "almost certain" and percent_text(0.996) == "over 99%"
    with pytest.raises(ValueError):
        likelihood_term(1.2)
    assert [t for _, t in ICD203_BANDS] == list(BANDS)


def test_the_run_narrative_names_each_outcome_with_its_word(tmp_path):
    rows = [("AAA", "regime_continues_new_leader", 0.87, 0.848, 0.889),
            ("AAA", "rival_takeover", 0.119, 0.10, 0.141),
            ("AAA", "patron_takeover", 0.003, 0.001, 0.009)]
    pd.DataFrame(rows, columns=["actor", "outcome", "probability", "ci_low", "ci_high"]
                 ).to_csv(tmp_path / "outcomes.csv", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"weeks": 104, "engine": {"mode": {"parameters": "fixed (Monte Carlo noise only)"}}}))
    outcomes = ("regime_continues_new_leader", "rival_takeover", "patron_takeover")
    lines = run_narrative(tmp_path, outcomes, "Aland")
    assert lines[0] == ("Aland at week 104: the regime continues under a new leader: very "
                        "likely (87%, 95% interval 85-89%); rival or junior officers have "
                        "taken power: very unlikely (12%, 95% interval 10-14%).")
    assert lines[1] == "Almost no chance (under 1% each) that a patron has taken control."
    assert "Monte Carlo noise only" in lines[2]


def test_every_outcome_has_a_phrase():
    from sim.outputs.narrative import PHRASES
    from sim.outputs.tables import OUTCOMES

    assert set(PHRASES) == set(OUTCOMES)


def test_the_narrative_gives_the_largest_real_unit_ripples_and_the_track_record(tmp_path):
    rows = [("AAA", "regime_continues_new_leader", 0.9, 0.88, 0.92)]
    pd.DataFrame(rows, columns=["actor", "outcome", "probability", "ci_low", "ci_high"]
                 ).to_csv(tmp_path / "outcomes.csv", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps({"weeks": 52, "engine": {"mode": {}}}))
    plain = run_narrative(tmp_path, ("regime_continues_new_leader",), "Aland")
    assert not any("In real units" in line for line in plain)   # no ripple_units.csv
    pd.DataFrame({
        "kind": ["people", "spending", "spending", "spending"],
        "name": ["Aland", "Bland", "Cland", "Cland"],
        "unit": ["people", "US$ bn/yr", "US$ bn/yr", "US$ bn/yr"],
        "when": ["by the horizon", "peak", "peak", "horizon"],
        "median": [23670.7, 2.99, 27.85, 40.0], "p05": [21743.5, 2.9, 27.77, 30.0],
        "p95": [127404.0, 18.9, 367.2, 50.0]}).to_csv(tmp_path / "ripple_units.csv",
                                                      index=False)
    lines = run_narrative(tmp_path, ("regime_continues_new_leader",), "Aland")
    units = next(line for line in lines if line.startswith("In real units"))
    assert "about 24,000 people would have left Aland by week 52 (22,000 to 130,000)" in units
    # The largest at the peak (Cland's 28), not the larger figure at the horizon.
    assert "Cland's, about US$ 28 bn a year of extra spending at its peak (28 to 370)" in units
    record = lines[-1]
    assert record.startswith("Has it been right before?") and "Brier skill" in record
    headline = json.loads(open("sim/calibration/posterior.json").read())["crossval_headline"]
    assert f"{headline['skill']:+.2f}" in record and headline["verdict"] in record
