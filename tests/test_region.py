import shutil

import numpy as np
import pytest

from sim.model.context import build_context
from sim.model.params import Parameters
from sim.paths import DATA_DIR
from sim.regions.loader import DataError, load_region

MAX_DEPENDENCE_ROW_SUM = Parameters().max_dependence_row_sum


def test_real_data_loads_and_is_consistent(region):
    assert region.ids[0] == "BLR"
    for actor in ("BLR", "RUS", "UKR", "POL", "LTU", "LVA", "EST", "KAZ", "MDA",
                  "BLR_LEAD", "BLR_SEC", "BLR_APP", "BLR_PUB"):
        assert actor in region.ids
    from conftest import make_scenario

    dense = build_context(make_scenario(), region).dependence.to_dense()
    assert (dense >= 0).all()
    assert (dense.sum(axis=1) <= MAX_DEPENDENCE_ROW_SUM + 1e-12).all()
    assert np.allclose(np.diag(dense), 0.0)
    # Belarus depends on Russia more than on any other state (49% of its trade).
    blr = region.index("BLR")
    states = [region.index(a) for a in region.ids if region.kinds[region.index(a)] == "state"]
    assert max(states, key=lambda j: dense[blr, j]) == region.index("RUS")


def test_every_neighbour_of_belarus_is_one_hop_away(region):
    distance = region.distance_from("BLR")
    for neighbour in ("RUS", "UKR", "POL", "LTU", "LVA"):
        assert distance[neighbour] == 1
    assert distance["MDA"] == 2


@pytest.fixture()
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("table", "old", "new", "expected"), [
    ("edges.csv", "trade,BLR,RUS,30.5", "trade,BLR,XXX,30.5", "unknown actor 'XXX'"),
    ("edges.csv", "trade,BLR,RUS,30.5", "trade,BLR,RUS,-30.5", "cannot be negative"),
    ("edges.csv", "trade,BLR,RUS,30.5", "tarde,BLR,RUS,30.5", "unknown layer 'tarde'"),
    ("edges.csv", "trade,BLR,RUS,30.5", "trade,BLR,RUS,lots", "not a number"),
    ("attributes.csv", "BLR,population_m,9.18", "BLR,populace,9.18", "unknown attribute"),
    ("attributes.csv", "BLR,stability0,0.6", "BLR,stability0,1.6", "must be in"),
    ("actors.csv", "MDA,Moldova,state", "MDA,Moldova,province", "kind"),
    ("attributes.csv", "Size table)\",sourced,", "Size table)\",solid,", "grade: must be one of"),
    ("attributes.csv", "BLR,population_m,9.18", "BLR_SEC,population_m,9.18",
     "population_m does not apply to a power_centre"),
    ("edges.csv", "reach Poland.\",assumption,", "reach Poland.\",recalled,",
     "a judgement is graded 'assumption'"),
])
def test_bad_data_rows_are_named(data_copy, table, old, new, expected):
    _edit(data_copy / table, old, new)
    with pytest.raises(DataError) as info:
        load_region(data_copy)
    message = str(info.value)
    assert table in message and expected in message


def test_missing_attribute_is_named(data_copy):
    path = data_copy / "attributes.csv"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("MDA,repression,")]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="repression.*MDA"):
        load_region(data_copy)


GRIEVANCE_ROW = ('{actor},grievance,0.7,"index [0,1]",2022,"rule R3: WGI VA percentile rank '
                 '2022 = 30 (recalled, verify) -> 1 - x / 100",recalled,"derived by rule R3"')


def test_a_grievance_row_is_refused_with_one_clear_message(data_copy, results_dir,
                                                            capsys):
    """grievance left the model (docs/data-rules.md R3): an old table's rows are named in
    one error saying why, and the command line exits with code 2, no traceback."""
    from sim.cli import main

    path = data_copy / "attributes.csv"
    lines = path.read_text().splitlines()
    lines[3:3] = [GRIEVANCE_ROW.format(actor="BLR")]
    lines.append(GRIEVANCE_ROW.format(actor="MDA"))
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        load_region(data_copy)
    message = str(info.value)
    assert message == (
        f"{path}: row 4 (and 1 more: row {len(lines)}), attribute: grievance is no "
        "longer read: its level cancels out of the protest cascade (docs/data-rules.md R3); "
        "delete these rows")
    scenario = data_copy.parent / "wave.yaml"
    scenario.write_text(f"name: wave\ndescription: test\nregion: {data_copy}\nweeks: 4\n"
                        "seed: 1\nmembers: 2\n")
    assert main(["run", str(scenario), "--no-charts", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "grievance is no longer read" in err
    assert "Traceback" not in err and not results_dir.exists()


def test_missing_source_is_refused(data_copy):
    path = data_copy / "edges.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    fields = lines[1].split(",")
    fields[header.index("source_ref")] = ""
    lines[1] = ",".join(fields[: len(header)])
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="source"):
        load_region(data_copy)


def test_layers_combine_as_documented(region):
    """D = sum of layer weights x layer dependence, rows scaled down only above 0.9."""
    import pandas as pd

    layers = pd.read_csv(DATA_DIR / "layers.csv").set_index("layer")
    combined = sum(layers.loc[name, "contagion_weight"] * dep
                   for name, dep in region.layers.items())
    from conftest import make_scenario

    dense = build_context(make_scenario(), region).dependence.to_dense()
    for row in range(region.n):
        total = combined[row].sum()
        scale = min(1.0, MAX_DEPENDENCE_ROW_SUM / total) if total > 0 else 1.0
        np.testing.assert_allclose(dense[row], combined[row] * scale, rtol=1e-12)
    blr, rus = region.index("BLR"), region.index("RUS")
    # Trade dependence of Belarus on Russia: 30.5 US$bn of turnover over a 71.9 bn GDP.
    assert region.layers["trade"][blr, rus] == pytest.approx(30.5 / 71.9)


def test_adding_a_country_is_a_data_edit(data_copy):
    from conftest import make_scenario

    from sim.engines.ensemble import run_ensemble
    from sim.model.context import build_context

    with open(data_copy / "actors.csv", "a") as handle:
        handle.write("SVK,Slovakia,state,,Bratislava,48.1486,17.1077,test row\n")
    template = [ln for ln in (data_copy / "attributes.csv").read_text().splitlines()
                if ln.startswith("POL,")]
    with open(data_copy / "attributes.csv", "a") as handle:
        for line in template:
            handle.write("SVK," + line.split(",", 1)[1] + "\n")
    with open(data_copy / "edges.csv", "a") as handle:
        handle.write("border,POL,SVK,541,km,2024,test row,recalled,\n")
        handle.write("trade,UKR,SVK,2.0,US$ bn,2024,test row,recalled,\n")
    region = load_region(data_copy)
    assert region.ids[-1] == "SVK" and region.n == 16
    ctx = build_context(make_scenario(weeks=20, members=10, events=[
        {"type": "leader_incapacitated", "week": 1}]), region)
    result = run_ensemble(ctx)
    assert result.quantiles.shape[-1] == 16


def test_a_reported_state_listed_twice_is_refused(tmp_path):
    import shutil

    from sim.errors import UserError
    from sim.paths import REGIONS_DIR
    from sim.regions.loader import load_region

    folder = tmp_path / "belarus"
    shutil.copytree(REGIONS_DIR / "belarus", folder)
    roles = folder / "roles.yaml"
    roles.write_text(roles.read_text().replace("reported: [POL, LTU, LVA, EST, UKR]",
                                               "reported: [POL, LTU, LVA, EST, UKR, POL]"))
    with pytest.raises(UserError, match="listed twice") as err:
        load_region(folder)
    assert err.value.field == "reported.5"


def test_the_graph_holds_every_layer_dependence_and_actor(region):
    """The graph made on first use: an edge per row of edges.csv, the actors' names."""
    graph = region.graph
    assert region.graph is graph   # made once
    assert set(graph) == set(region.ids)
    for actor, name, kind in zip(region.ids, region.names, region.kinds, strict=True):
        assert graph.nodes[actor] == {"name": name, "kind": kind}
    found = {(u, v, layer): dep for u, v, data in graph.edges(data=True)
             for layer, dep in data.items()}
    for (u, v, layer), dep in found.items():
        assert dep == region.layers[layer][region.index(v), region.index(u)]
    for layer, matrix in region.layers.items():
        for t, s in zip(*np.nonzero(matrix), strict=True):
            assert (region.ids[s], region.ids[t], layer) in found


def test_a_run_imports_neither_networkx_nor_the_episodes(tmp_path):
    """A run's own process (charts aside) needs no graph library and no episode code."""
    import subprocess
    import sys

    code = ("import sys, sim.paths as p, pathlib; p.RESULTS_DIR = pathlib.Path(sys.argv[1]); "
            "from sim.cli import main; "
            "main(['run', 'incapacity', '--members', '30', '--weeks', '8', '--quiet', "
            "'--no-charts']); "
            "print(sorted(m for m in ('networkx', 'sim.episodes.rules') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, check=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
