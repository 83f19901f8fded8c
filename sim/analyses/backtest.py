"""Historical backtests: run every episode, score the model against the nulls.

``python -m sim backtest [PATHS]`` (``make backtest``) runs each episode
(:mod:`sim.analyses.episodes`) as two ensembles, maps each member's holder at the
horizon to a class A/B/C and scores the predicted class probabilities against what
happened (:mod:`sim.analyses.scoring` fixes the scores, the nulls and the verdict):

* **main**: only what was known on the trigger date (the trigger's event at its
  default push; the model makes its own crowd), in-sample at the default parameters.
* **conditional**: given the peak crowd reported after the trigger, labelled as such.

**The main score is the cross-validated one** of ``make calibrate``
(``sim/calibration/crossval.csv``: country-grouped folds, each held-out episode run by
the model with parameters from a posterior fitted without it): when every episode is
run, it is printed first, written to ``crossval_scores.csv`` and is the manifest's
``verdict``, with the in-sample posterior forecast and the logit benchmark beside it;
this backtest's own in-sample runs follow, labelled as such.

``--perturb N`` adds N rebuilds of every episode with its recalled inputs drawn within
their stated errors (:mod:`sim.analyses.perturb`), scored the same way, to show how
far the recall errors alone move the main score.

Writes ``results/backtest/``: ``episodes.csv`` (per episode: both forecasts, the nulls,
the flags), ``scores.csv`` (every in-sample forecast x null x subset with 95% bootstrap
intervals), ``crossval_scores.csv`` (the main score, with every episode),
``worst.csv``, ``reliability.csv``, ``perturbation.csv`` (with ``--perturb``),
``manifest.json`` (the hash of every episode folder and source file,
the commit, the settings) and ``charts/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyses import scoring
from sim.analyses.episodes import CLASS_OF_HOLDER, CLASSES, Episode, find_episodes, load_episode
from sim.engines.ensemble import run_ensemble
from sim.model.context import build_context
from sim.model.scenario import Scenario
from sim.model.state import HOLDERS
from sim.outcomes import class_legend
from sim.outputs import tables as outputs
from sim.paths import PACKAGE_DIR, analysis_dir

EPISODES_DIR = PACKAGE_DIR / "episodes"
SOURCES_DIR = EPISODES_DIR / "sources"
#: Rows of the worst-scored table.
WORST = 10


def predict(episode: Episode, members: int | None = None,
            scenario: Scenario | None = None) -> np.ndarray:
    """Counts of members ending in each class A, B, C (main scenario by default)."""
    scenario = scenario or episode.scenario
    if members is not None:
        scenario = scenario.with_overrides(members=members)
    result = run_ensemble(build_context(scenario, episode.region), progress=False)
    classes = np.array([CLASS_OF_HOLDER[HOLDERS[h]] for h in result.holder[:, -1]])
    return np.array([(classes == c).sum() for c in CLASSES])


def folder_hash(folder: Path) -> str:
    """SHA-256 over the folder's files (names and bytes, sorted by name)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_episodes(episodes: list[Episode], members: int | None,
                 progress: bool = False) -> pd.DataFrame:
    """The per-episode table: member counts and smoothed probabilities of both forecasts."""
    rows = []
    for k, episode in enumerate(episodes):
        main = predict(episode, members)
        same = episode.crowd_share == 0  # nothing fed: the conditional run is the main one
        cond = main if same else predict(episode, members, episode.conditional)
        spec = episode.spec
        row = {"episode": spec.name, "title": spec.title, "trigger": spec.trigger,
               "observed": spec.observed, "alternative": spec.alternative_class or "",
               # a vote scheduled before the trigger is an election event (rule V2)
               "no_path": bool(spec.no_path), "flag": spec.no_path or "",
               "crowd_share": episode.crowd_share,
               "members": int(main.sum())}
        for label, counts in (("", main), ("cond_", cond)):
            probs = scoring.smoothed(counts)
            row.update({f"{label}n_{c}": int(n) for c, n in zip(CLASSES, counts, strict=True)})
            row.update({f"{label}p_{c}": float(p) for c, p in zip(CLASSES, probs, strict=True)})
        rows.append(row)
        if progress:
            print(f"  [{k + 1}/{len(episodes)}] {spec.name}: P(A, B, C) = "
                  + ", ".join(f"{row[f'p_{c}']:.2f}" for c in CLASSES)
                  + f"; observed {spec.observed}", flush=True)
    return pd.DataFrame(rows)


def _probs(frame: pd.DataFrame, prefix: str = "") -> np.ndarray:
    return frame[[f"{prefix}p_{c}" for c in CLASSES]].to_numpy()


def score_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every score table of an episode table (main, conditional, alternative coding)."""
    forecasts = {"main": _probs(frame), "conditional": _probs(frame, "cond_")}
    table = scoring.all_scores(frame, forecasts)
    if (frame["alternative"] != "").any():
        alt = frame.assign(observed=[a or o for a, o in zip(frame["alternative"],
                                                            frame["observed"], strict=True)])
        extra = scoring.all_scores(alt, {"main_alternative_coding": _probs(frame)})
        table = pd.concat([table, extra[extra["subset"] == "all"]], ignore_index=True)
    return table


def headline(table: pd.DataFrame, forecast: str = "main", null_kind: str = "pooled",
             subset: str = "all") -> dict[str, float | str]:
    """The Brier skill with its interval and the verdict of one forecast set."""
    row = table[(table["forecast"] == forecast) & (table["null_kind"] == null_kind)
                & (table["subset"] == subset) & (table["metric"] == "brier_skill_vs_null")]
    r = row.iloc[0]
    return {"skill": float(r["model"]), "low": float(r["model_ci_low"]),
            "high": float(r["model_ci_high"]),
            "verdict": scoring.verdict(float(r["model_ci_low"]), float(r["model_ci_high"]))}


def summary_text(frame: pd.DataFrame, table: pd.DataFrame,
                 perturbation: pd.DataFrame | None = None,
                 crossval: list[str] | None = None) -> str:
    """The printed score tables and verdicts.

    The shipped cross-validation's lines (the main score) come first when given; this
    backtest's own in-sample runs at the default parameters stand beside them.
    """
    lines = []
    if crossval:
        lines += [*crossval, ""]
    lines += [f"{'Beside it: ' if crossval else ''}Backtest of {len(frame)} development "
             "episodes, in-sample at the default parameters (fixed point; "
             f"{int(frame['no_path'].sum())} flagged: the model has no path for what "
             "happened)", "",
             f"{'forecast':<24}{'null':<12}{'subset':<10}{'n':>4}{'Brier':>8}{'null':>8}"
             f"{'log loss':>10}{'null':>8}{'skill':>8}  95% interval"]
    for (fc, nk, sub), g in table.groupby(["forecast", "null_kind", "subset"], sort=False):
        m = g.set_index("metric")
        lines.append(f"{fc:<24}{nk:<12}{sub:<10}{int(g['episodes'].iloc[0]):>4}"
                     f"{m.loc['brier', 'model']:>8.3f}{m.loc['brier', 'null']:>8.3f}"
                     f"{m.loc['log_loss', 'model']:>10.3f}{m.loc['log_loss', 'null']:>8.3f}"
                     f"{m.loc['brier_skill_vs_null', 'model']:>8.2f}  "
                     f"[{m.loc['brier_skill_vs_null', 'model_ci_low']:.2f}, "
                     f"{m.loc['brier_skill_vs_null', 'model_ci_high']:.2f}]")
    h = headline(table)
    lines += ["", "Classes (sim/outcomes.py: who holds power at the horizon):"]
    lines += [f"  {line}" for line in class_legend()]
    label = "in-sample score" if crossval else "main score"
    lines += ["", f"Verdict ({label}, only what was known at the trigger, against the "
              f"pooled null): {h['verdict']} (Brier skill {h['skill']:.2f}, 95% interval "
              f"{h['low']:.2f} to {h['high']:.2f})."]
    if perturbation is not None and len(perturbation):
        s = perturbation["brier_skill"]
        lines.append(f"Recall errors: over {len(s)} perturbed rebuilds the main Brier skill "
                     f"ranged {s.min():.2f} to {s.max():.2f} (median {s.median():.2f}).")
    return "\n".join(lines)


def worst_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The worst-scored episodes of the main forecast, with what the model gave."""
    brier = scoring.episode_brier(_probs(frame), frame["observed"].tolist())
    out = frame[["episode", "trigger", "observed", "p_A", "p_B", "p_C", "null_A", "null_B",
                 "null_C", "no_path"]].assign(brier=brier)
    return out.sort_values("brier", ascending=False).head(WORST).reset_index(drop=True)


def backtest(paths: list[Path] | None = None, members: int | None = None,
             charts: bool = True, perturb: int = 0, progress: bool = False) -> Path:
    """Run the episodes and write ``results/backtest/``; return that folder."""
    from sim.analyses.run import git_commit

    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    folders = find_episodes(paths or [EPISODES_DIR])
    episodes = [load_episode(p) for p in folders]
    frame = run_episodes(episodes, members, progress)
    triggers, observed = frame["trigger"].tolist(), frame["observed"].tolist()
    for kind in scoring.NULLS:
        null = scoring.null_probabilities(triggers, observed, kind)
        prefix = "null_" if kind == "pooled" else f"null_{kind}_"
        for k, c in enumerate(CLASSES):
            frame[f"{prefix}{c}"] = null[:, k]
    table = score_frame(frame)
    perturbation = None
    if perturb:
        from sim.analyses.perturb import perturbation_runs

        perturbation = perturbation_runs(folders, perturb, members, progress)
    rel = scoring.reliability(_probs(frame), observed)
    crossval, cv_table, verdict = None, None, {**headline(table), "score": "in-sample"}
    if len(episodes) == len(list(EPISODES_DIR.glob("*/episode.yaml"))):
        # every episode: the shipped cross-validation (make calibrate) is the main score
        from sim.analyses.inference.shipped import (
            crossval_headline,
            crossval_lines,
            crossval_scores,
        )

        hashes = {e.spec.name: folder_hash(e.folder) for e in episodes}
        crossval = crossval_lines(hashes)
        got = crossval_scores(hashes)
        if not isinstance(got, str):
            cv_table = got[0]
            verdict = {**crossval_headline(cv_table), "stale": got[1]["stale"],
                       "in_sample": headline(table)}
    target = analysis_dir("backtest")
    with outputs.atomic_directory(target) as out:
        outputs.write_csv(frame, out / "episodes.csv")
        outputs.write_csv(table, out / "scores.csv")
        if cv_table is not None:
            outputs.write_csv(cv_table, out / "crossval_scores.csv")
        outputs.write_csv(worst_table(frame), out / "worst.csv")
        outputs.write_csv(rel, out / "reliability.csv")
        if perturbation is not None:
            outputs.write_csv(perturbation, out / "perturbation.csv")
        if charts:
            from sim.outputs.charts.backtest_charts import write_backtest_charts

            write_backtest_charts(out / "charts", frame, rel)
        sources = {p.stem: hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in sorted(SOURCES_DIR.glob("*.yaml"))}
        outputs.write_json({
            "episodes": [str(e.folder) for e in episodes],
            "folder_sha256": {e.spec.name: folder_hash(e.folder) for e in episodes},
            "source_sha256": {e.spec.name: sources.get(e.spec.name) for e in episodes},
            "git_commit": git_commit(), "members": members or int(frame["members"].iloc[0]),
            "class_of_holder": CLASS_OF_HOLDER, "smoothing": scoring.SMOOTHING,
            "death_survival_null": scoring.DEATH_SURVIVAL, "bootstrap": scoring.BOOTSTRAP,
            "min_kind_episodes": scoring.MIN_KIND_EPISODES, "perturbed_rebuilds": perturb,
            "verdict": verdict,
            "started_utc": started.isoformat(timespec="seconds"),
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "note": ("the verdict is the cross-validated score of make calibrate "
                     "(crossval_scores.csv) when every episode is run, else the in-sample "
                     "one; scores.csv is in-sample at the default parameters: the "
                     "episodes were used to build the model"),
        }, out / "manifest.json")
        (out / "summary.txt").write_text(summary_text(frame, table, perturbation, crossval)
                                         + "\n", encoding="utf-8")
    return target
