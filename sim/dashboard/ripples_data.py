"""What a run says to an analyst beyond its outcome table: map, words, signposts, news, trade.

Each reader takes one file of a run folder (README, What a run writes) through
:func:`sim.dashboard.data.read_csv` or :func:`sim.dashboard.files.read_result_file`, so
only regular files inside the run's own folder are read. Each returns None when its
file is absent (an older run, ``--no-charts``, a scenario without ``observations:``)
and raises :class:`~sim.dashboard.data.BrokenFolder`, naming the file and never a
server path, when it is there but unreadable or of the wrong shape: the page then shows
an error card for that part alone. The text returned is plain (not yet escaped); the
page escapes it (:mod:`sim.dashboard.ripples_view`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analyses.observations import ess_threshold
from sim.analyses.signposts import MIN_SIDE, strongest
from sim.dashboard import files
from sim.dashboard.data import BrokenFolder, interval, pct, read_csv
from sim.outcomes import OUTCOMES
from sim.outcomes import label as outcome_label

#: The outcome map a run draws (left out when no state has a polygon, or --no-charts).
MAP_PNG = "charts/map.png"
#: First and last bytes of every complete PNG file (signature; IEND chunk and its CRC).
PNG_START = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"
#: Signpost rows shown (as the report: ``sim.outputs.watching.SHOWN_SIGNPOSTS``).
SHOWN_SIGNPOSTS = 6

SIGNPOST_COLUMNS = (("signpost", "week", "description", "outcome", "members", "seen_count",
                     "seen_share", "seen_after_split", "probability", "p_seen",
                     "p_seen_low", "p_seen_high", "p_not_seen", "p_not_seen_low",
                     "p_not_seen_high", "shift"),
                    # The conditional columns are empty where no member is on a side.
                    ("week", "members", "seen_count", "seen_share", "probability"))
CONDITIONED_COLUMNS = (("actor", "outcome", "probability", "ci_low", "ci_high",
                        "probability_unconditioned", "ci_low_unconditioned",
                        "ci_high_unconditioned", "shift", "effective_members", "members"),
                       ("probability", "ci_low", "ci_high", "probability_unconditioned",
                        "ci_low_unconditioned", "ci_high_unconditioned", "shift",
                        "effective_members", "members"))
OBSERVATION_COLUMNS = (("week", "type", "observation", "consistent_share"),
                       ("week", "consistent_share"))
EXPOSURE_COLUMNS = (("actor", "name", "trade_with_focal_usd_bn", "trade_year",
                     "trade_source", "trade_share_of_gdp_pct", "p_ruling_group_out",
                     "p_low", "p_high", "exposed_trade_usd_bn", "exposed_low_usd_bn",
                     "exposed_high_usd_bn"),
                    # The share of GDP is empty for a state without a GDP figure.
                    ("trade_with_focal_usd_bn", "p_ruling_group_out", "p_low", "p_high",
                     "exposed_trade_usd_bn", "exposed_low_usd_bn", "exposed_high_usd_bn"))


def present(folder: Path, name: str) -> bool:
    """Whether the folder holds an entry called ``name`` (a file, or a link or anything)."""
    return os.path.lexists(Path(folder) / name)


def map_png(folder: Path) -> bytes | None:
    """The bytes of the run's outcome map ``charts/map.png`` (None when it drew none).

    Raises
    ------
    BrokenFolder
        If it is not a regular file of the folder, or not a complete PNG image
        (truncated: no end chunk).
    """
    if not present(folder, MAP_PNG):
        return None
    try:
        raw = files.read_result_file(folder, MAP_PNG)
    except (files.UnsafeFile, OSError):
        raise BrokenFolder(f"{MAP_PNG} is not a regular file of the folder") from None
    if not (raw.startswith(PNG_START) and raw.endswith(PNG_END)):
        raise BrokenFolder(f"{MAP_PNG} is not a complete PNG image (truncated?)")
    return raw


def _read(folder: Path, name: str, required) -> pd.DataFrame:
    """A CSV of the folder (:func:`data.read_csv`), refused when its last line is cut.

    Every table a run writes ends with a line break, so a file that does not was cut
    short (a copy or a write that stopped): its last row would read with gaps that some
    columns may legitimately have (a signpost nobody saw), so it is refused as a whole.
    """
    try:
        raw = files.read_result_file(folder, name)
    except (files.UnsafeFile, OSError):
        raise BrokenFolder(f"{name} is missing or not a regular file") from None
    if raw and not raw.endswith(b"\n"):
        raise BrokenFolder(f"{name} is truncated (its last line is cut)")
    return read_csv(folder, name, required=required)


def _checked(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    """Refuse rows whose ``columns`` are not all numbers (a truncated or edited file)."""
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            raise BrokenFolder(f"{name}: {column} has values that are not numbers "
                               "(truncated?)")


def _probabilities(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    """Refuse probabilities outside [0, 1]."""
    for column in columns:
        values = frame[column].astype(float)
        if ((values < 0) | (values > 1)).any():
            raise BrokenFolder(f"{name}: {column} has values outside 0-1")


@dataclass(frozen=True)
class Signposts:
    """The signposts that shift a horizon outcome most (``signposts.csv``).

    Attributes
    ----------
    rows : list of dict
        One per signpost, largest shift first: ``sentence`` (the plain reading),
        ``seen`` (share of members), ``outcome`` (label), ``before``, ``if_seen`` and
        its ``if_seen_interval``, ``if_not`` and its ``if_not_interval``, ``seen_n``
        (members where it was seen / all), ``after_split``.
    signposts : int
        Signposts in the file.
    usable : int
        Of them, those with at least :data:`~sim.analyses.signposts.MIN_SIDE` members
        on each side (the others are too rare to rank).
    """

    rows: list[dict[str, str]]
    signposts: int
    usable: int


def signposts(folder: Path, patron: str = "a patron",
              shown: int = SHOWN_SIGNPOSTS) -> Signposts | None:
    """The top signposts of a run, in words (None when it wrote no ``signposts.csv``).

    The rows are :func:`sim.analyses.signposts.strongest`'s, as in the report.

    Raises
    ------
    BrokenFolder
        Naming ``signposts.csv`` when it is truncated or of the wrong shape.
    """
    name = "signposts.csv"
    if not present(folder, name):
        return None
    frame = _read(folder, name, SIGNPOST_COLUMNS)
    # One row per signpost and headline outcome: a file cut at a line end lacks some.
    if len(frame) and not frame.groupby("signpost")["outcome"].nunique().eq(
            frame["outcome"].nunique()).all():
        raise BrokenFolder(f"{name}: a signpost lacks some outcome rows (truncated?)")
    top = strongest(frame, shown)
    _checked(top, name, ("p_seen", "p_seen_low", "p_seen_high", "p_not_seen",
                         "p_not_seen_low", "p_not_seen_high", "seen_after_split"))
    _probabilities(top, name, ("probability", "p_seen", "p_not_seen", "seen_share"))
    usable = frame[(frame["seen_count"] >= MIN_SIDE)
                   & (frame["members"] - frame["seen_count"] >= MIN_SIDE)]
    rows = []
    for r in top.itertuples():
        label = outcome_label(str(r.outcome), patron)
        rows.append({
            "sentence": f"If you see {r.description} (seen in {pct(r.seen_share)} of "
                        f"members), P({label}) goes from {pct(r.probability)} to "
                        f"{pct(r.p_seen)} (95% interval "
                        f"{interval(r.p_seen_low, r.p_seen_high)}); if not, "
                        f"{pct(r.p_not_seen)}.",
            "description": str(r.description), "seen": pct(r.seen_share),
            "seen_n": f"{int(r.seen_count)}/{int(r.members)}", "outcome": label,
            "before": pct(r.probability), "if_seen": pct(r.p_seen),
            "if_seen_interval": interval(r.p_seen_low, r.p_seen_high),
            "if_not": pct(r.p_not_seen),
            "if_not_interval": interval(r.p_not_seen_low, r.p_not_seen_high),
            "after_split": pct(r.seen_after_split)})
    return Signposts(rows=rows, signposts=int(frame["signpost"].nunique()),
                     usable=int(usable["signpost"].nunique()))


@dataclass(frozen=True)
class Watched:
    """The focal state's outcomes given what the scenario says was observed.

    Attributes
    ----------
    effective : float
        Effective number of members after weighting (Kish).
    members : int
    threshold : int
        Fewest effective members a conditioned run keeps (``max(50, 5% of members)``).
    observations : list of dict
        ``week``, ``observation`` (words), ``consistent`` (share of members consistent
        with it alone).
    rows : list of dict
        Per focal outcome: ``outcome`` (label), ``before`` and ``before_interval``
        (unconditioned), ``after`` and ``after_interval`` (given the observations),
        ``shift`` (points, signed).
    """

    effective: float
    members: int
    threshold: int
    observations: list[dict[str, str]]
    rows: list[dict[str, str]]


def watched(folder: Path, focal: str, patron: str = "a patron") -> Watched | None:
    """Outcomes conditioned on the scenario's observations (None without them).

    Reads ``outcomes_conditioned.csv`` and ``observations.csv``.

    Raises
    ------
    BrokenFolder
        Naming the file that is missing (``observations.csv`` beside the conditioned
        outcomes), truncated or of the wrong shape, or holds no row of ``focal``.
    """
    name = "outcomes_conditioned.csv"
    if not present(folder, name):
        return None
    frame = _read(folder, name, CONDITIONED_COLUMNS)
    seen = _read(folder, "observations.csv", OBSERVATION_COLUMNS)
    _probabilities(frame, name, ("probability", "ci_low", "ci_high",
                                 "probability_unconditioned"))
    focal_rows = frame[(frame["actor"] == focal) & frame["outcome"].isin(OUTCOMES)]
    if focal_rows.empty:
        raise BrokenFolder(f"{name} holds no outcome of {focal}")
    effective, members = float(frame["effective_members"].iloc[0]), int(frame["members"].iloc[0])
    if not 0 < effective <= members:
        raise BrokenFolder(f"{name}: effective_members is not between 0 and members")
    order = {o: i for i, o in enumerate(OUTCOMES)}
    focal_rows = focal_rows.sort_values("outcome", key=lambda s: s.map(order))
    return Watched(
        effective=effective, members=members, threshold=int(ess_threshold(members)),
        # The words start with "week N: ", which the table's own column says.
        observations=[{"week": f"{int(r.week)}",
                       "observation": str(r.observation).split(": ", 1)[-1],
                       "consistent": pct(r.consistent_share)} for r in seen.itertuples()],
        rows=[{"outcome": outcome_label(str(r.outcome), patron),
               "before": pct(r.probability_unconditioned),
               "before_interval": interval(r.ci_low_unconditioned, r.ci_high_unconditioned),
               "after": pct(r.probability), "after_interval": interval(r.ci_low, r.ci_high),
               # + 0.0 turns a rounded -0.0 into 0.0 (no "-0.0" for "no change").
               "shift": f"{round(100 * r.shift, 1) + 0.0:+.1f} pp"}
              for r in focal_rows.itertuples()])


@dataclass(frozen=True)
class Exposure:
    """Each partner's goods trade with the focal state x P(ruling group out).

    Attributes
    ----------
    chance : str
        P(ruling group out at the horizon) with its 95% interval, e.g.
        ``12.8% (95% interval 10.9-15.0%)``.
    rows : list of dict
        ``state``, ``trade`` (US$ bn a year), ``share`` (of the partner's GDP),
        ``exposed`` (US$ bn) and ``exposed_interval``, ``year``, ``source``.
    total : str
        Trade of all partners listed, US$ bn.
    """

    chance: str
    rows: list[dict[str, str]]
    total: str


def _year(value: object) -> str:
    """A data year as text (``2021``, not ``2021.0``; ``2019/2021`` kept)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return f"{int(value)}"
    return "" if pd.isna(value) else str(value)


def _bn(value: float) -> str:
    return f"{float(value):,.2f}"


def trade_exposure(folder: Path) -> Exposure | None:
    """The run's ``trade_exposure.csv`` in words and US$ bn (None when absent).

    Raises
    ------
    BrokenFolder
        Naming the file when it is truncated, of the wrong shape, or holds a negative
        trade value.
    """
    name = "trade_exposure.csv"
    if not present(folder, name):
        return None
    frame = _read(folder, name, EXPOSURE_COLUMNS)
    if frame.empty:
        return Exposure(chance="", rows=[], total=_bn(0.0))
    _probabilities(frame, name, ("p_ruling_group_out", "p_low", "p_high"))
    if (frame["trade_with_focal_usd_bn"] < 0).any():
        raise BrokenFolder(f"{name}: trade_with_focal_usd_bn has negative values")
    first = frame.iloc[0]
    chance = (f"{pct(first.p_ruling_group_out)} (95% interval "
              f"{interval(first.p_low, first.p_high)})")
    share = pd.to_numeric(frame["trade_share_of_gdp_pct"], errors="coerce")
    rows = [{"state": f"{r.name} ({r.actor})", "trade": f"{r.trade_with_focal_usd_bn:,.1f}",
             "share": "n/a" if pd.isna(s) else f"{s:.2f}%",
             "exposed": _bn(r.exposed_trade_usd_bn),
             "exposed_interval": f"{_bn(r.exposed_low_usd_bn)}-{_bn(r.exposed_high_usd_bn)}",
             "year": _year(r.trade_year), "source": "" if pd.isna(r.trade_source)
             else str(r.trade_source)}
            for r, s in zip(frame.itertuples(), share, strict=True)]
    return Exposure(chance=chance, rows=rows,
                    total=f"{frame['trade_with_focal_usd_bn'].sum():,.1f}")


def narrative(folder: Path, focal_name: str) -> list[str]:
    """The run's narrative in ICD 203 words, the same sentences as its report.

    :func:`sim.outputs.narrative.run_narrative` opens ``manifest.json`` and
    ``outcomes.csv`` by name; it is called only for a folder :func:`data.run_entry`
    has checked (no links or special files in it), as the Explorations page does.

    Raises
    ------
    BrokenFolder
        If the sentences cannot be made from those files.
    """
    from sim.outputs.narrative import run_narrative

    if files.odd_entries(folder):
        raise BrokenFolder("holds links or special files, which are not followed")
    try:
        return run_narrative(Path(folder), OUTCOMES, focal_name)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise BrokenFolder("the narrative cannot be made from outcomes.csv and "
                           "manifest.json") from None


#: Columns the real-units card needs from ``ripple_units.csv``.
UNITS_COLUMNS = (("kind", "actor", "name", "quantity", "when", "unit", "median", "p05", "p95",
                  "year", "source"), ("median", "p05", "p95"))


def _amount(value: float, unit: str) -> str:
    """A real-units figure in its unit's usual precision (people and troops to 2 digits)."""
    if unit in ("people", "people/week", "troops"):
        return f"{float(f'{value:.2g}'):,.0f}" if value >= 10 else f"{value:,.0f}"
    if unit == "% of GDP":
        return f"{value:.2f}"
    return f"{value:,.2f}"


def real_units(folder: Path) -> list[dict[str, str]] | None:
    """The run's ripples in people, US$ and troops (``ripple_units.csv``), None when absent.

    One row per line of the file, in its order: the quantity and state, when (peak,
    horizon, baseline), the median across members and the 5th-95th percentiles, in the
    file's unit, with the data year and source.

    Raises
    ------
    BrokenFolder
        Naming the file when it is truncated, of the wrong shape or not numeric.
    """
    name = "ripple_units.csv"
    if not present(folder, name):
        return None
    frame = _read(folder, name, UNITS_COLUMNS)
    _checked(frame, name, UNITS_COLUMNS[1])
    rows = []
    for r in frame.to_dict("records"):
        unit = str(r["unit"])
        text = {q: _bounded(r, q, unit) for q in ("median", "p05", "p95")}
        beyond = ""
        if any(flag for _, flag in text.values()):
            ceiling = r.get("highest_recorded")
            where = ceiling if isinstance(ceiling, str) and ceiling else \
                "above the highest in the region's data"
            beyond = (f"'>' marks a bound: {100 * float(r['share_beyond_data']):.1f}% of "
                      f"members would spend {where}, beyond any recorded spending")
        rows.append({"kind": str(r["kind"]), "state": str(r["name"]),
                     "quantity": str(r["quantity"]), "when": str(r["when"]),
                     "median": text["median"][0],
                     "range": f"{text['p05'][0]} to {text['p95'][0]}",
                     "unit": unit, "year": _year(r["year"]), "beyond": beyond,
                     "source": "" if pd.isna(r["source"]) else str(r["source"])})
    return rows


def _bounded(row: dict, q: str, unit: str) -> tuple[str, bool]:
    """A percentile of ``ripple_units.csv`` as text, and whether it is a bound.

    "> X" when it rests on members beyond any recorded spending (``<q>_beyond_data``;
    X = ``<q>_at_least``, :mod:`sim.analyses.ripple_beyond`); a table written before
    those columns is shown as it is.
    """
    from sim.analyses.ripple_beyond import flagged

    bound = row.get(f"{q}_at_least")
    if flagged(row.get(f"{q}_beyond_data")) and bound is not None and not pd.isna(bound):
        try:
            return f"> {_amount(float(bound), unit)}", True
        except (TypeError, ValueError):
            pass
    return _amount(float(row[q]), unit), False
