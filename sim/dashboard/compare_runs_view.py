"""The Compare page: two scenarios as written, or any two past runs by their folders.

Comparing by folder takes two run folders of the results folder (the scenario's own
results, a run with overrides, an uncertain run, a run from the New run form), says
before anything runs whether their members pair (:func:`compare_data.pairing`) and
refuses two regions, then starts :func:`sim.dashboard.jobs.compare_runs_job` and shows
what it wrote to ``results/compare/<A>_vs_<B>/``.
"""

from __future__ import annotations

import os
from html import escape

import solara

from sim.dashboard import compare_data, data, jobs, widgets
from sim.dashboard.compare_view import CompareScenarios, ComparisonDetails
from sim.dashboard.run_view import compare_by_folder, compare_runs, results_version
from sim.dashboard.settings import results_root

#: The two ways of choosing what to compare.
MODES = ("two past runs (result folders)", "two scenarios (each as written)")
#: The pair the last Compare runs press asked for: its error shows with that pair only.
asked = solara.reactive(("", ""))


def _about(entry: data.RunEntry, manifest: dict) -> str:
    """One line on a run: what it is, its size, seed and region (plain text)."""
    region = compare_data.region_of(manifest)
    what = ("the scenario as written" if not entry.overrides else "overrides "
            + ", ".join(f"{k}={v}" for k, v in sorted(entry.overrides.items())))
    return (f"scenario {entry.scenario}, {what}; {entry.members} members, {entry.weeks} "
            f"weeks, root seed {manifest.get('root_seed', '?')}, region "
            f"{region[0] if region else '?'}")


@solara.component
def CompareRuns() -> None:
    """Pick two run folders, see whether they pair, compare them, show the comparison."""
    entries = solara.use_memo(lambda: compare_data.run_folders(results_root()),
                              dependencies=[results_version.value])
    if len(entries) < 2:
        widgets.notice("info", "Need two stored runs that can be shown: run a scenario "
                       "(the New run page, or make run).")
        return
    by_name = {e.folder.name: e for e in entries}
    names = list(by_name)
    picked_a, picked_b = compare_runs.value
    a = picked_a if picked_a in by_name else names[0]
    b = picked_b if picked_b in by_name else names[1]
    manifest_a = data.read_manifest(by_name[a].folder)
    manifest_b = data.read_manifest(by_name[b].folder)
    refused = compare_data.refusal(results_root(), a, b)
    task = jobs.compare_runs_job
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("A (baseline run)", values=names, value=a,
                      on_value=lambda v: compare_runs.set((v, b)),
                      style={"min-width": "380px"}, classes=["pick-run-a"])
        solara.Select("B (compared run)", values=names, value=b,
                      on_value=lambda v: compare_runs.set((a, v)),
                      style={"min-width": "380px"}, classes=["pick-run-b"])
        solara.Button("Compare runs", color="primary", classes=["run-compare-runs"],
                      disabled=task.pending or bool(refused),
                      on_click=lambda: (asked.set((a, b)), task(a, b)))
    solara.HTML(tag="p", unsafe_innerHTML=(
        f"<span class='muted run-a-about'>A: {escape(_about(by_name[a], manifest_a))}"
        f"</span><br><span class='muted run-b-about'>B: "
        f"{escape(_about(by_name[b], manifest_b))}</span>"))
    if refused:
        widgets.notice("error", f"Cannot compare these: {refused}.", "compare-refused")
        return
    pairing = compare_data.pairing(manifest_a, manifest_b)
    widgets.notice("success" if pairing.paired else "warning",
                   " ".join([pairing.text, *(f"{d}." for d in pairing.drawn)]),
                   "compare-pairing")
    if task.pending:
        solara.ProgressLinear(True)
        solara.Text("Comparing: both runs are stepped again member by member (a run whose "
                    "stored results are stale is run first) ...")
    elif task.error and asked.value == (a, b):
        widgets.notice("error", str(task.exception), "compare-error")
    elif task.finished and task.value is not None:
        results_version.value  # noqa: B018  (re-read when new results arrive)
    folder = compare_data.comparison_folder(by_name[a].folder, by_name[b].folder)
    if task.pending:
        return
    if os.path.lexists(folder / "outcomes.csv"):
        where = f"results/compare/{folder.name}"
        with widgets.FolderGuard(where).key(where):
            ComparisonDetails(folder)
    else:
        widgets.notice("info", "No stored comparison of these two runs yet: press Compare "
                       "runs.", "compare-none")


@solara.component
def ComparePage() -> None:
    """The Compare page: choose how to pick A and B, then compare them."""
    solara.ToggleButtonsSingle(value=MODES[0] if compare_by_folder.value else MODES[1],
                               values=list(MODES), classes=["compare-mode"],
                               on_value=lambda v: compare_by_folder.set(v == MODES[0]))
    if compare_by_folder.value:
        CompareRuns()
    else:
        CompareScenarios()
