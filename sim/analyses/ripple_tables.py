"""The tables of ripples in real units, and writing them into a run's folder.

* ``ripple_units.csv``: one row per quantity, state and moment (``peak``: the member's
  highest value over the weeks; ``horizon``: its last week; ``by the horizon``: a total
  over all weeks), with the median, 5th and 95th percentile and mean across members, the
  median at the two ends of the conversion factor's plausible range, the factor, and
  the unit, data year and source; spending and troops rows add the share of members
  beyond the data's highest posture (``share_beyond_data``), the quantity at that
  posture (``data_limit``, ``highest_recorded`` in words) and, per percentile, whether it
  rests on such members (``p05_beyond_data``, ``median_beyond_data``,
  ``p95_beyond_data``) and the bound the data support (``<q>_at_least``; the percentile
  itself when it does not): :mod:`sim.analyses.ripple_beyond`;
* ``ripple_units_weekly.csv``: the same quantities week by week (median and 90% range),
  with ``data_limit`` and the three ``*_beyond_data`` flags (there: the figure itself lies
  beyond the data's limit, as only the weekly band is kept);
* ``ripple_units_members.csv``: every member's values (what ``make compare`` pairs), and
  per state and moment ``<actor>_beyond_data_<when>`` (posture above the data's highest);
* ``energy_transit.csv``: :mod:`sim.analyses.ripple_energy`.

See :mod:`sim.analyses.ripple_units` for the conversions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyses.ripple_anchor import USED
from sim.analyses.ripple_beyond import PERCENTILES, Ceiling, ceiling, level_bounds, limit_pct
from sim.analyses.ripple_energy import energy_frame
from sim.analyses.ripple_units import (
    COLUMNS,
    OutflowRecorder,
    destination_shares,
    extra_milex_pct,
    milex_from_posture,
    people_members,
    posture_members,
    posture_states,
    units_rows,
)
from sim.engines.ensemble import EnsembleResult
from sim.engines.stats import STAT_NAMES
from sim.model.context import Context
from sim.model.params import PARAMS
from sim.model.state import METRICS
from sim.outputs.tables import write_csv

_POSTURE = METRICS.index("posture")
PEOPLE_SOURCE = (f"refugee rule (docs/model.md 6.6) x emigration_per_protest_week, anchored "
                 f"on {USED.name} ({USED.period}: {USED.people:,.0f} people, "
                 f"{USED.low:,.0f}-{USED.high:,.0f}; {USED.source})")
SPEND_SOURCE = ("inverse of rule R5 (docs/data-rules.md): x = 4p/(1-p), % of GDP; GDP: "
                "World Bank 2023 (attributes.csv)")


def troops_per_usd_bn(ctx: Context, actor: int, units: pd.DataFrame) -> tuple[float, str, str]:
    """Active personnel per US$ bn of the state's military spending, its year and source.

    Personnel from ``units.csv`` (IISS); spending = R5's inverse of the baseline posture
    (% of GDP, the region's SIPRI share) x GDP. NaN when the data have no personnel row.
    """
    actor_id = ctx.region.ids[actor]
    hit = units[(units["actor"] == actor_id) & (units["quantity"] == "active_personnel")]
    spend = float(milex_from_posture(ctx.baseline["posture0"][actor])) / 100.0 * float(
        ctx.region.attrs["gdp_usd_bn"][actor])
    if hit.empty or spend <= 0.0:
        return float("nan"), "", "no active-personnel row in units.csv"
    row = hit.iloc[0]
    return (float(row["value"]) / spend, str(row["year"]),
            f"{row['source']} ({row['grade']}) over SIPRI spending {spend:.1f} US$ bn "
            "(rule R5's inverse of posture0 x GDP)")


def _row(kind: str, actor: str, name: str, quantity: str, when: str, unit: str,
         values: np.ndarray, factor_name: str | None, factor_value: float, year: str,
         source: str, beyond: np.ndarray | None = None, limit: float = float("nan"),
         top: Ceiling | None = None) -> dict:
    """One summary row; ``values`` (and ``limit``) are at factor 1 when ``factor_name`` is set.

    Medians and percentiles, not means: a posture near 1 converts to unbounded spending
    (R5's inverse), which a mean would report. ``beyond``: per member, posture above the
    data's ceiling ``top``, where ``values`` exceed ``limit``; each percentile then gets
    its bounds (:mod:`sim.analyses.ripple_beyond`): ``<q>_beyond_data`` says whether it
    rests on such members, ``<q>_at_least`` is what the data support (the percentile
    itself when it does not).
    """
    scale = factor_value if factor_name else 1.0
    p05, p50, p95 = np.percentile(values, (5, 50, 95)) if len(values) else (np.nan,) * 3
    row = {"kind": kind, "actor": actor, "name": name, "quantity": quantity, "when": when,
           "unit": unit, "median": scale * p50, "p05": scale * p05, "p95": scale * p95,
           "median_factor_low": np.nan, "median_factor_high": np.nan, "factor": "",
           "share_beyond_data": float(np.mean(beyond)) if beyond is not None and len(beyond)
           else np.nan, "year": year, "source": source,
           "data_limit": scale * limit, "highest_recorded": top.words() if top else ""}
    for column, q in PERCENTILES:
        bounds = (level_bounds(values, beyond, limit, q) if beyond is not None and len(values)
                  else None)
        row[f"{column}_beyond_data"] = bool(bounds and bounds.beyond)
        row[f"{column}_at_least"] = scale * bounds.at_least if bounds else row[column]
    if factor_name:
        low, high = PARAMS[factor_name].plausible
        row.update(median_factor_low=low * p50, median_factor_high=high * p50,
                   factor=f"{factor_name}={factor_value:g} (plausible {low:g}-{high:g})")
    return row


def summary_frames(ctx: Context, result: EnsembleResult, outflow: np.ndarray
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``ripple_units.csv``, ``ripple_units_weekly.csv`` and the per-member table."""
    region, params = ctx.region, ctx.params
    names = dict(zip(region.ids, region.names, strict=True))
    focal = region.ids[ctx.roles.focal]
    k_m = float(params.emigration_per_protest_week)
    k_t = float(params.troops_marginal_share)
    rows, weekly = [], []
    members = {"member": result.members}
    unit_people = people_members(outflow, 1.0)
    members["people_total"] = k_m * unit_people["total"]
    members["people_peak_week"] = k_m * unit_people["peak_week"]
    year = USED.period
    rows.append(_row("people", focal, names[focal], f"people who have left {names[focal]}",
                     "by the horizon", "people", unit_people["total"],
                     "emigration_per_protest_week", k_m, year, PEOPLE_SOURCE))
    rows.append(_row("people", focal, names[focal],
                     f"people leaving {names[focal]} in the highest week", "peak",
                     "people/week", unit_people["peak_week"],
                     "emigration_per_protest_week", k_m, year, PEOPLE_SOURCE))
    for dest, share in sorted(destination_shares(ctx).items(), key=lambda kv: -kv[1]):
        rows.append(_row("people", dest, names[dest],
                         f"people from {names[focal]} to {names[dest]} "
                         f"({100 * share:.0f}% of the land border)", "by the horizon",
                         "people", share * unit_people["total"],
                         "emigration_per_protest_week", k_m, year,
                         "destinations by the refugee rule's border shares km_Fj/KM_F "
                         "(CIA World Factbook, edges.csv); " + PEOPLE_SOURCE))
    if outflow.size:
        cumulative = k_m * 1e6 * np.cumsum(outflow, axis=1)
        p05, p50, p95 = np.percentile(cumulative, (5, 50, 95), axis=0)
        for week in range(cumulative.shape[1]):
            weekly.append({"week": week, "kind": "people", "actor": focal,
                           "quantity": f"people who have left {names[focal]}",
                           "unit": "people", "median": p50[week], "p05": p05[week],
                           "p95": p95[week], "data_limit": np.nan, "p05_beyond_data": False,
                           "median_beyond_data": False, "p95_beyond_data": False})
    units = units_rows(region)
    stats = {name: i for i, name in enumerate(STAT_NAMES)}
    # The highest posture in the region's data (Ukraine at war, 36% of GDP): beyond it the
    # conversion extrapolates past anything recorded (``share_beyond_data``), and a
    # percentile resting on such members is shown as its bound (ripple_beyond).
    top = ceiling(ctx)
    for a in posture_states(ctx):
        actor = region.ids[a]
        gdp = float(region.attrs["gdp_usd_bn"][a])
        per_bn, troop_year, troop_source = troops_per_usd_bn(ctx, a, units)
        values = posture_members(result, ctx, a, per_bn, 1.0)
        p0 = float(ctx.baseline["posture0"][a])
        limits = {"milex_pct": limit_pct(top, p0)}
        limits["milex_usd_bn"] = limits["milex_pct"] / 100.0 * gdp
        limits["troops"] = limits["milex_usd_bn"] * per_bn
        for when in ("peak", "horizon"):
            posture = result.high[:, _POSTURE, a] if when == "peak" else result.end[:, _POSTURE, a]
            beyond = posture > top.posture
            members[f"{actor}_milex_pct_{when}"] = values[f"milex_pct_{when}"]
            members[f"{actor}_milex_usd_bn_{when}"] = values[f"milex_usd_bn_{when}"]
            members[f"{actor}_troops_{when}"] = k_t * values[f"troops_{when}"]
            members[f"{actor}_beyond_data_{when}"] = beyond
            for unit, key in (("% of GDP", "milex_pct"), ("US$ bn/yr", "milex_usd_bn")):
                rows.append(_row("spending", actor, names[actor], "extra military spending",
                                 when, unit, values[f"{key}_{when}"], None, 1.0, "2023",
                                 SPEND_SOURCE, beyond, limits[key], top))
            rows.append(_row("troops", actor, names[actor], "extra troops the spending pays",
                             when, "troops", values[f"troops_{when}"],
                             "troops_marginal_share", k_t, troop_year, troop_source, beyond,
                             limits["troops"], top))
        band = result.quantiles[:, _POSTURE, :, a]  # (weeks + 1, stats): monotone map
        for week in range(band.shape[0]):
            pct = {s: float(extra_milex_pct(band[week, stats[s]], p0))
                   for s in ("p05", "p50", "p95")}
            # Weekly, only the band itself is kept: a figure is marked when it lies beyond
            # the ceiling (not when it merely rests on such a member; ripple_units.csv does).
            over = {s: bool(band[week, stats[s]] > top.posture) for s in ("p05", "p50", "p95")}
            for unit, scale in (("% of GDP", 1.0), ("US$ bn/yr", gdp / 100.0),
                                ("troops", gdp / 100.0 * per_bn * k_t)):
                weekly.append({"week": week, "kind": "troops" if unit == "troops"
                               else "spending", "actor": actor,
                               "quantity": "extra troops the spending pays" if unit == "troops"
                               else "extra military spending", "unit": unit,
                               "median": scale * pct["p50"], "p05": scale * pct["p05"],
                               "p95": scale * pct["p95"],
                               "data_limit": scale * limits["milex_pct"],
                               "p05_beyond_data": over["p05"],
                               "median_beyond_data": over["p50"],
                               "p95_beyond_data": over["p95"]})
    rows.extend(stationed_rows(ctx, names))
    return (pd.DataFrame(rows, columns=list(COLUMNS)), pd.DataFrame(weekly),
            pd.DataFrame(members))


def stationed_rows(ctx: Context, names: dict[str, str]) -> list[dict]:
    """The patrons' troops stationed in the focal state (the data's ``troops`` edges).

    Data, not a conversion: the same number in every member (the model moves no troops).
    """
    path = Path(ctx.region.folder) / "edges.csv"
    if not path.is_file():
        return []
    edges = pd.read_csv(path, dtype=str, keep_default_na=False)
    focal = ctx.region.ids[ctx.roles.focal]
    rows = []
    for r in edges[(edges["layer"] == "troops") & (edges["target"] == focal)].itertuples():
        value = np.full(1, float(r.value))
        rows.append(_row("troops", r.source, names.get(r.source, r.source),
                         f"{names.get(r.source, r.source)}'s troops stationed in "
                         f"{names[focal]} (data, not a conversion)", "baseline", "troops",
                         value, None, 1.0, r.year, f"{r.source_ref} ({r.grade}); {r.note}"))
    return rows


def write_ripple_units(out: Path, ctx: Context, result: EnsembleResult,
                       recorder: OutflowRecorder, outcomes: pd.DataFrame) -> None:
    """Write the four CSV files of ripples in real units into the run folder ``out``."""
    summary, weekly, members = summary_frames(ctx, result, recorder.outflow())
    write_csv(summary, out / "ripple_units.csv")
    write_csv(weekly, out / "ripple_units_weekly.csv")
    write_csv(members, out / "ripple_units_members.csv")
    write_csv(energy_frame(ctx.region, outcomes), out / "energy_transit.csv")
