"""The Results page: one stored run, from its description to its downloads.

A run folder is shown inside a :func:`~sim.dashboard.widgets.FolderGuard`: a broken one
gets an error card and the page's pickers keep working. Text from the folder is escaped
before it goes into HTML; files are read through :mod:`sim.dashboard.files`.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import solara

from sim.dashboard import data, files, ripples_data, run_settings, widgets
from sim.dashboard.download import DownloadButton
from sim.dashboard.figures import METRIC_LABELS, ZOOM_NOTE, fan_figure, fixed_range
from sim.dashboard.ripples_view import (
    ExposureCard,
    NarrativeCard,
    OutcomeMapCard,
    RealUnitsCard,
    SignpostsCard,
    WatchingCard,
    guarded,
)
from sim.dashboard.settings import results_root

#: Bumped when a job writes new results, so the pickers re-read the results folder.
results_version = solara.reactive(0)
selected_scenario = solara.reactive("")
selected_folder = solara.reactive("")
#: Which page the app shows (0 Results, 1 Compare, 2 New run, 3 Explorations).
current_page = solara.reactive(0)
#: The run folders the Compare page's two-runs mode has picked (A, B), and whether that
#: mode is on (else two scenarios): here, so that a run's page can set them.
compare_runs = solara.reactive(("", ""))
compare_by_folder = solara.reactive(True)


def compare_with(base: str, folder: str) -> None:
    """Open the Compare page on run folder ``folder`` (B) against ``base`` (A)."""
    compare_runs.value = (base, folder)
    compare_by_folder.value = True
    current_page.value = 1


def show_run(folder: Path) -> None:
    """Select a run folder (e.g. one the run form just wrote)."""
    manifest = data.read_manifest(folder)
    results_version.value += 1
    selected_scenario.value = str(manifest.get("scenario", ""))
    selected_folder.value = Path(folder).name
    current_page.value = 0


#: The two y-scales of the fan charts; the first (the report's fixed ranges) is the default.
SCALES = ("fixed range (as the report's charts)", "zoom to the data (exaggerates changes)")


@solara.component
def Downloads(folder: Path, manifest: dict) -> None:
    """Download buttons for the run's CSVs, manifest, report and scenario file.

    Only regular files of the run's own folder are offered
    (:func:`sim.dashboard.files.result_file`), read again safely when clicked; the
    scenario file only if it lies in a scenarios folder.
    """
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        for name in data.DOWNLOADS:
            if files.result_file(folder, name) is not None:
                mime = data.mime_type(name)
                DownloadButton(lambda name=name: files.read_result_file(folder, name),
                               filename=name, label=data.DOWNLOAD_LABELS.get(name, name),
                               mime_type=mime)
        if data.scenario_file(manifest) is not None:
            # The name comes from the manifest: keep it a plain file name.
            stem = re.sub(r"[^A-Za-z0-9_.-]", "_", str(manifest.get("scenario", "scenario")))
            yaml_name = f"{stem.lstrip('.') or 'scenario'}.yaml"
            DownloadButton(lambda: data.scenario_yaml(manifest), filename=yaml_name,
                           label=f"scenario file ({yaml_name})", mime_type="text/yaml")
        else:
            solara.Text("(The scenario file is not offered: it no longer exists or is not a "
                        "file of the scenarios folder.)", style={"color": "#666"})


@solara.component
def FanCharts(timeseries, region, names: dict[str, str]) -> None:
    """Fan charts of a metric for chosen actors, redrawn on each choice.

    The y-axes default to the report's fixed ranges, so that a small change looks small;
    zooming on the data is a marked option.
    """
    metric = solara.use_reactive("stability")
    states = ([a for a, k in zip(region.ids, region.kinds, strict=True) if k == "state"]
              if region is not None else sorted(timeseries["actor"].unique()))
    default = states[:6]
    actors = solara.use_reactive(default)
    scale = solara.use_reactive(SCALES[0])
    all_actors = sorted(timeseries["actor"].unique(), key=lambda a: (a not in states, a))
    zoom = scale.value == SCALES[1]
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=metric, values=list(METRIC_LABELS))
        solara.ToggleButtonsSingle(value=scale, values=list(SCALES), classes=["fan-scale"])
    if zoom:
        widgets.notice("warning", ZOOM_NOTE + ". Switch back to the fixed range to judge "
                       "how large a change is.", "fan-zoomed")
    else:
        _, note = fixed_range(timeseries, metric.value, actors.value)
        solara.Text(f"y-axis: {note}.", classes=["fan-range"],
                    style={"color": "#666", "font-size": "12px"})
    solara.SelectMultiple("actors (up to 12)", values=actors, all_values=all_actors,
                          dense=True)
    figure = solara.use_memo(
        lambda: fan_figure(timeseries, metric.value, actors.value, names, zoom=zoom),
        dependencies=[id(timeseries), metric.value, tuple(actors.value), zoom])
    solara.FigureMatplotlib(figure, dependencies=[id(figure)], format="png")


@solara.component
def RunDetails(folder: Path) -> None:
    """Everything about one run folder."""
    result = data.load_run(folder)
    manifest = result.manifest
    region = data.region_of(manifest)
    names = dict(zip(region.ids, region.names, strict=True)) if region else {}
    focal = region.roles.focal if region else result.outcomes["actor"].iloc[0]
    patrons = region.roles.patrons if region else ()
    patron = " or ".join(names.get(p, p) for p in patrons) or "a patron"
    overrides = manifest.get("overrides") or {}

    region_field = manifest.get("region")
    region_name = region_field.get("name", "?") if isinstance(region_field, dict) else "?"
    solara.HTML(tag="h3", unsafe_innerHTML=(
        f"{escape(str(manifest.get('scenario')))} &nbsp;<small class='muted'>results/"
        f"{escape(folder.name)}</small>"))
    solara.Text(data.scenario_description(manifest) or "(no description)")
    listed = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
    about = (f"{manifest.get('members')} members, {manifest.get('weeks')} weeks, root seed "
             f"{manifest.get('root_seed')}, region {region_name}; "
             + (f"overrides: {listed}; " if overrides else "the scenario file as written; ")
             + f"finished {manifest.get('finished_utc', '?')}")
    solara.HTML(tag="p", unsafe_innerHTML=f"<span class='muted run-about'>{escape(about)}</span>")
    mode = run_settings.parameter_mode(manifest)
    solara.HTML(tag="p", unsafe_innerHTML=(
        "<span class='param-mode'><b>Parameters:</b> "
        + mode.label + "</span>"))

    focal_name = names.get(focal, focal)
    guarded(folder, "The narrative", NarrativeCard, folder, focal_name)
    with solara.Card(f"Who rules {focal_name} at week {manifest.get('weeks')}"):
        solara.HTML(unsafe_innerHTML=widgets.focal_outcome_bars(result.outcomes, focal, patron))
        solara.HTML(tag="p", unsafe_innerHTML="<span class='muted intervals-cover'>Bars: "
                    "probability across members; whiskers and intervals: "
                    + escape(mode.intervals) + "</span>")
    guarded(folder, "outcomes_conditioned.csv", WatchingCard, folder, focal, focal_name,
            patron)
    guarded(folder, "signposts.csv", SignpostsCard, folder, patron)
    with solara.Card("Event timeline"):
        forced = run_settings.forced_events(manifest)
        solara.HTML(tag="p", unsafe_innerHTML="<b>Forced by the scenario:</b> " + escape(
            "; ".join(forced) if forced else "none (nothing is forced)"))
        summary = data.event_summary(result.events, int(manifest.get("members", 0)))
        rows = [[escape(str(r.event)), f"{r.members}", data.pct(r.share), f"{r.first_week:g}",
                 f"{r.median_week:g}", f"{r.last_week:g}"] for r in summary.itertuples()]
        solara.HTML(unsafe_innerHTML=(
            "<b>What happened across members</b> (first occurrence in each member)"
            + widgets.table(["event", "members", "share", "first week", "median week",
                             "last week"], rows, numeric=(1, 2, 3, 4, 5))))
        chart = data.charts(folder).get("holders")
        if chart:
            solara.Image(chart, width="720px")

    guarded(folder, ripples_data.MAP_PNG, OutcomeMapCard, folder)
    with solara.Card("Ripple outcomes by state"):
        solara.HTML(unsafe_innerHTML=widgets.ripple_table(result.outcomes, names))
    guarded(folder, "trade_exposure.csv", ExposureCard, folder, focal_name,
            manifest.get("weeks"))
    guarded(folder, "ripple_units.csv", RealUnitsCard, folder)
    with solara.Card("Fan charts (median, 50% and 90% bands across members)"):
        FanCharts(result.timeseries, region, names)
    with solara.Card("Ripple map"):
        chart = data.charts(folder).get("ripple_map")
        if chart:
            solara.Image(chart, width="820px")
        else:
            solara.Text("This run wrote no charts (--no-charts).")
    with solara.Card("Parameters and their provenance"):
        ParameterTable(manifest)
    with solara.Card("Downloads"):
        Downloads(folder, manifest)


@solara.component
def ParameterTable(manifest: dict) -> None:
    """The parameter table with a filter by grade and by change."""
    params = run_settings.parameter_rows(manifest)
    show = solara.use_reactive("all")
    counts = params["grade"].value_counts()
    drawn = int((params["drawn"] != "").sum())
    solara.Text(
        f"{len(params)} parameters: "
        + ", ".join(f"{counts.get(g, 0)} {g}" for g in widgets.GRADE_COLOURS)
        + f"; {int(params['changed'].sum())} set to another fixed value in this run"
        + (f", {drawn} drawn per member from their ranges (UNCERTAIN=1)" if drawn else "")
        + ". Assumptions are judgements, not measurements (sim/model/params.py, "
        "docs/model.md).", classes=["param-counts"])
    solara.ToggleButtonsSingle(value=show, values=["all", "assumption", "changed or drawn"])
    if show.value == "assumption":
        params = params[params["grade"] == "assumption"]
    elif show.value == "changed or drawn":
        params = params[params["changed"] | (params["drawn"] != "")]
    solara.HTML(unsafe_innerHTML=widgets.parameter_table(params))


@solara.component
def ResultsPage() -> None:
    """Pick a scenario and one of its runs; show the run."""
    runs = solara.use_memo(lambda: data.list_runs(results_root()),
                           dependencies=[results_version.value])
    if not runs:
        widgets.notice("info", f"No results yet in {results_root()}: run a scenario (the "
                       "New run page, or make run SCENARIO=incapacity).")
        return
    scenarios = sorted({r.scenario for r in runs})
    scenario = (selected_scenario.value if selected_scenario.value in scenarios
                else scenarios[0])
    mine = [r for r in runs if r.scenario == scenario]
    folders = [r.folder.name for r in mine]
    folder = selected_folder.value if selected_folder.value in folders else folders[0]

    def pick_scenario(name: str) -> None:
        selected_scenario.value = name
        selected_folder.value = ""

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Scenario", values=scenarios, value=scenario, on_value=pick_scenario,
                      style={"min-width": "260px"}, classes=["pick-scenario"])
        solara.Select("Run (result folder)", values=folders, value=folder,
                      on_value=selected_folder.set, style={"min-width": "420px"},
                      classes=["pick-run"])
        solara.Button("Reload list", text=True,
                      on_click=lambda: results_version.set(results_version.value + 1))
    entry = next(r for r in mine if r.folder.name == folder)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(entry.label, style={"color": "#666", "font-size": "12px"})
        base = next((r.folder.name for r in mine if r.folder.name == scenario
                     and not r.problem), None)
        if base and folder != base and not entry.problem:
            solara.Button(f"Compare with its base run (results/{base})", text=True,
                          classes=["compare-with-base", "no-caps"],
                          on_click=lambda: compare_with(base, folder))
    where = f"results/{entry.folder.name}"
    with widgets.FolderGuard(where).key(where):
        RunFolder(entry)


@solara.component
def RunFolder(entry: data.RunEntry) -> None:
    """The run's details, or (raised to the guard around it) why they cannot be shown."""
    if entry.problem:
        raise data.BrokenFolder(entry.problem)
    RunDetails(entry.folder)
