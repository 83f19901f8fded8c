"""The calibration's simulations: one design of parameter points, run on every case.

Every case (each of the 53 development episodes, and the four literature cases of each
shipped region: a natural and a violent death, a 2020-scale and a 2004-scale wave) runs
the **same** Latin hypercube of ``points`` parameter points over the plausible ranges
of :data:`CALIBRATED`, ``replicates`` members per point, as one vectorised ensemble with
per-member parameters (:meth:`sim.model.context.Context.with_design`). **Every member of
every point draws its own random numbers**: replicate ``r`` of point ``i`` draws those
of member ``first_member + i * replicates + r`` of a plain run. What each member ends in
is kept (``labels``), so the emulators (``emulator.py``) learn how each outcome's
probability moves with the parameters.

Why not common random numbers across the points: with them every point sees the same
``replicates`` random histories, so the emulators, which pool the points, carry the
Monte Carlo error of ``replicates`` members in their *level* (the same error at every
parameter value), however many points there are. Measured before this was changed, on
the shipped posterior of 40 shared histories, the emulated natural-succession
continuity of Belarus was 0.884 where 8,000 members drawing from the same posterior
gave 0.850 (docs/model.md 9.1). With independent numbers the points' errors average
out in the pooled fit. A second wave's points take the members after the first wave's
(``Settings.first_member``), so no two simulations of a case share their numbers.

Each case's labels are written to ``<work>/<case>.npz`` as soon as the case is done; a
run that is killed and started again with the same settings skips the cases already
there (``resumable``), and a file from other settings is refused by its fingerprint.

On a Dask cluster (``make calibrate SCHEDULER=tcp://host:port``, or the
``SIM_DASK_SCHEDULER`` environment variable) the cases still to run are submitted as
one task each to the cluster's workers and saved as they come back, in any order: each
case is a function of the design and its own seeds only, so the labels are the same as
in this process (``tests/test_inference.py`` runs a local cluster against it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import qmc

from sim.analyses import calibration as literature
from sim.analyses.episodes import CLASS_OF_HOLDER, CLASSES, Episode
from sim.analyses.inference.fingerprint import model_fingerprint
from sim.engines.ensemble import run_ensemble
from sim.engines.executors import plan_local
from sim.model.context import build_context
from sim.model.params import PARAMS
from sim.model.scenario import Scenario
from sim.model.state import HOLDER, HOLDERS
from sim.regions.loader import Region

#: The parameters the calibration infers: the defection rule, the succession, the
#: patron's takeover, the evidence weights and vote base rates of issue 19 and the
#: weight of crowds for the ruler (rule RC8).
CALIBRATED: tuple[str, ...] = (
    "defection_crowd", "defection_rate", "defection_threshold", "defection_tolerance_spread",
    "transition_split_rate", "rival_win_share",
    "patron_intervention_rate", "cohesion_weight", "lame_duck_weight", "linkage_weight",
    "capacity_weight", "election_loss_autocracy", "election_loss_democracy", "rally_weight",
)
#: Seed of the design (the simulations' random numbers come from each case's seed).
DESIGN_SEED = 20261202
#: Per-member labels of a literature case: which outcomes each member ends in.
TARGET_LABELS = ("continuing", "split", "failed", "failed_rival", "opposition")
#: Version of the literature cases' simulation, part of their cached files' fingerprint
#: (2: the violent death draws its own random numbers, ``calibration.VIOLENT_SEED``).
LITERATURE_CASES_VERSION = 2


@dataclass(frozen=True)
class Settings:
    """How much to simulate: design points and members per point."""

    points: int
    replicates: int
    #: The plain-run member whose random numbers the design's first row draws (a second
    #: wave starts after the first wave's rows).
    first_member: int = 0

    def fingerprint(self, names: tuple[str, ...], values: np.ndarray | None = None) -> str:
        """A short hash of the settings, the parameter list and the model (a work folder).

        A cached case is reused only by the same model on the same data. ``values`` (a
        design given point by point, as a second wave's) enters the hash by its bytes;
        without it the design is the Latin hypercube of :data:`DESIGN_SEED`.
        """
        given = (None if values is None else
                 hashlib.sha256(np.ascontiguousarray(values, dtype=np.float64).tobytes())
                 .hexdigest())
        text = json.dumps({"points": self.points, "replicates": self.replicates,
                           "names": names, "seed": DESIGN_SEED, "values": given,
                           "dice": ["independent", self.first_member],
                           "model": model_fingerprint()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def bounds(names: tuple[str, ...] = CALIBRATED) -> np.ndarray:
    """Plausible ranges (the uniform prior), shape (len(names), 2)."""
    return np.array([PARAMS[n].plausible for n in names], dtype=float)


def latin_hypercube(points: int, names: tuple[str, ...] = CALIBRATED,
                    seed: int = DESIGN_SEED) -> np.ndarray:
    """The design: ``points`` rows of parameter values on their plausible ranges."""
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(points)
    b = bounds(names)
    return b[:, 0] + unit * (b[:, 1] - b[:, 0])


def _design_run(scenario: Scenario, region: Region, names: tuple[str, ...],
                values: np.ndarray, replicates: int, first_member: int = 0,
                chunk_rows: int = 8000) -> np.ndarray:
    """Holder codes per member over every week, rows point-major, shape (P*R, weeks + 1).

    Row ``k`` (point ``k // replicates``) draws the random numbers of plain-run member
    ``first_member + k``: no two rows share them.
    """
    total = len(values) * replicates
    ctx = build_context(scenario.with_overrides(members=first_member + total), region)
    # Design arrays are indexed by the member a row runs as; the first ``first_member``
    # entries are never run (they only shift the rows onto fresh random numbers).
    pad = np.zeros(first_member)
    design = {n: np.concatenate([pad, np.repeat(values[:, j], replicates)])
              for j, n in enumerate(names)}
    design_ctx = ctx.with_design(design, first_member + total)
    out = []
    step = max(1, chunk_rows // replicates) * replicates  # whole points per chunk
    for start in range(0, total, step):
        rows = first_member + np.arange(start, min(total, start + step))
        result = run_ensemble(design_ctx, members=rows, progress=False,
                              executor=plan_local(len(rows), region.n))
        out.append(result.holder)
    return np.concatenate(out)


def episode_labels(episode: Episode, names: tuple[str, ...], values: np.ndarray,
                   replicates: int, first_member: int = 0) -> np.ndarray:
    """Class index (0 A, 1 B, 2 C) of every member at the horizon, rows point-major."""
    holder = _design_run(episode.scenario, episode.region, names, values, replicates,
                         first_member)[:, -1]
    lookup = np.array([CLASSES.index(CLASS_OF_HOLDER[h]) for h in HOLDERS])
    return lookup[holder].astype(np.int8)


def target_labels(region: Region, names: tuple[str, ...], values: np.ndarray,
                  replicates: int, first_member: int = 0) -> dict[str, np.ndarray]:
    """Per-member outcomes of the four literature cases (``calibration.py`` targets)."""
    continuing = [HOLDER[h] for h in literature.CONTINUING]

    def case(events, extra=None, weeks=53, seed=literature.SEED):
        scenario = Scenario.in_code("calibration", weeks=weeks, members=replicates,
                                    seed=seed, events=events,
                                    parameters=dict(extra or {}))
        return _design_run(scenario, region, names, values, replicates, first_member)

    out = {}
    for mode, seed in (("natural", literature.SEED), ("violent", literature.VIOLENT_SEED)):
        # The violent death has its own seed: with the natural hazard and the natural
        # case's numbers its members would repeat the natural members exactly.
        path = case(literature._death(mode), seed=seed)
        end = path[:, 53]
        alive = np.isin(end, continuing)
        out[f"{mode}_continuing"] = alive
        out[f"{mode}_failed_rival"] = ~alive & (end == HOLDER["rival_takeover"])
        if mode == "natural":
            out["natural_split"] = (path[:, :53] == HOLDER["contested"]).any(axis=1)
    quiet = {"health_risk_multiplier": 0.0}
    end = case(literature._wave(literature.WAVE_2020), quiet)[:, 53]
    out["wave_2020_opposition"] = end == HOLDER["opposition_led"]
    end = case(literature._wave(literature.WAVE_2004),
               {**quiet, "elite_loyalty_factor": 0.75, "patron_support_gain": 0.0})[:, 53]
    out["wave_2004_opposition"] = end == HOLDER["opposition_led"]
    return out


def simulate(work: Path, settings: Settings, episodes: list[Episode],
             regions: list[Region], names: tuple[str, ...] = CALIBRATED,
             progress: Callable[[str, int, int], None] | None = None,
             values: np.ndarray | None = None, client=None) -> dict[str, dict]:
    """Run (or resume) every case; return ``{case: {label: array}}`` and the design.

    ``work`` holds one ``.npz`` per finished case; a case already there (same
    fingerprint) is read, not run again. ``values`` gives the design point by point
    (a second wave's points, ``waves.py``); by default the Latin hypercube. ``client``
    (a ``distributed.Client``) runs the cases still to do as tasks on its cluster.
    """
    work.mkdir(parents=True, exist_ok=True)
    fingerprint = settings.fingerprint(names, values)
    if values is None:
        values = latin_hypercube(settings.points, names)
    cases: list[tuple[str, Callable[[], dict[str, np.ndarray]]]] = [
        (f"region_{r.name}", lambda r=r: target_labels(r, names, values, settings.replicates,
                                  settings.first_member))
        for r in regions]
    cases += [(f"episode_{e.spec.name}",
               lambda e=e: {"cls": episode_labels(e, names, values, settings.replicates,
                                                 settings.first_member)})
              for e in episodes]
    out: dict[str, dict] = {}
    todo = []

    def case_fingerprint(name: str) -> str:
        # a literature case's file also carries the version of how those cases run
        return (f"{fingerprint}-lit{LITERATURE_CASES_VERSION}" if name.startswith("region_")
                else fingerprint)

    for name, run in cases:
        path = work / f"{name}.npz"
        if path.is_file():
            with np.load(path) as stored:
                if str(stored["fingerprint"]) == case_fingerprint(name):
                    out[name] = {key: stored[key] for key in stored.files if key != "fingerprint"}
                    continue
        todo.append((name, run))

    def keep(name: str, labels: dict[str, np.ndarray]) -> None:
        path = work / f"{name}.npz"
        partial = path.with_suffix(".tmp.npz")
        np.savez_compressed(partial, fingerprint=np.array(case_fingerprint(name)), **labels)
        partial.replace(path)  # a killed run leaves no half-written case behind
        out[name] = labels
        if progress is not None:
            progress(name, len(out), len(cases))

    if client is None:
        for name, run in todo:
            keep(name, run())
    else:
        from distributed import as_completed

        futures = {client.submit(run, pure=False, key=f"{name}-{fingerprint[:12]}"): name
                   for name, run in todo}
        for future in as_completed(futures):
            keep(futures[future], future.result())
    return {"values": values, "cases": {name: out[name] for name, _ in cases}}
