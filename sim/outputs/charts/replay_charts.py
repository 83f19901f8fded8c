"""Charts of one replayed ensemble member: each state's path and who holds power.

The public function is :func:`write_replay_charts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from sim.outcomes import holder_label
from sim.outputs.charts.common import (
    BAND_COLOUR,
    GRID_KW,
    _centred_window,
    _figure,
    _holder_colours,
    _margins,
    _names,
    _panel_grid,
    _plain_number,
    _save,
    _state_ids,
    _text_width,
)
from sim.regions.loader import Region

# ---------------------------------------------------------------- replay of a member

STABILITY_COLOUR = BAND_COLOUR
UNREST_COLOUR = "#dd8452"
#: Line colours of the focal state's power centres (leader, security bloc, apparatus,
#: public, as in ``roles.yaml``) in the power chart.
POWER_CENTRE_COLOURS: tuple[str, ...] = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")
#: Line styles of the patrons' support (first patron, second, ...).
SUPPORT_COLOUR = "#222222"
SUPPORT_STYLES: tuple[str, ...] = ("--", ":", "-.")
#: Smallest stability window of a member panel.
MEMBER_MIN_SPAN = 0.05


def _holder_runs(model_vars: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Consecutive weeks under one holder: (first week, first week of the next, holder)."""
    rows = model_vars.sort_values("week", kind="stable")
    weeks = rows["week"].to_numpy(dtype=int)
    holders = rows["holder"].astype(str).to_numpy()
    starts = [i for i in range(len(holders)) if i == 0 or holders[i] != holders[i - 1]]
    ends = [int(weeks[j]) for j in starts[1:]] + [int(weeks[-1])] if len(weeks) else []
    return [(int(weeks[i]), end, str(holders[i])) for i, end in zip(starts, ends, strict=True)]


def _holder_changes(runs: Sequence[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Week and new holder of every change of power."""
    return [(start, holder) for start, _, holder in runs[1:]]


def _holder_colour_map(runs: Sequence[tuple[int, int, str]]) -> dict[str, str]:
    """Holder colours as in the run's holders chart (fallbacks in order of appearance)."""
    order = list(dict.fromkeys(holder for _, _, holder in runs))
    return dict(zip(order, _holder_colours(order), strict=True))


def _mark_changes(ax: Axes, changes: Sequence[tuple[int, str]],
                  colours: dict[str, str]) -> None:
    """Dotted vertical lines at changes of power, in the new holder's colour.

    The holders are named in the legend (week and holder), not on the panels, where
    names of changes a few weeks apart printed over each other and over the data.
    """
    for week, holder in changes:
        ax.axvline(week, color=colours[holder], linestyle=":", linewidth=1.4, zorder=1)


def _member_panel(ax: Axes, rows: pd.DataFrame, title: str, changes: Sequence[tuple[int, str]],
                  colours: dict[str, str]) -> None:
    """Stability (left axis) and unrest (right axis, share 0-1) of one actor in one member."""
    week = rows["week"].to_numpy()
    stability = rows["stability"].to_numpy(dtype=float)
    unrest = rows["unrest"].to_numpy(dtype=float)
    ax.set_xlim(week.min(), week.max())
    low, high = float(stability.min()), float(stability.max())
    ax.set_ylim(*_centred_window(low, high, max(1.2 * (high - low), MEMBER_MIN_SPAN),
                                 (0.0, 1.0)))
    ax.plot(week, stability, color=STABILITY_COLOUR, linewidth=1.5, zorder=3)
    twin = ax.twinx()
    twin.set_autoscale_on(False)
    twin.set_ylim(0.0, max(1.15 * float(unrest.max()), 0.01))
    twin.plot(week, unrest, color=UNREST_COLOUR, linewidth=1.2, zorder=2)
    twin.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.tick_params(axis="y", labelsize=8, colors=STABILITY_COLOUR)
    twin.tick_params(axis="y", labelsize=8, colors=UNREST_COLOUR)
    _mark_changes(ax, changes, colours)
    ax.set_title(title, fontsize=9.5)
    ax.grid(True, **GRID_KW)


def _member_legend(fig: Figure, box: tuple[float, float, float, float],
                   changes: Sequence[tuple[int, str]], colours: dict[str, str],
                   focal_name: str) -> None:
    """Two legends in the spare grid cell: the two lines, then every change of power.

    The changes have their own legend and title, so the title naming the focal state's
    changes of power does not head the stability and unrest lines.
    """
    x, y, w, h = box
    lines = [
        Line2D([], [], color=STABILITY_COLOUR, linewidth=1.5, label="stability (left axis)"),
        Line2D([], [], color=UNREST_COLOUR, linewidth=1.2,
               label="unrest, share of the public\nprotesting, 0-1 (right axis)"),
    ]
    fig.legend(handles=lines, loc="lower center", bbox_to_anchor=(x, y + 0.6 * h, w, 0.4 * h),
               bbox_transform=fig.transFigure, frameon=False, fontsize=8)
    marks = [Line2D([], [], color=colours[h], linestyle=":", linewidth=1.4,
                    label=f"wk {w}: {h.replace('_', ' ')}") for w, h in changes]
    title = (f"dotted: {focal_name}'s change of power to ..." if changes
             else f"no change of power in {focal_name}")
    fig.legend(handles=marks, loc="upper center", bbox_to_anchor=(x, y, w, 0.6 * h),
               bbox_transform=fig.transFigure, frameon=False, fontsize=8, title=title,
               title_fontsize=8)


def _member_states_chart(path: Path, agents: pd.DataFrame, runs: list[tuple[int, int, str]],
                         region: Region, heading: str) -> Path:
    """Save :func:`_member_states_figure` as ``path``."""
    return _save(_member_states_figure(agents, runs, region, heading), path)


def _member_states_figure(agents: pd.DataFrame, runs: list[tuple[int, int, str]],
                         region: Region, heading: str) -> Figure:
    """A grid of panels, one per state, of one member's stability and unrest."""
    present = set(agents["actor"])
    states = [a for a in _state_ids(region) if a in present]
    changes, colours = _holder_changes(runs), _holder_colour_map(runs)
    grid = _panel_grid(len(states), panel_w=2.75, panel_h=1.85, top=0.95, sharey=False,
                       left=0.55, twin_right=0.45)
    names = _names(region)
    tables = {a: t.sort_values("week", kind="stable")
              for a, t in agents.groupby("actor", sort=False)}
    for ax, actor in zip(grid.axes, states, strict=False):
        _member_panel(ax, tables[actor], f"{actor} - {names.get(actor, actor)}", changes,
                      colours)
    _member_legend(grid.fig, grid.legend_box, changes, colours, names[region.roles.focal])
    grid.fig.supxlabel("week of simulation", fontsize=10, y=0.01, va="bottom")
    grid.fig.suptitle(f"{heading}: stability and unrest of each state\n(each panel has its "
                      "own y-ranges; dotted lines: changes of who holds power in "
                      f"{names[region.roles.focal]})", fontsize=12, y=0.99, va="top")
    return grid.fig


def _holder_band(ax: Axes, runs: Sequence[tuple[int, int, str]], colours: dict[str, str],
                 total: float) -> None:
    """Who holds power as coloured spans, named inside when wide enough."""
    for start, end, holder in runs:
        width = max(end - start, 0.5)
        ax.broken_barh([(start, width)], (0.0, 1.0), color=colours[holder], edgecolor="white")
        if width >= 0.1 * total:
            ax.text(start + width / 2, 0.5, holder_label(holder), ha="center",
                    va="center", fontsize=8.5)
    # Only the holders of this member's runs (``colours`` is built from them).
    handles = [Patch(color=c, label=holder_label(h)) for h, c in colours.items()]
    ax.legend(handles=handles, title="holder of power", loc="upper left",
              bbox_to_anchor=(1.01, 1.15), frameon=False, fontsize=8, title_fontsize=8)
    ax.set_ylim(0.0, 1.0)
    ax.set_yticks([])


def _loyalty_lines(ax: Axes, agents: pd.DataFrame, model_vars: pd.DataFrame,
                   region: Region) -> None:
    """Loyalty (stability) of the focal state's power centres and each patron's support."""
    names = _names(region)
    centres = []
    for actor, colour in zip(region.roles.power_centres, POWER_CENTRE_COLOURS, strict=True):
        rows = agents[agents["actor"] == actor].sort_values("week", kind="stable")
        if rows.empty:
            continue
        name = names.get(actor, actor).split(" (")[0]
        centres += ax.plot(rows["week"], rows["stability"], color=colour, linewidth=1.5,
                           label=f"{actor}: {name}")
    support = model_vars.sort_values("week", kind="stable")
    patrons = []
    for k, patron in enumerate(region.roles.patrons):
        patrons += ax.plot(support["week"], support[f"support_{patron}"], color=SUPPORT_COLOUR,
                           linestyle=SUPPORT_STYLES[k % len(SUPPORT_STYLES)], linewidth=1.4,
                           label=f"{names.get(patron, patron)}")
    ax.set_ylim(0.0, 1.02)
    ax.set_ylabel("loyalty / commitment (0-1)")
    ax.set_xlabel("week of simulation")
    ax.grid(True, **GRID_KW)
    # Two legends: the loyalty title heads only the power centres, the patrons'
    # commitment has its own.
    first = ax.legend(handles=centres, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      frameon=False, fontsize=8.5, title_fontsize=8,
                      title="loyalty of power centres\n(leader: capacity to rule)")
    if patrons:
        ax.add_artist(first)
        ax.legend(handles=patrons, loc="upper left", bbox_to_anchor=(1.01, 0.45),
                  frameon=False, fontsize=8.5, title_fontsize=8,
                  title="patron's commitment to the rulers")


def _member_power_chart(path: Path, agents: pd.DataFrame, model_vars: pd.DataFrame,
                        runs: list[tuple[int, int, str]], region: Region,
                        heading: str) -> Path:
    """Save :func:`_member_power_figure` as ``path``."""
    return _save(_member_power_figure(agents, model_vars, runs, region, heading), path)


def _member_power_figure(agents: pd.DataFrame, model_vars: pd.DataFrame,
                        runs: list[tuple[int, int, str]], region: Region,
                        heading: str) -> Figure:
    """Top: who holds power over the weeks; bottom: loyalty of the power centres."""
    colours = _holder_colour_map(runs)
    weeks = model_vars["week"].to_numpy(dtype=float)
    names = _names(region)
    labels = [f"{a}: {names.get(a, a).split(' (')[0]}" for a in region.roles.power_centres]
    legend_w = max(_text_width(labels, 8.5), 2.0) + 0.6
    fig = _figure(8.6 + legend_w, 6.4)
    _margins(fig, left=0.75, right=legend_w, top=0.8, bottom=0.6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.0, 4.0],
                               gridspec_kw={"hspace": 0.08})
    _holder_band(top, runs, colours, float(np.ptp(weeks)) if weeks.size else 1.0)
    _loyalty_lines(bottom, agents, model_vars, region)
    _mark_changes(bottom, _holder_changes(runs), colours)
    bottom.set_xlim(weeks.min(), weeks.max())
    top.set_title(f"{heading}: who holds power in {_names(region)[region.roles.focal]}, "
                  "and the loyalty behind it\n"
                  "(dotted lines: changes of power)", fontsize=12)
    return fig


# ----------------------------------------------------------------------------- public


def write_replay_charts(out_dir: Path, agents: pd.DataFrame, model_vars: pd.DataFrame,
                        region: Region, scenario_name: str, member: int) -> list[Path]:
    """Write the PNG charts of one replayed ensemble member into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder for the charts; created if missing.
    agents : pandas.DataFrame
        :meth:`sim.engines.mesa_model.RegionModel.agent_table` with a ``kind`` column: week, actor,
        kind, stability, alignment, unrest, posture, stress.
    model_vars : pandas.DataFrame
        The model's data collector frame: week, holder, ``support_<patron>`` for each
        patron, leader_capable.
    region : Region
        The region the run used (names and kinds).
    scenario_name : str
        Named in every chart title.
    member : int
        The replayed member, named in every chart title.

    Returns
    -------
    list of pathlib.Path
        ``member_states.png`` and ``member_power.png``, in that order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = _holder_runs(model_vars)
    heading = f"Scenario '{scenario_name}', member {member}"
    return [
        _member_states_chart(out_dir / "member_states.png", agents, runs, region, heading),
        _member_power_chart(out_dir / "member_power.png", agents, model_vars, runs, region,
                            heading),
    ]
