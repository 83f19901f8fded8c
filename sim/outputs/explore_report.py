"""The report of an exploration, and the exploration standing shown in a run's report.

``report.html`` of ``results/explore/<scenario>_<method>/`` holds the question, the
uncertainties explored (ranges, grades and sources), how far each headline output moves
across the design, the top drivers with their intervals and Monte Carlo noise shares,
the PRIM boxes, the charts (embedded) and the provenance. A run's report quotes the
newest exploration of its scenario (:func:`exploration_standing`), so the analyst sees
beside each headline number how far it moves when the uncertain values vary over their
plausible ranges.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from sim import paths
from sim.model.params import PARAMS
from sim.outcomes import output_label

TEMPLATES = Path(__file__).parent / "templates"
METHODS = ("morris", "sobol", "lhs")
CHARTS = {"tornado.png": "Top drivers (Morris mu*, with 95% intervals)",
          "sobol.png": "Sobol first-order and total indices (95% intervals)",
          "fans.png": "Stability fans: Monte Carlo noise alone vs with parameter uncertainty",
          "prim_1.png": "Scenario discovery, first case (PRIM)",
          "prim_2.png": "Scenario discovery, second case (PRIM)"}


def _spread(outcomes: pd.DataFrame, output: str) -> dict:
    values = outcomes[output].to_numpy(dtype=np.float64)
    p05, p50, p95 = np.percentile(values, [5, 50, 95])
    return {"output": output_label(output), "column": output, "median": p50, "p05": p05, "p95": p95,
            "min": float(values.min()), "max": float(values.max())}


def _drivers(indices: pd.DataFrame | None, output: str, method: str, top: int) -> list[dict]:
    if indices is None or not len(indices):
        return []
    value, conf = {"morris": ("mu_star", "mu_star_conf"), "sobol": ("ST", "ST_conf")}[method]
    rows = indices[indices["output"] == output].nlargest(top, value)
    return [{"parameter": r.parameter, "value": getattr(r, value), "conf": getattr(r, conf),
             "grade": PARAMS[r.parameter].grade if r.parameter in PARAMS else "",
             "s1": getattr(r, "S1", None), "sigma": getattr(r, "sigma", None)}
            for r in rows.itertuples()]


def summarise_exploration(folder: Path, top: int = 3) -> dict:
    """Headline spreads, top drivers and noise of the exploration in ``folder``."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    outcomes = pd.read_csv(folder / "outcomes.csv")
    indices = pd.read_csv(folder / "indices.csv") if (folder / "indices.csv").is_file() else None
    noise = pd.read_csv(folder / "noise.csv").set_index("output")["noise_share"]
    rows = []
    for output in manifest.get("headline", []):
        if output in outcomes.columns:
            rows.append({**_spread(outcomes, output), "noise_share": float(noise[output]),
                         "drivers": _drivers(indices, output, manifest["method"], top)})
    return {"folder": folder, "manifest": manifest, "headline": rows}


def exploration_standing(scenario_name: str) -> dict | None:
    """The exploration of ``scenario_name`` a run's report quotes, if there is one.

    Explorations with the default settings (``<scenario>_<method>``) come first, the
    newest of them; only without one, the newest with other settings
    (``<scenario>_<method>__<settings>``, e.g. a quick look with few samples).
    """
    base = paths.RESULTS_DIR / "explore"
    default = [base / f"{scenario_name}_{m}" for m in METHODS]
    other = [folder for m in METHODS for folder in base.glob(f"{scenario_name}_{m}__*")]
    for group in (default, other):
        found = [f for f in group if (f / "manifest.json").is_file()]
        if found:
            newest = max(found, key=lambda f: (f / "manifest.json").stat().st_mtime)
            return summarise_exploration(newest)
    return None


def _described(name: str) -> dict[str, str]:
    """Grade, source and unit of an uncertainty: a parameter or a layer weight's multiplier."""
    if name in PARAMS:
        return {"grade": PARAMS[name].grade, "source": PARAMS[name].source,
                "unit": PARAMS[name].unit}
    return {"grade": "assumption", "unit": "x the data's weight",
            "source": "layers.csv: a multiplier on this layer weight (an assumption with a "
                      "stated reason in the region's layers.csv)"}


def write_explore_report(folder: Path) -> Path:
    """Write ``report.html`` into an exploration's ``folder``; return its path."""
    summary = summarise_exploration(folder, top=8)
    manifest = summary["manifest"]
    uncertainties = [{"name": name, **spec, **_described(name)}
                     for name, spec in manifest["uncertainties"].items()]
    prim = []
    for k, stats in enumerate(manifest.get("prim", []), start=1):
        limits = folder / f"prim_{k}.csv"
        prim.append({**stats, "limits": pd.read_csv(limits).to_dict("records")
                     if limits.is_file() and "coverage" in stats else []})
    charts = [{"title": title,
               "data": base64.b64encode((folder / "charts" / name).read_bytes()).decode()}
              for name, title in CHARTS.items() if (folder / "charts" / name).is_file()]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined)
    html = env.get_template("explore_report.html.j2").render(
        m=manifest, headline=summary["headline"], uncertainties=uncertainties, prim=prim,
        charts=charts, value={"morris": "mu*", "sobol": "ST"}.get(manifest["method"]))
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
