"""The outcome map: vendored boundary data, the Crimea rule, colours, regions, no network."""

from __future__ import annotations

import csv
import hashlib
import re
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

from sim.outputs.charts import borders as borders_module
from sim.outputs.charts.borders import (
    ISO_FILE,
    MAPDATA_DIR,
    Borders,
    contains,
    load_borders,
    planar,
    read_disputed,
)
from sim.outputs.charts.geo_map import CONTEXT_COLOUR, map_window
from sim.outputs.charts.outcome_maps import (
    DIFF_BINS,
    PROB_BINS,
    _outcome_map,
    compare_paint,
    outcome_map_figure,
    run_paint,
)
from sim.paths import REGIONS_DIR
from sim.regions.loader import Region, load_region
from sim.regions.synthetic import synthetic_region


def _readme_hashes() -> dict[str, str]:
    text = (MAPDATA_DIR / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([^`]+)` \| \d+ \| `([0-9a-f]{64})` \|$", text, re.M))


def test_map_data_files_match_the_hashes_in_their_readme():
    hashes = _readme_hashes()
    files = {p.name for p in MAPDATA_DIR.iterdir() if p.name != "README.md"}
    assert set(hashes) == files
    for name, expected in hashes.items():
        data = (MAPDATA_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == expected, name


def _shipped_regions() -> list[Path]:
    return sorted(p for p in REGIONS_DIR.iterdir() if (p / "actors.csv").is_file())


def test_every_state_with_an_iso_code_has_a_polygon():
    with ISO_FILE.open(encoding="utf-8", newline="") as handle:
        iso = {row["alpha3"] for row in csv.DictReader(handle)}
    countries = load_borders().countries
    checked = 0
    for folder in _shipped_regions():
        with (folder / "actors.csv").open(encoding="utf-8", newline="") as handle:
            states = [r["id"] for r in csv.DictReader(handle) if r["kind"] == "state"]
        for actor in states:
            assert actor in iso, f"{folder.name}: {actor} is not an ISO alpha-3 code"
            assert countries[actor].polygons, f"{folder.name}: {actor} has no polygon"
            checked += 1
    assert checked >= 20


def test_crimea_is_drawn_with_ukraine_and_hatched_by_the_rule():
    countries = load_borders().countries
    crimea = next(r for r in read_disputed() if r.name == "Crimea")
    assert load_borders().disputed == (crimea,)
    # The vendored Natural Earth 4.1.0 puts Crimea in Russia; the rule moved it.
    assert not any(contains(p[0], crimea.lon, crimea.lat) for p in countries["RUS"].polygons)
    occupied = countries["UKR"].occupied
    assert len(occupied) == 1 and contains(occupied[0][0], crimea.lon, crimea.lat)
    # Sevastopol and Kerch lie in the same hatched polygon; Kherson stays on the mainland.
    assert contains(occupied[0][0], 33.52, 44.62) and contains(occupied[0][0], 36.4, 45.33)
    assert any(contains(p[0], 32.6, 46.65) for p in countries["UKR"].polygons)


def test_rings_across_the_antimeridian_are_made_planar():
    lon0, _, lon1, _ = load_borders().countries["RUS"].bounds()
    assert lon0 > 19 and 185 < lon1 < 191  # Kaliningrad to Chukotka, no jump at 180
    ring = np.array([[170.0, 60.0], [180.0, 60.0], [-175.0, 62.0], [175.0, 64.0],
                     [170.0, 60.0]])
    assert planar(ring)[:, 0].max() == 185.0
    europe = np.array([[20.0, 50.0], [30.0, 50.0], [25.0, 55.0], [20.0, 50.0]])
    assert planar(europe) is europe


# ------------------------------------------------------------------------- colours


def _synthetic_outcomes(region: Region, drop: dict[str, float], focal_p: float) -> pd.DataFrame:
    rows = []
    for actor, kind in zip(region.ids, region.kinds, strict=True):
        if kind != "state":
            continue
        p = drop.get(actor, 0.0)
        rows.append({"actor": actor, "outcome": "stability_drop_10pct", "probability": p,
                     "ci_low": max(p - 0.05, 0.0), "ci_high": min(p + 0.05, 1.0),
                     "count": int(200 * p), "members": 200})
    rows.append({"actor": region.roles.focal, "outcome": "regime_change",
                 "probability": focal_p, "ci_low": focal_p - 0.05,
                 "ci_high": focal_p + 0.05, "count": int(200 * focal_p), "members": 200})
    return pd.DataFrame(rows)


def _patches(fig, gid: str) -> list:
    return [p for p in fig.axes[0].patches if p.get_gid() == gid]


def _pixel(fig, lon: float, lat: float) -> np.ndarray:
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())
    x, y = fig.axes[0].transData.transform((lon, lat))
    return image[image.shape[0] - int(round(y)), int(round(x)), :3] / 255.0


def test_map_colours_states_by_their_class(region):
    outcomes = _synthetic_outcomes(region, {"POL": 0.42, "LTU": 0.07}, focal_p=0.9)
    paint = run_paint(outcomes, region)
    fig, drawn = outcome_map_figure(region, paint, "t")
    assert {"BLR", "POL", "LTU", "RUS", "UKR"} <= set(drawn.drawn)
    state, focal = paint.state_scale, paint.focal_scale
    expectations = {"POL": state.colour(42.0), "LTU": state.colour(7.0),
                    "UKR": state.colour(0.0), "BLR": focal.colour(90.0)}
    for actor, colour in expectations.items():
        faces = {tuple(np.round(p.get_facecolor(), 6)) for p in _patches(fig, f"state:{actor}")}
        assert faces == {tuple(np.round(colour, 6))}, actor
    assert state.colour(42.0) != state.colour(7.0) != state.colour(0.0)
    assert focal.colour(90.0) != state.colour(90.0)  # the focal outcome has its own scale
    grey = _patches(fig, "context:ROU")[0].get_facecolor()
    assert np.allclose(grey[:3], to_rgb(CONTEXT_COLOUR))
    # The rendered pixels: western Poland and south-western Belarus, clear of labels.
    assert np.allclose(_pixel(fig, 15.6, 53.0), state.colour(42.0)[:3], atol=2 / 255)
    assert np.allclose(_pixel(fig, 25.2, 52.2), focal.colour(90.0)[:3], atol=2 / 255)
    crimea = _patches(fig, "occupied:UKR")
    assert len(crimea) == 1 and crimea[0].get_hatch() == "////"
    assert np.allclose(crimea[0].get_facecolor(), state.colour(0.0))


def test_colour_scales_are_fixed_across_runs(region):
    calm = run_paint(_synthetic_outcomes(region, {}, 0.01), region)
    shock = run_paint(_synthetic_outcomes(region, {"POL": 0.9}, 0.8), region)
    for a, b in ((calm.state_scale, shock.state_scale), (calm.focal_scale, shock.focal_scale)):
        assert a.bins == b.bins == PROB_BINS
        assert a.colormap().colors == b.colormap().colors
    diff = pd.DataFrame([{"actor": "POL", "outcome": "stability_drop_10pct", "diff": 0.12,
                          "ci_low": 0.05, "ci_high": 0.2}])
    paint = compare_paint(diff, region)
    assert paint.state_scale.bins == DIFF_BINS and paint.values["POL"] == pytest.approx(12.0)
    assert "+12.0 pp" in paint.labels["POL"] and paint.labels["EST"] == "EST n/a"


def test_title_footnote_and_legend_say_what_is_shown(region):
    fig, drawn = outcome_map_figure(region, run_paint(_synthetic_outcomes(region, {}, 0.1),
                                                      region), "Scenario 'x'")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Natural Earth 4.1.0" in texts and "Crimea is drawn as part of Ukraine" in texts
    assert "68/262" in texts
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "state outside the model" in legend
    assert any(t.startswith("off the map: China") for t in legend)
    assert drawn.off_map == ("CHN",)
    window = drawn.window
    assert -12 < window.lon0 < -5 and 55 < window.lon1 < 65
    assert 35 < window.lat0 < 42 and 65 < window.lat1 < 72
    bars = [ax.get_title(loc="left") for ax in fig.axes[1:]]
    assert "stability falls more than 10%" in bars[0] and "Regime change" in bars[1]


# ----------------------------------------------------------------- other regions


def test_russia_region_map_renders(tmp_path):
    russia = load_region(REGIONS_DIR / "russia")
    outcomes = _synthetic_outcomes(russia, {"KAZ": 0.3}, focal_p=0.2)
    path = _outcome_map(tmp_path / "map.png", outcomes, russia, "Scenario 'r'")
    assert path is not None and path.stat().st_size > 50_000
    window = map_window(russia, load_borders())
    assert window.lon1 > 180  # Chukotka past the antimeridian is on the map
    fig, drawn = outcome_map_figure(russia, run_paint(outcomes, russia), "r")
    assert "USA" in drawn.off_map and "KAZ" in drawn.drawn and "RUS" in drawn.drawn


def test_states_without_a_polygon_are_skipped_with_a_note(region, tmp_path):
    full = load_borders()
    partial = Borders({k: v for k, v in full.countries.items() if k != "MDA"}, full.disputed)
    fig, drawn = outcome_map_figure(region, run_paint(_synthetic_outcomes(region, {}, 0.1),
                                                      region), "t", partial)
    assert drawn.no_polygon == ("MDA",)
    assert "not drawn: Moldova (MDA)" in " ".join(t.get_text() for t in fig.texts)
    assert outcome_map_figure(region, run_paint(_synthetic_outcomes(region, {}, 0.1), region),
                              "t", Borders({}, ())) is None
    synthetic = synthetic_region(12, seed=3)
    outcomes = _synthetic_outcomes(synthetic, {}, 0.1)
    made = outcome_map_figure(synthetic, run_paint(outcomes, synthetic), "t")
    assert made is not None and "BLR" in made[1].drawn and made[1].no_polygon


def test_the_map_needs_no_network(region, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    load_borders.cache_clear()
    try:
        path = _outcome_map(tmp_path / "map.png", _synthetic_outcomes(region, {}, 0.1),
                            region, "offline")
    finally:
        load_borders.cache_clear()
    assert path is not None and path.read_bytes().startswith(b"\x89PNG")
    assert borders_module.BORDERS_FILE.is_relative_to(MAPDATA_DIR)
