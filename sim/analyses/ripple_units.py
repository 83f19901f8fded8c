"""Ripples in real units: people, US$ and troops, converted from the model's indices.

The model's state is a set of indices (stability, unrest, posture on 0-1). An analyst
asks in people, dollars and soldiers. This module converts, member by member, three
quantities the model already has into real units, and summarises each across the
ensemble (median and 90% range), at the peak and at the horizon, and week by week:

* **people leaving the focal state**, by destination. The model's own refugee rule
  (``docs/model.md`` 6.6) sends, each week, ``(u_F - u0_F)^+ * r_F * pop_F`` (million
  people: the focal state's protest above its baseline that meets its repression
  capacity) across its land borders in proportion to border length. Summed over the
  weeks this is ``Q``, the **repressed protest** in million person-weeks; the people
  who leave are ``k_m * Q`` with ``k_m`` = ``emigration_per_protest_week``, anchored on
  the recorded outflow after Belarus's August 2020 (:mod:`sim.analyses.ripple_anchor`).
  Destinations take the model's border shares ``km_Fj / KM_F``.
* **force posture as money and troops**, for the patrons and the frontline states (the
  states whose posture can move): rule R5 (``docs/data-rules.md``) set posture
  ``p = x / (x + 4)`` from military expenditure ``x`` (% of GDP), so its inverse
  ``x = 4 p / (1 - p)`` turns a posture rise into extra spending, % of GDP and US$ bn a
  year (World Bank GDP of the region's data), and troops at the state's own personnel
  per US$ of spending (IISS, SIPRI; ``units.csv``) times ``troops_marginal_share``.
* **energy transit through the focal state** (:mod:`sim.analyses.ripple_energy`).

These are conversions of index changes by stated factors: orders of magnitude, not
measurements. Where a member's posture rises above the highest in the region's data, R5's
inverse extrapolates past any recorded spending; :mod:`sim.analyses.ripple_beyond` marks
every percentile that rests on such members and gives the bound the data support.
``ripple_units.csv`` holds the summary rows (unit, year and source in every row),
``ripple_units_weekly.csv`` the weekly path, ``ripple_units_members.csv`` the per-member
values that ``make compare`` pairs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engines.blocks import WeekRecord
from sim.engines.ensemble import EnsembleResult
from sim.model.context import Context
from sim.model.state import METRICS
from sim.regions.indicators import HALF_POSTURE_MILEX
from sim.regions.loader import GRADES, DataError, Region

_UNREST = METRICS.index("unrest")
_POSTURE = METRICS.index("posture")
#: Percentiles of the summary rows: the median and the 90% range across members.
QUANTILES = (5.0, 50.0, 95.0)
#: Columns of ``ripple_units.csv``.
COLUMNS = ("kind", "actor", "name", "quantity", "when", "unit", "median", "p05", "p95",
           "median_factor_low", "median_factor_high", "factor", "share_beyond_data", "year",
           "source", "data_limit", "p05_beyond_data", "median_beyond_data", "p95_beyond_data",
           "p05_at_least", "median_at_least", "p95_at_least", "highest_recorded")
#: The label every table carries (report, CSV readers).
LABEL = ("conversions of the model's index changes into real units by stated factors: "
         "order of magnitude, not measurements")
#: Columns of a region's ``units.csv``.
UNITS_COLUMNS = ("actor", "quantity", "value", "unit", "year", "source", "grade", "note")
#: Quantities a ``units.csv`` row may hold (transit rows: ``gas_transit_*``, ``oil_transit_*``).
UNITS_QUANTITIES = ("active_personnel", "oil_price_usd_per_t")
_TRANSIT = re.compile(r"^(gas|oil)_transit_[a-z0-9_]+$")


def units_rows(region: Region) -> pd.DataFrame:
    """The region's ``units.csv``, checked (an empty frame when the region has none).

    Raises
    ------
    DataError
        Naming the file, the row and field, and what is allowed: a missing column, an
        unknown actor or quantity, a value that is not a finite number >= 0, a grade
        outside ``sourced``/``recalled``/``assumption``, an empty unit, year or source.
    """
    path = Path(region.folder) / "units.csv"
    if not path.is_file():
        return pd.DataFrame(columns=list(UNITS_COLUMNS))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(str(path), None, f"not a readable CSV table: {exc}") from None
    missing = [c for c in UNITS_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(str(path), None, f"missing column(s) {', '.join(missing)}; the "
                        f"columns are {', '.join(UNITS_COLUMNS)}")
    values = []
    for n, row in enumerate(frame.itertuples(), start=2):  # line 1 is the header
        where = f"line {n}"
        if row.actor not in region.ids:
            raise DataError(str(path), f"{where}, actor", f"{row.actor!r} is not an actor "
                            "of the region's actors.csv")
        if row.quantity not in UNITS_QUANTITIES and not _TRANSIT.match(row.quantity):
            raise DataError(str(path), f"{where}, quantity", f"{row.quantity!r} unknown; "
                            f"allowed: {', '.join(UNITS_QUANTITIES)}, gas_transit_<name> "
                            "or oil_transit_<name>")
        try:
            value = float(row.value)
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and value >= 0.0):
            raise DataError(str(path), f"{where}, value", f"{row.value!r} is not a number "
                            ">= 0")
        if row.grade not in GRADES:
            raise DataError(str(path), f"{where}, grade", f"{row.grade!r}; allowed: "
                            f"{', '.join(GRADES)}")
        for name in ("unit", "year", "source"):
            if not str(getattr(row, name)).strip():
                raise DataError(str(path), f"{where}, {name}", "must not be empty")
        values.append(value)
    frame["value"] = values
    return frame[list(UNITS_COLUMNS)]


def milex_from_posture(posture: np.ndarray | float) -> np.ndarray:
    """Inverse of rule R5: military expenditure, % of GDP, of a posture index.

    R5 sets ``p = x / (x + 4)``, so ``x = 4 p / (1 - p)``; a posture of 1 has no finite
    spending and gives ``inf``.

    Parameters
    ----------
    posture : array_like
        Posture index in [0, 1].

    Returns
    -------
    numpy.ndarray
        Military expenditure, % of GDP.

    Examples
    --------
    >>> float(milex_from_posture(0.5)), float(milex_from_posture(0.0))
    (4.0, 0.0)
    """
    p = np.asarray(posture, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p < 1.0, HALF_POSTURE_MILEX * p / np.maximum(1.0 - p, 1e-300), np.inf)


def extra_milex_pct(posture: np.ndarray, posture0: float) -> np.ndarray:
    """Extra military expenditure (% of GDP) a posture above its baseline stands for.

    ``x(p) - x(p0)`` with :func:`milex_from_posture`; a posture at or below baseline
    stands for no extra spending (0: the model's posture falls back, it does not disarm).
    """
    return np.maximum(milex_from_posture(posture) - milex_from_posture(posture0), 0.0)


@dataclass
class OutflowRecorder:
    """Per-member repressed protest of the focal state, summed week by week (``on_week``).

    ``weekly[m, t]`` is the model's refugee outflow of the focal state in week ``t``,
    ``(u_F(t) - u0_F)^+ * r_F * pop_F`` in million people (the term of
    :func:`sim.model.mechanisms.reactions.refugee_stress`, from the week's recorded
    unrest). Memory: members x weeks floats for one state.
    """

    focal: int
    unrest0: float
    repression: float
    population_m: float
    weekly: list[np.ndarray] = field(default_factory=list)

    @classmethod
    def of(cls, ctx: Context) -> OutflowRecorder:
        """The recorder of a run's focal state.

        Also checks the region's ``units.csv`` (:func:`units_rows`), so that a bad table
        is refused before the run rather than after it.
        """
        units_rows(ctx.region)
        focal = ctx.roles.focal
        attrs = ctx.region.attrs
        return cls(focal, float(ctx.baseline["unrest0"][focal]),
                   float(attrs["repression"][focal]), float(attrs["population_m"][focal]))

    def __call__(self, record: WeekRecord) -> None:
        """Fold one joined week record (all members, member order)."""
        excess = np.maximum(record.snapshot[:, _UNREST, self.focal] - self.unrest0, 0.0)
        self.weekly.append(excess * self.repression * self.population_m)

    def outflow(self) -> np.ndarray:
        """Weekly outflow term, shape (members, weeks + 1), million people."""
        return np.stack(self.weekly, axis=1) if self.weekly else np.zeros((0, 0))


def _quantiles(values: np.ndarray) -> tuple[float, float, float]:
    """5th, 50th and 95th percentile across members (axis 0)."""
    p05, p50, p95 = np.percentile(values, QUANTILES, axis=0)
    return float(p05), float(p50), float(p95)


def people_members(outflow: np.ndarray, factor: float) -> dict[str, np.ndarray]:
    """Per-member people leaving: total by the horizon and the highest weekly flow.

    Parameters
    ----------
    outflow : numpy.ndarray, shape (members, weeks + 1)
        The weekly outflow term, million people (:meth:`OutflowRecorder.outflow`).
    factor : float
        ``emigration_per_protest_week``, people per person-week of repressed protest.

    Returns
    -------
    dict
        ``total`` (people by the horizon) and ``peak_week`` (people in the highest week).
    """
    people = factor * 1e6 * outflow
    if people.size == 0:
        return {"total": np.zeros(len(outflow)), "peak_week": np.zeros(len(outflow))}
    return {"total": people.sum(axis=1), "peak_week": people.max(axis=1)}


def destination_shares(ctx: Context) -> dict[str, float]:
    """The model's destination rule: share of the focal state's land border, by state.

    ``km_Fj / KM_F`` (``dep_border[F, j]``, ``docs/model.md`` 4.4), the very shares the
    refugee rule uses; states without a border with the focal state get none.
    """
    focal = ctx.roles.focal
    border = ctx.region.layers.get("border")
    if border is None:
        return {}
    return {ctx.region.ids[j]: float(border[focal, j]) for j in range(ctx.region.n)
            if border[focal, j] > 0.0}


def posture_states(ctx: Context) -> list[int]:
    """The states whose posture can move: exposure above 0 (patrons and frontline)."""
    return [a for a in range(ctx.region.n)
            if ctx.region.kinds[a] == "state" and ctx.exposure[a] > 0.0]


def posture_members(result: EnsembleResult, ctx: Context, actor: int, troops_per_usd_bn: float,
                    share: float) -> dict[str, np.ndarray]:
    """Per-member extra spending (% of GDP, US$ bn/yr) and troops, at the peak and the horizon.

    Parameters
    ----------
    result : EnsembleResult
    ctx : Context
    actor : int
        Axis position of the state.
    troops_per_usd_bn : float
        The state's active personnel per US$ bn of military spending (NaN: no data).
    share : float
        ``troops_marginal_share``.
    """
    p0 = float(ctx.baseline["posture0"][actor])
    gdp = float(ctx.region.attrs["gdp_usd_bn"][actor])
    out: dict[str, np.ndarray] = {}
    for when, values in (("peak", result.high[:, _POSTURE, actor]),
                         ("horizon", result.end[:, _POSTURE, actor])):
        pct = extra_milex_pct(values, p0)
        usd = pct / 100.0 * gdp
        out[f"milex_pct_{when}"] = pct
        out[f"milex_usd_bn_{when}"] = usd
        out[f"troops_{when}"] = usd * troops_per_usd_bn * share
    return out
