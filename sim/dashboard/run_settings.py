"""How a stored run set its parameters and its events, read from its ``manifest.json``.

The Results page's parameter card and mode line, and the Past runs page, read these;
every reader tolerates a manifest of any shape (a wrong one raises
:class:`sim.dashboard.data.BrokenFolder`, shown as an error card).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.analyses.inference.shipped import posterior_intervals
from sim.dashboard.data import BrokenFolder
from sim.model.params import PARAMS


@dataclass(frozen=True)
class ParameterMode:
    """How a run set its parameters, read from ``manifest.json`` (``engine.mode``).

    Attributes
    ----------
    recorded : bool
        Whether the manifest says (older manifests do not).
    uncertain : bool
        Drawn per member from their ranges (``make run UNCERTAIN=1``).
    drawn : dict
        The drawn parameters' ranges (``{name: {"low": ..., "high": ...}}``).
    """

    recorded: bool
    uncertain: bool
    drawn: dict = field(default_factory=dict)
    #: Drawn from the calibrated posterior (``make run``, the default).
    posterior: bool = False

    @property
    def label(self) -> str:
        """The mode in a few words (the Results page's mode line, the Past runs table)."""
        if self.posterior:
            return "drawn per member from the calibrated posterior (the default)"
        if self.uncertain:
            return "drawn per member from their ranges (UNCERTAIN=1)"
        return ("fixed at their values in every member (FIXED=1)" if self.recorded
                else "mode not recorded in manifest.json")

    @property
    def intervals(self) -> str:
        """What the run's 95% intervals cover, in one sentence."""
        if self.posterior:
            return (f"95% Wilson intervals across members whose {len(self.drawn)} calibrated "
                    "parameters were drawn from the posterior of make calibrate "
                    "(the default): they cover Monte Carlo noise and what the literature "
                    "and the 53 episodes leave uncertain, not the data's or the model's "
                    "structure.")
        if self.uncertain:
            return (f"95% Wilson intervals across members whose {len(self.drawn)} uncertain "
                    "parameters were drawn from their ranges (UNCERTAIN=1): they cover "
                    "Monte Carlo noise and those parameters' uncertainty, not the data's or "
                    "the model's structure.")
        if self.recorded:
            return ("95% Wilson intervals: Monte Carlo noise only, with the parameters "
                    "fixed at the values below (FIXED=1; a plain make run draws the "
                    "calibrated ones from the posterior, the column beside).")
        return ("95% Wilson intervals across members; this run's manifest does not record "
                "whether its parameters were fixed or drawn.")


def parameter_mode(manifest: dict) -> ParameterMode:
    """The :class:`ParameterMode` of a run's manifest (tolerant of any shape)."""
    engine = manifest.get("engine")
    mode = engine.get("mode") if isinstance(engine, dict) else None
    if not isinstance(mode, dict) or "parameters" not in mode:
        return ParameterMode(recorded=False, uncertain=False)
    drawn = mode.get("uncertainties")
    uncertain = str(mode.get("parameters")).startswith("uncertain")
    return ParameterMode(recorded=True, uncertain=uncertain,
                         drawn=dict(drawn) if uncertain and isinstance(drawn, dict) else {},
                         posterior=uncertain and isinstance(mode.get("posterior"), dict))


def parameter_rows(manifest: dict) -> pd.DataFrame:
    """Every declared parameter with the value this run used and its provenance.

    Columns: name, symbol, value, default, changed, drawn (the range it was drawn from
    per member, '' if fixed), unit, plausible, posterior (the 90% interval of make
    calibrate's posterior, '' if not calibrated), grade, source, description.
    """
    used = manifest.get("parameters") or {}
    if not isinstance(used, dict):
        raise BrokenFolder("manifest.json: parameters is not an object")
    drawn = parameter_mode(manifest).drawn
    posterior = posterior_intervals()
    rows = []
    for p in PARAMS.values():
        value = float(used.get(p.name, p.default))
        spec = drawn.get(p.name)
        span = (f"{float(spec['low']):g} to {float(spec['high']):g}"
                if isinstance(spec, dict) and {"low", "high"} <= spec.keys() else "")
        rows.append({"name": p.name, "symbol": p.symbol, "value": value,
                     "default": p.default, "changed": value != p.default and not span,
                     "drawn": span, "unit": p.unit,
                     "plausible": f"{p.plausible[0]:g} to {p.plausible[1]:g}",
                     "posterior": posterior.get(p.name, ""),
                     "grade": p.grade, "source": p.source, "description": p.description})
    return pd.DataFrame(rows)


def forced_events(manifest: dict) -> list[str]:
    """The scenario's forced events, one readable line each, by week."""
    lines = []
    events = manifest.get("events") or []
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise BrokenFolder("manifest.json: events is not a list of objects")
    for event in sorted(events, key=lambda e: e["week"] if isinstance(e.get("week"), int)
                        else 0):
        details = ", ".join(f"{k} {v}" for k, v in event.items() if k not in ("type", "week"))
        lines.append(f"week {event.get('week')}: {event.get('type')}"
                     + (f" ({details})" if details else ""))
    return lines


#: The run form's parameter modes: label shown -> the RunForm's ``fixed`` flag.
FORM_MODES = {"Drawn from the calibrated posterior (default)": False,
              "Fixed at the defaults (FIXED=1)": True}
