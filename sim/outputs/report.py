"""One self-contained HTML report per run (``report.html``), built with Jinja2.

The report holds the question, the scenario's assumptions (events, every parameter set
away from its default beside that default's grade and source), the headline outcome
table with intervals and what they do and do not cover, the ripple table, the charts
(embedded, so the file opens offline and can be sent), the grades of every input the
run used, the model's calibration and backtest standing when those have been run, the
main known limits and the provenance from the manifest.
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from sim import paths
from sim.analyses.ripple_beyond import flagged
from sim.analyses.ripple_units import LABEL as UNITS_LABEL
from sim.model.mechanisms import regime
from sim.model.params import PARAM_GRADES, PARAMS, Parameters
from sim.outcomes import LABELS, OUTCOMES
from sim.outputs import watching
from sim.outputs.narrative import run_narrative
from sim.regions.evidence import READ_FIELDS
from sim.regions.loader import GRADES, Region

TEMPLATES = Path(__file__).parent / "templates"
#: Charts in the order the report shows them, with titles.
CHART_TITLES = {
    "outcomes_focal.png": "Who holds power at the horizon",
    "holders.png": "Who holds power, week by week",
    "map.png": "Map: chance of a >10% stability fall in each state and of regime change "
               "in the focal state",
    "ripple_map.png": "Ripple map: worst week of mean stability",
    "fan_stability.png": "Stability of each state (median, 50% and 90% bands)",
    "fan_unrest.png": "Unrest (share of the public protesting)",
    "fan_posture.png": "Military posture of the reported states and the patrons",
    "ripple_summary.png": "Chance of a >10% stability drop",
}
LIMITS = (
    "Probabilities under the stated assumptions, not forecasts of dates; intervals cover "
    "Monte Carlo noise only.",
    "Most indicator values are recalled from public datasets, not read from them here "
    "(graded 'recalled'); power-centre rows and several baselines are assumptions.",
    "The calibration targets have not been checked for this region here (python -m "
    "sim.analyses.calibration); the 53 backtest episodes were used to build the model, "
    "so only their cross-validated score (make backtest) speaks to out-of-sample skill.",
    "States respond through a few stylised channels (dependence, protest, posture, "
    "patron support); there is no explicit war, sanctions or economic model.",
    "Ripples in real units (people, US$, troops) convert index changes by stated factors: "
    "orders of magnitude. People leaving rest on one recalled anchor (Belarus 2020) and "
    "cover flight from repressed protest, not from war or a draft; destinations follow "
    "border length, not diasporas.",
)


def _percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def _backtest_verdict(folder: Path) -> str | None:
    """The backtest's verdict sentence from its manifest, or None if there is none."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        v = manifest["verdict"]
        label = {"cross-validated": "cross-validated: ", "in-sample": "in-sample: "}.get(
            v.get("score"), "")
        return (f"{label}{v['verdict']} (Brier skill {v['skill']:.2f}, 95% interval "
                f"{v['low']:.2f} to {v['high']:.2f}; {len(manifest['episodes'])} episodes)")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _csv_if(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def _grades(region: Region, overrides: dict) -> tuple[list[str], list[dict]]:
    rows = []
    for name in ("attributes.csv", "edges.csv"):
        frame = pd.read_csv(region.folder / name, dtype=str, keep_default_na=False)
        rows.append({"what": f"region data: {name}", "counts": frame["grade"].value_counts()
                     .to_dict(), "total": len(frame)})
    counts: dict[str, int] = {}
    for name, p in PARAMS.items():
        grade = "lever" if name in overrides else p.grade
        counts[grade] = counts.get(grade, 0) + 1
    rows.append({"what": "model parameters (a value set by the scenario counts as a lever)",
                 "counts": counts, "total": len(PARAMS)})
    names = list(GRADES) + [g for g in PARAM_GRADES if g not in GRADES]
    return names, rows


def _evidence(region: Region, params: Parameters) -> dict:
    """The focal regime's evidence rows the model reads and what it derives from them."""
    rows: list[dict] = []
    path = region.folder / "evidence.csv"
    if path.is_file():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame[(frame["actor"] == region.roles.focal)
                      & frame["evidence"].isin(READ_FIELDS)]
        rows = frame[["evidence", "value", "year", "grade", "source"]].to_dict("records")
    e = region.evidence

    def number(x) -> str:
        return f"{float(x):.3g}"
    return {"rows": rows, "cohesion": number(e.cohesion), "lame_duck": number(e.lame_duck),
            "linkage": number(e.linkage), "capacity": number(e.capacity),
            "split_scale": number(regime.split_scale(e, params)),
            "defection_scale": number(regime.defection_scale(e, params)),
            "repression_scale": number(regime.repression_scale(e, params))}


def _posterior_table() -> list[dict]:
    """The calibrated parameters' defaults beside their posterior (``posterior.json``)."""
    path = paths.PACKAGE_DIR / "calibration" / "posterior.json"
    if not path.is_file():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["parameters_table"]
    except (ValueError, KeyError, TypeError):
        return []
    return [{"parameter": r["parameter"], "default": f"{PARAMS[r['parameter']].default:.3g}",
             "prior": f"{r['prior_low']:.3g}-{r['prior_high']:.3g}",
             "mean": f"{r['posterior_mean']:.3g}",
             "interval": f"{r['posterior_p05']:.3g}-{r['posterior_p95']:.3g}",
             "contraction": f"{r['contraction']:.2f}"}
            for r in rows if r.get("parameter") in PARAMS]


def _exposure(folder: Path) -> list[dict]:
    """Rows of the trade-exposure table (``trade_exposure.csv``), formatted."""
    frame = _csv_if(folder / "trade_exposure.csv")
    if frame is None:
        return []
    return [{"name": r.name, "actor": r.actor, "trade": f"{r.trade_with_focal_usd_bn:.1f}",
             "share": f"{r.trade_share_of_gdp_pct:.2f}%",
             "exposed": f"{r.exposed_trade_usd_bn:.2f} ({r.exposed_low_usd_bn:.2f}-"
                        f"{r.exposed_high_usd_bn:.2f})", "year": r.trade_year}
            for r in frame.itertuples()]


def _sig(x: float, digits: int = 2) -> str:
    """A number to ``digits`` significant figures with thousands separators.

    Examples
    --------
    >>> _sig(30665.8), _sig(2.99349), _sig(0.0), _sig(float("nan"))
    ('31,000', '3.0', '0', '—')
    """
    if pd.isna(x):
        return "—"
    if x == 0 or not np.isfinite(x):
        return "0" if x == 0 else "unbounded"
    rounded = float(f"{x:.{digits}g}")
    decimals = max(0, digits - 1 - int(np.floor(np.log10(abs(rounded)))))
    return f"{rounded:,.{decimals}f}"


#: Weeks at which the report shows how many people have left (and the horizon).
MILESTONE_WEEKS = (13, 26, 52)


def _real_units(folder: Path) -> dict | None:
    """The "ripples in real units" tables (``ripple_units.csv``), formatted.

    ``people``: one row per line of the people table; ``posture``: one row per state
    (spending and troops at the peak and the horizon); ``stationed``: the data's troops;
    ``sources``: the distinct sources by kind.
    """
    frame = _csv_if(folder / "ripple_units.csv")
    if frame is None or frame.empty:
        return None

    def bounded(r, q: str) -> tuple[str, bool]:
        """A percentile, or "> bound" when it rests on members beyond the data."""
        if flagged(r.get(f"{q}_beyond_data")):
            return f"> {_sig(r[f'{q}_at_least'])}", True
        return _sig(r[q]), False

    def cell(r) -> dict:
        factor = ("—" if pd.isna(r["median_factor_low"]) else
                  f"{_sig(r['median_factor_low'])}-{_sig(r['median_factor_high'])}")
        (median, m_out), (p05, lo_out), (p95, hi_out) = (bounded(r, q)
                                                         for q in ("median", "p05", "p95"))
        marked = m_out or lo_out or hi_out
        return {"median": median, "range": f"{p05} to {p95}" if marked else f"{p05}-{p95}",
                "factor": factor, "marked": marked}

    people = [{"what": r["quantity"], "when": r["when"], "unit": r["unit"], **cell(r)}
              for _, r in frame[frame["kind"] == "people"].iterrows()]
    weekly = _csv_if(folder / "ripple_units_weekly.csv")
    if weekly is not None and not weekly.empty:  # the path: who has left by a few weeks
        path = weekly[weekly["kind"] == "people"]
        last = int(path["week"].max()) if len(path) else 0
        total = frame[(frame["kind"] == "people") & (frame["when"] == "by the horizon")]
        # The conversion is linear in the factor: the total's ratios hold at every week.
        low, high = ((total["median_factor_low"].iloc[0] / total["median"].iloc[0],
                      total["median_factor_high"].iloc[0] / total["median"].iloc[0])
                     if len(total) and total["median"].iloc[0] > 0 else (np.nan, np.nan))
        for k, week in enumerate(w for w in MILESTONE_WEEKS if w < last):
            r = path[path["week"] == week].iloc[0]
            people.insert(k, {  # before the total by the horizon
                "what": r["quantity"], "when": f"by week {week}", "unit": r["unit"],
                "median": _sig(r["median"]), "range": f"{_sig(r['p05'])}-{_sig(r['p95'])}",
                "factor": "—" if np.isnan(low) else
                f"{_sig(low * r['median'])}-{_sig(high * r['median'])}"})
    posture = []
    moving = frame[frame["when"].isin(["peak", "horizon"]) & frame["kind"].isin(
        ["spending", "troops"])]
    for actor in dict.fromkeys(moving["actor"]):
        sub = moving[moving["actor"] == actor]
        row = {"state": f"{sub['name'].iloc[0]} ({actor})"}
        for when in ("peak", "horizon"):
            at = sub[sub["when"] == when]
            usd = at[at["unit"] == "US$ bn/yr"].iloc[0]
            pct = at[at["unit"] == "% of GDP"].iloc[0]
            troops = at[at["unit"] == "troops"].iloc[0]
            row[when] = {"usd": cell(usd), "pct": bounded(pct, "median")[0],
                         "troops": cell(troops), "beyond": float(usd["share_beyond_data"]),
                         "ceiling": str(usd.get("highest_recorded", "") or "")}
        posture.append(row)
    stationed = [{"what": r["quantity"], "value": _sig(r["median"]), "year": str(r["year"]),
                  "source": str(r["source"])}
                 for _, r in frame[frame["when"] == "baseline"].iterrows()]
    sources = {kind: sorted(set(frame.loc[frame["kind"] == kind, "source"].astype(str)))
               for kind in ("people", "spending", "troops")}
    sources["people"] = sources["people"][:1] and [min(sources["people"], key=len)]
    # One line for the troop factors: the personnel source, then each state's spending.
    troops = frame[(frame["kind"] == "troops") & (frame["when"] == "peak")]
    personnel = sorted({str(x).split(" over SIPRI")[0] for x in troops["source"]})
    spend = [f"{r['name']} {str(r['source']).split('spending ')[-1].split(' US$')[0]}"
             for _, r in troops.iterrows() if "over SIPRI spending" in str(r["source"])]
    sources["troops"] = personnel + ([
        "over each state's SIPRI spending, US$ bn (R5's inverse of posture0 x GDP): "
        + ", ".join(spend)] if spend else [])
    factors = sorted(set(frame["factor"].dropna().astype(str)) - {""})
    return {"people": people, "posture": posture, "stationed": stationed,
            "sources": sources, "factors": factors, "label": UNITS_LABEL}


def _energy(folder: Path) -> list[dict]:
    """Rows of the energy-transit table (``energy_transit.csv``), formatted."""
    frame = _csv_if(folder / "energy_transit.csv")
    if frame is None:
        return []
    return [{"flow": r.flow, "volume": f"{_sig(r.volume)} {r.unit}",
             "usd": "no price in the data" if pd.isna(r.value_usd_bn) else _sig(r.value_usd_bn),
             "stake": f"{_sig(r.at_stake)} ({_sig(r.at_stake_low)}-{_sig(r.at_stake_high)})",
             "year": str(r.year), "grade": r.grade, "source": str(r.source).split("(")[0]}
            for r in frame.itertuples()]


def _event_details(event: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in event.items()
                     if k not in ("type", "week") and v is not None)


@functools.cache
def _environment() -> jinja2.Environment:
    """The template environment, once per process (it keeps compiled templates)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                              autoescape=jinja2.select_autoescape(["html", "j2"]),
                              undefined=jinja2.StrictUndefined)


def run_report_parts(folder: Path, region: Region, scenario) -> dict:
    """The run report's parts that read neither manifest nor charts; compiles the template.

    A run makes them while its charts are drawn (the same HTML either way).
    """
    folder = Path(folder)
    _environment().get_template("run_report.html.j2")
    return {"posterior_table": _posterior_table(), "exposure": _exposure(folder),
            "real_units": _real_units(folder), "energy": _energy(folder),
            "evidence": _evidence(region, Parameters(dict(scenario.parameters))),
            "watched": watching.conditioned_rows(folder),
            "signposts": watching.signpost_rows(folder),
            "grades": _grades(region, dict(scenario.parameters))}


def render_run_report(folder: Path, region: Region, scenario, parts: dict | None = None) -> str:
    """The HTML report of the run in ``folder`` (``parts``: :func:`run_report_parts`)."""
    folder = Path(folder)
    parts = run_report_parts(folder, region, scenario) if parts is None else parts
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    outcomes = pd.read_csv(folder / "outcomes.csv")
    names = dict(zip(region.ids, region.names, strict=True))
    focal = region.roles.focal
    headline = [{"label": LABELS.get(r.outcome, r.outcome), "probability": _percent(r.probability),
                 "interval": f"{_percent(r.ci_low)}-{_percent(r.ci_high)}", "count": r.count}
                for r in outcomes[(outcomes.actor == focal)
                                  & outcomes.outcome.isin(OUTCOMES)].itertuples()]
    wide = outcomes[~outcomes.outcome.isin(OUTCOMES)].pivot(index="actor", columns="outcome",
                                                            values="probability")
    ripple = [{"actor": a, "name": names.get(a, a),
               **{k: _percent(wide.loc[a, k]) for k in wide.columns}}
              for a in region.ids if a in wide.index]
    overrides = dict(scenario.parameters)
    params = [{"name": n, "value": f"{v:g}", "default": f"{PARAMS[n].default:g}",
               "plausible": f"{PARAMS[n].plausible[0]:g}-{PARAMS[n].plausible[1]:g}",
               "grade": PARAMS[n].grade, "source": PARAMS[n].source}
              for n, v in sorted(overrides.items())]
    charts = []
    for name, title in CHART_TITLES.items():
        path = folder / "charts" / name
        if path.is_file():
            charts.append({"title": title,
                           "data": base64.b64encode(path.read_bytes()).decode("ascii")})
    grade_names, grades = parts["grades"]
    calibration = _csv_if(paths.RESULTS_DIR / "calibration" / f"targets_{region.name}.csv")
    backtest = _csv_if(paths.RESULTS_DIR / "backtest" / "scores.csv")
    verdict = _backtest_verdict(paths.RESULTS_DIR / "backtest")
    if backtest is not None and "forecast" in backtest.columns:  # the main score only
        backtest = backtest[(backtest["forecast"] == "main")
                            & (backtest["null_kind"] == "pooled")
                            & (backtest["subset"] == "all")]
    return _environment().get_template("run_report.html.j2").render(
        scenario=scenario, region=region, focal_name=names[focal], manifest=manifest,
        labels=LABELS, outcome_order=OUTCOMES, posterior_table=parts["posterior_table"],
        exposure=parts["exposure"], real_units=parts["real_units"], energy=parts["energy"],
        events=[{"week": e["week"], "type": e["type"], "details": _event_details(e)}
                for e in manifest["events"]],
        overrides=params, evidence=parts["evidence"],
        headline=headline, ripple=ripple, charts=charts,
        watched=parts["watched"], signposts=parts["signposts"],
        narrative=run_narrative(folder, OUTCOMES, names[focal]),
        grade_names=grade_names, grades=grades,
        calibration=None if calibration is None else [
            {"target": r.target, "band": f"{r.band_low:.3g}-{r.band_high:.3g}",
             "model": f"{r.model:.3f}", "interval": f"{r.ci_low:.3f}-{r.ci_high:.3f}",
             "passes": bool(r.passes)} for r in calibration.itertuples()],
        backtest_verdict=verdict,
        backtest=None if backtest is None else [
            {"metric": r.metric, "model": f"{r.model:.3f}",
             "interval": f"{r.model_ci_low:.3f}-{r.model_ci_high:.3f}", "null": f"{r.null:.3f}"}
            for r in backtest.itertuples()],
        limits=_limits(manifest, calibration, region.name), exploration=_exploration(scenario.name),
        provenance=[(k, manifest.get(k)) for k in (
            "scenario_file", "scenario_sha256", "region", "root_seed", "members", "weeks",
            "overrides", "project_version", "git_commit", "code_sha256", "command",
            "started_utc", "wall_time_s")],
    )


def _crossval_sentence() -> str:
    """The out-of-sample standing, from the shipped posterior's cross-validated score."""
    try:
        meta = json.loads((paths.PACKAGE_DIR / "calibration" / "posterior.json")
                          .read_text(encoding="utf-8"))
        h = meta["crossval_headline"]
        return (f"out of sample (make calibrate's country-grouped cross-validation of the "
                f"53 episodes) the model's Brier skill against the null is {h['skill']:.2f} "
                f"(95% interval {h['low']:.2f} to {h['high']:.2f}): {h['verdict']}.")
    except (OSError, ValueError, KeyError, TypeError):
        return ("the 53 backtest episodes were used to build the model; no cross-validated "
                "score is shipped (make calibrate).")


def calibration_limit(table: pd.DataFrame | None, region: str) -> str:
    """The limit on calibration, from the region's target table (the badges' source).

    Examples
    --------
    >>> t = pd.DataFrame({"target": ["a", "b"], "passes": [True, False]})
    >>> calibration_limit(t, "russia").split(", so")[0]
    'Calibration: 1 of 2 targets fail for region russia (b)'
    """
    backtest = _crossval_sentence()
    if table is None or "passes" not in table.columns or table.empty:
        return LIMITS[2]
    failed = table.loc[~table["passes"].astype(bool), "target"].astype(str).tolist()
    if not failed:
        return (f"Calibration: all {len(table)} targets pass for region {region} at the "
                "default parameters (the posterior's own fit to them is in docs/model.md "
                f"9.1); {backtest}")
    return (f"Calibration: {len(failed)} of {len(table)} targets fail for region {region} "
            f"({', '.join(failed)}), so its succession numbers are uncalibrated; {backtest}")


def _limits(manifest: dict, calibration: pd.DataFrame | None = None,
            region: str = "") -> tuple[str, ...]:
    """The main limits: what this run's intervals cover, and the calibration's standing."""
    first = LIMITS[0]
    mode = manifest.get("engine", {}).get("mode", {})
    if isinstance(mode, dict) and mode.get("posterior"):
        first = ("Probabilities under the stated assumptions, not forecasts of dates; "
                 "intervals cover Monte Carlo noise and the calibrated parameters drawn "
                 "from their posterior, not the other parameters, the data or the model's "
                 "structure.")
    elif isinstance(mode, dict) and mode.get("uncertainties"):
        first = ("Probabilities under the stated assumptions, not forecasts of dates; "
                 "intervals cover Monte Carlo noise and the drawn parameters over their "
                 "ranges, not the data or the model's structure.")
    return (first, LIMITS[1], calibration_limit(calibration, region), *LIMITS[3:])


def _exploration(name: str) -> dict | None:
    """The newest exploration of the scenario, for the run report (or None)."""
    from sim.outputs.explore_report import exploration_standing

    found = exploration_standing(name)
    if found is None:
        return None
    return {**found, "folder": str(found["folder"])}


def write_run_report(folder: Path, region: Region, scenario, parts: dict | None = None) -> Path:
    """Write ``report.html`` into ``folder`` (``parts``: :func:`run_report_parts`)."""
    path = Path(folder) / "report.html"
    path.write_text(render_run_report(folder, region, scenario, parts), encoding="utf-8")
    return path
