"""Shared style, colours and drawing helpers of the charts.

Everything is drawn with matplotlib's object API (:class:`matplotlib.figure.Figure` on
the Agg canvas), so no global pyplot state is touched and nothing needs a display.
Nothing is random: positions come from coordinates and colours from fixed tables, and
PNGs are saved without the ``Software`` metadata key, so the same frames give the same
bytes under the same matplotlib and FreeType.

This module holds what several chart modules share: the figure and save helpers, the
colour tables, the metric styles, the fan-panel primitives, the probability bars with
confidence whiskers and the actor selections (states, posture actors, focal outcomes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter

from sim.regions.loader import Region

DPI = 110
#: PNG metadata: drop the matplotlib version string so bytes do not depend on it.
PNG_METADATA: dict[str, str | None] = {"Software": None}

BAND_COLOUR = "#2b6cb0"
BASELINE_COLOUR = "#444444"
GRID_KW = {"color": "#e5e5e5", "linewidth": 0.6}

#: Fixed colour of every holder of power (unknown holders get a fallback colour).
HOLDER_COLOURS: dict[str, str] = {
    "incumbent": "#4c72b0",
    "constitutional_interim": "#8fb8de",
    "emergency_body": "#8172b2",
    "designated_successor": "#2a9d8f",
    "insider_successor": "#55a868",
    "contested": "#dd8452",
    "opposition_led": "#e9c46a",
    "patron_controlled": "#c44e52",
}
FALLBACK_COLOURS = ("#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")

#: The focal state's regime outcomes, in display order, with readable labels and colours
#: (:func:`_outcome_labels` names the patron in the takeover label).
FOCAL_OUTCOMES: dict[str, tuple[str, str]] = {
    "regime_and_leader_continue": ("Regime and leader continue", "#4c72b0"),
    "regime_continues_new_leader": ("Regime continues, new leader", "#55a868"),
    "contested": ("Contested (elite split)", "#dd8452"),
    "regime_change": ("Regime change (opposition)", "#e9c46a"),
    "patron_takeover": ("Takeover by a patron", "#c44e52"),
}


@dataclass(frozen=True)
class MetricStyle:
    """How one metric is labelled and bounded in the fan charts."""

    label: str
    unit: str
    bounds: tuple[float, float]
    min_span: float
    percent: bool = False


METRIC_STYLES: dict[str, MetricStyle] = {
    "stability": MetricStyle("Stability", "stability index (0-1)", (0.0, 1.0), 0.02),
    "unrest": MetricStyle("Unrest", "share of public protesting (%)", (0.0, 1.0), 0.002,
                          percent=True),
    "posture": MetricStyle("Military posture", "posture index (0-1)", (0.0, 1.0), 0.02),
}


# ---------------------------------------------------------------------------- helpers


def _figure(width: float, height: float) -> Figure:
    """A new figure attached to an Agg canvas (no pyplot involved)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    """Save ``fig`` as PNG without version metadata, release it, and return ``path``."""
    fig.savefig(path, dpi=DPI, metadata=PNG_METADATA, facecolor="white")
    fig.clear()
    return path


def _names(region: Region) -> dict[str, str]:
    """Display name of each actor id."""
    return dict(zip(region.ids, region.names, strict=True))


def _focal_name(region: Region) -> str:
    """Display name of the focal state (e.g. ``Belarus``)."""
    return _names(region)[region.roles.focal]


def _patron_phrase(region: Region) -> str:
    """The patrons' names joined for titles (``Russia``; empty without patrons)."""
    names = _names(region)
    return " and ".join(names[p] for p in region.roles.patrons)


def _outcome_labels(names: Sequence[str], region: Region) -> list[str]:
    """Readable labels of outcome names, with the patron named in the takeover label."""
    patrons = _patron_phrase(region) or "a patron (this region has none)"
    return [f"Takeover by {patrons}" if name == "patron_takeover"
            else FOCAL_OUTCOMES[name][0] for name in names]


def _members(outcomes: pd.DataFrame) -> int | None:
    """Ensemble size recorded in the outcomes frame, if any."""
    if outcomes.empty or "members" not in outcomes:
        return None
    return int(outcomes["members"].max())


def _grid_shape(n_panels: int, max_cols: int = 4) -> tuple[int, int]:
    """Rows and columns of a panel grid that leaves at least one free cell for the legend."""
    cols = min(max_cols, max(2, math.ceil(math.sqrt(n_panels + 1))))
    rows = math.ceil((n_panels + 1) / cols)
    return rows, cols


# ------------------------------------------------------------------------- fan panels


def _metric_table(timeseries: pd.DataFrame, metric: str, actor: str) -> pd.DataFrame:
    """Rows of one actor and metric, sorted by week."""
    rows = timeseries[(timeseries["metric"] == metric) & (timeseries["actor"] == actor)]
    return rows.sort_values("week", kind="stable")


def _baseline(rows: pd.DataFrame) -> float:
    """Week-0 median of a metric table (all members start equal), or the first row's."""
    first = rows[rows["week"] == rows["week"].min()]
    return float(first["p50"].iloc[0])


def _common_span(tables: Sequence[pd.DataFrame], style: MetricStyle) -> float:
    """Height of the y-window shared by every panel: the widest band, padded."""
    spans = [float(max(t["p95"].max(), _baseline(t)) - min(t["p05"].min(), _baseline(t)))
             for t in tables if not t.empty]
    widest = max(spans, default=0.0)
    low, high = style.bounds
    return min(high - low, max(widest * 1.15, style.min_span))


def _panel_limits(rows: pd.DataFrame, span: float,
                  bounds: tuple[float, float]) -> tuple[float, float]:
    """A y-window of height ``span`` centred on the panel's data, kept near ``bounds``."""
    base = _baseline(rows)
    low = min(float(rows["p05"].min()), base)
    high = max(float(rows["p95"].max()), base)
    return _centred_window(low, high, span, bounds)


def _centred_window(low: float, high: float, span: float,
                    bounds: tuple[float, float]) -> tuple[float, float]:
    """A window of height ``span`` centred on ``low..high``, kept near ``bounds``."""
    centre = 0.5 * (low + high)
    pad = 0.03 * span
    bottom = min(max(centre - span / 2, bounds[0] - pad), bounds[1] + pad - span)
    return bottom, bottom + span


def _short_percent(value: float, _pos: object = None) -> str:
    """A share as a percent with at most three significant digits (0.25 -> '25%')."""
    return f"{100 * value:.3g}%"


def _draw_fan(ax: Axes, rows: pd.DataFrame, title: str, limits: tuple[float, float],
              style: MetricStyle) -> None:
    """One fan panel: 90% and 50% bands, the median and the dashed baseline."""
    week = rows["week"].to_numpy()
    ax.fill_between(week, rows["p05"], rows["p95"], color=BAND_COLOUR, alpha=0.18,
                    linewidth=0)
    ax.fill_between(week, rows["p25"], rows["p75"], color=BAND_COLOUR, alpha=0.38,
                    linewidth=0)
    ax.plot(week, rows["p50"], color=BAND_COLOUR, linewidth=1.6)
    ax.axhline(_baseline(rows), color=BASELINE_COLOUR, linestyle="--", linewidth=0.9)
    ax.set_xlim(week.min(), week.max())
    ax.set_ylim(*limits)
    ax.set_title(title, fontsize=10)
    ax.grid(True, **GRID_KW)
    ax.tick_params(labelsize=8)
    if style.percent:
        ax.yaxis.set_major_formatter(FuncFormatter(_short_percent))


def _fan_legend(ax: Axes) -> None:
    """Use a spare grid cell as the legend of the fan charts."""
    ax.set_axis_off()
    handles = [
        Line2D([], [], color=BAND_COLOUR, linewidth=1.6, label="median"),
        Patch(color=BAND_COLOUR, alpha=0.38 + 0.18 * 0.62, label="50% band (p25-p75)"),
        Patch(color=BAND_COLOUR, alpha=0.18, label="90% band (p05-p95)"),
        Line2D([], [], color=BASELINE_COLOUR, linestyle="--", linewidth=0.9,
               label="baseline (week 0)"),
    ]
    ax.legend(handles=handles, loc="center", frameon=False, fontsize=9)


# ------------------------------------------------------------------- actor selections


def _state_ids(region: Region) -> list[str]:
    """Ids of actors of kind ``state``, in region order."""
    return [a for a, k in zip(region.ids, region.kinds, strict=True) if k == "state"]


def _posture_ids(region: Region) -> list[str]:
    """The region's reported states (``roles.yaml``) followed by its patrons."""
    ids = list(region.roles.reported)
    return ids + [a for a in region.roles.patrons if a not in ids]


def _posture_title(region: Region) -> str:
    """Who the posture charts show, for titles."""
    patrons = _patron_phrase(region)
    return "the reported states" + (f" and {patrons}" if patrons else "")


# ------------------------------------------------------------------ focal outcomes


def _focal_rows(outcomes: pd.DataFrame, focal: str) -> pd.DataFrame:
    """The five regime outcome rows of the focal state, in display order."""
    rows = outcomes[(outcomes["actor"] == focal)
                    & outcomes["outcome"].isin(list(FOCAL_OUTCOMES))]
    order = {name: i for i, name in enumerate(FOCAL_OUTCOMES)}
    return rows.sort_values("outcome", key=lambda s: s.map(order), kind="stable")


def _bar_with_ci(ax: Axes, labels: Sequence[str], rows: pd.DataFrame,
                 colours: Sequence[str], x_max: float = 1.0) -> None:
    """Horizontal probability bars (top to bottom) with 95% CI whiskers and % labels.

    The axis runs from 0 to ``x_max`` with room to the right for the labels.
    """
    y = np.arange(len(rows))[::-1]
    prob = rows["probability"].to_numpy(dtype=float)
    low = np.clip(prob - rows["ci_low"].to_numpy(dtype=float), 0.0, None)
    high = np.clip(rows["ci_high"].to_numpy(dtype=float) - prob, 0.0, None)
    ax.barh(y, prob, color=colours, height=0.6, edgecolor="white")
    ax.errorbar(prob, y, xerr=[low, high], fmt="none", ecolor="#222222", elinewidth=1.0,
                capsize=4)
    for yi, p, bottom, top in zip(y, prob, rows["ci_low"], rows["ci_high"], strict=True):
        ax.annotate(f"{100 * p:.1f}%", (float(top), yi), xytext=(6, 0),
                    textcoords="offset points", va="bottom", fontsize=9, fontweight="bold")
        ax.annotate(f"CI {100 * bottom:.1f}-{100 * top:.1f}%", (float(top), yi),
                    xytext=(6, 0), textcoords="offset points", va="top", fontsize=7.5,
                    color="#555555")
    ax.set_yticks(y, labels)
    ax.set_xlim(0.0, 1.16 * x_max)
    ax.xaxis.set_major_locator(FixedLocator(np.linspace(0.0, x_max, 6)))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.grid(True, axis="x", **GRID_KW)
    ax.set_axisbelow(True)


def _nice_limit(highs: pd.Series) -> float:
    """Smallest of 10%, 20%, 50% or 100% that holds every upper CI bound."""
    top = float(highs.max()) if len(highs) else 0.0
    return next((v for v in (0.1, 0.2, 0.5) if top <= v), 1.0)


# --------------------------------------------------------------------- holder colours


def _holder_colours(holders: Sequence[str]) -> list[str]:
    """Fixed colour per holder; unknown holders take fallback colours in order."""
    spare = iter(FALLBACK_COLOURS * (1 + len(holders)))
    return [HOLDER_COLOURS.get(h) or next(spare) for h in holders]
