"""Comparison chart: when the difference B - A arrives, by distance from the focal state."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.outputs.charts.common import GRID_KW, _figure, _posture_ids, _save, _state_ids
from sim.regions.loader import Region

# --------------------------------------------------- comparison: arrival vs distance

#: Marker, colour and legend label of each metric in the arrival chart.
ARRIVAL_METRICS: dict[str, tuple[str, str, str]] = {
    "stability": ("o", "#b2182b", "stability (all states)"),
    "posture": ("^", "#2166ac", "military posture (reported states and patrons)"),
}
#: Sideways step between points that share a distance and an arrival week.
JITTER_STEP = 0.14
#: Points of one group spread over at most this width (distance units).
JITTER_WIDTH = 0.8


def _arrival_rows(ripple: pd.DataFrame, region: Region) -> pd.DataFrame:
    """States' stability rows and the posture rows of reported states and patrons."""
    metric, actor = ripple["metric"], ripple["actor"]
    keep = (((metric == "stability") & actor.isin(_state_ids(region)))
            | ((metric == "posture") & actor.isin(_posture_ids(region))))
    rows = ripple[keep & ripple["distance_from_focal"].notna()].copy()
    rows["distance"] = rows["distance_from_focal"].astype(int)
    rows["arrived"] = rows["arrival_week"].notna()
    rows["rank"] = rows["actor"].map({a: i for i, a in enumerate(region.ids)})
    return rows.sort_values(["distance", "arrival_week", "metric", "rank"], kind="stable",
                            na_position="last")


def _jitter(rows: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """Deterministic sideways offsets: points sharing ``keys`` are spread by their index."""
    groups = rows.groupby(list(keys), sort=False, dropna=False)
    slot = groups.cumcount().to_numpy(dtype=float)
    count = groups["actor"].transform("size").to_numpy(dtype=float)
    step = np.minimum(JITTER_STEP, JITTER_WIDTH / count)
    return (slot - (count - 1) / 2) * step


def _scatter_labelled(ax: Axes, rows: pd.DataFrame, x: np.ndarray, y: np.ndarray) -> None:
    """Scatter each metric with its marker and label every point with its actor id."""
    for metric, (marker, colour, label) in ARRIVAL_METRICS.items():
        mask = (rows["metric"] == metric).to_numpy()
        if mask.any():
            ax.scatter(x[mask], y[mask], marker=marker, color=colour, s=45, zorder=3,
                       edgecolors="white", linewidths=0.6, label=label)
    for actor, xi, yi in zip(rows["actor"], x, y, strict=True):
        ax.annotate(str(actor), (xi, yi), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=7.5, zorder=4)


def _distance_ticks(ax: Axes, distances: Sequence[int], focal_name: str) -> None:
    """Integer distance ticks, naming the focal state at 0."""
    ticks = list(range(min(distances, default=0), max(distances, default=2) + 1))
    names = [f"0 ({focal_name})" if d == 0 else f"{d} link{'s' if d > 1 else ''}" for d in ticks]
    ax.set_xticks(ticks, names)
    ax.set_xlim(ticks[0] - 0.6, ticks[-1] + 0.6)


def _arrival_chart(path: Path, ripple: pd.DataFrame, region: Region, heading: str) -> Path:
    """Arrival week against network distance from the focal state, plus a no-ripple strip."""
    focal_name = dict(zip(region.ids, region.names, strict=True))[region.roles.focal]
    rows = _arrival_rows(ripple, region)
    arrived, missing = rows[rows["arrived"]], rows[~rows["arrived"]]
    fig = _figure(10.0, 7.0, layout="constrained")
    strip, ax = fig.subplots(2, 1, sharex=True, height_ratios=[1.0, 4.5])
    week = arrived["arrival_week"].to_numpy(dtype=float)
    _scatter_labelled(ax, arrived, arrived["distance"] + _jitter(arrived, ["distance",
                                                                           "arrival_week"]),
                      week)
    _scatter_labelled(strip, missing, missing["distance"] + _jitter(missing, ["distance"]),
                      (np.arange(len(missing)) % 2).astype(float))
    if arrived.empty:
        ax.text(0.5, 0.5, "no state shows a clear ripple", transform=ax.transAxes,
                ha="center", va="center", fontsize=11, color="#555555")
    strip.set_ylim(-0.8, 1.8)
    strip.set_yticks([])
    strip.set_ylabel("no clear\nripple", rotation=0, ha="right", va="center", fontsize=9)
    ax.set_ylim(0.0, max(float(week.max()) if week.size else 0.0, 4.0) * 1.1 + 1.0)
    ax.set_ylabel("arrival week (first week the p05-p95 spread of member\n"
                  "differences B - A excludes zero)")
    _distance_ticks(ax, rows["distance"].tolist(), focal_name)
    ax.set_xlabel(f"distance from {focal_name} in the influence network (links)")
    for frame in (strip, ax):
        frame.grid(True, axis="x", **GRID_KW)
    ax.grid(True, axis="y", **GRID_KW)
    # Only the metrics that have points in this chart (arrived or not).
    shown = set(rows["metric"])
    handles = [Line2D([], [], marker=m, color=c, linestyle="none", label=lab)
               for metric, (m, c, lab) in ARRIVAL_METRICS.items() if metric in shown]
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize=8.5, framealpha=0.9)
    strip.set_title(f"{heading}\nWhen does the difference arrive, by distance from "
                    f"{focal_name}?\n"
                    "(points sharing a spot are offset sideways; top strip: states with no "
                    "clear ripple)", fontsize=11)
    return _save(fig, path)
