"""History matching in waves: refocus the design on the region the literature allows.

A first wave's Latin hypercube spreads its points over the whole prior box, but the
literature targets rule most of that box out (about 99% of prior draws at the stated
discrepancy): most wave-1 simulations teach the emulators about parameter values that
the posterior never uses. Refocusing (Vernon, Goldstein & Bower 2010, section 4;
Williamson et al. 2013) runs a **second wave** of design points drawn from the
not-ruled-out-yet region of wave 1 (``NROY``: every target's implausibility at most 3
under the wave-1 emulators) and a **third** from the NROY that waves 1 and 2 leave.
Each later wave's emulators are fitted on the design points inside the region it
refines (``run.py``; Vernon et al. build each wave's emulators on the runs inside the
previous NROY), so a global quadratic fit's compromise with the far corners of the
prior box does not bias them where the posterior lies. A prior draw is kept only if
it is non-implausible under **every** wave's emulators; the episodes' likelihood and
the probability that the draw meets every band (``posterior.band_log_probability``)
then weigh the draws that remain.

Steps (each a function here; ``run.py`` drives them):

1. :func:`screen_prior`: ``N`` draws from the uniform prior, in chunks so that
   millions fit in memory; the wave-1 implausibility of every target, and the draws
   that survive the targets no fold ever drops (the candidates).
2. :func:`wave_points`: a later wave's design, the first ``K`` candidates (a uniform
   sample of the prior restricted to the NROY, since the draws are in random order)
   that are non-implausible for the targets in use under every earlier wave
   (:func:`nroy_rows`).
3. :func:`merge`, :func:`inside`, :func:`select`: the waves' simulations as one
   design, and the points of it inside a wave's region, for that wave's emulators.
4. :func:`weigh`: the draws non-implausible under every wave, weighted by the
   episodes' likelihood and the probability of meeting every band, both under the last
   wave's emulators.

The cross-validation runs the same steps inside each fold: a fold that drops a
literature target (a stylised version of one of its held-out episodes) gets its own
NROY, its own later waves' designs and simulations; folds that drop nothing share the
full fit's later waves, which is what the same procedure gives them (the NROY reads only
the literature targets, never an episode).

References
----------
Vernon, I., Goldstein, M. & Bower, R. G. (2010). Galaxy formation: a Bayesian
uncertainty analysis. Bayesian Analysis 5(4), 619-669.
Williamson, D., Goldstein, M., Allison, L., Blaker, A., Challenor, P., Jackson, L. &
Yamazaki, K. (2013). History matching for exploring and reducing climate model
parameter space using observations and a large perturbed physics ensemble. Climate
Dynamics 41, 1703-1729.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from sim.analyses.inference import posterior

#: Prior draws evaluated at once (memory: about 30 MB of emulator inputs per 250,000).
CHUNK = 250_000
#: Targets some fold drops (``posterior.TARGET_EPISODES``); the others always apply.
DROPPABLE = tuple(posterior.TARGET_EPISODES)


@dataclass(frozen=True)
class Candidates:
    """Prior draws that survive wave 1's never-dropped targets, and their implausibility.

    ``unit`` are the draws on the unit cube (rows in the order drawn), ``implausibility``
    the wave-1 value of every constrained target (the worst over regions) on those
    rows, and ``total`` how many prior draws were screened.
    """

    unit: np.ndarray
    implausibility: dict[str, np.ndarray]
    total: int


def worst_implausibility(targets_by_region: Mapping[str, Mapping[str, np.ndarray]],
                         discrepancy: float) -> dict[str, np.ndarray]:
    """Each constrained target's implausibility, the worst over the regions."""
    out: dict[str, np.ndarray] = {}
    for values in targets_by_region.values():
        for name in posterior.CONSTRAINED:
            i = posterior.implausibility(values[name], name, discrepancy)
            out[name] = i if name not in out else np.maximum(out[name], i)
    return out


def non_implausible(implausibility: Mapping[str, np.ndarray],
                    dropped: Iterable[str] = ()) -> np.ndarray:
    """Draws whose every target in use has implausibility at most 3.

    Examples
    --------
    >>> non_implausible({"a": np.array([0.0, 4.0]), "b": np.array([5.0, 1.0])}, ["b"])
    array([ True, False])
    """
    dropped = set(dropped)
    kept = None
    for name, values in implausibility.items():
        if name in dropped:
            continue
        ok = values <= posterior.MAX_IMPLAUSIBILITY
        kept = ok if kept is None else kept & ok
    if kept is None:
        raise ValueError("every target dropped: nothing to match")
    return kept


def screen_prior(targets_of, draws: int, dims: int, seed: int, discrepancy: float,
                 chunk: int = CHUNK) -> Candidates:
    """Screen ``draws`` uniform prior draws through wave 1's emulators.

    Parameters
    ----------
    targets_of : callable
        Unit-cube draws (n, dims) -> ``{region: {target: values (n,)}}`` under the
        wave-1 emulators.
    draws, dims : int
        Prior draws to take and parameters per draw.
    seed : int
        Seed of the prior draws (taken ``chunk`` rows at a time from one generator, so
        the draws do not depend on the chunk size's memory but only on ``seed``).
    discrepancy : float
        The history-matching discrepancy (probability scale).
    """
    rng = np.random.default_rng(seed)
    units, impl = [], {name: [] for name in posterior.CONSTRAINED}
    always = [t for t in posterior.CONSTRAINED if t not in DROPPABLE]
    for start in range(0, draws, chunk):
        unit = rng.random((min(chunk, draws - start), dims))
        worst = worst_implausibility(targets_of(unit), discrepancy)
        keep = non_implausible({t: worst[t] for t in always})
        units.append(unit[keep])
        for name in posterior.CONSTRAINED:
            impl[name].append(worst[name][keep])
    return Candidates(np.concatenate(units),
                      {n: np.concatenate(v) for n, v in impl.items()}, draws)


def nroy_rows(candidates: Candidates, dropped: tuple[str, ...], later=(),
              discrepancy: float = posterior.DISCREPANCY) -> np.ndarray:
    """Candidate rows non-implausible under wave 1 and under every later wave in ``later``.

    ``later`` holds, per wave after the first, its emulators' targets (unit-cube draws
    -> ``{region: {target: values}}``); a wave's emulators are only evaluated on the rows
    the waves before it kept.
    """
    rows = np.flatnonzero(non_implausible(candidates.implausibility, dropped))
    for targets_of in later:
        if len(rows) == 0:
            break
        worst = worst_implausibility(targets_of(candidates.unit[rows]), discrepancy)
        rows = rows[non_implausible(worst, dropped)]
    return rows


def inside(unit: np.ndarray, every_wave, dropped: tuple[str, ...],
           discrepancy: float = posterior.DISCREPANCY) -> np.ndarray:
    """Which design points (unit cube) are non-implausible under every wave in ``every_wave``.

    ``every_wave`` holds each wave's targets function, wave 1 first: the points of the
    region the next wave's emulators describe (:func:`select`).
    """
    kept = np.ones(len(unit), dtype=bool)
    for targets_of in every_wave:
        kept &= non_implausible(worst_implausibility(targets_of(unit), discrepancy), dropped)
    return kept


def wave_points(candidates: Candidates, dropped: tuple[str, ...], points: int, later=(),
                discrepancy: float = posterior.DISCREPANCY) -> np.ndarray:
    """The next wave's design on the unit cube: the first ``points`` NROY candidates.

    The NROY is wave 1's, narrowed by every later wave's emulators in ``later``
    (:func:`nroy_rows`); the candidates are in the order drawn, so these are a uniform
    sample of the prior restricted to it.

    Raises
    ------
    ValueError
        When no candidate is non-implausible (the targets cannot all be met).
    """
    rows = nroy_rows(candidates, dropped, later, discrepancy)
    if len(rows) == 0:
        raise ValueError(f"no prior draw is non-implausible after wave {1 + len(later)}: the "
                         "literature targets cannot all be met within the discrepancy")
    return candidates.unit[rows[:points]]


def merge(first: dict, second: dict) -> dict:
    """Two waves' simulations (``design.simulate`` results) as one design."""
    cases = {case: {label: np.concatenate([labels[label], second["cases"][case][label]])
                    for label in labels} for case, labels in first["cases"].items()}
    return {"values": np.vstack([first["values"], second["values"]]), "cases": cases}


def select(sim: dict, keep: np.ndarray) -> dict:
    """The design points ``keep`` (a mask over ``sim["values"]``) with their members' labels.

    Labels are point-major (``replicates`` members per point), so a point's members stay
    together.
    """
    points = len(sim["values"])
    cases = {}
    for case, labels in sim["cases"].items():
        cases[case] = {}
        for label, y in labels.items():
            shaped = y.reshape(points, len(y) // points, *y.shape[1:])
            cases[case][label] = shaped[keep].reshape(-1, *y.shape[1:])
    return {"values": sim["values"][keep], "cases": cases}


@dataclass(frozen=True)
class Weighed:
    """The draws kept by every wave, their weights and their emulated targets."""

    rows: np.ndarray                      # indices into the candidates
    weights: np.ndarray                   # sum 1, one per kept row
    targets: dict[str, dict[str, np.ndarray]]   # region -> target -> value per kept row
    band_probability: np.ndarray          # per kept row: P(meets every band in use)


def weigh(candidates: Candidates, dropped: tuple[str, ...], targets_of, log_likelihood_of,
          discrepancy: float, earlier=()) -> Weighed:
    """Keep the draws non-implausible under every wave; weight them by the likelihood.

    ``targets_of`` are the last wave's emulators' targets, ``earlier`` those of the waves
    between the first and the last (wave 1's implausibility is in the candidates),
    ``log_likelihood_of`` maps unit-cube draws to the log-likelihood of the episodes in
    use. Each kept draw's weight is that likelihood times the probability that it meets
    every band in use under the last wave's emulators
    (:func:`posterior.band_log_probability`, the emulator's error ``discrepancy``).

    Raises
    ------
    ValueError
        When no draw survives every wave.
    """
    rows = nroy_rows(candidates, dropped, earlier, discrepancy)
    targets = targets_of(candidates.unit[rows])
    second = non_implausible(worst_implausibility(targets, discrepancy), dropped)
    rows = rows[second]
    targets = {r: {t: v[second] for t, v in values.items()} for r, values in targets.items()}
    log_band = (posterior.band_log_probability(targets, dropped, discrepancy)
                if len(rows) else np.zeros(0))
    log_lik = log_likelihood_of(candidates.unit[rows]) + log_band
    weights = posterior.importance_weights(log_lik, np.ones(len(rows), dtype=bool))
    return Weighed(rows, weights, targets, np.exp(log_band))
