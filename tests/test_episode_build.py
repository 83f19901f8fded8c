"""Episodes as code: every shipped folder equals its build; the encoding rules by hand."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.analyses.episodes import find_episodes, load_episode
from sim.analyses.perturb import ERRORS, perturbed
from sim.episodes import rules
from sim.episodes.build import (
    EPISODES_DIR,
    SOURCES_DIR,
    build,
    load_source,
    load_world,
    main,
    problems,
)
from sim.episodes.source import EpisodeSource
from sim.errors import UserError


def test_every_shipped_episode_folder_equals_its_build(capsys):
    assert main(["--check"]) == 0
    assert "53 of 53 episode folders equal their build" in capsys.readouterr().out


def test_the_development_set_has_all_53_episodes_and_each_loads():
    folders = find_episodes([EPISODES_DIR])
    assert len(folders) == 53 == len(list(SOURCES_DIR.glob("*.yaml")))
    triggers = {load_episode(f).spec.trigger for f in folders}
    assert triggers == {"death", "handover", "protest", "election", "coup"}


def test_the_wgi_gap_rule():
    years = [rules.wgi_year(dt.date(y, 6, 1)) for y in (1996, 1998, 1999, 2000, 2001, 2002)]
    assert years == [1996, 1996, 1998, 1998, 2000, 2000]


def test_the_election_window_rules():
    assert rules.election_window((50, 60), None, None) == (50, 60)
    assert rules.election_window(None, 90, None) == (76, 90)
    assert rules.election_window(None, None, 730) == (716, 730)


def test_neighbours_are_the_six_longest_borders():
    borders = {frozenset(("AAA", f"{c}{c}{c}")): km for c, km in
               zip("BCDEFGH", (10, 70, 30, 40, 50, 60, 20), strict=True)}
    assert rules.neighbours("AAA", borders) == ["CCC", "GGG", "FFF", "EEE", "DDD", "HHH"]


def _source(**changes) -> EpisodeSource:
    base = load_source(SOURCES_DIR / "armenia_2008.yaml")
    return base.model_copy(update=changes)


def test_the_patron_rule_needs_a_treaty_or_a_base_and_no_dispute():
    from sim.episodes.source import PatronCandidate

    world = load_world()
    lengths = world.lengths(dt.date(2008, 1, 1))
    base_only = PatronCandidate(actor="USA", base="an air base")
    assert rules.is_patron(base_only)
    assert not rules.can_take_over(base_only, "ARM", lengths)   # no treaty, no border
    assert rules.can_take_over(PatronCandidate(actor="USA", treaty="a treaty"), "ARM", lengths)
    assert not rules.is_patron(PatronCandidate(actor="RUS", base="bases", dispute="war"))
    assert not rules.is_patron(PatronCandidate(actor="USA"))     # troops alone


def test_a_missing_state_or_trade_row_is_named_before_anything_is_built(tmp_path):
    world = load_world()
    states = dict(_source().states)
    del states["IRN"]
    found = problems(_source(states=states), world)
    assert any("states must be exactly" in p and "IRN" in p for p in found)
    trade = [t for t in _source().trade if set(t[:2]) != {"ARM", "RUS"}]
    assert "trade row missing by rule T1: ARM-RUS" in problems(_source(trade=trade), world)
    with pytest.raises(UserError, match="trade row missing"):
        build(_source(trade=trade), world, tmp_path / "x")


def test_an_organisation_tie_is_required_by_rule_t3():
    world = load_world()
    source = load_source(SOURCES_DIR / "gambia_2014.yaml")
    security = [t for t in source.security if {t.source, t.target} != {"GMB", "SEN"}]
    found = problems(source.model_copy(update={"security": security}), world)
    assert any("rule T3" in p and "GMB-SEN" in p for p in found)


def test_dated_borders_follow_the_trigger_date():
    world = load_world()
    before = world.lengths(dt.date(2002, 12, 27))
    after = world.lengths(dt.date(2012, 8, 20))
    assert frozenset(("KEN", "SDN")) in before and frozenset(("KEN", "SSD")) not in before
    assert frozenset(("KEN", "SSD")) in after and frozenset(("KEN", "SDN")) not in after
    kenya = load_episode(EPISODES_DIR / "kenya_2002")
    assert "SDN" in kenya.region.ids and "SSD" not in kenya.region.ids


def test_one_security_row_per_pair_the_strongest(tmp_path):
    import pandas as pd

    edges = pd.read_csv(EPISODES_DIR / "bahrain_2011" / "edges.csv")
    security = edges[edges.layer == "security"]
    pairs = security.apply(lambda r: frozenset((r.source, r.target)), axis=1)
    assert pairs.is_unique


def test_a_perturbed_source_stays_within_the_stated_errors_and_builds(tmp_path):
    source = load_source(SOURCES_DIR / "georgia_2003.yaml")
    moved = perturbed(source, np.random.default_rng(1))
    for sid, figs in source.states.items():
        new = moved.states[sid]
        assert abs(new.pop / figs.pop - 1) <= ERRORS["pop"][1] + 1e-12
        assert abs(new.wgi_pv - figs.wgi_pv) <= ERRORS["wgi_pv"][1] + 1e-12
        assert 0 <= new.civlib <= 1
    assert moved.states["GEO"].gdp != source.states["GEO"].gdp
    build(moved, load_world(), tmp_path / "georgia_2003")
    assert load_episode(tmp_path / "georgia_2003").region.ids == \
        load_episode(EPISODES_DIR / "georgia_2003").region.ids


def test_a_bad_source_file_gets_a_clear_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (SOURCES_DIR / "armenia_2008.yaml").read_text().replace("observed: A", "observed: D")
    bad.write_text(text)
    with pytest.raises(UserError, match="observed"):
        load_source(bad)
    assert main(["--check-sources", str(Path("does_not_exist"))]) == 2


def test_every_episode_folder_passes_the_indicator_rules_check():
    from sim.regions.indicators import differences

    failing = {f.name: differences(f) for f in find_episodes([EPISODES_DIR])}
    assert {name: d for name, d in failing.items() if d} == {}



def test_official_debt_under_a_tenth_of_gdp_is_refused_by_rule_t5():
    world = load_world()
    source = load_source(SOURCES_DIR / "belarus_2020.yaml")
    small = [t.model_copy(update={"value": 0.5}) for t in source.debt]
    found = problems(source.model_copy(update={"debt": small}), world)
    assert any("rule T5 leaves it out" in p for p in found)
    assert problems(source, world) == []
