"""Charts of an exploration: tornado, Sobol bars, PRIM trade-off and box, paired fans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.engines.stats import STAT_NAMES
from sim.model.state import METRICS
from sim.outcomes import output_label as label  # noqa: F401 (the charts' and views' name)
from sim.outputs.charts.common import _figure, _save


def tornado(indices: pd.DataFrame, outputs: list[str], path: Path, value: str,
            conf: str, top: int = 10) -> Path:
    """Horizontal bars of the ``top`` parameters per output, largest first, with intervals."""
    fig = _figure(6.0 * len(outputs), 0.42 * top + 1.4, layout="constrained")
    axes = fig.subplots(1, len(outputs), squeeze=False)[0]
    for ax, output in zip(axes, outputs, strict=True):
        rows = indices[indices["output"] == output].nlargest(top, value)[::-1]
        ax.barh(rows["parameter"], rows[value], xerr=rows[conf], color="#4c72b0",
                ecolor="#333333", capsize=2)
        share = rows["noise_share"].iloc[0] if len(rows) else float("nan")
        ax.set_title(f"{label(output)}\nMonte Carlo noise: {share:.0%} of the variance",
                     fontsize=9)
        ax.set_xlabel(f"{value} (output units per full range; bar: 95% interval)", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.set_xlim(left=0)
    return _save(fig, path)


def sobol_bars(indices: pd.DataFrame, outputs: list[str], path: Path, top: int = 10) -> Path:
    """First-order and total Sobol indices with 95% intervals, per output."""
    fig = _figure(6.0 * len(outputs), 0.42 * top + 1.4, layout="constrained")
    axes = fig.subplots(1, len(outputs), squeeze=False)[0]
    for ax, output in zip(axes, outputs, strict=True):
        rows = indices[indices["output"] == output].nlargest(top, "ST")[::-1]
        y = np.arange(len(rows))
        ax.barh(y + 0.2, rows["ST"], height=0.38, xerr=rows["ST_conf"], color="#dd8452",
                label="total (ST)", capsize=2)
        ax.barh(y - 0.2, rows["S1"], height=0.38, xerr=rows["S1_conf"], color="#4c72b0",
                label="first order (S1)", capsize=2)
        ax.set_yticks(y, rows["parameter"], fontsize=8)
        share = rows["noise_share"].iloc[0] if len(rows) else float("nan")
        title = f"{label(output)}\nMonte Carlo noise: {share:.0%} of the variance"
        values = rows[["S1", "ST"]].to_numpy()
        if len(rows) and (values.min() < -0.05 or values.max() > 1.05):
            # Shares of variance lie in 0-1; estimates outside are sampling error.
            title += "\nindices outside 0-1 are estimation error: raise SAMPLES"
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("share of the output's variance (bar: 95% interval)", fontsize=8)
        ax.axvline(0, color="black", lw=0.6)
        ax.legend(fontsize=7, loc="lower right")
    return _save(fig, path)


def prim_charts(trajectory: pd.DataFrame, limits: pd.DataFrame, stats: dict,
                path: Path) -> Path:
    """PRIM's peeling trajectory (coverage vs density) and the chosen box's limits."""
    fig = _figure(11.0, 4.2, layout="constrained")
    left, right = fig.subplots(1, 2)
    points = left.scatter(trajectory["coverage"], trajectory["density"],
                          c=trajectory["res_dim"], cmap="viridis", s=14)
    left.scatter([stats["coverage"]], [stats["density"]], s=90, facecolors="none",
                 edgecolors="red", label="chosen box")
    fig.colorbar(points, ax=left, label="restricted parameters")
    left.set_xlabel("coverage (share of the case's points inside the box)")
    left.set_ylabel("density (share of the box's points in the case)")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.axhline(stats["base_rate"], color="grey", ls=":", lw=1, label="base rate")
    left.legend(fontsize=8, loc="lower left")
    left.set_title(f"PRIM: {stats['case']}", fontsize=10)
    if len(limits):
        y = np.arange(len(limits))
        span = (limits["range_high"] - limits["range_low"]).replace(0, 1.0)
        low = (limits["box_low"] - limits["range_low"]) / span
        high = (limits["box_high"] - limits["range_low"]) / span
        right.barh(y, high - low, left=low, color="#dd8452", height=0.5)
        right.set_yticks(y, limits["parameter"], fontsize=8)
        for k, row in enumerate(limits.itertuples()):
            right.text(1.02, k, f"{row.box_low:.3g} to {row.box_high:.3g}", va="center",
                       fontsize=7)
    right.set_xlim(0, 1.35)
    right.set_xlabel("position within the explored range (0 = low, 1 = high)")
    right.set_title(f"chosen box: coverage {stats['coverage']:.0%}, "
                    f"density {stats['density']:.0%}", fontsize=10)
    return _save(fig, path)


def fans_side_by_side(plain: np.ndarray, pooled: np.ndarray, actors: list[tuple[int, str]],
                      path: Path, posterior: np.ndarray | None = None) -> Path:
    """Stability fans of some actors: Monte Carlo noise alone vs with parameter uncertainty.

    The panels of an actor share one y-range, so their widths compare directly. With
    ``posterior`` (quantiles of a run drawing from the calibrated posterior) a third
    column shows what the literature and the episodes leave of the uncertainty.
    """
    metric = METRICS.index("stability")
    idx = {name: STAT_NAMES.index(name) for name in ("p05", "p25", "p50", "p75", "p95")}
    columns = 2 if posterior is None else 3
    fig = _figure(5.0 * columns, 3.0 * len(actors), layout="constrained")
    axes = fig.subplots(len(actors), columns, squeeze=False)
    for row, (a, name) in enumerate(actors):
        panels = ((plain, "defaults: Monte Carlo noise only"),
                  (pooled, "drawn from the plausible ranges"))
        if posterior is not None:
            panels += ((posterior, "drawn from the calibrated posterior"),)
        low = min(q[:, metric, idx["p05"], a].min() for q, _ in panels)
        high = max(q[:, metric, idx["p95"], a].max() for q, _ in panels)
        pad = 0.05 * max(high - low, 1e-3)
        for col, (quantiles, title) in enumerate(panels):
            ax = axes[row, col]
            q = quantiles[:, metric, :, a]
            weeks = np.arange(q.shape[0])
            ax.fill_between(weeks, q[:, idx["p05"]], q[:, idx["p95"]], color="#4c72b0",
                            alpha=0.2, lw=0, label="90% band")
            ax.fill_between(weeks, q[:, idx["p25"]], q[:, idx["p75"]], color="#4c72b0",
                            alpha=0.4, lw=0, label="50% band")
            ax.plot(weeks, q[:, idx["p50"]], color="#1f3a68", lw=1.2, label="median")
            ax.set_ylim(low - pad, high + pad)
            ax.set_title(f"{name} stability: {title}", fontsize=9)
            ax.set_xlabel("week", fontsize=8)
            if col == 0 and row == 0:
                ax.legend(fontsize=7, loc="lower left")
    return _save(fig, path)
