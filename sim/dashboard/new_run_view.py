"""The New run page: run a scenario with capped overrides, in the background.

The run goes through :func:`sim.analyses.run.run` with the form's members and weeks as
overrides, so it writes ``results/<name>__<overrides>/`` and never the scenario's own
folder; the page names that folder before the run starts. The form's values are checked
on the server when Run is pressed (:func:`sim.dashboard.jobs.check_form`, again inside
the job): the page's hints are a convenience, the server's check is what refuses.
"""

from __future__ import annotations

import solara

from sim.dashboard import data, jobs, run_settings, widgets
from sim.dashboard.run_view import show_run
from sim.dashboard.settings import MAX_MEMBERS, MAX_WEEKS, scenarios_dir
from sim.errors import UserError


@solara.component
def NewRunPage() -> None:
    """The run form, its progress and its outcome."""
    scenarios = [s for s in data.list_scenarios(scenarios_dir()) if not s.problem]
    by_name = {s.name: s for s in scenarios}
    name = solara.use_reactive(scenarios[0].name if scenarios else "")
    members = solara.use_reactive(min(200, MAX_MEMBERS))
    file_weeks = by_name[name.value].weeks if name.value in by_name else 52
    weeks = solara.use_reactive(min(file_weeks, MAX_WEEKS))  # follows the chosen file
    seed = solara.use_reactive(None)
    overrides = solara.use_reactive("")
    parameter_mode = solara.use_reactive(next(iter(run_settings.FORM_MODES)))
    refusal = solara.use_reactive(("", None))  # (message, the form values it was about)
    if not scenarios:
        widgets.notice("info", f"No valid scenario files in {scenarios_dir()}.")
        return
    chosen = by_name.get(name.value, scenarios[0])

    solara.Text(f"Run a scenario of {scenarios_dir()} as an ensemble. Members are "
                f"capped at {MAX_MEMBERS:,} and weeks at {MAX_WEEKS}. The run gets its "
                "own result folder (named after its overrides), so it never replaces "
                "the scenario's own results.")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}):
        solara.Select("Scenario", values=list(by_name), value=name,
                      style={"min-width": "260px"}, classes=["form-scenario"])
        solara.InputInt(f"Members (1-{MAX_MEMBERS:,})", value=members,
                        classes=["form-members"], style={"max-width": "160px"})
        solara.InputInt(f"Weeks (1-{MAX_WEEKS})", value=weeks, classes=["form-weeks"],
                        style={"max-width": "140px"})
        solara.InputInt("Seed (optional)", value=seed, optional=True,
                        classes=["form-seed"], style={"max-width": "160px"})
    solara.Text(f"{chosen.description} (file: {chosen.members} members, {chosen.weeks} "
                f"weeks, region {chosen.region})", style={"font-size": "12px"})
    solara.InputText("Parameter overrides: name=value, separated by spaces "
                     "(e.g. patron_support_gain=1)", value=overrides,
                     classes=["form-parameters"], continuous_update=True)
    solara.Select("Parameters", values=list(run_settings.FORM_MODES), value=parameter_mode,
                  style={"max-width": "420px"}, classes=["form-parameter-mode"])
    solara.Text("Drawn from the posterior, the intervals cover the calibrated parameters' "
                "uncertainty and Monte Carlo noise; fixed, Monte Carlo noise only.",
                style={"font-size": "12px"})
    fixed = run_settings.FORM_MODES.get(parameter_mode.value, False)

    values = (str(chosen.path), members.value, weeks.value, seed.value, overrides.value,
              fixed)
    problems, form, target = [], None, None
    try:
        form = jobs.RunForm(scenario=str(chosen.path), members=members.value or 0,
                            weeks=weeks.value or 0, seed=seed.value,
                            parameters=jobs.parse_parameters(overrides.value), fixed=fixed)
        problems = jobs.check_form(form)
        target = None if problems else jobs.target_folder(form)
    except UserError as exc:
        problems = [str(exc)]
    task = jobs.run_job
    for problem in problems:
        widgets.notice("error", problem)
    if target is not None:
        note = (" (The folder exists: pressing Run again replaces it with a new run of the "
                "same scenario and overrides.)" if (target / "manifest.json").is_file() else "")
        solara.Text(f"Writes: results/{target.name}/.{note}",
                    style={"font-size": "13px"}, classes=["form-target"])

    def start() -> None:
        # Checked here on the server whatever the page showed, and again in the job.
        found = problems if form is None else jobs.check_form(form)
        refusal.set(("Refused: " + "; ".join(found) if found else "", values))
        if not found:
            task(form)

    solara.Button("Run", color="primary", classes=["form-run"], style={"max-width": "200px"},
                  disabled=task.pending, on_click=start)
    if refusal.value[0] and refusal.value[1] == values:  # cleared by any change
        widgets.notice("error", refusal.value[0], "run-refused")
    elif task.pending:
        progress = task.progress or 0
        solara.ProgressLinear(value=progress)
        solara.Text(f"Running: {progress:.0f}% of weeks done (the page stays usable; the "
                    "other pages work meanwhile).", classes=["run-progress"])
    elif task.error:
        widgets.notice("error", str(task.exception))
    elif task.finished and task.value is not None:
        folder = task.value
        widgets.notice("success", f"Finished: results/{folder.name}/", "run-finished")
        solara.Button("Show it on the Results page", on_click=lambda: show_run(folder),
                      style={"max-width": "320px"},
                      classes=["open-results"])
