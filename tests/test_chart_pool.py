"""Charts drawn by the helper processes are the charts drawn in the run's process."""

import numpy as np

from sim.analyses.run import RunRequest, prepare, run
from sim.engines.ensemble import run_ensemble
from sim.outputs import chart_pool
from sim.outputs import tables as outputs
from sim.outputs.charts import write_run_charts


def _frames(members=20, weeks=12):
    ctx = prepare(RunRequest("incapacity", members=members, weeks=weeks))[2]
    result = run_ensemble(ctx, np.arange(members), progress=False)
    return ctx, (outputs.timeseries_frame(result, ctx), outputs.holders_frame(result),
                 outputs.outcomes_frame(result, ctx))


def test_helpers_draw_the_same_bytes(tmp_path):
    ctx, frames = _frames()
    inline = write_run_charts(tmp_path / "inline", *frames, ctx.region, "pool_test")
    with chart_pool.ChartPool() as pool:
        drawn = pool.wait(pool.start(tmp_path / "pool", *frames, ctx.region, "pool_test"))
    assert [p.name for p in drawn] == [p.name for p in inline]
    assert len(drawn) >= 7
    for a, b in zip(inline, drawn, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_every_chart_is_in_one_share():
    shares = [c for share in chart_pool.SHARES for c in share]
    assert sorted(shares) == sorted(chart_pool.RUN_CHARTS)
    for workers in (1, 3):
        cut = [c for share in chart_pool._cut(workers) for c in share]
        assert sorted(cut) == sorted(chart_pool.RUN_CHARTS)


def test_inline_when_asked(monkeypatch):
    monkeypatch.setenv("SIM_CHARTS_INLINE", "1")
    assert not chart_pool.available()
    chart_pool.start_early()
    assert not chart_pool._EARLY


def test_a_run_with_helpers_writes_its_charts(results_dir, monkeypatch):
    monkeypatch.setattr(chart_pool, "available", lambda: True)
    chart_pool.start_early()
    target = run(RunRequest("incapacity", members=10, weeks=8, progress=False))
    assert not chart_pool._EARLY  # the run claimed the early pool
    names = {p.name for p in (target / "charts").glob("*.png")}
    assert {"fan_stability.png", "holders.png", "ripple_summary.png"} <= names
    assert "data:image/png" in (target / "report.html").read_text(encoding="utf-8")
