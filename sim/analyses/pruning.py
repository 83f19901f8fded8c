"""The pruning rule: a parameter that moves no headline output leaves the model.

``python -m sim.analyses.pruning [--members 4000]`` applies the rule of issue 19 as
written, before any parameter is scored by it:

    A parameter that moves no headline output by at least one percentage point (or 1%
    of a state's stability) at either end of its plausible range, in any shipped
    scenario or episode, with at least 4,000 paired members, leaves the model.

**Probes.** Every shipped scenario (``scenarios/*.yaml``, each on its own region, weeks
and events) and every development episode (``sim/episodes/``, its main scenario: what
was known at the trigger). Each probe runs at the rule's member count with the
parameters **fixed** at their defaults (not drawn from the posterior), once as the
reference and once per parameter and end, on common random numbers (same seed: member
``k`` draws the same numbers in every run, so the runs are paired).

**Headline outputs.** Of a scenario: the share of members in each of the focal state's
outcomes at the horizon (:data:`sim.outcomes.OUTCOMES`) and, for every state, the
member-mean of each of the five ripple metrics (:data:`sim.model.state.METRICS`) in
every week (the ripple charts and tables are built from them). Of an episode: the share
of members in each backtest class (A, B, C) at the horizon.

**Moved.** A probability moves when its change is at least :data:`PROBABILITY_STEP`
(one percentage point); a state's stability moves when its mean changes by at least
:data:`STABILITY_STEP` of that state's baseline stability in some week (the issue's
line); the other metrics, whose baselines can be near zero, when their mean changes by
1% of the metric's scale (:data:`METRIC_STEP`: 0.02 for alignment on -1..1, 0.01 for
unrest, posture and stress on 0..1) in some week. Each change is
reported as a multiple of its step (``ratio``): a parameter is **kept** at the first
probe and end where some output's ratio reaches 1 (the search stops there), and is
**inert** when none does anywhere; its largest ratio is then reported with where it was
found. A probe whose scenario sets the parameter itself does not count for it (its
value there is the scenario's, not the default).

Exempt: the output-only conversion factors (:data:`sim.model.params.OUTPUT_ONLY`),
which no mechanism reads: they scale a reported quantity in proportion by definition.

Writes ``results/sensitivity/pruning.csv`` (one row per parameter) and prints it.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyses.backtest import EPISODES_DIR
from sim.analyses.episodes import find_episodes, load_episode
from sim.engines.ensemble import run_ensemble
from sim.model.context import build_context
from sim.model.params import OUTPUT_ONLY, PARAMS
from sim.model.scenario import Scenario, load_scenario
from sim.model.state import HOLDERS, METRICS
from sim.outcomes import CLASS_OF_HOLDER, OUTCOME_OF_HOLDER, OUTCOMES
from sim.paths import SCENARIOS_DIR, analysis_dir
from sim.regions.loader import Region, load_region

#: One percentage point: the smallest change of a probability that counts as moving it.
PROBABILITY_STEP = 0.01
#: 1% of a state's baseline stability: the smallest change of its mean that counts.
STABILITY_STEP = 0.01
#: Paired members per run (the rule's minimum).
MEMBERS = 4000
#: 1% of each other metric's scale (alignment runs from -1 to 1, the rest from 0 to 1).
METRIC_STEP = {"alignment": 0.02, "unrest": 0.01, "posture": 0.01, "stress": 0.01}
CLASSES = ("A", "B", "C")


@dataclass
class Probe:
    """One shipped scenario or episode, with its reference outputs once computed."""

    name: str
    kind: str  # "scenario" or "episode"
    scenario: Scenario
    region: Region
    reference: dict[str, np.ndarray] | None = field(default=None, repr=False)


def probes(members: int, scenario_dir: Path = SCENARIOS_DIR,
           episode_dir: Path = EPISODES_DIR) -> list[Probe]:
    """Every shipped scenario, then every development episode, at ``members`` members."""
    out = []
    for path in sorted(scenario_dir.glob("*.yaml")):
        scenario = load_scenario(path).with_overrides(members=members)
        out.append(Probe(path.stem, "scenario", scenario,
                         load_region(scenario.region_folder())))
    for folder in find_episodes([episode_dir]):
        episode = load_episode(folder)
        out.append(Probe(episode.spec.name, "episode",
                         episode.scenario.with_overrides(members=members), episode.region))
    return out


def outputs(probe: Probe, overrides: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """The probe's headline outputs (module docstring) under parameter ``overrides``.

    Returns
    -------
    dict
        ``"probability"``: shares of members per outcome (scenario) or class
        (episode) at the horizon; scenarios also give, per metric, the member-mean per
        week and state in units of the metric's step (shape (weeks + 1, states)):
        ``"stability"`` divided by :data:`STABILITY_STEP` times the state's baseline,
        the others by :data:`METRIC_STEP`.
    """
    scenario = probe.scenario.with_overrides(parameters={**probe.scenario.parameters,
                                                         **(overrides or {})})
    ctx = build_context(scenario, probe.region)
    result = run_ensemble(ctx, progress=False)
    end = [HOLDERS[h] for h in result.holder[:, -1]]
    if probe.kind == "episode":
        names = [CLASS_OF_HOLDER[h] for h in end]
        return {"probability": np.array([names.count(c) for c in CLASSES]) / len(end)}
    names = [OUTCOME_OF_HOLDER[h] for h in end]
    states = np.flatnonzero(np.array(probe.region.kinds) == "state")
    mean = result.quantiles[:, :, 0, :][:, :, states]
    out = {"probability": np.array([names.count(o) for o in OUTCOMES]) / len(end)}
    for k, metric in enumerate(METRICS):
        step = (STABILITY_STEP * ctx.baseline["stability0"][states] if metric == "stability"
                else METRIC_STEP[metric])
        out[metric] = mean[:, k, :] / step
    return out


def largest_move(reference: dict[str, np.ndarray], moved: dict[str, np.ndarray],
                 probe: Probe) -> tuple[float, str]:
    """The largest change of any headline output, as a multiple of its step, and its name.

    Examples
    --------
    >>> p = Probe("x", "episode", None, None)
    >>> largest_move({"probability": np.array([0.5, 0.3, 0.2])},
    ...              {"probability": np.array([0.48, 0.335, 0.185])}, p)
    (3.5, 'P(B)')
    """
    labels = CLASSES if probe.kind == "episode" else OUTCOMES
    change = np.abs(moved["probability"] - reference["probability"]) / PROBABILITY_STEP
    best, name = float(change.max()), f"P({labels[int(change.argmax())]})"
    for metric in METRICS:
        if metric not in reference:
            continue
        shift = np.abs(moved[metric] - reference[metric])  # already in steps
        week, column = np.unravel_index(int(shift.argmax()), shift.shape)
        if shift[week, column] > best:
            states = [a for a, k in zip(probe.region.ids, probe.region.kinds, strict=True)
                      if k == "state"]
            best, name = float(shift[week, column]), f"{metric} {states[column]} week {week}"
    return round(best, 6), name


def judge(name: str, probe_list: list[Probe], say=None) -> dict:
    """Search the probes for the first output ``name`` moves by a whole step (or none)."""
    param = PARAMS[name]
    largest = {"ratio": 0.0, "probe": "", "end": "", "output": ""}
    for probe in probe_list:
        if name in probe.scenario.parameters:
            continue  # the scenario sets it: its value there is not the default
        if probe.reference is None:
            probe.reference = outputs(probe)
        for end, value in zip(("low", "high"), param.plausible, strict=True):
            ratio, output = largest_move(probe.reference, outputs(probe, {name: value}), probe)
            if ratio > largest["ratio"]:
                largest = {"ratio": ratio, "probe": probe.name, "end": end, "output": output}
            if ratio >= 1.0:
                return {"parameter": name, "grade": param.grade, "verdict": "kept", **largest}
        if say:
            say(f"    {name}: nothing moved by a step in {probe.name} "
                f"(largest so far {largest['ratio']:.2f})")
    return {"parameter": name, "grade": param.grade, "verdict": "inert", **largest}


def prune(members: int = MEMBERS, names: list[str] | None = None,
          probe_list: list[Probe] | None = None, say=None) -> pd.DataFrame:
    """The verdict for every parameter (or ``names``): one row each, in declaration order."""
    probe_list = probe_list if probe_list is not None else probes(members)
    rows = []
    for name in names or list(PARAMS):
        if name in OUTPUT_ONLY:
            rows.append({"parameter": name, "grade": PARAMS[name].grade, "verdict": "exempt",
                         "ratio": np.nan, "probe": "", "end": "",
                         "output": "output-only conversion factor"})
            continue
        start = time.perf_counter()
        rows.append(judge(name, probe_list, say))
        if say:
            row = rows[-1]
            say(f"{name}: {row['verdict']} ({row['ratio']:.2f} steps, {row['output']} in "
                f"{row['probe']} at the {row['end']} end; {time.perf_counter() - start:.0f} s)")
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Apply the rule to every parameter, write the table and print it."""
    parser = argparse.ArgumentParser(prog="python -m sim.analyses.pruning")
    parser.add_argument("--members", type=int, default=MEMBERS,
                        help=f"paired members per run (the rule asks for at least {MEMBERS})")
    parser.add_argument("--parameters", nargs="*", default=None,
                        help="judge only these parameters (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.parameters or ()) - set(PARAMS))
    if unknown:
        print(f"error: --parameters: unknown {', '.join(unknown)}; allowed: "
              + ", ".join(PARAMS), file=sys.stderr)
        raise SystemExit(2)
    frame = prune(args.members, args.parameters,
                  say=lambda text: print(text, file=sys.stderr, flush=True))
    target = analysis_dir("sensitivity")
    target.mkdir(parents=True, exist_ok=True)
    name = "pruning.csv" if args.parameters is None else "pruning_subset.csv"
    tmp = target / f".{name}.tmp"
    frame.to_csv(tmp, index=False, float_format="%.6g")
    tmp.replace(target / name)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(frame.to_string(index=False))
    inert = frame.loc[frame.verdict == "inert", "parameter"].tolist()
    print(f"\ninert at {args.members} paired members (leave the model): "
          f"{', '.join(inert) if inert else 'none'}")
    print(f"written to {target / name}")


if __name__ == "__main__":
    main()
