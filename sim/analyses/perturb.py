"""How far the recall errors alone move the backtest: rebuild every episode perturbed.

Each replicate rebuilds every episode from its source file with the recalled figures
drawn uniformly within the errors the README states for them (:data:`ERRORS`), by the
same builder and rules, and scores the main forecast against the pooled null. The
spread of the Brier skill across replicates is what the recall errors could move.
Draws come from ``numpy.random.default_rng((PERTURB_SEED, replicate, episode))``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyses import scoring
from sim.analyses.episodes import load_episode
from sim.episodes import rules
from sim.episodes.build import build_into
from sim.episodes.source import EpisodeSource

PERTURB_SEED = 20261202
#: Members per episode and replicate when none are given (the spread across replicates
#: is the quantity of interest; the binomial standard error of a class share at 300
#: members is at most 2.9 points, at p = 0.5).
MEMBERS = 300
#: Stated recall errors (sim/episodes/README.md): relative (x) or absolute (+) half-widths.
ERRORS = {"pop": ("x", 0.03), "gdp": ("x", 0.15), "cinc": ("x", 0.30),
          "wgi_pv": ("+", 10.0), "wgi_va": ("+", 10.0), "civlib": ("+", 0.1),
          "ideal": ("+", 0.4), "milex": ("+", 0.5), "trade": ("x", 0.5),
          "energy": ("+", 0.15), "debt": ("x", 0.25), "troops": ("x", 0.5)}
BOUNDS = {"wgi_pv": (0.0, 100.0), "wgi_va": (0.0, 100.0), "civlib": (0.0, 1.0),
          "ideal": (-5.0, 5.0), "milex": (0.0, 100.0), "energy": (0.01, 1.0),
          "cinc": (1e-7, 0.99)}


def _draw(rng: np.random.Generator, field: str, value: float) -> float:
    kind, width = ERRORS[field]
    u = rng.uniform(-width, width)
    out = value * (1 + u) if kind == "x" else value + u
    low, high = BOUNDS.get(field, (1e-9, np.inf))
    return float(np.clip(out, low, high))


def perturbed(source: EpisodeSource, rng: np.random.Generator) -> EpisodeSource:
    """A copy of ``source`` with every recalled figure drawn within its stated error."""
    states = {}
    for sid, f in source.states.items():
        update = {k: _draw(rng, k, getattr(f, k)) for k in
                  ("pop", "gdp", "cinc", "wgi_pv", "wgi_va", "civlib")}
        if f.ideal is not None:
            update["ideal"] = _draw(rng, "ideal", f.ideal)
        if f.milex is not None:
            update["milex"] = _draw(rng, "milex", f.milex)
        states[sid] = f.model_copy(update=update)
    pole_m = _draw(rng, "ideal", source.pole_moscow)
    moscow = states.get(rules.POLE_MOSCOW)
    if moscow is not None and moscow.ideal is not None:
        pole_m = moscow.ideal  # the pole is the pole state's own row
    pole_w = max(_draw(rng, "ideal", source.pole_west), pole_m + 0.1)
    trade = [(a, b, _draw(rng, "trade", v) if v > 0 else 0.0) for a, b, v in source.trade]

    def ties(name: str) -> list:
        return [t.model_copy(update={"value": _draw(rng, name, t.value)})
                for t in getattr(source, name)]

    return source.model_copy(update={
        "states": states, "pole_moscow": pole_m, "pole_west": pole_w, "trade": trade,
        "energy": ties("energy"), "debt": ties("debt"), "troops": ties("troops")})


def perturbation_runs(folders: list[Path], replicates: int, members: int | None = None,
                      progress: bool = False) -> pd.DataFrame:
    """Main-forecast scores of ``replicates`` perturbed rebuilds of the episodes."""
    from sim.analyses.backtest import run_episodes

    names = [Path(f).name for f in folders]
    rows = []
    for r in range(replicates):
        counter = iter(range(len(names)))

        def transform(source: EpisodeSource, r: int = r, counter=counter) -> EpisodeSource:
            return perturbed(source, np.random.default_rng((PERTURB_SEED, r, next(counter))))

        with tempfile.TemporaryDirectory() as tmp:
            built = build_into(Path(tmp), names, transform)
            frame = run_episodes([load_episode(b) for b in built], members or MEMBERS)
        observed = frame["observed"].tolist()
        null = scoring.null_probabilities(frame["trigger"].tolist(), observed, "pooled")
        probs = frame[["p_A", "p_B", "p_C"]].to_numpy()
        model_s, null_s = scoring.scores(probs, observed), scoring.scores(null, observed)
        rows.append({"replicate": r, "episodes": len(frame), "brier": model_s["brier"],
                     "null_brier": null_s["brier"], "log_loss": model_s["log_loss"],
                     "brier_skill": (1 - model_s["brier"] / null_s["brier"]
                                     if null_s["brier"] > 0 else float("nan")),
                     "roc_auc_c": model_s["roc_auc_c"]})
        if progress:
            print(f"  perturbed rebuild {r + 1}/{replicates}: Brier skill "
                  f"{rows[-1]['brier_skill']:.3f}", flush=True)
    return pd.DataFrame(rows)
