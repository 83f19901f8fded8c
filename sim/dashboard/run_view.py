"""The Results page: one stored run, from its description to its downloads."""

from __future__ import annotations

from html import escape
from pathlib import Path

import solara

from sim.dashboard import data, widgets
from sim.dashboard.download import DownloadButton
from sim.dashboard.figures import METRIC_LABELS, fan_figure
from sim.dashboard.settings import results_root

#: Bumped when a job writes new results, so the pickers re-read the results folder.
results_version = solara.reactive(0)
selected_scenario = solara.reactive("")
selected_folder = solara.reactive("")
#: Which page the app shows (0 Results, 1 Compare, 2 New run, 3 Explorations).
current_page = solara.reactive(0)


def show_run(folder: Path) -> None:
    """Select a run folder (e.g. one the run form just wrote)."""
    manifest = data.read_manifest(folder)
    results_version.value += 1
    selected_scenario.value = str(manifest.get("scenario", ""))
    selected_folder.value = Path(folder).name
    current_page.value = 0


@solara.component
def Downloads(folder: Path, manifest: dict) -> None:
    """Download buttons for the run's CSVs, manifest, report and scenario file."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        for name in data.DOWNLOADS:
            path = folder / name
            if path.is_file():
                mime = "text/csv" if name.endswith(".csv") else "application/octet-stream"
                DownloadButton(lambda path=path: path.read_bytes(), filename=name,
                               label=name, mime_type=mime)
        yaml_name = f"{manifest.get('scenario', 'scenario')}.yaml"
        DownloadButton(lambda: data.scenario_yaml(manifest), filename=yaml_name,
                       label=f"scenario file ({yaml_name})", mime_type="text/yaml")


@solara.component
def FanCharts(timeseries, region, names: dict[str, str]) -> None:
    """Fan charts of a metric for chosen actors, redrawn on each choice."""
    metric = solara.use_reactive("stability")
    states = ([a for a, k in zip(region.ids, region.kinds, strict=True) if k == "state"]
              if region is not None else sorted(timeseries["actor"].unique()))
    default = states[:6]
    actors = solara.use_reactive(default)
    scale = solara.use_reactive("zoom on the data")
    all_actors = sorted(timeseries["actor"].unique(), key=lambda a: (a not in states, a))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=metric, values=list(METRIC_LABELS))
        solara.ToggleButtonsSingle(value=scale, values=["zoom on the data", "full range"])
    solara.SelectMultiple("actors (up to 12)", values=actors, all_values=all_actors,
                          dense=True)
    figure = solara.use_memo(
        lambda: fan_figure(timeseries, metric.value, actors.value, names,
                           shared_y=scale.value == "full range"),
        dependencies=[id(timeseries), metric.value, tuple(actors.value), scale.value])
    solara.FigureMatplotlib(figure, dependencies=[id(figure)], format="png")


@solara.component
def RunDetails(folder: Path) -> None:
    """Everything about one run folder."""
    manifest = data.read_manifest(folder)
    result = data.load_run(folder)
    region = data.region_of(manifest)
    names = dict(zip(region.ids, region.names, strict=True)) if region else {}
    focal = region.roles.focal if region else result.outcomes["actor"].iloc[0]
    patrons = region.roles.patrons if region else ()
    patron = " or ".join(names.get(p, p) for p in patrons) or "a patron"
    overrides = manifest.get("overrides") or {}

    solara.HTML(tag="h3", unsafe_innerHTML=(
        f"{escape(str(manifest.get('scenario')))} &nbsp;<small class='muted'>results/"
        f"{escape(folder.name)}</small>"))
    solara.Text(data.scenario_description(manifest) or "(no description)")
    solara.HTML(tag="p", unsafe_innerHTML=(
        f"<span class='muted'>{manifest.get('members')} members, {manifest.get('weeks')} "
        f"weeks, root seed {manifest.get('root_seed')}, region "
        f"{(manifest.get('region') or {}).get('name', '?')}; "
        + (f"overrides: {', '.join(f'{k}={v}' for k, v in sorted(overrides.items()))}; "
           if overrides else "the scenario file as written; ")
        + f"finished {manifest.get('finished_utc', '?')}</span>"))

    with solara.Card("Event timeline"):
        forced = data.forced_events(manifest)
        solara.HTML(tag="p", unsafe_innerHTML="<b>Forced by the scenario:</b> " + escape(
            "; ".join(forced) if forced else "none (nothing is forced)"))
        summary = data.event_summary(result.events, int(manifest.get("members", 0)))
        rows = [[r.event, f"{r.members}", data.pct(r.share), f"{r.first_week:g}",
                 f"{r.median_week:g}", f"{r.last_week:g}"] for r in summary.itertuples()]
        solara.HTML(unsafe_innerHTML=(
            "<b>What happened across members</b> (first occurrence in each member)"
            + widgets.table(["event", "members", "share", "first week", "median week",
                             "last week"], rows, numeric=(1, 2, 3, 4, 5))))
        chart = data.charts(folder).get("holders")
        if chart:
            solara.Image(chart, width="720px")

    with solara.Card(f"Who rules {names.get(focal, focal)} at week {manifest.get('weeks')}"):
        solara.HTML(unsafe_innerHTML=widgets.focal_outcome_bars(result.outcomes, focal, patron))
        solara.HTML(tag="p", unsafe_innerHTML="<span class='muted'>Bars: probability across "
                    "members; whiskers and intervals: 95% Wilson intervals (Monte Carlo noise "
                    "only, not parameter or data uncertainty).</span>")
    with solara.Card("Ripple outcomes by state"):
        solara.HTML(unsafe_innerHTML=widgets.ripple_table(result.outcomes, names))
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
    params = data.parameter_rows(manifest)
    show = solara.use_reactive("all")
    counts = params["grade"].value_counts()
    solara.Text(
        f"{len(params)} parameters: "
        + ", ".join(f"{counts.get(g, 0)} {g}" for g in widgets.GRADE_COLOURS)
        + f"; {int(params['changed'].sum())} changed in this run. Assumptions are "
        "judgements, not measurements (sim/model/params.py, docs/model.md).")
    solara.ToggleButtonsSingle(value=show, values=["all", "assumption", "changed"])
    if show.value == "assumption":
        params = params[params["grade"] == "assumption"]
    elif show.value == "changed":
        params = params[params["changed"]]
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
    solara.Text(entry.label, style={"color": "#666", "font-size": "12px"})
    RunDetails(entry.folder)
