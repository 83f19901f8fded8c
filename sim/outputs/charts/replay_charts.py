"""Charts of one replayed ensemble member: each state's path and who holds power.

The public function is :func:`write_replay_charts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from sim.outputs.charts.common import (
    BAND_COLOUR,
    GRID_KW,
    _centred_window,
    _figure,
    _grid_shape,
    _holder_colours,
    _names,
    _plain_number,
    _save,
    _state_ids,
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


def _mark_changes(ax: Axes, changes: Sequence[tuple[int, str]], colours: dict[str, str],
                  names: bool = False) -> None:
    """Dotted vertical lines at changes of power, optionally with the new holder's name.

    Names alternate between the top and the bottom of the panel, so that changes a few
    weeks apart do not print over each other; they lie under the data lines.
    """
    for i, (week, holder) in enumerate(changes):
        ax.axvline(week, color=colours[holder], linestyle=":", linewidth=1.4, zorder=1)
        if names:
            top = i % 2 == 0
            ax.annotate(holder.replace("_", " "), (week, 1.0 if top else 0.0),
                        xycoords=("data", "axes fraction"), xytext=(2, -3 if top else 3),
                        textcoords="offset points", rotation=90, ha="left",
                        va="top" if top else "bottom", fontsize=6.5, color="#555555",
                        zorder=2)


def _member_panel(ax: Axes, rows: pd.DataFrame, title: str, changes: Sequence[tuple[int, str]],
                  colours: dict[str, str], names: bool) -> None:
    """Stability (left axis) and unrest (right axis, %) of one actor in one member."""
    week = rows["week"].to_numpy()
    stability = rows["stability"].to_numpy(dtype=float)
    unrest = rows["unrest"].to_numpy(dtype=float)
    ax.plot(week, stability, color=STABILITY_COLOUR, linewidth=1.5, zorder=3)
    low, high = float(stability.min()), float(stability.max())
    ax.set_ylim(*_centred_window(low, high, max(1.2 * (high - low), MEMBER_MIN_SPAN),
                                 (0.0, 1.0)))
    twin = ax.twinx()
    twin.plot(week, unrest, color=UNREST_COLOUR, linewidth=1.2, zorder=2)
    twin.set_ylim(0.0, max(1.15 * float(unrest.max()), 0.01))
    twin.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.tick_params(axis="y", labelsize=8, colors=STABILITY_COLOUR)
    twin.tick_params(axis="y", labelsize=8, colors=UNREST_COLOUR)
    ax.tick_params(axis="x", labelsize=8)
    _mark_changes(ax, changes, colours, names)
    ax.set_xlim(week.min(), week.max())
    ax.set_title(title, fontsize=9.5)
    ax.grid(True, **GRID_KW)


def _member_legend(ax: Axes, changes: Sequence[tuple[int, str]],
                   colours: dict[str, str], focal_name: str) -> None:
    """Use a spare grid cell as the legend: the two lines and every change of power."""
    ax.set_axis_off()
    handles = [
        Line2D([], [], color=STABILITY_COLOUR, linewidth=1.5, label="stability (left axis)"),
        Line2D([], [], color=UNREST_COLOUR, linewidth=1.2,
               label="unrest, share protesting (right axis)"),
    ]
    handles += [Line2D([], [], color=colours[h], linestyle=":", linewidth=1.4,
                       label=f"wk {w}: {h.replace('_', ' ')}") for w, h in changes]
    title = f"{focal_name}: change of power to ..." if changes else "no change of power"
    ax.legend(handles=handles, loc="center", frameon=False, fontsize=8, title=title,
              title_fontsize=8)


def _member_states_chart(path: Path, agents: pd.DataFrame, runs: list[tuple[int, int, str]],
                         region: Region, heading: str) -> Path:
    """A grid of panels, one per state, of one member's stability and unrest."""
    present = set(agents["actor"])
    states = [a for a in _state_ids(region) if a in present]
    changes, colours = _holder_changes(runs), _holder_colour_map(runs)
    rows, cols = _grid_shape(len(states))
    fig = _figure(3.5 * cols, 2.5 * rows + 0.8)
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
    names = _names(region)
    for ax, actor in zip(axes, states, strict=False):
        table = agents[agents["actor"] == actor].sort_values("week", kind="stable")
        _member_panel(ax, table, f"{actor} - {names.get(actor, actor)}", changes, colours,
                      names=actor == region.roles.focal)
    for ax in axes[len(states):]:
        ax.set_axis_off()
    _member_legend(axes[len(states)], changes, colours, names[region.roles.focal])
    fig.supxlabel("week of simulation", fontsize=10)
    fig.suptitle(f"{heading}: stability and unrest of each state\n(each panel has its own "
                 "y-ranges; dotted lines: changes of who holds power in "
                 f"{names[region.roles.focal]})", fontsize=12)
    return _save(fig, path)


def _holder_band(ax: Axes, runs: Sequence[tuple[int, int, str]], colours: dict[str, str],
                 total: float) -> None:
    """Who holds power as coloured spans, named inside when wide enough."""
    for start, end, holder in runs:
        width = max(end - start, 0.5)
        ax.broken_barh([(start, width)], (0.0, 1.0), color=colours[holder], edgecolor="white")
        if width >= 0.1 * total:
            ax.text(start + width / 2, 0.5, holder.replace("_", " "), ha="center",
                    va="center", fontsize=8.5)
    handles = [Patch(color=c, label=h.replace("_", " ")) for h, c in colours.items()]
    ax.legend(handles=handles, title="holder of power", loc="upper left",
              bbox_to_anchor=(1.01, 1.15), frameon=False, fontsize=8, title_fontsize=8)
    ax.set_ylim(0.0, 1.0)
    ax.set_yticks([])


def _loyalty_lines(ax: Axes, agents: pd.DataFrame, model_vars: pd.DataFrame,
                   region: Region) -> None:
    """Loyalty (stability) of the focal state's power centres and each patron's support."""
    names = _names(region)
    for actor, colour in zip(region.roles.power_centres, POWER_CENTRE_COLOURS, strict=True):
        rows = agents[agents["actor"] == actor].sort_values("week", kind="stable")
        if rows.empty:
            continue
        name = names.get(actor, actor).split(" (")[0]
        ax.plot(rows["week"], rows["stability"], color=colour, linewidth=1.5,
                label=f"{actor}: {name}")
    support = model_vars.sort_values("week", kind="stable")
    for k, patron in enumerate(region.roles.patrons):
        ax.plot(support["week"], support[f"support_{patron}"], color=SUPPORT_COLOUR,
                linestyle=SUPPORT_STYLES[k % len(SUPPORT_STYLES)], linewidth=1.4,
                label=f"{names.get(patron, patron)}'s commitment to the rulers")
    ax.set_ylim(0.0, 1.02)
    ax.set_ylabel("loyalty / support (0-1)")
    ax.set_xlabel("week of simulation")
    ax.grid(True, **GRID_KW)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5,
              title="loyalty of power centres\n(leader: capacity to rule)", title_fontsize=8)


def _member_power_chart(path: Path, agents: pd.DataFrame, model_vars: pd.DataFrame,
                        runs: list[tuple[int, int, str]], region: Region,
                        heading: str) -> Path:
    """Top: who holds power over the weeks; bottom: loyalty of the power centres."""
    colours = _holder_colour_map(runs)
    weeks = model_vars["week"].to_numpy(dtype=float)
    fig = _figure(11.5, 6.4)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.0, 4.0])
    _holder_band(top, runs, colours, float(np.ptp(weeks)) if weeks.size else 1.0)
    _loyalty_lines(bottom, agents, model_vars, region)
    _mark_changes(bottom, _holder_changes(runs), colours)
    bottom.set_xlim(weeks.min(), weeks.max())
    top.set_title(f"{heading}: who holds power in {_names(region)[region.roles.focal]}, "
                  "and the loyalty behind it\n"
                  "(dotted lines: changes of power)", fontsize=12)
    return _save(fig, path)


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
