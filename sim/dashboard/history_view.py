"""The Past runs page: every stored run with the settings that made it.

One row per run folder under ``results/`` (newest first): the scenario, region, members,
weeks, root seed, the overrides, how the parameters were set (fixed, drawn from their
ranges, drawn from the calibrated posterior), when it finished and the command that
made it, all read from the folder's ``manifest.json`` and escaped. A folder that cannot
be shown is listed with its problem in words. Open a run on the Results page.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import solara

from sim.dashboard import data, run_settings, widgets
from sim.dashboard.settings import results_root

COLUMNS = ("finished (UTC)", "folder", "scenario", "region", "members", "weeks", "seed",
           "overrides", "parameters", "command")


def _mode(manifest: dict) -> str:
    mode = run_settings.parameter_mode(manifest)
    if mode.posterior:
        return "drawn from the calibrated posterior (default)"
    if mode.uncertain:
        return "drawn from their ranges"
    return "fixed" if mode.recorded else "not recorded"


def history_rows(root: Path) -> list[dict[str, str]]:
    """The rows of the Past runs table (text, not yet escaped), newest first."""
    rows = []
    for entry in data.list_runs(root):
        if entry.problem:
            rows.append({"finished (UTC)": "", "folder": entry.folder.name,
                         "scenario": entry.scenario,
                         "parameters": f"cannot be shown: {entry.problem}"})
            continue
        manifest = data.load_manifest(entry.folder)
        overrides = ", ".join(f"{k}={v}" for k, v in sorted(entry.overrides.items()))
        region = manifest.get("region", "")
        region = region.get("name", "") if isinstance(region, dict) else region
        rows.append({"finished (UTC)": entry.finished, "folder": entry.folder.name,
                     "scenario": entry.scenario, "region": str(region),
                     "members": str(entry.members), "weeks": str(entry.weeks),
                     "seed": str(manifest.get("root_seed", "")),
                     "overrides": overrides or "none (the scenario as written)",
                     "parameters": _mode(manifest),
                     "command": str(manifest.get("command", ""))})
    return sorted(rows, key=lambda r: r["finished (UTC)"], reverse=True)


def history_table(rows: list[dict[str, str]]) -> str:
    """The Past runs table as HTML, every cell escaped."""
    cells = [[escape(r.get(c, "")) for c in COLUMNS] for r in rows]
    classes = ["broken" if r["parameters"].startswith("cannot be shown") else "" for r in rows]
    return widgets.table(COLUMNS, cells, numeric=(4, 5, 6), row_classes=classes)


@solara.component
def HistoryPage() -> None:
    """Every stored run and its settings; open one on the Results page."""
    rows = history_rows(results_root())
    if not rows:
        widgets.notice("info", "No runs stored yet: run a scenario (the New run page, or "
                       "make run SCENARIO=incapacity).")
        return
    solara.Text(f"{len(rows)} stored runs, newest first; open one on the Results page.",
                classes=["history-count"])
    solara.HTML(unsafe_innerHTML=history_table(rows), classes=["history-table"])
