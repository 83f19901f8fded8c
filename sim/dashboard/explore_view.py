"""The Explorations page: one stored ``make explore`` folder, from question to downloads.

Shows what :mod:`sim.analyses.explore_run` wrote to ``<results>/explore/<scenario>_<method>/``:
the question and the design, how far the headline outcomes move with their top drivers
and Monte Carlo noise shares (:mod:`sim.dashboard.explore_data`), the indices of any
output, the PRIM boxes, the charts and the files.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
import solara

from sim.dashboard import data, files, widgets
from sim.dashboard import explore_data as ed
from sim.dashboard.download import DownloadButton
from sim.dashboard.run_view import results_version
from sim.dashboard.settings import results_root
from sim.model.params import PARAMS
from sim.outcomes import output_label as label

selected_exploration = solara.reactive("")
#: What mu*, ST and S1 are called in the tables.
INDEX_NAMES = {"mu_star": "mu*", "sigma": "sigma", "ST": "ST", "S1": "S1"}


def _grade(name: str) -> str:
    return widgets.badge(PARAMS[name].grade) if name in PARAMS else ""


def headline_table(summary: dict) -> str:
    """How far each headline output moves, its noise share and its top drivers."""
    method = summary["manifest"]["method"]
    value = INDEX_NAMES.get(ed.INDEX_COLUMNS.get(method, ("",))[0], "")
    rows, classes = [], []
    for h in summary["headline"]:
        share = h["noise_share"]
        noise = ed.noise_text(share)
        if ed.noisy(share):
            noise = f'<span class="noise-warn">{noise} (high)</span>'
        # A driver whose index is zero does not move the output: not a driver.
        drivers = "<br>".join(
            f"<code>{escape(d['parameter'])}</code> {ed.num(d['value'])} "
            f"(&plusmn;{ed.num(d['conf'])}) {_grade(d['parameter'])}"
            for d in h["drivers"] if d["value"] > 0)
        if not drivers:
            drivers = ("<span class='muted'>none: the output does not move</span>"
                       if method in ed.INDEX_COLUMNS else
                       "<span class='muted'>no indices for this design</span>")
        rows.append([f"{escape(h['output'])}<br><span class='muted'>{escape(h['column'])}"
                     "</span>", ed.num(h["median"]), f"{ed.num(h['p05'])} to {ed.num(h['p95'])}",
                     f"{ed.num(h['min'])} to {ed.num(h['max'])}", noise, drivers])
        classes.append("noisy" if ed.noisy(share) else "")
    return widgets.table(["output", "median across points", "5-95% of points", "min-max",
                          "Monte Carlo noise share", f"top drivers ({value or 'none'}, "
                          "95% interval, grade)"], rows, numeric=(1, 2, 3, 4),
                         row_classes=classes, css_class="dash-table explore-headline")


def indices_table(rows: pd.DataFrame, method: str, manifest: dict, sort_by: str = "") -> str:
    """Indices of one output: rank, parameter, grade, each index with its interval, range.

    The column named ``sort_by`` (the order of ``rows``) is marked with a down arrow.
    """
    ranges = manifest.get("uncertainties") or {}
    columns = ed.INDEX_COLUMNS[method]
    headers = ["#", "parameter", "grade"]
    for col in columns:
        headers.append(INDEX_NAMES[col] + (" \u25bc" if col == sort_by else ""))
        if col in ed.CONF_COLUMNS:
            headers.append("95% interval (±)")
    if method == "morris":
        headers.append("mu (signed mean effect)")
    headers += ["explored range", "unit"]
    body, classes = [], []
    for i, r in enumerate(rows.to_dict("records"), start=1):
        classes.append("zero" if not r[columns[0]] > 0 else "")
        spec = ranges.get(r["parameter"], {})
        line = [str(i), f"<code>{escape(r['parameter'])}</code>", _grade(r["parameter"])]
        for col in columns:
            line.append(ed.num(r[col]))
            if col in ed.CONF_COLUMNS:
                line.append(f"&plusmn;{ed.num(r[ed.CONF_COLUMNS[col]])}")
        if method == "morris":
            line.append(f"{float(r['mu']):+.3f}")
        line.append(f"{spec.get('low', float('nan')):.4g} to {spec.get('high', float('nan')):.4g}"
                    if spec else "")
        p = PARAMS.get(r["parameter"])
        line.append(escape(p.unit) if p else "")
        body.append(line)
    return widgets.table(headers, body, numeric=tuple(range(3, len(headers) - 1)),
                         row_classes=classes, css_class="dash-table explore-indices")


def _range_bar(low: float, high: float, lo: float, hi: float) -> str:
    """A track for the explored range with the box's part of it filled."""
    span = (hi - lo) or 1.0
    left = max(0.0, min(100.0, 100 * (low - lo) / span))
    width = max(0.8, min(100.0 - left, 100 * (high - low) / span))
    return (f'<div class="bar-track" style="width:200px"><div class="bar-fill" '
            f'style="left:{left:.1f}%;width:{width:.1f}%;background:#1565c0"></div></div>')


def case_title(case: str) -> str:
    """A PRIM case with its output's readable name: ``P(regime change) > 0.1 (p_...)``."""
    output, _, threshold = case.partition(" > ")
    if not threshold:
        return escape(case)
    return (f"Case: {escape(label(output))} &gt; {escape(threshold)} "
            f"<span class='muted'>({escape(case)})</span>")


def prim_html(box: dict) -> str:
    """One PRIM box: its case, coverage and density, and the restricted parameters."""
    title = f"<h4 style='margin-top:10px'>{case_title(box['case'])}</h4>"
    if "coverage" not in box:
        return f"{title}<p class='muted'>{escape(box.get('note', ''))}</p>"
    text = (f"{title}<p>{escape(str(box['points_in_case']))} of {escape(str(box['points']))} "
            f"design points are in the case (base rate {data.pct(box['base_rate'])}). The box "
            f"holds <b>{data.pct(box['coverage'])}</b> of them (coverage) and "
            f"<b>{data.pct(box['density'])}</b> of its points are in the case (density), "
            f"restricting {escape(str(box['restricted']))} parameter(s):</p>")
    rows = [[f"<code>{escape(r['parameter'])}</code>", _grade(r["parameter"]),
             f"{r['box_low']:.3g} to {r['box_high']:.3g}",
             f"{r['range_low']:.3g} to {r['range_high']:.3g}",
             _range_bar(r["box_low"], r["box_high"], r["range_low"], r["range_high"]),
             data.pct(r["share_of_range_kept"])] for r in box["limits"]]
    return text + widgets.table(["parameter", "grade", "box", "explored range",
                                 "box within the range", "share of range kept"], rows,
                                numeric=(2, 3, 5), css_class="dash-table explore-prim")


@solara.component
def IndicesTable(folder: Path, manifest: dict) -> None:
    """The top 15 indices of a chosen output, sorted by a chosen index."""
    method = manifest["method"]
    output = solara.use_reactive("")
    sort_by = solara.use_reactive("")
    table = ed.indices(folder)
    if table is None or not len(table) or method not in ed.INDEX_COLUMNS:
        solara.Text(f"This {method} design has no sensitivity indices (see the spreads and "
                    "the PRIM boxes).")
        return
    outputs = ed.index_outputs(table, list(manifest.get("headline") or []))
    chosen = output.value if output.value in outputs else outputs[0]
    order = sort_by.value if sort_by.value in ed.INDEX_COLUMNS[method] else \
        ed.INDEX_COLUMNS[method][0]
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Output", values=outputs, value=chosen, on_value=output.set,
                      style={"min-width": "300px"}, classes=["pick-output"])
        solara.Text("sort by", style={"color": "#666"})
        solara.ToggleButtonsSingle(value=order, values=list(ed.INDEX_COLUMNS[method]),
                                   on_value=sort_by.set, classes=["sort-index"])
    share = float(table.loc[table["output"] == chosen, "noise_share"].iloc[0])
    solara.HTML(tag="p", unsafe_innerHTML=(
        f"<b>{escape(label(chosen))}</b> <span class='muted'>{escape(chosen)}; Monte Carlo "
        f"noise {ed.noise_text(share)} of its variance across points; top 15 of "
        f"{int((table['output'] == chosen).sum())} parameters by {INDEX_NAMES[order]}</span>"))
    if ed.noisy(share):
        widgets.notice("warning", f"Monte Carlo noise is {ed.noise_text(share)} of this "
                       "output's variance across points (above 20%): these indices partly "
                       "measure noise. Rerun with more replicates (REPLICATES=).")
    solara.HTML(unsafe_innerHTML=indices_table(ed.top_indices(table, chosen, order),
                                               method, manifest, order))
    solara.HTML(tag="p", unsafe_innerHTML="<span class='muted'>" + (
        "mu*: mean absolute change of the output when the parameter goes across its "
        "explored range (output units), with SALib's bootstrap 95% interval; sigma: how "
        "much that effect depends on the other parameters (interactions); mu: the signed "
        "mean effect (positive: raising the parameter raises the output)."
        if method == "morris" else
        "ST: share of the output's variance due to the parameter with all its "
        "interactions; S1: due to the parameter alone; 95% bootstrap intervals.")
        + " Grey rows: the parameter did not move this output in this design.</span>")


def _uncertainties(manifest: dict) -> str:
    rows = []
    for name, spec in sorted((manifest.get("uncertainties") or {}).items()):
        dist = spec.get("distribution", "")
        if spec.get("mode") is not None:
            dist += f" (mode {spec['mode']:.4g})"
        rows.append([f"<code>{escape(name)}</code>", _grade(name),
                     f"{spec['low']:.4g} to {spec['high']:.4g}", escape(dist),
                     escape(PARAMS[name].unit) if name in PARAMS else ""])
    return widgets.table(["parameter", "grade", "range explored", "distribution", "unit"],
                         rows, numeric=(2,))


@solara.component
def ExplorationDetails(folder: Path) -> None:
    """Everything about one exploration folder."""
    summary = ed.summary(folder)
    m = summary["manifest"]
    if not isinstance(m, dict):
        raise data.BrokenFolder("manifest.json is not a JSON object")
    n = len(m.get("uncertainties") or {})
    solara.HTML(tag="h3", unsafe_innerHTML=(
        f"{escape(str(m.get('scenario')))}: which assumptions drive the answer? &nbsp;"
        f"<small class='muted'>results/explore/{escape(folder.name)}</small>"))
    scenario = escape(str(m.get("scenario")))
    solara.HTML(tag="p", unsafe_innerHTML=(
        f"<b>The question.</b> How far do the headline outcomes of <code>{scenario}</code> "
        f"move when the {n} parameters we are unsure of vary together over their "
        "ranges, and which of them move them most?"))
    description = data.scenario_description(m)
    if description:
        solara.HTML(tag="p", unsafe_innerHTML=(
            f"<b>The scenario.</b> <span class='muted'>{escape(description)}</span>"))
    fixed = ", ".join(f"{k}={v}" for k, v in sorted((m.get("fixed_parameters") or {}).items()))
    solara.HTML(tag="p", unsafe_innerHTML=(
        f"<b>The design.</b> {escape(str(ed.METHOD_TEXT.get(m['method'], m['method'])))}. "
        f"{m.get('points'):,} design points &times; {m.get('replicates'):,} replicate members "
        f"= {m.get('members_run'):,} members, {escape(str(m.get('weeks')))} weeks; {n} "
        "uncertain parameters"
        + (f" (fixed by the scenario: {escape(fixed)})" if fixed else "")
        + f". <span class='muted'>Made {escape(str(m.get('started_utc', '?')))} in "
        f"{escape(str(m.get('wall_time_s', '?')))} s; design seed "
        f"{escape(str(m.get('design_seed')))}, root seed {escape(str(m.get('root_seed')))}."
        "</span>"
        f"<details><summary>The {n} uncertain parameters and the ranges explored</summary>"
        f"{_uncertainties(m)}</details>"))
    with solara.Card("How far the headline outcomes move"):
        solara.HTML(unsafe_innerHTML=headline_table(summary))
        solara.HTML(tag="p", unsafe_innerHTML=(
            "<span class='muted'>Across the design points (each the mean of its replicate "
            "members). Noise share: the part of an output's variance across points that the "
            "finite replicates alone would produce; above 20% (red) the drivers of that "
            "output partly measure noise: rerun with more REPLICATES=. Grades say how well "
            "each parameter's default is sourced.</span>"))
    with solara.Card("Sensitivity indices by output"):
        IndicesTable(folder, m)
    with solara.Card("Scenario discovery (PRIM): where in the ranges is the case likely?"):
        for box in ed.prim_boxes(folder, m):
            solara.HTML(unsafe_innerHTML=prim_html(box))
            if box["chart"] is not None:
                solara.Image(box["chart"], width="900px")
    with solara.Card("Charts"):
        for title, path in ed.design_charts(folder):
            solara.HTML(tag="b", unsafe_innerHTML=escape(title))
            solara.Image(path, width="100%" if "tornado" in path.name else "820px")
    with solara.Card("Downloads"):
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
            for name in ed.EXPLORE_DOWNLOADS:
                if files.result_file(folder, name) is not None:
                    mime = "text/csv" if name.endswith(".csv") else "text/html"
                    DownloadButton(lambda name=name: files.read_result_file(folder, name),
                                   filename=f"{folder.name}_{name}", label=name,
                                   mime_type=mime)


@solara.component
def ExplorationsPage() -> None:
    """Pick a stored exploration; show it."""
    entries = solara.use_memo(lambda: ed.list_explorations(results_root()),
                              dependencies=[results_version.value])
    if not entries:
        widgets.notice("info", f"No explorations yet in {results_root() / 'explore'}. Make "
                       "one in a terminal with: make explore SCENARIO=incapacity (Morris "
                       "screening, about 40 s; any scenario name; METHOD=sobol or METHOD=lhs "
                       "for other designs), then press Reload list.",
                       css_class="no-explorations")
        with solara.Row():
            solara.Button("Reload list", text=True,
                          on_click=lambda: results_version.set(results_version.value + 1))
        return
    names = [e.folder.name for e in entries]
    name = selected_exploration.value if selected_exploration.value in names else names[0]
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Exploration (scenario_method)", values=names, value=name,
                      on_value=selected_exploration.set, style={"min-width": "360px"},
                      classes=["pick-exploration"])
        solara.Button("Reload list", text=True,
                      on_click=lambda: results_version.set(results_version.value + 1))
    entry = entries[names.index(name)]
    solara.Text(entry.label, style={"color": "#666", "font-size": "12px"})
    where = f"results/explore/{entry.folder.name}"
    with widgets.FolderGuard(where).key(where):
        ExplorationFolder(entry)


@solara.component
def ExplorationFolder(entry: ed.ExplorationEntry) -> None:
    """The exploration's details, or (raised to the guard) why they cannot be shown."""
    if entry.problem:
        raise data.BrokenFolder(entry.problem)
    ExplorationDetails(entry.folder)
