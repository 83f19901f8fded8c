"""The comparison's self-contained HTML report (``results/compare/<A>_vs_<B>/report.html``).

The two scenarios side by side, the paired outcome differences of the focal state with
their Newcombe intervals, the ripple table (peak differences and arrival weeks per
state), the real-units differences and the comparison's charts, embedded. It shares
the run report's Jinja2 environment and number formats (:mod:`sim.outputs.report`).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd

from sim.analyses.ripple_units import LABEL as UNITS_LABEL
from sim.outcomes import LABELS, OUTCOMES
from sim.outputs.report import _csv_if, _environment, _percent, _sig
from sim.regions.loader import Region

COMPARE_CHARTS = {
    "outcomes_side_by_side.png": "Who holds power at the horizon, A and B",
    "map.png": "Map: change B - A in the chance of a >10% stability fall and of regime "
               "change",
    "ripple_map.png": "Ripple map of the paired difference",
    "diff_fan_stability.png": "Stability: paired difference B - A",
    "diff_fan_unrest.png": "Unrest: paired difference B - A",
    "diff_fan_posture.png": "Posture: paired difference B - A",
    "arrival_vs_distance.png": "When the difference arrives, by distance",
}


def _scenario_cell(scenario) -> dict:
    return {"name": scenario.name, "description": scenario.description,
            "events": "; ".join(f"week {e.week}: {e.type}" for e in scenario.events) or "none",
            "parameters": ", ".join(f"{k}={v:g}" for k, v in sorted(scenario.parameters.items()))
            or "none"}


def _units_difference(folder: Path) -> list[dict]:
    """Rows of the comparison's real-units table (its ``ripple_units.csv``), formatted.

    The % of GDP rows are shown beside the US$ rows (they differ by the GDP factor).
    """
    frame = _csv_if(folder / "ripple_units.csv")
    if frame is None:
        return []
    frame = frame.fillna({"actor": ""})
    pct = frame[frame["unit"] == "% of GDP"].set_index(["actor", "when"])

    def signed(x: float) -> str:
        return ("+" if x > 0 else "") + _sig(x)

    rows = []
    for r in frame[frame["unit"] != "% of GDP"].itertuples():
        a, b, diff = _sig(r.median_a), _sig(r.median_b), signed(r.diff_median)
        if r.unit == "US$ bn/yr" and (r.actor, r.when) in pct.index:
            share = pct.loc[(r.actor, r.when)]
            a += f" ({_sig(share['median_a'])}%)"
            b += f" ({_sig(share['median_b'])}%)"
            diff += f" ({signed(share['diff_median'])} pts of GDP)"
        rows.append({"quantity": r.quantity, "actor": r.actor, "when": r.when,
                     "unit": r.unit + (" (% of GDP)" if r.unit == "US$ bn/yr" else ""),
                     "a": a, "b": b, "diff": diff,
                     "range": f"{_sig(r.diff_p05)} to {_sig(r.diff_p95)}"})
    return rows


def write_compare_report(folder: Path, region: Region, scenario_a, scenario_b) -> Path:
    """Write the comparison's ``report.html`` into its ``folder``; return its path."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    outcomes = pd.read_csv(folder / "outcomes.csv")
    ripple = pd.read_csv(folder / "ripple.csv")
    names = dict(zip(region.ids, region.names, strict=True))
    focal = region.roles.focal

    def signed(x: float) -> str:
        return f"{100 * x:+.1f} pts"

    rows = [{"label": LABELS.get(r.outcome, r.outcome), "a": _percent(r.probability_a),
             "b": _percent(r.probability_b), "diff": signed(r.diff),
             "interval": f"{signed(r.ci_low)} to {signed(r.ci_high)}"}
            for r in outcomes[(outcomes.actor == focal)
                              & outcomes.outcome.isin(OUTCOMES)].itertuples()]
    table = []
    states = ripple[ripple.kind == "state"]
    for actor in dict.fromkeys(states.actor):
        sub = states[states.actor == actor].set_index("metric")

        def arrival(metric: str, sub: pd.DataFrame = sub) -> str:
            week = sub.loc[metric, "arrival_week"]
            return "—" if pd.isna(week) else str(int(week))

        stab = sub.loc["stability"]
        hops = stab["distance_from_focal"]
        table.append({"actor": actor, "name": names.get(actor, actor),
                      "hops": "—" if pd.isna(hops) else int(hops),
                      "stability": f"{stab['peak_diff']:+.4f} ({int(stab['peak_week'])})",
                      "arrives": arrival("stability"),
                      "posture": f"{sub.loc['posture', 'peak_diff']:+.3f}",
                      "unrest_arrives": arrival("unrest")})
    units = _units_difference(folder)
    charts = [{"title": title, "data": base64.b64encode((folder / "charts" / name).read_bytes())
               .decode("ascii")}
              for name, title in COMPARE_CHARTS.items() if (folder / "charts" / name).is_file()]
    html = _environment().get_template("compare_report.html.j2").render(
        a=_scenario_cell(scenario_a), b=_scenario_cell(scenario_b), region=region,
        focal_name=names[focal], manifest=manifest, outcomes=rows, ripple=table, units=units,
        units_label=UNITS_LABEL,
        charts=charts, provenance=[(k, manifest.get(k)) for k in (
            "a", "b", "paired", "pairing_problems", "difference", "code_sha256",
            "started_utc", "wall_time_s")])
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
