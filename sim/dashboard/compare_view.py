"""The Compare page's parts: a stored comparison, and scenario B against scenario A.

The statistics are :func:`sim.analyses.compare.compare`'s (paired differences with
Newcombe intervals); the page starts it in the background and shows what it wrote to
``results/compare/<A>_vs_<B>/``. Comparing two past runs by their result folders is
:mod:`sim.dashboard.compare_runs_view`, which also holds the page itself.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import solara

from sim.dashboard import data, files, jobs, widgets
from sim.dashboard.compare_data import side_label
from sim.dashboard.download import DownloadButton
from sim.dashboard.run_view import results_version
from sim.dashboard.settings import results_root, scenarios_dir
from sim.paths import compare_dir_for

pick_a = solara.reactive("")
pick_b = solara.reactive("")
#: Columns of a comparison's ``outcomes.csv`` the page uses, and the numeric ones.
COMPARE_COLUMNS = (("actor", "outcome", "probability_a", "probability_b", "diff", "ci_low",
                    "ci_high"), ("probability_a", "probability_b", "diff", "ci_low", "ci_high"))


def _side_manifest(side: object) -> dict:
    """The manifest of a compared run's result folder, if it is one under the results root."""
    name = side_label(side)
    folder = results_root() / name
    if not isinstance(side, dict) or not files.inside_results(folder) \
            or folder.parent.resolve() != results_root().resolve():
        return {}
    return data.read_manifest(folder)


@solara.component
def ComparisonDetails(folder: Path) -> None:
    """What a comparison folder holds: outcome differences, charts, downloads."""
    manifest = data.load_manifest(folder)
    odd = files.odd_entries(folder)
    if odd:
        raise data.BrokenFolder("holds links or special files, which are not followed: "
                                + ", ".join(odd[:5]))
    outcomes = data.read_csv(folder, "outcomes.csv", required=COMPARE_COLUMNS)
    a, b = manifest.get("a") or {}, manifest.get("b") or {}
    if not (isinstance(a, dict) and isinstance(b, dict)):
        raise data.BrokenFolder("manifest.json: a and b are not objects")
    region = data.region_of(_side_manifest(a))
    names = dict(zip(region.ids, region.names, strict=True)) if region else {}
    focal = region.roles.focal if region else str(outcomes["actor"].iloc[0])
    patron = (" or ".join(names.get(p, p) for p in region.roles.patrons) if region else "")
    paired = manifest.get("paired", True)
    label_a, label_b = side_label(a), side_label(b)
    solara.HTML(tag="h3", unsafe_innerHTML=(
        f"{escape(label_b)} minus {escape(label_a)} &nbsp;"
        f"<small class='muted'>results/compare/{escape(folder.name)}</small>"))
    solara.Text(
        f"{manifest.get('members_compared')} members over {manifest.get('weeks_compared')} "
        f"weeks, {'paired member by member (common random numbers)' if paired else 'UNPAIRED'}"
        f"; made {manifest.get('started_utc', '?')}.")
    if not paired:
        problems = manifest.get("pairing_problems") or []
        widgets.notice("warning", "Unpaired: " + "; ".join(map(str, problems)
                                                           if isinstance(problems, list) else []))
    title = f"Who rules {names.get(focal, focal)}: A, B and the difference B - A"
    with solara.Card(title):
        solara.HTML(unsafe_innerHTML=widgets.compare_table(outcomes, focal, label_a, label_b,
                                                           patron or "a patron"))
        solara.HTML(tag="p", unsafe_innerHTML=(
            "<span class='muted'>Differences in percentage points (pp) with their 95% "
            f"{'paired ' if paired else ''}Newcombe interval; coloured when the interval "
            "excludes zero (orange: more likely in B, blue: less likely in B).</span>"))
    with solara.Card("Ripple outcomes by state: A / B and the difference B - A"):
        solara.HTML(unsafe_innerHTML=widgets.compare_ripple_table(outcomes, names))
    charts = data.charts(folder)
    with solara.Card("Charts"):
        for stem, path in charts.items():
            solara.HTML(tag="b", unsafe_innerHTML=escape(stem.replace("_", " ")))
            solara.Image(path, width="820px")
    with solara.Card("Downloads"):
        with solara.Row():
            for name in ("results.xlsx", "report.html", "outcomes.csv", "deltas.csv",
                         "ripple.csv"):
                if files.result_file(folder, name) is not None:
                    DownloadButton(lambda name=name: files.read_result_file(folder, name),
                                   filename=f"{folder.name}_{name}",
                                   label=data.DOWNLOAD_LABELS.get(name, name),
                                   mime_type=data.mime_type(name))


@solara.component
def CompareScenarios() -> None:
    """Pick scenarios A and B (each run as written), (re)compute their comparison, show it."""
    scenarios = [s for s in data.list_scenarios(scenarios_dir()) if not s.problem]
    if len(scenarios) < 2:
        widgets.notice("info", f"Need two valid scenario files in {scenarios_dir()}.")
        return
    by_name = {s.name: s for s in scenarios}
    names = list(by_name)
    a = pick_a.value if pick_a.value in by_name else names[0]
    b = pick_b.value if pick_b.value in by_name else names[min(1, len(names) - 1)]
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("A (baseline)", values=names, value=a, on_value=pick_a.set,
                      style={"min-width": "240px"}, classes=["pick-a"])
        solara.Select("B (compared)", values=names, value=b, on_value=pick_b.set,
                      style={"min-width": "240px"}, classes=["pick-b"])
        solara.Button("Compare", color="primary", classes=["run-compare"],
                      disabled=jobs.compare_job.pending or a == b,
                      on_click=lambda: jobs.compare_job(str(by_name[a].path),
                                                        str(by_name[b].path)))
    sa, sb = by_name[a], by_name[b]
    solara.Text(f"A: {sa.description}  ({sa.members} members, {sa.weeks} weeks, "
                f"region {sa.region})", style={"font-size": "12px"})
    solara.Text(f"B: {sb.description}  ({sb.members} members, {sb.weeks} weeks, "
                f"region {sb.region})", style={"font-size": "12px"})
    solara.Text("Scenarios with another root seed, members or weeks are compared unpaired "
                "(independent draws, wider intervals); the comparison says which.",
                style={"font-size": "12px", "color": "#666"})
    if a == b:
        widgets.notice("info", "Pick two different scenarios.")
        return
    task = jobs.compare_job
    if task.pending:
        solara.ProgressLinear(True)
        solara.Text("Comparing (each side is run first if its own results are missing or "
                    "stale) ...")
    elif task.error:
        widgets.notice("error", str(task.exception))
    elif task.finished and task.value is not None:
        results_version.value  # noqa: B018  (re-read when new results arrive)
    folder = compare_dir_for(a, b)
    if os.path.lexists(folder / "outcomes.csv") and not task.pending:
        where = f"results/compare/{folder.name}"
        with widgets.FolderGuard(where).key(where):
            ComparisonDetails(folder)
    elif not task.pending:
        widgets.notice("info", "No stored comparison of these two yet: press Compare.")
