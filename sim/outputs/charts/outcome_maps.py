"""The outcome map (``map.png``) of a run and of a comparison of two runs.

A run's map colours each state by its chance of a chosen outcome (by default that its
stability falls more than 10% below its baseline at some week) and the focal state by
the chance of one of its regime outcomes (by default regime change), each on a fixed
classed scale, so that two runs' maps compare directly. A comparison's map colours the
paired difference B - A of the same chances, in percentage points, on a fixed
diverging scale. The drawing itself is :func:`sim.outputs.charts.geo_map.draw_outcome_map`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

from sim.outputs.charts.borders import Borders, load_borders
from sim.outputs.charts.common import (
    FOCAL_OUTCOMES,
    _figure,
    _focal_name,
    _members,
    _outcome_labels,
    _save,
    _state_ids,
)
from sim.outputs.charts.geo_map import (
    ColourScale,
    MapDrawn,
    MapPaint,
    draw_outcome_map,
    footnote,
    legend_handles,
    map_window,
)
from sim.regions.loader import Region

#: Outcomes of every state that the map can show (``outcomes.csv``), with the phrase
#: that completes "the chance that ...".
STATE_OUTCOMES: dict[str, str] = {
    "stability_drop_10pct": "its stability falls more than 10% below its baseline at "
                            "some week",
    "mass_protest": "a mass protest (at least 2% of the public) happens at some week",
    "posture_surge": "its military posture rises at least 0.1 above its baseline at "
                     "some week",
}
DEFAULT_STATE_OUTCOME = "stability_drop_10pct"
DEFAULT_FOCAL_OUTCOME = "regime_change"

#: Fixed probability classes (%) of every run's map, narrow at the low end where most
#: neighbours' chances lie, the same for every scenario and region.
PROB_BINS: tuple[float, ...] = (0.0, 1.0, 5.0, 10.0, 20.0, 35.0, 50.0, 65.0, 80.0, 100.0)
#: Fixed classes of a comparison's map: difference B - A in percentage points, with a
#: neutral class of +-0.5 points for "no change".
DIFF_BINS: tuple[float, ...] = (-100.0, -50.0, -20.0, -10.0, -5.0, -2.0, -0.5, 0.5, 2.0,
                                5.0, 10.0, 20.0, 50.0, 100.0)
#: Width of the map axes in inches; the height follows from the window's shape.
MAP_WIDTH_IN = 9.6
FIG_WIDTH_IN = 11.0


def _pct(p: float) -> str:
    """A probability (0-1) in %: whole percent from 10%, one decimal below."""
    value = 100 * p
    if value == 0:
        return "0%"
    return f"{value:.0f}%" if value >= 10 else f"{value:.1f}%"


def _pp(d: float) -> str:
    """A difference of probabilities (0-1) in signed percentage points."""
    value = 100 * d
    return "0 pp" if abs(value) < 0.05 else f"{value:+.1f} pp"


def _row(outcomes: pd.DataFrame, actor: str, outcome: str) -> pd.Series | None:
    """The row of one actor and outcome, or None when the frame lacks it."""
    rows = outcomes[(outcomes["actor"] == actor) & (outcomes["outcome"] == outcome)]
    return None if rows.empty else rows.iloc[0]


def _check_outcomes(state_outcome: str, focal_outcome: str) -> None:
    """Refuse outcomes the map cannot show, naming the ones it can."""
    if state_outcome not in STATE_OUTCOMES:
        raise ValueError(f"unknown state outcome {state_outcome!r}; one of "
                         f"{', '.join(STATE_OUTCOMES)}")
    if focal_outcome not in FOCAL_OUTCOMES:
        raise ValueError(f"unknown focal outcome {focal_outcome!r}; one of "
                         f"{', '.join(FOCAL_OUTCOMES)}")


def run_scales(region: Region, state_outcome: str = DEFAULT_STATE_OUTCOME,
               focal_outcome: str = DEFAULT_FOCAL_OUTCOME) -> tuple[ColourScale, ColourScale]:
    """The fixed colour scales of a run's map: every other state's, then the focal's."""
    focal_label = _outcome_labels([focal_outcome], region)[0]
    percent = "{:g}%".format
    return (ColourScale(PROB_BINS, "Oranges",
                        f"each state: chance that {STATE_OUTCOMES[state_outcome]}", percent),
            ColourScale(PROB_BINS, "Purples",
                        f"{_focal_name(region)}: chance of '{focal_label}' at the horizon",
                        percent))


def run_paint(outcomes: pd.DataFrame, region: Region,
              state_outcome: str = DEFAULT_STATE_OUTCOME,
              focal_outcome: str = DEFAULT_FOCAL_OUTCOME) -> MapPaint:
    """Values (%) and labels of a run's map from ``outcomes.csv``'s frame.

    A state without a row for the outcome is drawn at 0% and labelled "n/a".
    """
    _check_outcomes(state_outcome, focal_outcome)
    focal = region.roles.focal
    state_scale, focal_scale = run_scales(region, state_outcome, focal_outcome)
    values, labels = {}, {}
    for actor in _state_ids(region):
        outcome = focal_outcome if actor == focal else state_outcome
        row = _row(outcomes, actor, outcome)
        if row is None:
            values[actor], labels[actor] = 0.0, f"{actor} n/a"
            continue
        p = float(row["probability"])
        values[actor] = 100 * p
        interval = f"{_pct(float(row['ci_low']))}-{_pct(float(row['ci_high']))}"
        labels[actor] = (f"{_focal_name(region)}\n{_pct(p)} ({interval})" if actor == focal
                         else f"{actor} {_pct(p)}\n({interval})")
    return MapPaint(values=values, labels=labels, state_scale=state_scale,
                    focal_scale=focal_scale)


def compare_paint(outcomes: pd.DataFrame, region: Region,
                  state_outcome: str = DEFAULT_STATE_OUTCOME,
                  focal_outcome: str = DEFAULT_FOCAL_OUTCOME) -> MapPaint:
    """Values (percentage points B - A) and labels of a comparison's map.

    ``outcomes`` is :func:`sim.analyses.compare.outcomes_frame`: ``diff`` and its 95%
    interval ``ci_low``, ``ci_high`` per actor and outcome.
    """
    _check_outcomes(state_outcome, focal_outcome)
    focal = region.roles.focal
    focal_label = _outcome_labels([focal_outcome], region)[0]
    signed = "{:+g}".format
    state_scale = ColourScale(DIFF_BINS, "RdBu_r", "each state: change B - A (percentage "
                              f"points) in the chance that {STATE_OUTCOMES[state_outcome]}",
                              signed)
    focal_scale = ColourScale(DIFF_BINS, "PuOr_r", f"{_focal_name(region)}: change B - A "
                              f"(percentage points) in the chance of '{focal_label}'", signed)
    values, labels = {}, {}
    for actor in _state_ids(region):
        row = _row(outcomes, actor, focal_outcome if actor == focal else state_outcome)
        if row is None:
            values[actor], labels[actor] = 0.0, f"{actor} n/a"
            continue
        values[actor] = 100 * float(row["diff"])
        interval = f"{100 * float(row['ci_low']):+.1f} to {100 * float(row['ci_high']):+.1f}"
        head = _focal_name(region) if actor == focal else actor
        labels[actor] = f"{head} {_pp(float(row['diff']))}\n({interval})"
    return MapPaint(values=values, labels=labels, state_scale=state_scale,
                    focal_scale=focal_scale)


def _colour_bar(fig: Figure, box: tuple[float, float, float, float],
                scale: ColourScale) -> None:
    """A horizontal classed colour bar of ``scale`` in the figure-fraction ``box``."""
    cax = fig.add_axes(box)
    mappable = ScalarMappable(norm=scale.norm(), cmap=scale.colormap())
    bar = fig.colorbar(mappable, cax=cax, orientation="horizontal", spacing="uniform")
    bar.set_ticks(list(scale.bins), labels=[scale.tick_format(b) for b in scale.bins])
    bar.ax.tick_params(labelsize=7.5)
    cax.set_title("\n".join(textwrap.wrap(scale.label, 60)), fontsize=8.5, loc="left")


def outcome_map_figure(region: Region, paint: MapPaint, title: str,
                       borders: Borders | None = None) -> tuple[Figure, MapDrawn] | None:
    """The map figure: map, two colour bars, legend and footnote.

    Returns
    -------
    tuple of (Figure, MapDrawn) or None
        None when no state of the region has a polygon (a synthetic region): there
        is nothing to draw.
    """
    borders = borders or load_borders()
    if not any(a in borders.countries for a in _state_ids(region)):
        return None
    window = map_window(region, borders)
    map_h = MAP_WIDTH_IN * (window.lat1 - window.lat0) / (window.lon1 - window.lon0) \
        * window.aspect
    top, bars, foot = 1.0, 1.3, 0.6
    height = top + map_h + bars + foot
    fig = _figure(FIG_WIDTH_IN, height)
    left = (FIG_WIDTH_IN - MAP_WIDTH_IN) / 2 / FIG_WIDTH_IN
    ax = fig.add_axes((left, (bars + foot) / height, MAP_WIDTH_IN / FIG_WIDTH_IN,
                       map_h / height))
    drawn = draw_outcome_map(ax, region, borders, paint)
    bar_w = (MAP_WIDTH_IN / 2 - 0.4) / FIG_WIDTH_IN
    bar_y = (foot + 0.25) / height
    bar_h = 0.16 / height
    _colour_bar(fig, (left, bar_y, bar_w, bar_h), paint.state_scale)
    _colour_bar(fig, (left + MAP_WIDTH_IN / 2 / FIG_WIDTH_IN + 0.2 / FIG_WIDTH_IN, bar_y,
                      bar_w, bar_h), paint.focal_scale)
    ax.legend(handles=legend_handles(region, borders, paint, drawn), loc="upper left",
              fontsize=7.5, framealpha=0.92)
    fig.text(left, 0.12 / height, footnote(region, borders, drawn), fontsize=7,
             va="bottom", ha="left", color="#333333", wrap=True)
    wrapped = "\n".join(textwrap.fill(line, 120) for line in title.split("\n"))
    fig.suptitle(wrapped, fontsize=10.5, y=1 - 0.08 / height, va="top")
    return fig, drawn


def _run_title(outcomes: pd.DataFrame, region: Region, heading: str, state_outcome: str,
               focal_outcome: str) -> str:
    """Title of a run's map: the run's name and what the colours show."""
    members = _members(outcomes)
    size = f"; {members} members" if members else ""
    focal_label = _outcome_labels([focal_outcome], region)[0].lower()
    return (f"{heading}\nChance that {STATE_OUTCOMES[state_outcome]} (each state)\n"
            f"and of {focal_label} at the horizon ({_focal_name(region)}){size}; "
            "labels: chance and 95% interval")


def _outcome_map(path: Path, outcomes: pd.DataFrame, region: Region, heading: str,
                 state_outcome: str = DEFAULT_STATE_OUTCOME,
                 focal_outcome: str = DEFAULT_FOCAL_OUTCOME) -> Path | None:
    """Save a run's map as ``path``; None (nothing written) when no state has a polygon."""
    paint = run_paint(outcomes, region, state_outcome, focal_outcome)
    made = outcome_map_figure(region, paint, _run_title(outcomes, region, heading,
                                                        state_outcome, focal_outcome))
    return None if made is None else _save(made[0], path)


def _compare_outcome_map(path: Path, outcomes: pd.DataFrame, region: Region,
                         heading: str) -> Path | None:
    """Save a comparison's map of B - A as ``path``; None when no state has a polygon."""
    paint = compare_paint(outcomes, region)
    focal_label = _outcome_labels([DEFAULT_FOCAL_OUTCOME], region)[0].lower()
    title = (f"{heading}\nChange B - A in the chance that "
             f"{STATE_OUTCOMES[DEFAULT_STATE_OUTCOME]} (each state)\nand of {focal_label} "
             f"at the horizon ({_focal_name(region)}); labels: difference and 95% interval")
    made = outcome_map_figure(region, paint, title)
    return None if made is None else _save(made[0], path)
