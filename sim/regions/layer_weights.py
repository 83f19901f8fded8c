"""The graph's layer weights as uncertainties: a region with its weights scaled.

Each layer of ``layers.csv`` carries two weights, what share of a partner's distress
passes along it (``contagion_weight``) and how much it pulls alignment
(``influence_weight``); every one is an assumption with a stated reason. An
exploration (``make explore``) can vary them like parameters: a scenario's
``uncertainties:`` block may name ``layer.<layer>.contagion`` or
``layer.<layer>.influence`` with a range of **multipliers** on the data's weight, for
example::

    uncertainties:
      layer.trade.contagion: {low: 0.5, high: 1.5}
      layer.regime.influence: {low: 0.5, high: 1.5}

A design point then runs on the region with that layer's weight scaled
(:func:`with_layer_factors`): the combined contagion and influence matrices are summed
again from the per-layer dependence, and the context applies its row cap and
normalisation as for the data (``docs/model.md`` 4.4). A multiplier of 1 gives the
data's region exactly.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.errors import UserError

#: Prefix of a layer-weight uncertainty's name.
PREFIX = "layer."
#: The two weights of a layer, by the name used after the layer.
CHANNELS = {"contagion": 0, "influence": 1}
#: Largest multiplier accepted (the weights themselves are shares in [0, 1]).
MAX_FACTOR = 5.0
#: The range :func:`all_layer_uncertainties` gives every weight: half to one and a half
#: times the data's value (assumption: the weights are judgements of relative strength,
#: ``layers.csv``, and none is known to better than that).
DEFAULT_RANGE = (0.5, 1.5)


def is_layer_factor(name: str) -> bool:
    """Whether an uncertainty names a layer weight (``layer.<layer>.<channel>``).

    Examples
    --------
    >>> is_layer_factor("layer.trade.contagion"), is_layer_factor("defection_rate")
    (True, False)
    """
    return name.startswith(PREFIX)


def parse(name: str) -> tuple[str, str]:
    """``layer.<layer>.<channel>`` -> (layer, channel), or ValueError saying what is allowed.

    Examples
    --------
    >>> parse("layer.regime.influence")
    ('regime', 'influence')
    """
    parts = name.split(".")
    if len(parts) != 3 or parts[0] + "." != PREFIX or not parts[1] or parts[2] not in CHANNELS:
        raise ValueError(f"{name!r} is not a layer weight: write layer.<layer>.contagion or "
                         "layer.<layer>.influence")
    return parts[1], parts[2]


def check_factor_range(name: str, low: float, high: float) -> str | None:
    """Why a multiplier range is not allowed, or None (0 <= low < high <= MAX_FACTOR)."""
    try:
        parse(name)
    except ValueError as exc:
        return str(exc)
    if not (0.0 <= low and high <= MAX_FACTOR):
        return (f"a layer weight's range is a multiplier of the data's weight, from 0 to "
                f"{MAX_FACTOR:g}; got {low:g} to {high:g}")
    return None


def check_layers(names, region, origin: str) -> None:
    """Refuse a layer-weight uncertainty whose layer the region does not have.

    Raises
    ------
    UserError
        Naming the scenario file, the uncertainty and the region's layers.
    """
    known = sorted(region.layer_weights)
    for name in names:
        if is_layer_factor(name) and parse(name)[0] not in region.layer_weights:
            raise UserError(origin, f"uncertainties.{name}",
                            f"the region {region.name!r} has no layer {parse(name)[0]!r}; "
                            f"its layers: {', '.join(known)}")


def all_layer_uncertainties(region) -> dict[str, tuple[float, float]]:
    """Every layer weight of the region with :data:`DEFAULT_RANGE`, in ``layers.csv`` order."""
    return {f"{PREFIX}{layer}.{channel}": DEFAULT_RANGE
            for layer in region.layer_weights for channel in CHANNELS}


def with_layer_factors(region, factors: dict[str, float]):
    """The region with each named layer weight multiplied by its factor.

    Parameters
    ----------
    region : sim.regions.loader.Region
    factors : dict of str to float
        ``layer.<layer>.<channel>`` -> multiplier (1: the data's weight).

    Returns
    -------
    Region
        A copy whose ``contagion_raw`` and ``influence_raw`` are summed again from the
        per-layer dependence with the scaled weights.

    Examples
    --------
    >>> from sim.paths import DATA_DIR
    >>> from sim.regions.loader import load_region
    >>> r = load_region(DATA_DIR)
    >>> same = with_layer_factors(r, {"layer.trade.contagion": 1.0})
    >>> bool(np.array_equal(same.contagion_raw, r.contagion_raw))
    True
    """
    weights = {layer: list(pair) for layer, pair in region.layer_weights.items()}
    for name, factor in factors.items():
        layer, channel = parse(name)
        weights[layer][CHANNELS[channel]] *= float(factor)
    n = region.n
    contagion, influence = np.zeros((n, n)), np.zeros((n, n))
    for layer, dep in region.layers.items():
        contagion += weights[layer][0] * dep
        influence += weights[layer][1] * dep
    return dataclasses.replace(region, contagion_raw=contagion, influence_raw=influence)
