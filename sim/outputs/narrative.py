"""Probabilities in words: the US ICD 203 likelihood scale, and the run's short narrative.

Intelligence Community Directive 203, *Analytic Standards* (ODNI, 2015), section
D.6.b(2)(a), fixes seven terms with non-overlapping ranges of probability::

    almost no chance     01-05%        likely               55-80%
    very unlikely        05-20%        very likely          80-95%
    unlikely             20-45%        almost certain       95-99%
    roughly even chance  45-55%

The directive defines no term below 1% or above 99%. This module uses "almost no
chance" and "almost certain" there too, and always prints the number beside the word
with "under 1%" or "over 99%", so the word never stands for more than the scale says.
A value on a boundary takes the higher band (5% is "very unlikely").
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim import paths
from sim.outcomes import PHRASES as OUTCOME_PHRASES

#: (lower bound of the band, term), lowest first; a probability p takes the last band
#: whose bound is at most p.
ICD203_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "almost no chance"),
    (0.05, "very unlikely"),
    (0.20, "unlikely"),
    (0.45, "roughly even chance"),
    (0.55, "likely"),
    (0.80, "very likely"),
    (0.95, "almost certain"),
)


def likelihood_term(probability: float) -> str:
    """The ICD 203 term of a probability in [0, 1].

    Examples
    --------
    >>> [likelihood_term(p) for p in (0.003, 0.05, 0.3, 0.5, 0.7, 0.87, 0.999)]
    ['almost no chance', 'very unlikely', 'unlikely', 'roughly even chance', 'likely', \
'very likely', 'almost certain']
    """
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"a probability lies in [0, 1], not {probability}")
    term = ICD203_BANDS[0][1]
    for low, name in ICD203_BANDS:
        if probability >= low:
            term = name
    return term


def percent_text(probability: float) -> str:
    """The number printed beside a term: whole percent, 'under 1%' or 'over 99%'.

    Examples
    --------
    >>> percent_text(0.004), percent_text(0.119), percent_text(0.9995)
    ('under 1%', '12%', 'over 99%')
    """
    if probability < 0.01:
        return "under 1%"
    if probability > 0.99:
        return "over 99%"
    return f"{100 * probability:.0f}%"


def phrase(probability: float, low: float, high: float) -> str:
    """'very likely (87%, 95% interval 85-89%)'."""
    return (f"{likelihood_term(probability)} ({percent_text(probability)}, 95% interval "
            f"{100 * low:.0f}-{100 * high:.0f}%)")


#: How each outcome of the focal state reads in a sentence (:mod:`sim.outcomes`).
PHRASES: dict[str, str] = dict(OUTCOME_PHRASES)


def run_narrative(folder: Path, outcomes_order: tuple[str, ...], focal_name: str,
                  phrases: dict[str, str] | None = None) -> list[str]:
    """A few sentences on a finished run: who rules, what that covers, ripples, track record.

    Parameters
    ----------
    folder : pathlib.Path
        The run's folder (``outcomes.csv``, ``manifest.json``).
    outcomes_order : tuple of str
        The focal state's outcomes (the rows of ``outcomes.csv`` to read).
    focal_name : str
        The focal state's name.
    phrases : dict, optional
        How each outcome reads in a sentence (default :data:`PHRASES`).
    """
    labels = phrases or PHRASES
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    outcomes = pd.read_csv(folder / "outcomes.csv")
    rows = outcomes[outcomes["outcome"].isin(outcomes_order)].sort_values(
        "probability", ascending=False)
    parts = [f"{labels.get(r.outcome, r.outcome)}: "
             f"{phrase(r.probability, r.ci_low, r.ci_high)}"
             for r in rows.itertuples() if r.probability >= 0.01]
    rare = [labels.get(r.outcome, r.outcome) for r in rows.itertuples() if r.probability < 0.01]
    lines = [f"{focal_name} at week {manifest['weeks']}: " + "; ".join(parts) + "."]
    if rare:
        lines.append("Almost no chance (under 1% each) that " + "; or that ".join(rare) + ".")
    mode = manifest.get("engine", {}).get("mode", {})
    drawn = isinstance(mode, dict) and str(mode.get("parameters", "")).startswith("uncertain")
    if drawn and "posterior" in mode:
        covers = ("Monte Carlo noise and the calibrated parameters drawn from their "
                  "posterior (make calibrate)")
    elif drawn:
        covers = "Monte Carlo noise and the parameters drawn from their plausible ranges"
    else:
        covers = ("Monte Carlo noise only, with the parameters fixed at their defaults "
                  "(FIXED=1; a plain make run draws the calibrated ones from the "
                  "posterior)")
    lines.append(f"The intervals cover {covers}. Words follow the ICD 203 likelihood "
                 "scale.")
    lines += _ripple_sentences(folder, focal_name, manifest["weeks"])
    lines += _track_record()
    return lines


def _about(value: float) -> str:
    """A conversion's figure to two significant digits ("about 24,000", "about 28")."""
    return f"{float(f'{value:.2g}'):,.0f}" if abs(value) >= 10 else f"{value:.2g}"


def _bounded(row: pd.Series, q: str) -> tuple[str, str]:
    """("about" or "more than", the figure) of a percentile of ``ripple_units.csv``.

    "more than" the bound the data support when the percentile rests on members beyond any
    recorded spending (``<q>_beyond_data``, :mod:`sim.analyses.ripple_beyond`); tables
    without the column are read as before.
    """
    from sim.analyses.ripple_beyond import flagged

    if flagged(row.get(f"{q}_beyond_data")):
        return "more than", ("more than " if q != "median" else "") + _about(
            row[f"{q}_at_least"])
    return "about", _about(row[q])


def _ripple_sentences(folder: Path, focal_name: str, weeks: object) -> list[str]:
    """The largest ripples in real units (``ripple_units.csv``), if the run wrote it.

    The people who have left the focal state by the horizon and the largest extra
    military spending at its peak, each as the median across members with the range of
    90% of them, and what they are: conversions of index changes.
    """
    path = folder / "ripple_units.csv"
    if not path.is_file():
        return []
    units = pd.read_csv(path)
    parts = []
    people = units[(units["kind"] == "people") & (units["unit"] == "people")
                   & (units["when"] == "by the horizon")]
    if len(people):
        r = people.iloc[0]
        parts.append(f"about {_about(r['median'])} people would have left {focal_name} by "
                     f"week {weeks} ({_about(r['p05'])} to {_about(r['p95'])})")
    spend = units[(units["kind"] == "spending") & (units["unit"] == "US$ bn/yr")
                  & (units["when"] == "peak")]
    if len(spend):
        r = spend.loc[spend["median"].idxmax()]
        text = {q: _bounded(r, q) for q in ("median", "p05", "p95")}
        sentence = (f"the largest military ripple is {r['name']}'s, {text['median'][0]} US$ "
                    f"{text['median'][1]} bn a year of extra spending at its peak "
                    f"({text['p05'][1]} to {text['p95'][1]})")
        if any(text[q][0] == "more than" for q in text):
            ceiling = r.get("highest_recorded")
            ceiling = ceiling if isinstance(ceiling, str) and ceiling else \
                "above the highest in the data"
            sentence += (f"; 'more than' marks a bound, not a figure: "
                         f"{100 * float(r['share_beyond_data']):.1f}% of members would spend "
                         f"{ceiling}, beyond any recorded spending")
        parts.append(sentence)
    if not parts:
        return []
    return ["In real units (median across members, 90% of members in brackets): "
            + "; ".join(parts) + ". These are conversions of the model's index changes, "
            "order of magnitude, not measurements (ripple_units.csv)."]


def _track_record() -> list[str]:
    """The backtest's verdict: the shipped cross-validated score (``make calibrate``)."""
    path = paths.PACKAGE_DIR / "calibration" / "posterior.json"
    try:
        headline = json.loads(path.read_text(encoding="utf-8"))["crossval_headline"]
        skill, low, high = (float(headline[k]) for k in ("skill", "low", "high"))
        verdict = str(headline["verdict"])
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [f"Has it been right before? On the 53 development episodes, each held out with "
            f"its country and run by the model, its Brier skill against the base rates of "
            f"each trigger is {skill:+.2f} (95% interval {low:+.2f} to {high:+.2f}): "
            f"{verdict} (make backtest)."]
