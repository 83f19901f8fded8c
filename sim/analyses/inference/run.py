"""``make calibrate``: one joint fit to the literature and the 53 episodes.

It is checked by cross-validation, and its posterior ships in the repository.

``python -m sim.analyses.inference [--quick] [--points K] [--replicates R]``

1. **Simulate** (``design.py``): a Latin hypercube of ``K`` points over the plausible
   ranges of the calibrated parameters, ``R`` members each, on every episode and on the
   four literature cases of both regions; resumable per case.
2. **Emulate** (``emulator.py``): each outcome's probability as a smooth function of the
   parameters, fitted on every member.
3. **Infer** (``posterior.py``): ``N`` prior draws, weighted by the episodes'
   likelihood and kept where the literature targets hold within the stated
   discrepancy; effective sample size, contraction, intervals.
4. **Cross-validate** (``crossval.py``): country-grouped folds; per fold the posterior
   from the other folds, and the held-out episodes run by the model itself with
   parameters drawn from it; scored against the out-of-fold pooled null and beside the
   logit benchmark. The in-sample forecast (full posterior) stands beside.
5. **Write** ``results/calibration/inference/`` (tables, ``summary.txt``) and, in a full
   run only, the shipped posterior ``sim/calibration/posterior.csv`` (weighted draws)
   and ``posterior.json`` (commit, data hashes, settings, diagnostics). ``--quick``
   (CI) runs the same path on a tiny budget and writes only under ``results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim import paths
from sim.analyses import scoring
from sim.analyses.backtest import EPISODES_DIR, folder_hash
from sim.analyses.episodes import CLASSES, find_episodes, load_episode
from sim.analyses.inference import crossval, design, posterior
from sim.analyses.inference.emulator import ClassEmulator, check
from sim.analyses.run import git_commit
from sim.outputs.atomic import atomic_directory
from sim.regions.loader import load_region, region_sha256

SHIPPED_DIR = paths.PACKAGE_DIR / "calibration"
FULL = {"points": 240, "replicates": 40, "prior_draws": 200000, "members": 400}
QUICK = {"points": 16, "replicates": 8, "prior_draws": 2000, "members": 40}
PRIOR_SEED, RESAMPLE_SEED = 20261203, 20261204
REGION_LABELS = ("natural_continuing", "natural_split", "natural_failed_rival",
                 "violent_continuing", "violent_failed_rival", "wave_2020_opposition",
                 "wave_2004_opposition")
#: Rows of the shipped posterior file (the highest-weighted draws, renormalised).
SHIPPED_ROWS = 2000


def _emulators(sim: dict, names: tuple[str, ...]):
    """Fitted emulators per case, and their checks (RMS gap in Monte Carlo SEs)."""
    b = design.bounds(names)
    unit = (sim["values"] - b[:, 0]) / (b[:, 1] - b[:, 0])
    fitted, checks = {}, {}
    for case, labels in sim["cases"].items():
        if case.startswith("episode_"):
            em = ClassEmulator.fit(unit, labels["cls"], 3)
            fitted[case], checks[case] = em, check(em, unit, labels["cls"])
        else:
            for label in REGION_LABELS:
                y = labels[label].astype(np.int8)
                em = ClassEmulator.fit(unit, y, 2)
                fitted[(case, label)] = em
                checks[f"{case}:{label}"] = check(em, unit, y)
    return fitted, checks


def _fit(prior_unit, fitted, episodes, regions, observed, use, dropped=(),
         discrepancy=posterior.DISCREPANCY):
    """The posterior from the episodes in ``use`` (bool mask) and the region targets."""
    log_lik = np.zeros(len(prior_unit))
    for e, obs in zip(episodes, observed, strict=True):
        if use[episodes.index(e)]:
            p = fitted[f"episode_{e.spec.name}"].predict(prior_unit)
            log_lik += np.log(p[:, CLASSES.index(obs)])
    targets = {r.name: posterior.target_values(
        {label: fitted[(f"region_{r.name}", label)].predict(prior_unit)[:, 1]
         for label in REGION_LABELS}) for r in regions}
    kept, worst = posterior.constraint(targets, dropped, discrepancy)
    return posterior.importance_weights(log_lik, kept), kept, targets


def calibrate(quick: bool = False, points: int | None = None, replicates: int | None = None,
              progress: bool = True, discrepancy: float = posterior.DISCREPANCY) -> Path:
    """Run the whole calibration; return the results folder."""
    budget = dict(QUICK if quick else FULL)
    budget.update({k: v for k, v in (("points", points), ("replicates", replicates))
                   if v is not None})
    started = time.time()
    names = design.CALIBRATED
    bounds = design.bounds(names)
    episodes = [load_episode(p) for p in find_episodes([EPISODES_DIR])]
    regions = [load_region(paths.REGIONS_DIR / n) for n in ("belarus", "russia")]
    settings = design.Settings(budget["points"], budget["replicates"])
    label = "inference_quick" if quick else "inference"
    work = paths.RESULTS_DIR / "calibration" / f"{label}_work_{settings.fingerprint(names)}"

    def say(case: str, done: int, total: int) -> None:
        if progress:
            print(f"  [{done}/{total}] {case} ({time.time() - started:.0f} s)", flush=True)
    sim = design.simulate(work, settings, episodes, regions, names, say)
    fitted, checks = _emulators(sim, names)
    rng = np.random.default_rng(PRIOR_SEED)
    prior_unit = rng.random((budget["prior_draws"], len(names)))
    prior = bounds[:, 0] + prior_unit * (bounds[:, 1] - bounds[:, 0])
    observed = [e.spec.observed for e in episodes]
    triggers = [e.spec.trigger for e in episodes]
    everyone = np.ones(len(episodes), dtype=bool)
    weights, kept, targets = _fit(prior_unit, fitted, episodes, regions, observed, everyone,
                                  discrepancy=discrepancy)
    post = posterior.Posterior(prior, weights, kept, names)

    # the model's own forecasts: in-sample (full posterior) and per fold
    fold_of = crossval.folds([e.spec.name for e in episodes])
    members = budget["members"]
    in_sample = np.zeros((len(episodes), 3))
    cv = np.zeros((len(episodes), 3))
    picks = prior[posterior.systematic_resample(weights, members, RESAMPLE_SEED)]
    fold_ess = {}
    for f in np.unique(fold_of):
        held = fold_of == f
        held_names = {e.spec.name for e, h in zip(episodes, held, strict=True) if h}
        dropped = tuple(t for t, eps in posterior.TARGET_EPISODES.items()
                        if held_names & set(eps))
        w_f, _, _ = _fit(prior_unit, fitted, episodes, regions, observed, ~held, dropped,
                         discrepancy)
        fold_ess[int(f)] = posterior.ess(w_f)
        picks_f = prior[posterior.systematic_resample(w_f, members, RESAMPLE_SEED)]
        for i in np.flatnonzero(held):
            cv[i] = crossval.predictive(episodes[i], names, picks_f)
            in_sample[i] = crossval.predictive(episodes[i], names, picks)
        say(f"fold {f}", int(f) + 1, crossval.FOLDS)
    null_cv = crossval.fold_null(triggers, observed, fold_of)
    null_in = scoring.null_probabilities(triggers, observed, "pooled")
    logit = crossval.logit_cv(crossval.logit_features(episodes), observed, fold_of)
    tables = {
        "cross-validated": scoring.score_table(cv, null_cv, observed),
        "in-sample": scoring.score_table(in_sample, null_in, observed),
        "logit (cross-validated)": scoring.score_table(logit, null_cv, observed),
    }
    scores = pd.concat([t.assign(forecast=k) for k, t in tables.items()], ignore_index=True)
    per_episode = pd.DataFrame({
        "episode": [e.spec.name for e in episodes], "trigger": triggers,
        "observed": observed, "fold": fold_of,
        **{f"cv_p_{c}": cv[:, k] for k, c in enumerate(CLASSES)},
        **{f"in_p_{c}": in_sample[:, k] for k, c in enumerate(CLASSES)},
        **{f"logit_p_{c}": logit[:, k] for k, c in enumerate(CLASSES)},
        **{f"null_cv_p_{c}": null_cv[:, k] for k, c in enumerate(CLASSES)}})
    contraction = post.contraction(bounds)
    params = pd.DataFrame([{
        "parameter": n, "prior_low": bounds[j, 0], "prior_high": bounds[j, 1],
        "posterior_mean": float(weights @ prior[:, j]),
        "posterior_p05": post.interval(j)[0], "posterior_p95": post.interval(j)[1],
        "contraction": float(contraction[j])} for j, n in enumerate(names)])
    target_rows = []
    for region, values in targets.items():
        for name in posterior.CONSTRAINED:
            low, high = posterior.band(name)
            v = values[name]
            inside = (v >= low) & (v <= high)
            target_rows.append({"region": region, "target": name, "band_low": low,
                                "band_high": high, "posterior_mean": float(weights @ v),
                                "share_of_draws_inside": float(weights @ inside)})
    target_table = pd.DataFrame(target_rows)
    diagnostics = {
        "prior_draws": budget["prior_draws"], "kept_share": float(kept.mean()),
        "effective_sample_size": post.effective_size, "fold_effective_sample_size": fold_ess,
        "emulator_rms_gap_in_se": {"median": float(np.median(list(checks.values()))),
                                   "max": float(np.max(list(checks.values())))},
        "wall_time_s": round(time.time() - started, 1)}
    budget["discrepancy"] = discrepancy
    folder = _write(label, quick, budget, names, episodes, regions, scores, per_episode,
                    params, target_table, diagnostics, post)
    return folder


def _summary(scores: pd.DataFrame, params: pd.DataFrame, targets: pd.DataFrame,
             diagnostics: dict) -> str:
    lines = ["Calibration as inference (importance sampling from the prior, history matching "
             "to the literature, the 53 episodes' likelihood)", ""]
    lines.append(f"prior draws {diagnostics['prior_draws']}, kept by the literature "
                 f"constraints {diagnostics['kept_share']:.1%}, effective sample size "
                 f"{diagnostics['effective_sample_size']:.0f}")
    lines.append("")
    lines.append(params.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    lines.append("")
    lines.append(targets.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    lines.append("")
    main = scores[scores.metric.isin(["brier", "log_loss", "brier_skill_vs_null",
                                      "roc_auc_c"])]
    lines.append(main[["forecast", "metric", "model", "model_ci_low", "model_ci_high",
                       "null"]].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    skill = scores[(scores.forecast == "cross-validated")
                   & (scores.metric == "brier_skill_vs_null")].iloc[0]
    lines.append("")
    verdict = scoring.verdict(skill.model_ci_low, skill.model_ci_high)
    lines.append("Verdict (cross-validated, the model's own probabilities, against the "
                 f"out-of-fold pooled null): {verdict} "
                 f"(Brier skill {skill.model:.2f}, 95% interval {skill.model_ci_low:.2f} to "
                 f"{skill.model_ci_high:.2f}).")
    return "\n".join(lines) + "\n"


def _write(label, quick, budget, names, episodes, regions, scores, per_episode, params,
           target_table, diagnostics, post) -> Path:
    folder = paths.RESULTS_DIR / "calibration" / label
    summary = _summary(scores, params, target_table, diagnostics)
    manifest = {
        "made_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(), "quick": quick, "budget": budget,
        "parameters": list(names), "design_seed": design.DESIGN_SEED,
        "prior_seed": PRIOR_SEED, "resample_seed": RESAMPLE_SEED,
        "discrepancy": budget["discrepancy"],
        "max_implausibility": posterior.MAX_IMPLAUSIBILITY, "folds": crossval.FOLDS,
        "episodes_sha256": {e.spec.name: folder_hash(e.folder) for e in episodes},
        "regions_sha256": {r.name: region_sha256(r.folder) for r in regions},
        "diagnostics": diagnostics}
    with atomic_directory(folder) as tmp:
        scores.to_csv(tmp / "scores.csv", index=False)
        per_episode.to_csv(tmp / "episodes.csv", index=False)
        params.to_csv(tmp / "parameters.csv", index=False)
        target_table.to_csv(tmp / "targets.csv", index=False)
        (tmp / "summary.txt").write_text(summary, encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if not quick:
        top = np.argsort(post.weights)[::-1][:SHIPPED_ROWS]
        top = top[post.weights[top] > 0]
        draws = pd.DataFrame(post.draws[top], columns=list(names))
        draws.insert(0, "weight", post.weights[top] / post.weights[top].sum())
        SHIPPED_DIR.mkdir(exist_ok=True)
        draws.to_csv(SHIPPED_DIR / "posterior.csv", index=False, float_format="%.6g")
        # the cross-validated forecasts, which make backtest reports beside its own
        per_episode.to_csv(SHIPPED_DIR / "crossval.csv", index=False, float_format="%.6g")
        (SHIPPED_DIR / "posterior.json").write_text(
            json.dumps({**manifest, "rows": len(draws),
                        "parameters_table": params.to_dict("records"),
                        "targets": target_table.to_dict("records")}, indent=2) + "\n",
            encoding="utf-8")
    print(summary)
    print(f"written to {folder}" + ("" if quick else f" and {SHIPPED_DIR}"))
    return folder


def main(argv: list[str] | None = None) -> None:
    """Command line of ``make calibrate``."""
    parser = argparse.ArgumentParser(prog="python -m sim.analyses.inference",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a tiny budget through the same path (CI); writes only results/")
    parser.add_argument("--points", type=int, default=None)
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--discrepancy", type=float, default=posterior.DISCREPANCY,
                        help="model discrepancy of the literature targets (probability "
                             f"scale; default {posterior.DISCREPANCY})")
    args = parser.parse_args(argv)
    calibrate(args.quick, args.points, args.replicates, discrepancy=args.discrepancy)
