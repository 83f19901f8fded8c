"""Regions, roles and succession rules are data: a region built from scratch runs, broken
region folders get one clear message, no module names a country, and the new events
do what they say."""

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import make_scenario

from sim.engines.ensemble import run_ensemble
from sim.errors import UserError
from sim.model.context import build_context
from sim.model.mechanisms import succession
from sim.model.scenario import check_against_region, load_scenario
from sim.model.state import HOLDER
from sim.paths import PACKAGE_DIR, REGIONS_DIR
from sim.regions.loader import DataError, load_region

ACTORS = """id,name,kind,parent,capital,lat,lon,source
AAA,Avalon,state,,A,50.0,20.0,test
BBB,Bretonia,state,,B,52.0,24.0,test
CCC,Caledon,state,,C,48.0,28.0,test
AAA_L,Ruler,power_centre,AAA,A,50.6,20.0,test
AAA_S,Guards,power_centre,AAA,A,50.0,20.6,test
AAA_A,Ministries,power_centre,AAA,A,49.4,20.0,test
AAA_P,Public,power_centre,AAA,A,50.0,19.4,test
"""
LAYERS = """layer,description,unit,normalisation,scale,contagion_weight,influence_weight,source
trade,trade,US$ bn,gdp_share_both,,0.5,0.3,test
regime,regime,share,share_directed,,0.8,0.8,test
"""
EDGES = """layer,source,target,value,unit,year,source_ref,grade,note
trade,AAA,BBB,5.0,US$ bn,2024,assumption: test,assumption,
trade,AAA,CCC,1.0,US$ bn,2024,assumption: test,assumption,
regime,AAA_L,AAA,0.5,share,2024,assumption: test,assumption,
regime,AAA_S,AAA_L,0.5,share,2024,assumption: test,assumption,
regime,AAA_A,AAA_L,0.4,share,2024,assumption: test,assumption,
regime,BBB,AAA_S,0.3,share,2024,assumption: test,assumption,
"""
ROLES = """focal: AAA
leader: AAA_L
security: AAA_S
apparatus: AAA_A
public: AAA_P
leader_age: {years: 70, source: test}
patrons:
  - {actor: BBB, support: true, takeover: true, source: test}
reported: [CCC]
succession:
  source: test
  natural: {acting: AAA_A, title: Chair}
  violent: {emergency_body: null}
  election_days: [20, 40]
"""
VALUES = {
    "population_m": (10, 40, 3, 0, 0, 0, 0), "gdp_usd_bn": (50, 500, 20, 0, 0, 0, 0),
    "capability": (0.001, 0.01, 0.0005, 0, 0, 0, 0),
    "border_total_km": (1000, 2000, 800, 0, 0, 0, 0),
    "stability0": (0.6, 0.8, 0.7, 0.9, 0.85, 0.8, 0.3),
    "alignment0": (-0.5, -0.8, 0.2, -0.6, -0.7, -0.5, 0.3),
    "unrest0": (0.002, 0.001, 0.002, 0, 0, 0, 0.002),
    "posture0": (0.4, 0.5, 0.3, 0, 0, 0, 0), "stress0": (0.4, 0.3, 0.3, 0.4, 0.4, 0.4, 0.4),
    "stubbornness": (0.8, 0.9, 0.7, 0.8, 0.8, 0.8, 0.5),
    "repression": (0.7, 0.5, 0.2, 0, 0, 0, 0),
    "frontline": (0, 0, 1, 0, 0, 0, 0), "power_weight": (0, 0, 0, 0.4, 0.3, 0.2, 0.1),
}


def _write_region(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.csv").write_text(ACTORS)
    (folder / "layers.csv").write_text(LAYERS)
    (folder / "edges.csv").write_text(EDGES)
    (folder / "roles.yaml").write_text(ROLES)
    ids = [line.split(",")[0] for line in ACTORS.splitlines()[1:]]
    from sim.regions.loader import APPLIES_TO

    kinds = {line.split(",")[0]: line.split(",")[2] for line in ACTORS.splitlines()[1:]}
    rows = ["actor,attribute,value,unit,year,source,grade,note"]
    for attribute, values in VALUES.items():
        rows += [f"{a},{attribute},{v},unit,2024,assumption: test,assumption,"
                 for a, v in zip(ids, values, strict=True)
                 if kinds[a] in APPLIES_TO[attribute]]
    (folder / "attributes.csv").write_text("\n".join(rows) + "\n")
    return folder


@pytest.fixture()
def tiny(tmp_path):
    return _write_region(tmp_path / "tiny")


def test_a_region_built_from_scratch_runs_end_to_end(tiny, tmp_path, results_dir):
    from sim.analyses.run import RunRequest, run

    scenario = tmp_path / "tiny_death.yaml"
    scenario.write_text("name: tiny_death\ndescription: test\nregion: tiny\nweeks: 30\n"
                        "seed: 3\nmembers: 40\nevents:\n"
                        "  - {type: leader_incapacitated, week: 2, mode: violent}\n"
                        "  - {type: patron_move, week: 3}\n")
    target = run(RunRequest(str(scenario), progress=False, workers=1, executor="local"))
    import pandas as pd

    outcomes = pd.read_csv(target / "outcomes.csv")
    from sim.outputs.tables import OUTCOMES

    focal = outcomes[(outcomes.actor == "AAA") & outcomes.outcome.isin(OUTCOMES)]
    assert len(focal) == len(OUTCOMES)
    assert focal.probability.sum() == pytest.approx(1.0)
    assert focal.set_index("outcome").loc["regime_and_leader_continue", "probability"] == 0.0
    holders = pd.read_csv(target / "holders.csv")
    # No emergency body in this region: a violent death goes to the interim.
    assert "emergency_body" not in set(holders[holders.share > 0].holder)
    assert (target / "charts" / "outcomes_focal.png").stat().st_size > 10_000


def test_the_tiny_region_loads_with_its_roles(tiny):
    region = load_region(tiny)
    assert region.name == "tiny" and region.roles.focal == "AAA"
    assert region.roles.patrons == ("BBB",) and region.roles.election_days == (20, 40)
    assert region.roles.emergency_body is None


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("focal: AAA", "focal: ZZZ", "focal: unknown actor 'ZZZ'"),
    ("focal: AAA", "focal: AAA_S", "must be a state"),
    ("security: AAA_S", "security: BBB", "security: 'BBB' must be a power centre"),
    ("security: AAA_S", "security: AAA_L", "four different power centres"),
    ("public: AAA_P\n", "", "public: required role or rule missing"),
    ("{actor: BBB,", "{actor: AAA,", "cannot be its own patron"),
    ("{actor: BBB, support: true, takeover: true,", "{actor: BBB, support: false, takeover: false,",
     "must be able to support or take over"),
    ("acting: AAA_A", "acting: AAA_P", "cannot act for the ruler"),
    ("election_days: [20, 40]", "election_days: [40, 20]", "[earliest, latest]"),
    ("reported: [CCC]", "reported: [AAA_P]", "reported.0: 'AAA_P' must be a state"),
    ("leader_age: {years: 70, source: test}", "leader_age: {years: 7, source: test}",
     "leader_age.years"),
    ("election_days: [20, 40]", "election_days: [20, 40]\n  sauce: x",
     "succession.sauce: unknown key"),
])
def test_broken_roles_get_one_clear_message(tiny, old, new, expected):
    path = tiny / "roles.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(UserError) as info:
        load_region(tiny)
    message = str(info.value)
    assert "roles.yaml" in message and expected in message


def test_an_elite_without_power_weight_is_refused(tiny):
    path = tiny / "attributes.csv"
    lines = [ln for ln in path.read_text().splitlines()
             if not (ln.startswith(("AAA_S,power_weight", "AAA_A,power_weight")))]
    lines += ["AAA_S,power_weight,0,share,2024,assumption: test,assumption,",
              "AAA_A,power_weight,0,share,2024,assumption: test,assumption,"]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="power_weight.*positive power weight"):
        load_region(tiny)


def test_a_takeover_only_patron_pays_nothing_but_can_take_over(tiny, monkeypatch):
    monkeypatch.setattr(succession, "CONTESTED_MEAN_WEEKS", 104.0)  # hold the coup's split open
    path = tiny / "roles.yaml"
    path.write_text(path.read_text().replace("support: true, takeover: true",
                                             "support: false, takeover: true"))
    with open(tiny / "layers.csv", "a") as handle:   # the patron's troops: its presence
        handle.write("troops,troops,troops,scale_directed,10000,0.3,0.6,test\n")
    with open(tiny / "edges.csv", "a") as handle:
        handle.write("troops,BBB,AAA,10000,troops,2024,assumption: test,assumption,\n")
    region = load_region(tiny)
    ctx = build_context(make_scenario(weeks=30, members=200, events=[
        {"type": "coup_attempt", "week": 1, "strength": 1.0},
        {"type": "patron_move", "week": 1}]), region)
    result = run_ensemble(ctx)
    assert (result.holder[:, -1] == HOLDER["patron_controlled"]).mean() > 0.1
    bbb = region.index("BBB")
    # No support paid, so no cost: a paying patron at full commitment would gain 0.002 a
    # week (0.06 over the run); only trade pass-through from AAA's stress remains.
    stress = result.quantiles[:, 4, 0, bbb]
    assert stress.max() - stress[0] < 0.005


def test_missing_roles_file_and_folder_are_named(tiny, tmp_path):
    (tiny / "roles.yaml").unlink()
    with pytest.raises(UserError, match="roles.yaml.*roles file missing"):
        load_region(tiny)
    with pytest.raises(DataError, match="region folder not found"):
        load_region(tmp_path / "nowhere")


def test_a_scenario_names_an_unknown_region(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\ndescription: t\nregion: atlantis\nweeks: 5\nseed: 1\n"
                        "members: 2\n")
    spec = load_scenario(scenario)
    with pytest.raises(DataError, match="no such region.*belarus"):
        spec.region_folder()


def _check(scenario_text: str, region) -> None:
    import yaml

    from sim.model.scenario import Scenario

    scenario = Scenario.model_validate(yaml.safe_load(scenario_text))
    check_against_region(scenario, region.roles,
                         dict(zip(region.ids, region.kinds, strict=True)), "s.yaml")


BASE = "name: s\ndescription: t\nweeks: 20\nseed: 1\nmembers: 2\nevents:\n"


@pytest.mark.parametrize(("event", "expected"), [
    ("  - {type: protest_wave, week: 1, actor: BLR_SEC}", "is a power centre"),
    ("  - {type: protest_wave, week: 1, actor: XYZ}", "unknown actor 'XYZ'"),
    ("  - {type: patron_move, week: 1, patron: POL}", "'POL' is not a patron of 'BLR'"),
])
def test_events_are_checked_against_the_region(region, event, expected):
    with pytest.raises(UserError, match=re.escape(expected)):
        _check(BASE + event, region)


def test_a_patron_move_in_a_region_without_patrons_is_refused(tiny):
    path = tiny / "roles.yaml"
    text = path.read_text()
    path.write_text(text.replace("patrons:\n  - {actor: BBB, support: true, takeover: true, "
                                 "source: test}\n", "patrons: []\n"))
    region = load_region(tiny)
    with pytest.raises(UserError, match="has no patron to move"):
        _check(BASE + "  - {type: patron_move, week: 1}", region)


def test_the_old_russian_move_gets_a_message_saying_what_to_write(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(BASE + "  - {type: russian_move, week: 1}\n")
    with pytest.raises(UserError, match="renamed: write type: patron_move"):
        load_scenario(path)
    path.write_text(BASE.replace("events:\n", "parameters: {russia_support_gain: 2}\n"))
    with pytest.raises(UserError, match="use 'patron_support_gain' instead"):
        load_scenario(path)
    path.write_text(BASE.replace("events:\n", "parameters: {leader_age_years: 70}\n"))
    with pytest.raises(UserError, match="no longer a parameter.*leader_age"):
        load_scenario(path)


def test_a_handover_with_no_split_hazard_gives_the_designated_successor(region):
    ctx = build_context(make_scenario(
        weeks=30, members=200, events=[{"type": "voluntary_handover", "week": 3}],
        parameters={"transition_split_rate": 0.0, "coup_attempt_rate": 0.0,
                    "health_risk_multiplier": 0.0}), region)
    result = run_ensemble(ctx)
    assert (result.holder[:, 3] == HOLDER["incumbent"]).all()
    assert (result.holder[:, 4:] == HOLDER["designated_successor"]).all()
    assert (result.incapacity_kind == 3).all() and (result.incapacity_week == 3).all()
    kinds = {e[3] for e in result.events}
    assert "leader_handover" in kinds and "leader_incapacitated" not in kinds


def test_a_certain_coup_splits_the_elite_and_a_null_coup_changes_nothing(region):
    sure = run_ensemble(build_context(make_scenario(
        weeks=10, members=50, events=[{"type": "coup_attempt", "week": 2, "strength": 1.0}],
        parameters={"health_risk_multiplier": 0.0}), region))
    # Every member's elite splits in week 2; some contests resolve the same week.
    assert (sure.holder[:, 3] != HOLDER["incumbent"]).all()
    assert (sure.holder[:, 3] == HOLDER["contested"]).mean() > 0.6
    resolved = [HOLDER[h] for h in ("contested", "rival_takeover", "insider_successor",
                                     "opposition_led")]
    assert np.isin(sure.holder[:, 3], resolved).all()
    null = run_ensemble(build_context(make_scenario(
        weeks=10, members=50, events=[{"type": "coup_attempt", "week": 2, "strength": 0.0}],
        parameters={"health_risk_multiplier": 0.0}), region))
    calm = run_ensemble(build_context(make_scenario(
        weeks=10, members=50, parameters={"health_risk_multiplier": 0.0}), region))
    assert np.array_equal(null.holder, calm.holder) and np.array_equal(null.end, calm.end)


def test_a_disputed_election_raises_unrest_in_the_focal_state(region):
    def peak_unrest(events):
        result = run_ensemble(build_context(make_scenario(
            weeks=20, members=60, events=events, parameters={"health_risk_multiplier": 0.0}),
            region))
        return result.quantiles[:, 2, 0, region.index("BLR")].max()  # unrest, mean

    assert peak_unrest([{"type": "disputed_election", "week": 2}]) > 2 * peak_unrest([])


def test_patron_move_without_a_named_patron_moves_the_first(region):
    def takeover_share(events):
        result = run_ensemble(build_context(make_scenario(
            weeks=40, members=400, events=events), region))
        return (result.holder[:, -1] == HOLDER["patron_controlled"]).mean()

    death = [{"type": "leader_incapacitated", "week": 1}]
    default = takeover_share(death + [{"type": "patron_move", "week": 1}])
    named = takeover_share(death + [{"type": "patron_move", "week": 1, "patron": "RUS"}])
    assert default == named > takeover_share(death)


def test_no_module_names_a_country():
    """Country and power-centre ids live in region data, never in the code."""
    ids: set[str] = set()
    for actors in REGIONS_DIR.glob("*/actors.csv"):
        ids |= {line.split(",")[0] for line in actors.read_text().splitlines()[1:] if line}
    assert {"BLR", "RUS", "BLR_SEC"} <= ids
    pattern = re.compile(r"\b(" + "|".join(sorted(ids, key=len, reverse=True)) + r")\b")
    offenders = [f"{path.relative_to(PACKAGE_DIR)}:{n}: {line.strip()}"
                 for path in PACKAGE_DIR.rglob("*.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


def test_shipped_regions_all_load():
    folders = sorted(p.parent for p in REGIONS_DIR.glob("*/roles.yaml"))
    assert {f.name for f in folders} >= {"belarus"}
    for folder in folders:
        region = load_region(folder)
        assert region.roles.focal in region.ids


def test_a_region_copied_elsewhere_is_found_by_path(tmp_path):
    copy = shutil.copytree(REGIONS_DIR / "belarus", tmp_path / "mine")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\ndescription: t\nregion: mine\nweeks: 5\nseed: 1\n"
                        "members: 2\n")
    assert Path(load_scenario(scenario).region_folder()) == copy.resolve()


def test_a_reversed_duplicate_in_a_symmetric_layer_is_refused(tiny):
    edges = tiny / "edges.csv"
    edges.write_text(edges.read_text() + "trade,BBB,AAA,0.1,US$ bn,2024,assumption: test,"
                                          "assumption,\n")
    with pytest.raises(UserError, match="symmetric and already has the row AAA -> BBB"):
        load_region(tiny)


def test_a_reversed_pair_in_a_directed_layer_is_two_edges(tiny):
    edges = tiny / "edges.csv"
    edges.write_text(edges.read_text() + "regime,AAA,AAA_L,0.2,share,2024,assumption: test,"
                                          "assumption,\n")
    region = load_region(tiny)
    regime = region.layers["regime"]        # [target, source]: both dependences kept
    a, leader = region.index("AAA"), region.index("AAA_L")
    assert regime[a, leader] > 0 and regime[leader, a] > 0


def test_a_zero_baseline_stability_is_refused(tiny):
    path = tiny / "attributes.csv"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("BBB,stability0")]
    lines.append("BBB,stability0,0,share,2024,assumption: test,assumption,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match="stability0 must be above 0"):
        load_region(tiny)


def test_a_table_that_is_not_utf8_is_a_clear_error(tiny):
    (tiny / "edges.csv").write_bytes(b"layer,source\n\xff\xfe,x\n")
    with pytest.raises(UserError, match=r"edges.csv: not UTF-8 text .*save the table as UTF-8"):
        load_region(tiny)
