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

    The % of GDP rows are shown beside the US$ rows (they differ by the GDP factor). A
    figure that rests on members beyond any recorded spending is shown as its bound,
    "> X" or "< X" (:mod:`sim.analyses.ripple_beyond`), with the share of such members
    and the ceiling in words (``beyond``); a table without these columns reads as before.
    """
    from sim.analyses.ripple_beyond import flagged, shown

    frame = _csv_if(folder / "ripple_units.csv")
    if frame is None:
        return []
    frame = frame.fillna({"actor": ""})
    pct = frame[frame["unit"] == "% of GDP"].set_index(["actor", "when"])

    def signed(x: float) -> str:
        return ("+" if x > 0 else "") + _sig(x)

    def diff(r, q: str) -> str:
        low, high = r.get(f"diff_{q}_at_least"), r.get(f"diff_{q}_at_most")
        if low is None or high is None or pd.isna(low) or pd.isna(high):
            low = high = r[f"diff_{q}"]
        return shown(float(r[f"diff_{q}"]), float(low), float(high), signed)

    def level(r, side: str) -> str:
        if flagged(r.get(f"median_{side}_beyond_data")):
            return f"> {_sig(r[f'median_{side}_at_least'])}"
        return _sig(r[f"median_{side}"])

    rows = []
    for _, r in frame[frame["unit"] != "% of GDP"].iterrows():
        texts = {q: diff(r, q) for q in ("median", "p05", "p95")}
        a, b = level(r, "a"), level(r, "b")
        median = texts["median"]
        if r["unit"] == "US$ bn/yr" and (r["actor"], r["when"]) in pct.index:
            share = pct.loc[(r["actor"], r["when"])]
            a += f" ({level(share, 'a')}%)"
            b += f" ({level(share, 'b')}%)"
            median += f" ({diff(share, 'median')} pts of GDP)"
        marked = any(t.startswith(("<", ">")) or t == "beyond the data" for t in texts.values())
        ceiling = r.get("highest_recorded")
        beyond = ""
        if marked:
            where = ceiling if isinstance(ceiling, str) and ceiling else \
                "above the highest in the region's data"
            signs = " and ".join(f'"{c}"' for c in "><"
                                 if any(t.startswith(c) for t in texts.values()))
            beyond = (f"{signs or 'it'} {'mark' if ' and ' in signs else 'marks'} a bound: "
                      f"{100 * float(r['share_beyond_data']):.1f}% of members, in A or B, "
                      f"would spend {where}, beyond any recorded spending")
        rows.append({"quantity": r["quantity"], "actor": r["actor"], "when": r["when"],
                     "unit": r["unit"] + (" (% of GDP)" if r["unit"] == "US$ bn/yr" else ""),
                     "a": a, "b": b, "diff": median,
                     "range": f"{texts['p05']} to {texts['p95']}", "beyond": beyond})
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
