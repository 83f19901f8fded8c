"""One table and one chart of the headline outcomes of every shipped scenario.

``python -m sim overview`` (``make overview``) runs every scenario of ``scenarios/``
whose results are missing or stale (another file, region data or code version; each
such run is announced on stderr), then writes ``results/overview/``: ``overview.csv``
(scenario, region, focal state, outcome, probability and 95% interval) and
``overview.png`` (the five outcome classes of every scenario on one shared 0-100%
scale, so scenarios can be compared at a glance).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyses.compare import _up_to_date
from sim.analyses.run import RunRequest, prepare, run
from sim.outcomes import OUTCOMES
from sim.outputs import tables as outputs
from sim.paths import SCENARIOS_DIR, analysis_dir, results_dir_for


def refresh(names: list[str], workers: int | None = None) -> None:
    """Run each scenario whose stored results are missing or stale, saying so."""
    for name in names:
        path, scenario, ctx = prepare(RunRequest(name))
        if not _up_to_date(scenario.name, path, ctx):
            print(f"note: running {scenario.name}: results/{scenario.name} is missing or "
                  "stale", file=sys.stderr)
            run(RunRequest(str(path), progress=False, workers=workers))


def overview_table(names: list[str]) -> pd.DataFrame:
    """Headline outcomes of the stored runs of ``names``, one row per scenario and class."""
    frames = []
    for name in names:
        path, scenario, ctx = prepare(RunRequest(name))
        outcomes = pd.read_csv(results_dir_for(scenario.name) / "outcomes.csv")
        rows = outcomes[(outcomes.actor == ctx.region.roles.focal)
                        & outcomes.outcome.isin(OUTCOMES)].copy()
        rows.insert(0, "scenario", scenario.name)
        rows.insert(1, "region", ctx.region.name)
        frames.append(rows.rename(columns={"actor": "focal"}))
    return pd.concat(frames, ignore_index=True)


def overview_chart(table: pd.DataFrame, path: Path) -> Path:
    """Horizontal bars per scenario and class, with 95% whiskers, on a shared scale."""
    from sim.outputs.charts.common import FOCAL_OUTCOMES, GRID_KW, _figure, _save

    scenarios = list(dict.fromkeys(table["scenario"]))
    fig = _figure(11.0, 0.95 * len(scenarios) + 2.0, layout="constrained")
    ax = fig.subplots()
    height = 0.8 / len(OUTCOMES)
    for k, outcome in enumerate(OUTCOMES):
        rows = table[table.outcome == outcome].set_index("scenario").reindex(scenarios)
        y = np.arange(len(scenarios))[::-1] + 0.4 - (k + 0.5) * height
        label, colour = FOCAL_OUTCOMES[outcome]
        ax.barh(y, rows["probability"], height, color=colour, label=label)
        ax.errorbar(rows["probability"], y, xerr=[rows["probability"] - rows["ci_low"],
                                                  rows["ci_high"] - rows["probability"]],
                    fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2)
    labels = [f"{s}\n({table[table.scenario == s]['region'].iloc[0]})" for s in scenarios]
    ax.set_yticks(np.arange(len(scenarios))[::-1], labels, fontsize=9)
    ax.set_xlim(0.0, 1.0)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
    ax.set_xlabel("probability at the horizon (% of members; whiskers: 95% Wilson interval)")
    ax.grid(True, axis="x", **GRID_KW)
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    ax.set_title("Who rules the focal state at the horizon, every shipped scenario\n"
                 "(one shared scale; each scenario's region in brackets)", fontsize=12)
    return _save(fig, path)


def overview(workers: int | None = None) -> Path:
    """Refresh stale scenarios and write ``results/overview/``; return that folder."""
    names = sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))
    refresh(names, workers)
    table = overview_table(names)
    target = analysis_dir("overview")
    with outputs.atomic_directory(target) as out:
        outputs.write_csv(table, out / "overview.csv")
        overview_chart(table, out / "overview.png")
    return target
