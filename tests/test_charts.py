"""Smoke tests of the run charts on a small real ensemble."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import outputs
from sim.charts import write_run_charts
from sim.context import build_context
from sim.ensemble import run_ensemble
from sim.region import Region
from sim.scenario import Scenario

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXPECTED = {
    "fan_stability.png",
    "fan_unrest.png",
    "fan_posture.png",
    "outcomes_belarus.png",
    "holders.png",
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


def test_same_frames_give_same_bytes(frames, chart_paths, tmp_path):
    timeseries, holders, outcomes, region = frames
    again = write_run_charts(tmp_path, timeseries, holders, outcomes, region, "chart_test")
    for first, second in zip(chart_paths, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
