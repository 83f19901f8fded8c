"""Backtest charts: each episode's predicted A/B/C beside what happened, and reliability."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.outcomes import CLASS_LABELS
from sim.outputs.charts.common import GRID_KW, _figure, _save

#: Colours of the outcome classes (A: the ruling group holds; B: another insider;
#: C: it loses power).
CLASS_COLOURS = {"A": "#4c72b0", "B": "#55a868", "C": "#c44e52"}


def _episodes_chart(path: Path, episodes: pd.DataFrame) -> Path:
    """Stacked bars of model and null probabilities per episode, observed class marked."""
    order = {"protest": 0, "election": 1, "coup": 2, "death": 3, "handover": 4}
    rows = episodes.assign(_k=episodes["trigger"].map(order).fillna(9)).sort_values(
        ["_k", "title"], kind="stable").reset_index(drop=True)
    fig = _figure(11.0, 0.36 * len(rows) + 2.4, layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    height = 0.36
    for offset, prefix, alpha in ((height / 2 + 0.02, "p_", 1.0), (-height / 2 - 0.02,
                                                                   "null_", 0.45)):
        left = np.zeros(len(rows))
        for c, colour in CLASS_COLOURS.items():
            ax.barh(y + offset, rows[f"{prefix}{c}"], height, left=left, color=colour,
                    alpha=alpha, edgecolor="white", linewidth=0.5)
            left += rows[f"{prefix}{c}"].to_numpy()
    for yi, row in zip(y, rows.itertuples(), strict=True):
        ax.text(1.01, yi, f"observed {row.observed}", va="center", fontsize=8,
                color=CLASS_COLOURS[row.observed], fontweight="bold",
                transform=ax.get_yaxis_transform())
    flagged = rows["no_path"].astype(bool) if "no_path" in rows else [False] * len(rows)
    ax.set_yticks(y, [f"{t} ({k}){' *' if f else ''}" for t, k, f in
                      zip(rows["title"], rows["trigger"], flagged, strict=True)], fontsize=7.5)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("predicted probability of each class, one year after the trigger")
    ax.grid(True, axis="x", **GRID_KW)
    handles = [Patch(color=c, label=CLASS_LABELS[k]) for k, c in CLASS_COLOURS.items()]
    handles.append(Patch(color="#999999", alpha=0.45, label="upper bar: the model (main "
                         "score); paler lower bar: the null"))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False,
               fontsize=8.5)
    ax.set_title("Backtest on the development set (in-sample): predicted classes against "
                 "what happened\n(* the model has no path for what happened; grouped by "
                 "trigger kind)", fontsize=11)
    return _save(fig, path)


def _reliability_chart(path: Path, reliability: pd.DataFrame) -> Path:
    """Mean predicted P(C) against the observed frequency of C, per bin, sized by count."""
    fig = _figure(6.2, 5.6, layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1,
            label="perfect calibration")
    shown = reliability[reliability["episodes"] > 0]
    ax.scatter(shown["mean_predicted_c"], shown["observed_c"], s=25 * shown["episodes"],
               color=CLASS_COLOURS["C"], alpha=0.8, edgecolor="black", zorder=3)
    ax.plot([], [], "o", color=CLASS_COLOURS["C"], markeredgecolor="black",
            label="bin of predicted P(C) (area: number of episodes)")
    for row in shown.itertuples():
        ax.annotate(f"{row.episodes}", (row.mean_predicted_c, row.observed_c),
                    xytext=(8, -4), textcoords="offset points", fontsize=9)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("mean predicted probability that the ruling group loses power (C)")
    ax.set_ylabel("share of episodes in which it did")
    ax.grid(True, **GRID_KW)
    ax.legend(loc="lower right", fontsize=8.5, frameon=False)
    ax.set_title("Reliability of P(C), development set (in-sample)", fontsize=11)
    return _save(fig, path)


def write_backtest_charts(out_dir: Path, episodes: pd.DataFrame,
                          reliability: pd.DataFrame) -> list[Path]:
    """Write ``episodes.png`` and ``reliability.png`` into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder for the charts; created if missing.
    episodes : pandas.DataFrame
        :func:`sim.analyses.backtest.backtest`'s episode table (title, observed,
        ``p_A``..``p_C``, ``null_A``..``null_C``).
    reliability : pandas.DataFrame
        Its reliability table (bins of predicted P(C) with observed frequency).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_episodes_chart(out_dir / "episodes.png", episodes),
            _reliability_chart(out_dir / "reliability.png", reliability)]
