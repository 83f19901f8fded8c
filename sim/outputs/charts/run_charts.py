"""Charts of one scenario run: fan charts, focal outcomes, holders and ripple summary.

The public function is :func:`write_run_charts`; the ripple map itself is drawn by
:mod:`sim.outputs.charts.maps`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.outcomes import holder_label
from sim.outputs.chart_pool import RUN_CHARTS
from sim.outputs.charts.common import (
    BAND_COLOUR,
    FOCAL_OUTCOMES,
    GRID_KW,
    MASS_PROTEST_COLOUR,
    MASS_PROTEST_SHARE,
    METRIC_STYLES,
    _bar_with_ci,
    _cell_legend,
    _draw_fan,
    _fan_handles,
    _figure,
    _fix_axes,
    _focal_name,
    _focal_rows,
    _holder_colours,
    _margins,
    _members,
    _metric_tables,
    _names,
    _outcome_labels,
    _panel_grid,
    _posture_ids,
    _posture_title,
    _range_note,
    _save,
    _state_ids,
    _text_width,
    fan_limits,
    stock_panel_grids,
)
from sim.outputs.charts.maps import _ripple_map
from sim.outputs.charts.outcome_maps import _outcome_map
from sim.regions.loader import Region

RIPPLE_OUTCOME = "stability_drop_10pct"
#: At most this many panels in a fan chart and bars in the ripple summary. A region of
#: more states (a 1,000-actor synthetic region took minutes to draw, every panel a
#: speck) shows its focal state, its patrons and the states that moved most, and says so;
#: every state stays in the CSVs.
MAX_PANELS = 30


#: The fan charts' panel sizes and title room, inches (:func:`_panel_grid`).
FAN_GRID: dict[str, float] = {"panel_w": 2.75, "panel_h": 1.85, "top": 0.95}


def stock_fan_grids(region: Region) -> None:
    """Make the three fan charts' panel grids ahead, before their data exist.

    One grid per fan chart, with the panels it will have when every shown actor has
    rows of its metric (a chart that ends up with other panels makes its own):
    :func:`sim.outputs.charts.common.stock_panel_grids`.
    """
    states = _state_ids(region)
    counts = [min(len(ids), MAX_PANELS) for ids in (states, states, _posture_ids(region))]
    stock_panel_grids([(n, FAN_GRID) for n in counts if n])


def _most_moved(timeseries: pd.DataFrame, actors: Sequence[str], metric: str,
                region: Region) -> tuple[list[str], str]:
    """At most :data:`MAX_PANELS` of ``actors`` for a fan chart, and a note if cut.

    The focal state and the patrons first, then the actors whose median of ``metric``
    spans the widest range over the weeks (ties by region order); shown in region order.
    """
    actors = list(actors)
    if len(actors) <= MAX_PANELS:
        return actors, ""
    rows = timeseries[(timeseries["metric"] == metric) & timeseries["actor"].isin(actors)]
    spans = rows.groupby("actor", sort=False)["p50"].agg(lambda v: v.max() - v.min())
    first = [a for a in (region.roles.focal, *region.roles.patrons) if a in actors]
    rest = sorted((a for a in actors if a not in first),
                  key=lambda a: (-float(spans.get(a, 0.0)), actors.index(a)))
    keep = set(first + rest[:MAX_PANELS - len(first)])
    note = (f" - the {MAX_PANELS} of {len(actors)} whose median moved most "
            "(all in timeseries.csv)")
    return [a for a in actors if a in keep], note


# ------------------------------------------------------------------------ fan charts


def _fan_chart(path: Path, timeseries: pd.DataFrame, actors: Sequence[str], metric: str,
               region: Region, heading: str) -> Path:
    """Save :func:`_fan_figure` as ``path``."""
    return _save(_fan_figure(timeseries, actors, metric, region, heading), path)


def _fan_figure(timeseries: pd.DataFrame, actors: Sequence[str], metric: str,
               region: Region, heading: str) -> Figure:
    """A grid of fan panels of ``metric``, one per actor, on the metric's fixed y-range.

    Every panel shares one y-range (:func:`~sim.outputs.charts.common.fan_limits`), the
    same for every scenario, so two scenarios' charts of one region compare directly.
    """
    style = METRIC_STYLES[metric]
    actors, cut = _most_moved(timeseries, actors, metric, region)
    heading += cut
    tables = _metric_tables(timeseries, metric, actors)
    limits, raised = fan_limits(metric, list(tables.values()))
    grid = _panel_grid(len(tables), **FAN_GRID)
    if grid.axes:
        _fix_axes(grid.axes[0], timeseries["week"], limits, style.ticks)
    names = _names(region)
    for ax, (actor, table) in zip(grid.axes, tables.items(), strict=False):
        _draw_fan(ax, table, f"{actor} - {names.get(actor, actor)}")
        if metric == "unrest":
            ax.axhline(MASS_PROTEST_SHARE, color=MASS_PROTEST_COLOUR, linestyle=":",
                       linewidth=1.0)
    _cell_legend(grid.fig, grid.legend_box, _fan_handles(metric == "unrest"), fontsize=8.5)
    grid.fig.supxlabel("week of simulation", fontsize=10, y=0.01, va="bottom")
    grid.fig.supylabel(style.unit, fontsize=10, x=0.01, ha="left")
    grid.fig.suptitle(f"{heading}\n({_range_note(metric, limits, raised)})", fontsize=12,
                      y=0.99, va="top")
    return grid.fig


# ------------------------------------------------------------------- focal outcomes

def _outcomes_chart(path: Path, outcomes: pd.DataFrame, region: Region, heading: str) -> Path:
    """Bar chart of the focal state's regime outcomes with 95% CIs."""
    rows = _focal_rows(outcomes, region.roles.focal)
    names = rows["outcome"].tolist()
    labels = _outcome_labels(names, region)
    fig = _figure(9.0, 4.2)
    _margins(fig, left=_text_width(labels, 10) + 0.25, right=0.25, top=0.75, bottom=0.6)
    ax = fig.subplots()
    _bar_with_ci(ax, labels, rows, [FOCAL_OUTCOMES[n][1] for n in names])
    ax.set_xlabel("probability (% of ensemble members; whiskers: 95% Wilson interval)")
    members = _members(outcomes)
    size = f", {members} members" if members else ""
    ax.set_title(f"{heading}\n{_focal_name(region)}: who holds power at the horizon{size}",
                 fontsize=12)
    return _save(fig, path)


# ---------------------------------------------------------------------------- holders


def _holders_chart(path: Path, holders: pd.DataFrame, region: Region, heading: str) -> Path:
    """Save :func:`_holders_figure` as ``path``."""
    return _save(_holders_figure(holders, region, heading), path)


def _holders_figure(holders: pd.DataFrame, region: Region, heading: str) -> Figure:
    """Stacked area of the share of members under each holder of power, per week."""
    # Only holders that occur: a legend entry for a holder no member ever had misleads.
    occurs = holders.groupby("holder", sort=False)["share"].max() > 0
    order = [h for h in dict.fromkeys(holders["holder"]) if occurs[h]]
    wide = holders.pivot_table(index="week", columns="holder", values="share",
                               aggfunc="first", fill_value=0.0).reindex(columns=order)
    labels = [holder_label(h) for h in order]
    fig = _figure(10.0, 4.8)
    _margins(fig, left=0.8, right=max(_text_width(labels, 9), 1.2) + 0.45, top=0.75,
             bottom=0.6)
    ax = fig.subplots()
    ax.stackplot(wide.index.to_numpy(), wide.to_numpy().T, labels=labels,
                 colors=_holder_colours(order), linewidth=0)
    ax.set_xlim(wide.index.min(), wide.index.max())
    ax.set_ylim(0.0, 1.0)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("week of simulation")
    ax.set_ylabel("share of ensemble members (%)")
    ax.set_title(f"{heading}\nWho holds power in {_focal_name(region)}, week by week",
                 fontsize=12)
    ax.grid(True, **GRID_KW)
    handles, texts = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], texts[::-1], title="holder of power", loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return fig


# --------------------------------------------------------------------- ripple summary


def _ripple_summary(path: Path, outcomes: pd.DataFrame, region: Region,
                    heading: str) -> Path:
    """Bar chart of each state's probability of a >10% stability drop, with 95% CIs."""
    states = _state_ids(region)
    rows = outcomes[(outcomes["outcome"] == RIPPLE_OUTCOME)
                    & outcomes["actor"].isin(states)]
    rows = rows.sort_values("probability", ascending=False, kind="stable")
    cut = (f" ({MAX_PANELS} most likely of {len(rows)} states; all in outcomes.csv)"
           if len(rows) > MAX_PANELS else "")
    rows = rows.head(MAX_PANELS)
    names = _names(region)
    labels = [f"{names.get(a, a)} ({a})" for a in rows["actor"]]
    fig = _figure(9.0, 0.42 * max(len(rows), 3) + 1.6)
    _margins(fig, left=_text_width(labels, 10) + 0.25, right=0.25, top=0.75, bottom=0.6)
    ax = fig.subplots()
    # The fixed 0-100% axis of every scenario: a 4% chance must not fill the chart.
    _bar_with_ci(ax, labels, rows, [BAND_COLOUR] * len(rows), 1.0)
    ax.set_xlabel("probability (% of ensemble members; whiskers: 95% Wilson interval)")
    ax.set_title(f"{heading}\nChance that stability falls more than 10% below its baseline "
                 f"at some week{cut}", fontsize=12)
    return _save(fig, path)


# ----------------------------------------------------------------------------- public


def write_run_charts(out_dir: Path, timeseries: pd.DataFrame, holders: pd.DataFrame,
                     outcomes: pd.DataFrame, region: Region, scenario_name: str,
                     only: Collection[str] | None = None) -> list[Path]:
    """Write the PNG charts of one run into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder for the charts; created if missing.
    timeseries : pandas.DataFrame
        :func:`sim.outputs.tables.timeseries_frame`: week, actor, metric, mean, p05 ... p95.
    holders : pandas.DataFrame
        :func:`sim.outputs.tables.holders_frame`: week, holder, share.
    outcomes : pandas.DataFrame
        :func:`sim.outputs.tables.outcomes_frame`: actor, outcome, probability, ci_low, ci_high,
        count, members.
    region : Region
        The region the run used (names, kinds, coordinates, graph).
    scenario_name : str
        Named in every chart title.
    only : collection of str, optional
        Draw only these of :data:`RUN_CHARTS` (several processes can share the set).

    Returns
    -------
    list of pathlib.Path
        ``fan_stability.png``, ``fan_unrest.png``, ``fan_posture.png``,
        ``outcomes_focal.png``, ``holders.png``, ``map.png`` (left out when no state
        of the region has a polygon in the boundary data), ``ripple_map.png`` and
        ``ripple_summary.png``, in that order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    states = _state_ids(region)
    name = f"Scenario '{scenario_name}'"
    draw = {
        "fan_stability.png": lambda p: _fan_chart(
            p, timeseries, states, "stability", region, f"{name}: stability of each state"),
        "fan_unrest.png": lambda p: _fan_chart(
            p, timeseries, states, "unrest", region,
            f"{name}: unrest (share of the public protesting) in each state"),
        "fan_posture.png": lambda p: _fan_chart(
            p, timeseries, _posture_ids(region), "posture", region,
            f"{name}: military posture of {_posture_title(region)}"),
        "outcomes_focal.png": lambda p: _outcomes_chart(p, outcomes, region, name),
        "holders.png": lambda p: _holders_chart(p, holders, region, name),
        "map.png": lambda p: _outcome_map(p, outcomes, region, name),
        "ripple_map.png": lambda p: _ripple_map(p, timeseries, region, name),
        "ripple_summary.png": lambda p: _ripple_summary(p, outcomes, region, name),
    }
    paths = [draw[chart](out_dir / chart) for chart in RUN_CHARTS
             if only is None or chart in only]
    return [p for p in paths if p is not None]
