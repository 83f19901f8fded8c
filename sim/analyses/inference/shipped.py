"""The shipped posterior (``sim/calibration/posterior.csv``) and runs that draw from it.

``make run`` (by default; ``FIXED=1`` for a fixed-point run) gives every member one
parameter set drawn from the weighted draws of the last ``make calibrate``: member
``k`` draws with a uniform number of its own (the ``posterior`` stream at week 0,
keyed by the root seed and the member), so

* a replay of member ``k`` gets the same draw (replay stays exact);
* two scenarios with the same seed give member ``k`` the same draw, so a comparison
  pairs members that share their parameters as well as their dice;
* the run's intervals cover the parameters' posterior uncertainty and Monte Carlo noise
  together.

A parameter the scenario or ``--set`` fixes is not drawn: the user's value wins, and
the manifest says which parameters were drawn. ``posterior.json`` records the model
fingerprint the posterior was made for; a run of another model still draws from it,
but its manifest, report and console say so (``model_matches``, ``warning``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sim import paths
from sim.errors import UserError
from sim.model.params import PARAMS
from sim.model.rng import RandomStreams

POSTERIOR_CSV = paths.PACKAGE_DIR / "calibration" / "posterior.csv"
POSTERIOR_JSON = paths.PACKAGE_DIR / "calibration" / "posterior.json"


def load_posterior(path=POSTERIOR_CSV) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Names, draws (rows x names) and normalised weights of the shipped posterior.

    Raises
    ------
    sim.errors.UserError
        If the file is missing or malformed (names the file and the field).
    """
    if not path.is_file():
        raise UserError(str(path), None, "no posterior: run `make calibrate` first")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        raise UserError(str(path), None, "not a CSV table of weighted draws") from None
    if "weight" not in frame.columns or len(frame) == 0:
        raise UserError(str(path), "weight", "a weight column and at least one draw needed")
    names = tuple(c for c in frame.columns if c != "weight")
    unknown = [n for n in names if n not in PARAMS]
    if unknown:
        raise UserError(str(path), unknown[0], "not a model parameter")
    weights = frame["weight"].to_numpy(dtype=float)
    draws = frame[list(names)].to_numpy(dtype=float)
    if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0
            and np.isfinite(draws).all()):
        raise UserError(str(path), "weight", "weights must be finite, non-negative, not all 0")
    for j, n in enumerate(names):
        p = PARAMS[n]
        if draws[:, j].min() < p.low or draws[:, j].max() > p.high:
            raise UserError(str(path), n, f"a draw lies outside {p.low:g}-{p.high:g}")
    return names, draws, weights / weights.sum()


def member_draws(seed: int, members: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row of the posterior each member takes, by its own uniform number.

    Examples
    --------
    >>> a = member_draws(5, np.arange(4), np.array([0.5, 0.5]))
    >>> bool((member_draws(5, np.array([2]), np.array([0.5, 0.5])) == a[2]).all())
    True
    """
    u = RandomStreams(seed).uniform("posterior", np.asarray(members), 0, 1)[:, 0]
    return np.minimum(np.searchsorted(np.cumsum(weights), u), len(weights) - 1)


def posterior_design(seed: int, members: int, fixed: set[str]) -> tuple[dict, dict]:
    """Per-member parameter arrays for a run, and the manifest's description of them."""
    names, draws, weights = load_posterior()
    rows = member_draws(seed, np.arange(members), weights)
    drawn = [n for n in names if n not in fixed]
    design = {n: draws[rows, names.index(n)] for n in drawn}
    info = {"model_matches": False}
    if POSTERIOR_JSON.is_file():
        meta = json.loads(POSTERIOR_JSON.read_text(encoding="utf-8"))
        info = {"git_commit": meta.get("git_commit"), "made_utc": meta.get("made_utc"),
                "effective_sample_size": meta.get("diagnostics", {}).get(
                    "effective_sample_size"),
                "model_sha256": meta.get("model_sha256"),
                "model_matches": meta.get("model_sha256") == _model_fingerprint()}
    if not info["model_matches"]:
        info["warning"] = ("the shipped posterior (sim/calibration/posterior.csv) was made "
                           "for another version of the model, its regions or its episodes "
                           "than the running code: its draws are used as they are, but "
                           "they are not a fit of this model (run make calibrate)")
    mode = {"parameters": "uncertain: drawn per member from the calibrated posterior "
                          "(sim/calibration/posterior.csv, make calibrate), each member by "
                          "its own random stream; the intervals cover the parameters' "
                          "posterior uncertainty and Monte Carlo noise together",
            "uncertainties": {n: {"distribution": "posterior",
                                  "low": float(draws[:, names.index(n)].min()),
                                  "high": float(draws[:, names.index(n)].max())}
                              for n in drawn},
            "posterior": {"file": "sim/calibration/posterior.csv", "rows": len(weights),
                          "fixed_by_scenario": sorted(set(names) & fixed), **info}}
    return design, mode


def _model_fingerprint() -> str:
    """The running model's fingerprint, as ``make calibrate`` records it."""
    from sim.analyses.inference.fingerprint import model_fingerprint

    return model_fingerprint()


def posterior_intervals() -> dict[str, str]:
    """Each calibrated parameter's posterior 90% interval as text, from ``posterior.json``.

    Empty when no posterior is shipped or its file is unreadable (a display helper).
    """
    try:
        rows = json.loads(POSTERIOR_JSON.read_text(encoding="utf-8"))["parameters_table"]
        return {r["parameter"]: f"{r['posterior_p05']:.3g} to {r['posterior_p95']:.3g}"
                for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


CROSSVAL_CSV = paths.PACKAGE_DIR / "calibration" / "crossval.csv"


#: Labels of the shipped cross-validation's forecasts, in the order printed.
CROSSVAL_FORECASTS = {
    "cross-validated": ("cv", "null_cv", "model, cross-validated (MAIN SCORE)"),
    "in-sample": ("in", None, "model, in-sample (posterior fitted on all 53)"),
    "logit (cross-validated)": ("logit", "null_cv", "logit benchmark, cross-validated"),
}


def crossval_scores(current_hashes: dict[str, str]) -> tuple[pd.DataFrame, dict] | str:
    """The shipped cross-validation scored, or the reason it cannot be.

    Returns the score table (a ``forecast`` column: ``cross-validated``, ``in-sample``,
    ``logit (cross-validated)``; the cross-validated rows against the out-of-fold pooled
    null, the in-sample ones against the in-sample pooled null) and what it came from
    (``git_commit``, ``stale``: the episode folders changed since, ``made_utc``).
    ``current_hashes`` are the episode folders' hashes now.
    """
    from sim.analyses import scoring
    from sim.analyses.episodes import CLASSES

    if not (CROSSVAL_CSV.is_file() and POSTERIOR_JSON.is_file()):
        return "none shipped (make calibrate writes it)"
    try:
        frame = pd.read_csv(CROSSVAL_CSV)
        meta = json.loads(POSTERIOR_JSON.read_text(encoding="utf-8"))
        observed = list(frame["observed"])
        tables = []
        for forecast, (prefix, null_prefix, _) in CROSSVAL_FORECASTS.items():
            if f"{prefix}_p_A" not in frame.columns:
                continue
            null = (frame[[f"{null_prefix}_p_{c}" for c in CLASSES]].to_numpy()
                    if null_prefix else scoring.null_probabilities(
                        list(frame["trigger"]), observed, "pooled"))
            tables.append(scoring.score_table(
                frame[[f"{prefix}_p_{c}" for c in CLASSES]].to_numpy(), null, observed)
                .assign(forecast=forecast))
        table = pd.concat(tables, ignore_index=True)
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return f"{CROSSVAL_CSV} is unreadable (make calibrate rewrites it)"
    return table, {"git_commit": meta.get("git_commit", "?"), "made_utc": meta.get("made_utc"),
                   "stale": meta.get("episodes_sha256") != current_hashes}


def crossval_headline(table: pd.DataFrame) -> dict[str, float | str]:
    """The cross-validated Brier skill, its interval and the verdict (the main score)."""
    from sim.analyses import scoring

    r = table[(table.forecast == "cross-validated")
              & (table.metric == "brier_skill_vs_null")].iloc[0]
    return {"score": "cross-validated", "skill": float(r.model),
            "low": float(r.model_ci_low), "high": float(r.model_ci_high),
            "verdict": scoring.verdict(float(r.model_ci_low), float(r.model_ci_high))}


def crossval_lines(current_hashes: dict[str, str]) -> list[str]:
    """What ``make backtest`` prints first: the cross-validated main score, or why not.

    The cross-validated model, the in-sample posterior forecast beside it and the logit
    benchmark, each labelled, with the verdict read from the cross-validated row.
    """
    got = crossval_scores(current_hashes)
    if isinstance(got, str):
        return [f"Cross-validated: {got}."]
    table, meta = got
    lines = ["MAIN SCORE: cross-validated (make calibrate: 5 country folds; each held-out "
             "episode run by the model with parameters drawn from a posterior fitted "
             "without it; against the out-of-fold pooled null; the model's own "
             "probabilities, no blending, no floor):",
             f"  {'forecast':<48}{'Brier':>7}{'null':>7}{'log loss':>10}{'null':>7}"
             f"{'skill':>7}  95% interval"]
    for forecast, (_, _, label) in CROSSVAL_FORECASTS.items():
        m = table[table.forecast == forecast].set_index("metric")
        if m.empty:
            continue
        skill = m.loc["brier_skill_vs_null"]
        lines.append(f"  {label:<48}{m.loc['brier', 'model']:>7.3f}{m.loc['brier', 'null']:>7.3f}"
                     f"{m.loc['log_loss', 'model']:>10.3f}{m.loc['log_loss', 'null']:>7.3f}"
                     f"{skill['model']:>7.2f}  [{skill['model_ci_low']:.2f}, "
                     f"{skill['model_ci_high']:.2f}]")
    h = crossval_headline(table)
    lines += [f"  Verdict (main score, cross-validated): {h['verdict']} (Brier skill "
              f"{h['skill']:.2f}, 95% interval {h['low']:.2f} to {h['high']:.2f}).",
              "  (the in-sample row is scored against the in-sample pooled null)",
              f"  from commit {meta['git_commit']}"
              + ("; STALE: the episode folders changed since (run make calibrate)"
                 if meta["stale"] else "; the episode folders are the ones it ran on")]
    return lines
