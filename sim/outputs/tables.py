"""Result files of a run, and the atomic hand-over into ``results/``.

Everything is first written to a temporary directory beside the target and moved into
place only when complete, so an interrupted or failed run never leaves a half-written
result and the previous result of the same scenario stays intact until then.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engines.ensemble import EnsembleResult
from sim.engines.stats import STAT_NAMES, wilson_interval
from sim.model.context import Context
from sim.model.events import EVENT_COLUMNS
from sim.model.state import HOLDER, HOLDERS, INCAPACITY_KINDS, METRICS
from sim.outcomes import OUTCOME_OF_HOLDER, OUTCOMES  # noqa: F401 (re-exported)
from sim.outputs.atomic import atomic_directory  # noqa: F401 (re-exported)
from sim.outputs.csv_writer import write_frame

FLOAT_FORMAT = "%.6g"


def timeseries_frame(result: EnsembleResult, ctx: Context) -> pd.DataFrame:
    """Tidy table: week, actor, metric, mean, p05, p25, p50, p75, p95."""
    weeks, n_metrics, n_stats, n = result.quantiles.shape
    week, metric, actor = np.meshgrid(np.arange(weeks), np.arange(n_metrics), np.arange(n),
                                      indexing="ij")
    values = result.quantiles.transpose(0, 1, 3, 2).reshape(-1, n_stats)
    frame = pd.DataFrame({
        "week": week.ravel(),
        "actor": np.array(ctx.region.ids)[actor.ravel()],
        "metric": np.array(METRICS)[metric.ravel()],
    })
    for i, stat in enumerate(STAT_NAMES):
        frame[stat] = values[:, i]
    return frame.sort_values(["week", "actor", "metric"], kind="stable").reset_index(drop=True)


def holders_frame(result: EnsembleResult) -> pd.DataFrame:
    """Share of members under each holder of power in the focal state, per week."""
    shares = result.holder_shares()
    rows = [(week, holder, shares[week, code]) for week in range(shares.shape[0])
            for code, holder in enumerate(HOLDERS)]
    return pd.DataFrame(rows, columns=["week", "holder", "share"])


def member_outcomes(result: EnsembleResult) -> np.ndarray:
    """Outcome class of the focal state in every member, from the holder at the horizon."""
    return np.array([OUTCOME_OF_HOLDER[HOLDERS[h]] for h in result.holder[:, -1]])


def members_frame(result: EnsembleResult, ctx: Context) -> pd.DataFrame:
    """One row per member: outcome, incapacity, holder at the end, end and peak values."""
    ids = ctx.region.ids
    frame = pd.DataFrame({
        "member": result.members,
        "rng_key": [f"{ctx.scenario.seed}/{m}" for m in result.members],
        "outcome": member_outcomes(result),
        "incapacity_week": pd.array(np.where(result.incapacity_week >= 0,
                                             result.incapacity_week, -1), dtype="Int64"),
        "incapacity_kind": [INCAPACITY_KINDS[k] for k in result.incapacity_kind],
        "holder_end": [HOLDERS[h] for h in result.holder[:, -1]],
        "weeks_contested": (result.holder == HOLDER["contested"]).sum(axis=1),
    })
    frame.loc[frame["incapacity_week"] < 0, "incapacity_week"] = pd.NA
    metric = {name: i for i, name in enumerate(METRICS)}
    # Every state's columns at once: a column added one by one copies the table each
    # time (quadratic, and thousands of pandas PerformanceWarnings for a large region).
    per_state: dict[str, np.ndarray] = {}
    for a, actor in enumerate(ids):
        if ctx.region.kinds[a] != "state":
            continue
        per_state[f"{actor}_stability_end"] = result.end[:, metric["stability"], a]
        per_state[f"{actor}_stability_min"] = result.low[:, metric["stability"], a]
        per_state[f"{actor}_unrest_max"] = result.high[:, metric["unrest"], a]
        per_state[f"{actor}_posture_max"] = result.high[:, metric["posture"], a]
        per_state[f"{actor}_stress_max"] = result.high[:, metric["stress"], a]
        per_state[f"{actor}_alignment_end"] = result.end[:, metric["alignment"], a]
    if not per_state:
        return frame
    return pd.concat([frame, pd.DataFrame(per_state, index=frame.index)], axis=1)


def events_frame(result: EnsembleResult) -> pd.DataFrame:
    """Every logged event, sorted by member, week and actor."""
    return pd.DataFrame(result.events, columns=list(EVENT_COLUMNS))


def ripple_indicators(result: EnsembleResult, ctx: Context) -> dict[str, np.ndarray]:
    """Per-member booleans (M, N) of the ripple outcomes of every actor.

    ``stability_drop_10pct``: stability fell at some week more than 10% below baseline;
    ``mass_protest``: at least 2% of the public protested at some week;
    ``posture_surge``: military posture rose at least 0.1 above baseline at some week.
    """
    base = ctx.baseline
    metric = {name: i for i, name in enumerate(METRICS)}
    return {
        "stability_drop_10pct":
            result.low[:, metric["stability"]] < 0.9 * base["stability0"],
        "mass_protest": result.high[:, metric["unrest"]] >= 0.02,
        "posture_surge": result.high[:, metric["posture"]] >= base["posture0"] + 0.1,
    }


def outcome_hits(result: EnsembleResult, ctx: Context) -> dict[tuple[str, str], np.ndarray]:
    """Per-member booleans of every row of ``outcomes.csv``, keyed ``(actor, outcome)``.

    In the row order of :func:`outcomes_frame` (the focal state's regime outcomes, then
    each ripple outcome for every state), so weighted analyses
    (:mod:`sim.analyses.observations`, :mod:`sim.analyses.signposts`) count the very
    same events.
    """
    hits: dict[tuple[str, str], np.ndarray] = {}
    outcome = member_outcomes(result)
    for name in OUTCOMES:
        hits[(ctx.region.roles.focal, name)] = outcome == name
    for name, ripple in ripple_indicators(result, ctx).items():
        for a, actor in enumerate(ctx.region.ids):
            if ctx.region.kinds[a] == "state":
                hits[(actor, name)] = ripple[:, a]
    return hits


def outcomes_frame(result: EnsembleResult, ctx: Context) -> pd.DataFrame:
    """Outcome probabilities with 95% Wilson intervals.

    The focal state: the five regime outcomes. Every state: the ripple outcomes of
    :func:`ripple_indicators`.
    """
    total = len(result.members)
    rows = [(actor, name, int(hit.sum()), total)
            for (actor, name), hit in outcome_hits(result, ctx).items()]
    frame = pd.DataFrame(rows, columns=["actor", "outcome", "count", "members"])
    frame["probability"] = frame["count"] / frame["members"]
    bounds = [wilson_interval(c, t) for c, t in zip(frame["count"], frame["members"],
                                                    strict=True)]
    frame["ci_low"] = [b[0] for b in bounds]
    frame["ci_high"] = [b[1] for b in bounds]
    return frame[["actor", "outcome", "probability", "ci_low", "ci_high", "count", "members"]]


class TrajectoryWriter:
    """Stream every member's full trajectory to Parquet, one row group per week.

    Rows: member, week, actor, holder (of the focal state, for that member), and every
    metric.

    Parameters
    ----------
    path : pathlib.Path
        The ``.parquet`` file to write.
    ctx : Context
        Gives the actor ids.
    members : numpy.ndarray
        Member indices in the order of the records' rows.
    """

    def __init__(self, path: Path, ctx: Context, members: np.ndarray) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self._ids = np.array(ctx.region.ids)
        self._members = np.asarray(members)
        self._holders = np.array(HOLDERS)
        fields = [("member", pa.int64()), ("week", pa.int32()), ("actor", pa.string()),
                  ("holder", pa.string())] + [(m, pa.float64()) for m in METRICS]
        self._schema = pa.schema(fields)
        self._writer = pq.ParquetWriter(path, self._schema)

    def write(self, record) -> None:
        """Append one week's record (a :class:`sim.engines.blocks.WeekRecord`)."""
        n_members, _, n = record.snapshot.shape
        columns = {
            "member": np.repeat(self._members, n),
            "week": np.full(n_members * n, record.week, dtype=np.int32),
            "actor": np.tile(self._ids, n_members),
            "holder": np.repeat(self._holders[record.holder], n),
        }
        for i, metric in enumerate(METRICS):
            columns[metric] = record.snapshot[:, i, :].ravel()
        self._writer.write_table(self._pa.table(columns, schema=self._schema))

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV with a fixed float format, so the same numbers give the same bytes.

    The bytes are those of ``frame.to_csv(index=False, float_format=FLOAT_FORMAT)``,
    written by the faster :func:`sim.outputs.csv_writer.write_frame`.
    """
    write_frame(frame, path, FLOAT_FORMAT)


def write_json(data: dict, path: Path) -> None:
    """Write JSON with sorted keys and a trailing newline."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
