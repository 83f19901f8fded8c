"""Smoke tests of the run, comparison and replay charts on small real runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analyses import compare
from sim.engines.ensemble import run_ensemble
from sim.engines.mesa_model import RegionModel
from sim.model.context import build_context
from sim.model.scenario import Scenario
from sim.outputs import charts
from sim.outputs import tables as outputs
from sim.outputs.charts import write_compare_charts, write_replay_charts, write_run_charts
from sim.outputs.charts.arrival_charts import _arrival_chart, _jitter
from sim.outputs.charts.common import METRIC_STYLES, _posture_ids, _state_ids, fan_limits
from sim.outputs.charts.compare_charts import (
    _compare_ripple_map,
    _diff_fan_chart,
    _diff_fan_figure,
    _is_paired,
    _outcomes_side_by_side,
    _pairing_phrase,
    diff_limits,
)
from sim.outputs.charts.maps import _peak_change, _ripple_figure, ripple_norm
from sim.outputs.charts.replay_charts import (
    _holder_changes,
    _holder_colour_map,
    _holder_runs,
    _member_power_figure,
    _member_states_figure,
)
from sim.outputs.charts.run_charts import _fan_figure, _holders_figure
from sim.regions.loader import Region

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXPECTED = {
    "fan_stability.png",
    "fan_unrest.png",
    "fan_posture.png",
    "outcomes_focal.png",
    "holders.png",
    "map.png",
    "ripple_map.png",
    "ripple_summary.png",
}


@pytest.fixture(scope="module")
def frames(region: Region) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Region]:
    scenario = Scenario.model_validate({
        "name": "chart_test",
        "description": "small run for the chart tests",
        "weeks": 12,
        "members": 50,
        "seed": 1,
        "events": [{"type": "leader_incapacitated", "week": 2}],
    })
    ctx = build_context(scenario, region)
    result = run_ensemble(ctx, progress=False)
    return (outputs.timeseries_frame(result, ctx), outputs.holders_frame(result),
            outputs.outcomes_frame(result, ctx), ctx.region)


@pytest.fixture(scope="module")
def chart_paths(frames, tmp_path_factory) -> list[Path]:
    timeseries, holders, outcomes, region = frames
    out_dir = tmp_path_factory.mktemp("charts") / "nested" / "charts"
    return write_run_charts(out_dir, timeseries, holders, outcomes, region, "chart_test")


def test_expected_file_names(chart_paths):
    assert {p.name for p in chart_paths} == EXPECTED
    assert len(chart_paths) == len(EXPECTED)


def test_files_are_non_trivial_pngs(chart_paths):
    for path in chart_paths:
        assert path.is_file(), path
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC), path
        assert len(data) > 10_000, (path, len(data))


def test_png_has_no_software_metadata(chart_paths):
    for path in chart_paths:
        assert b"matplotlib version" not in path.read_bytes(), path


def test_saved_pixels_are_matplotlibs_own(tmp_path):
    """png._save writes RGB at zlib level 1: the pixels of matplotlib's own PNG, its dpi."""
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    from sim.outputs.charts.common import _figure
    from sim.outputs.charts.png import DPI, _save

    fig = _figure(3.0, 2.0)
    ax = fig.subplots()
    ax.fill_between([0, 1, 2], [0, 1, 0], [1, 2, 1], alpha=0.3)   # translucent artists
    ax.plot([0, 1, 2], [1, 0, 1], label="line")
    ax.legend()
    ax.set_title("pixels")
    own = io.BytesIO()
    fig.savefig(own, format="png", dpi=DPI, facecolor="white")
    saved = Image.open(_save(fig, tmp_path / "x.png"))
    reference = np.asarray(Image.open(own))
    assert saved.mode == "RGB"
    assert (reference[..., 3] == 255).all()   # nothing lost by dropping alpha
    assert np.array_equal(np.asarray(saved), reference[..., :3])
    assert saved.info["dpi"] == Image.open(own).info["dpi"]
    assert not {k for k in saved.info if k not in ("dpi",)}   # no text chunks
    other = Figure(figsize=(3.0, 2.0), dpi=72)   # a figure of another dpi: saved at DPI
    other.subplots().plot([0, 1], [1, 0])
    other.savefig(own := io.BytesIO(), format="png", dpi=DPI, facecolor="white")
    assert np.array_equal(np.asarray(Image.open(_save(other, tmp_path / "y.png"))),
                          np.asarray(Image.open(own))[..., :3])


def test_same_frames_give_same_bytes(frames, chart_paths, tmp_path):
    timeseries, holders, outcomes, region = frames
    again = write_run_charts(tmp_path, timeseries, holders, outcomes, region, "chart_test")
    for first, second in zip(chart_paths, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


# ------------------------------------------------------------ comparison and replay

COMPARE_EXPECTED = [
    "diff_fan_stability.png",
    "diff_fan_unrest.png",
    "diff_fan_posture.png",
    "map.png",
    "ripple_map.png",
    "outcomes_side_by_side.png",
    "arrival_vs_distance.png",
]
REPLAY_EXPECTED = ["member_states.png", "member_power.png"]


def _small_scenario(name: str, events: list[dict]) -> Scenario:
    return Scenario.model_validate(dict(name=name, description="", weeks=12, seed=1,
                                        members=40, events=events))


@pytest.fixture(scope="module")
def compare_frames(region: Region) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ctx_a = build_context(_small_scenario("calm", []), region)
    ctx_b = build_context(_small_scenario("shock", [
        {"type": "leader_incapacitated", "week": 2}]), region)
    pair = compare.run_pair(ctx_a, ctx_b, np.arange(40), 12)
    return (compare.deltas_frame(pair, ctx_a), compare.ripple_frame(pair, ctx_a),
            compare.outcomes_frame(pair, ctx_a))


@pytest.fixture(scope="module")
def compare_paths(compare_frames, region, tmp_path_factory) -> list[Path]:
    out_dir = tmp_path_factory.mktemp("compare") / "nested" / "charts"
    return write_compare_charts(out_dir, *compare_frames, region, "calm", "shock")


@pytest.fixture(scope="module")
def replay_frames(region: Region) -> tuple[pd.DataFrame, pd.DataFrame]:
    ctx = build_context(_small_scenario("shock", [
        {"type": "leader_incapacitated", "week": 2}]), region)
    model = RegionModel(ctx, 3).run()
    agents = model.agent_table()
    agents.insert(2, "kind", agents["actor"].map(dict(zip(region.ids, region.kinds,
                                                          strict=True))))
    model_vars = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return agents, model_vars


@pytest.fixture(scope="module")
def replay_paths(replay_frames, region, tmp_path_factory) -> list[Path]:
    out_dir = tmp_path_factory.mktemp("replay") / "nested" / "charts"
    return write_replay_charts(out_dir, *replay_frames, region, "shock", 3)


def _assert_pngs(paths: list[Path], expected: list[str]) -> None:
    assert [p.name for p in paths] == expected
    for path in paths:
        assert path.is_file(), path
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC), path
        assert len(data) > 10_000, (path, len(data))
        assert b"matplotlib version" not in data, path


def test_compare_charts_are_non_trivial_pngs(compare_paths):
    _assert_pngs(compare_paths, COMPARE_EXPECTED)


def test_replay_charts_are_non_trivial_pngs(replay_paths):
    _assert_pngs(replay_paths, REPLAY_EXPECTED)


def test_compare_charts_from_csv_round_trip(compare_frames, region, tmp_path):
    """As read back from the CSVs (empty arrival weeks as NaN), unpaired; the cheap charts."""
    frames = []
    for frame, name in zip(compare_frames, ("deltas", "ripple", "outcomes"), strict=True):
        frame.assign(paired=False).to_csv(tmp_path / f"{name}.csv", index=False)
        frames.append(pd.read_csv(tmp_path / f"{name}.csv"))
    deltas, ripple, outcomes = frames
    assert ripple["arrival_week"].isna().any()
    assert not _is_paired(deltas)
    paths = [
        _diff_fan_chart(tmp_path / "diff_fan_posture.png", deltas, ripple,
                        _posture_ids(region), "posture", region, "unpaired"),
        _compare_ripple_map(tmp_path / "ripple_map.png", ripple, region, "unpaired"),
        _outcomes_side_by_side(tmp_path / "outcomes_side_by_side.png", outcomes,
                               "calm", "shock", region, "unpaired"),
        _arrival_chart(tmp_path / "arrival_vs_distance.png", ripple, region,
                       "unpaired"),
    ]
    _assert_pngs(paths, [p.name for p in paths])


def test_holder_runs_and_changes():
    model_vars = pd.DataFrame({"week": [0, 1, 2, 3, 4],
                               "holder": ["incumbent", "incumbent", "contested", "contested",
                                          "patron_controlled"]})
    runs = _holder_runs(model_vars)
    assert runs == [(0, 2, "incumbent"), (2, 4, "contested"), (4, 4, "patron_controlled")]
    assert _holder_changes(runs) == [(2, "contested"), (4, "patron_controlled")]
    assert _holder_colour_map(runs)["contested"] == charts.HOLDER_COLOURS["contested"]


def test_jitter_is_deterministic_and_separates_shared_spots():
    rows = pd.DataFrame({"actor": list("abcd"), "distance": [1, 1, 1, 2],
                         "arrival_week": pd.array([5, 5, 6, 5], dtype="Int64")})
    offsets = _jitter(rows, ["distance", "arrival_week"])
    np.testing.assert_allclose(offsets, [-charts.JITTER_STEP / 2, charts.JITTER_STEP / 2, 0, 0])
    np.testing.assert_array_equal(offsets, _jitter(rows, ["distance", "arrival_week"]))


def test_pairing_phrase_follows_the_paired_column():
    assert _pairing_phrase(_is_paired(pd.DataFrame({"paired": [True]}))) \
        == "B minus A, member by member (paired)"
    unpaired = pd.DataFrame({"paired": ["False", "False"]})
    assert "UNPAIRED: independent draws" in _pairing_phrase(_is_paired(unpaired))


# ------------------------------------------------- scales, statistics, units, legends


@pytest.fixture(scope="module")
def calm_frames(region: Region) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Region]:
    """The chart-test run without the incapacity: a scenario with almost no movement."""
    scenario = Scenario.model_validate({
        "name": "chart_calm", "description": "", "weeks": 12, "members": 50, "seed": 1,
        "events": []})
    ctx = build_context(scenario, region)
    result = run_ensemble(ctx, progress=False)
    return (outputs.timeseries_frame(result, ctx), outputs.holders_frame(result),
            outputs.outcomes_frame(result, ctx), ctx.region)


def _panel_axes(fig) -> list:
    """The panels of a fan figure (axes with a title)."""
    return [ax for ax in fig.axes if ax.get_title()]


@pytest.mark.parametrize("metric", ["stability", "unrest", "posture"])
def test_fan_charts_of_two_scenarios_share_y_limits(frames, calm_frames, region, metric):
    shock, calm = frames[0], calm_frames[0]
    actors = _posture_ids(region) if metric == "posture" else _state_ids(region)
    limits = set()
    for timeseries in (shock, calm):
        fig = _fan_figure(timeseries, actors, metric, region, "t")
        panels = _panel_axes(fig)
        assert len(panels) == len(actors)
        limits |= {tuple(round(v, 12) for v in ax.get_ylim()) for ax in panels}
    # One y-range for every panel of both scenarios: the metric's fixed display range.
    assert limits == {METRIC_STYLES[metric].display}


def test_fan_limits_are_fixed_and_raised_only_beyond_the_display_range():
    calm = pd.DataFrame({"p05": [0.60, 0.599], "p95": [0.60, 0.601]})
    shaken = pd.DataFrame({"p05": [0.60, 0.05], "p95": [0.60, 0.99]})
    assert fan_limits("stability", [calm]) == fan_limits("stability", [shaken]) \
        == ((0.0, 1.0), False)
    assert fan_limits("unrest", [pd.DataFrame({"p05": [0.001], "p95": [0.006]})]) \
        == ((0.0, 0.05), False)
    # A run beyond the standard unrest range is drawn on the hard bounds, and says so.
    assert fan_limits("unrest", [pd.DataFrame({"p05": [0.0], "p95": [0.2]})]) \
        == ((0.0, 1.0), True)


def test_difference_charts_have_fixed_limits(compare_frames, region):
    deltas, ripple, _ = compare_frames
    fig = _diff_fan_figure(deltas, ripple, _state_ids(region), "stability", region, "t")
    assert {ax.get_ylim() for ax in _panel_axes(fig)} == {(-0.5, 0.5)}
    stability = deltas[(deltas["metric"] == "stability")
                       & deltas["actor"].isin(_state_ids(region))]
    calm = stability.assign(diff_p05=0.0, diff_p95=0.0, diff_mean=0.0)
    assert diff_limits("stability", [calm]) == diff_limits("stability", [stability]) \
        == ((-0.5, 0.5), False)


def test_unrest_is_drawn_in_the_csv_unit(frames, compare_frames, region):
    """timeseries.csv and deltas.csv hold unrest as a share 0-1: so do the axes."""
    timeseries = frames[0]
    unrest = timeseries[timeseries["metric"] == "unrest"]
    assert unrest["p95"].max() < 0.05  # a fraction in the CSV, not a percent
    fig = _fan_figure(timeseries, _state_ids(region), "unrest", region, "t")
    axis = _panel_axes(fig)[0].yaxis
    labels = [axis.get_major_formatter()(v) for v in axis.get_majorticklocs()]
    assert labels == ["0", "0.01", "0.02", "0.03", "0.04", "0.05"]
    assert "0-1" in fig.get_supylabel() and "%" not in fig.get_supylabel()
    deltas, ripple, _ = compare_frames
    fig = _diff_fan_figure(deltas, ripple, _state_ids(region), "unrest", region, "t")
    axis = _panel_axes(fig)[0].yaxis
    labels = [axis.get_major_formatter()(v) for v in axis.get_majorticklocs()]
    assert "0.025" in labels and not any("%" in t or "pp" in t for t in labels)
    assert "percentage points" not in fig.get_supylabel()


def test_holders_legend_lists_only_holders_that_occur(frames):
    holders = frames[1]
    fig = _holders_figure(holders, frames[3], "t")
    shown = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    occurring = {h.replace("_", " ")
                 for h, top in holders.groupby("holder")["share"].max().items() if top > 0}
    assert shown == occurring
    assert "emergency body" not in shown  # a natural vacancy never gives it


def test_ripple_map_colour_scale_is_fixed_and_names_the_mean(frames, calm_frames, region):
    norms = []
    for timeseries in (frames[0], calm_frames[0]):
        fig = _ripple_figure(timeseries, region, "t")
        scatter = next(c for c in fig.axes[0].collections if c.get_array() is not None)
        norms.append(tuple(scatter.norm.boundaries))
        colourbar = fig.axes[1]
        assert "MEAN" in colourbar.get_ylabel() and "'mean'" in colourbar.get_ylabel()
        assert "mean across members" in fig.axes[0].get_title()
    assert norms[0] == norms[1] == tuple(ripple_norm().boundaries)
    assert norms[0][0] == -100.0 and norms[0][-1] == 0.0


def test_ripple_map_reads_the_mean_column():
    rows = pd.DataFrame({"week": [0, 1, 2], "actor": "BLR", "metric": "stability",
                         "mean": [0.5, 0.4, 0.45], "p50": [0.5, 0.5, 0.5]})
    assert _peak_change(rows, ["BLR"]) == {"BLR": pytest.approx(-0.2)}


def test_replay_legends_apply_to_what_they_name(replay_frames, region):
    agents, model_vars = replay_frames
    runs = _holder_runs(model_vars)
    changes = _holder_changes(runs)
    fig = _member_states_figure(agents, runs, region, "t")
    lines, marks = fig.legends
    assert lines.get_title().get_text() == ""
    assert [t.get_text() for t in lines.get_texts()][0] == "stability (left axis)"
    assert "change of power" in marks.get_title().get_text()
    assert [t.get_text() for t in marks.get_texts()] == \
        [f"wk {w}: {h.replace('_', ' ')}" for w, h in changes]
    fig = _member_power_figure(agents, model_vars, runs, region, "t")
    loyalty = fig.axes[1].artists[0] if fig.axes[1].artists else None
    legends = [loyalty, fig.axes[1].get_legend()]
    titles = {lg.get_title().get_text(): [t.get_text() for t in lg.get_texts()]
              for lg in legends if lg is not None}
    centres = next(v for k, v in titles.items() if k.startswith("loyalty"))
    assert all(t.startswith(tuple(region.roles.power_centres)) for t in centres)
    patrons = next(v for k, v in titles.items() if "commitment" in k)
    assert patrons == [dict(zip(region.ids, region.names, strict=True))[p]
                       for p in region.roles.patrons]
    band = fig.axes[0].get_legend()
    assert [t.get_text() for t in band.get_texts()] == \
        list(dict.fromkeys(h.replace("_", " ") for _, _, h in runs))


def test_fan_grids_made_ahead_give_the_same_bytes(frames, chart_paths, tmp_path):
    """Grids made before the data (the forked helper's head start) change no PNG byte."""
    from sim.outputs.charts import common
    from sim.outputs.charts.run_charts import FAN_GRID, stock_fan_grids

    *tables, region = frames
    fresh = chart_paths
    stock_fan_grids(region)
    stocked = [grid for grids in common._STOCK.values() for grid in grids]
    assert len(stocked) == 3
    ahead = write_run_charts(tmp_path / "ahead", *tables, region, "chart_test")
    assert not any(common._STOCK.values())   # every grid made ahead was used
    assert [p.name for p in ahead] == [p.name for p in fresh]
    for a, b in zip(fresh, ahead, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    # a grid of other arguments is made new, the one made ahead is left for its caller
    common.stock_panel_grids([(4, FAN_GRID)])
    other = common._panel_grid(5, **FAN_GRID)
    assert len(other.axes) == 5 and len(common._STOCK[common._grid_key(4, **FAN_GRID)]) == 1
    assert common._panel_grid(4, **FAN_GRID).axes and not any(common._STOCK.values())
