"""Console lines and report rows for the observations and the signposts of a run.

Read from the run's ``outcomes_conditioned.csv``, ``observations.csv`` and
``signposts.csv`` (each may be absent: an older run, or a scenario without
observations), so the console and the report say the same thing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.outputs.tables import OUTCOMES

#: Signpost rows shown in the console and the report (all are in ``signposts.csv``).
SHOWN_SIGNPOSTS = 6


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def conditioned_rows(folder: Path) -> dict | None:
    """The focal state's outcomes before and after conditioning, for the report.

    Returns None when the run had no observations. Otherwise ``effective`` (ESS),
    ``members``, ``observations`` (words and the share of members consistent with
    each) and ``rows`` (outcome, before, after, both intervals, shift).
    """
    path = Path(folder) / "outcomes_conditioned.csv"
    if not path.is_file():
        return None
    frame = pd.read_csv(path)
    focal = frame[frame["outcome"].isin(OUTCOMES)]
    seen = pd.read_csv(Path(folder) / "observations.csv")
    return {
        "effective": float(frame["effective_members"].iloc[0]),
        "members": int(frame["members"].iloc[0]),
        # The words start with "week N: ", which the table's own column already says.
        "observations": [{"week": int(r.week),
                          "observation": r.observation.split(": ", 1)[-1],
                          "consistent": _pct(r.consistent_share)} for r in seen.itertuples()],
        "rows": [{"outcome": r.outcome, "before": _pct(r.probability_unconditioned),
                  "before_interval": f"{_pct(r.ci_low_unconditioned)}-"
                                     f"{_pct(r.ci_high_unconditioned)}",
                  "after": _pct(r.probability),
                  "after_interval": f"{_pct(r.ci_low)}-{_pct(r.ci_high)}",
                  # + 0.0 turns a rounded -0.0 into 0.0 (no "-0.0" for "no change").
                  "shift": f"{round(100 * r.shift, 1) + 0.0:+.1f}"}
                 for r in focal.itertuples()],
    }


def signpost_rows(folder: Path) -> list[dict] | None:
    """The signposts that shift an outcome most, for the report and the console.

    Returns None when the run has no ``signposts.csv``; rows (at most
    :data:`SHOWN_SIGNPOSTS`) from :func:`sim.analyses.signposts.strongest`.
    """
    from sim.analyses.signposts import strongest

    path = Path(folder) / "signposts.csv"
    if not path.is_file():
        return None
    top = strongest(pd.read_csv(path), SHOWN_SIGNPOSTS)
    return [{"description": r.description, "outcome": r.outcome, "seen": _pct(r.seen_share),
             "after_split": _pct(r.seen_after_split),
             "before": _pct(r.probability), "after": _pct(r.p_seen),
             "after_interval": f"{_pct(r.p_seen_low)}-{_pct(r.p_seen_high)}",
             "not_seen": _pct(r.p_not_seen),
             "not_seen_interval": f"{_pct(r.p_not_seen_low)}-{_pct(r.p_not_seen_high)}"}
            for r in top.itertuples()]


def console_lines(folder: Path, labels: dict[str, str]) -> list[str]:
    """Lines for the console summary: the conditioned outcomes, then the signposts."""
    lines: list[str] = []
    watched = conditioned_rows(folder)
    if watched is not None:
        lines.append(f"given the {len(watched['observations'])} observation(s) of the "
                     f"scenario (effective {watched['effective']:.0f} of "
                     f"{watched['members']} members; outcomes_conditioned.csv):")
        for r in watched["rows"]:
            lines.append(f"  {labels.get(r['outcome'], r['outcome']):30s} {r['before']:>6s} ->"
                         f" {r['after']:>6s}  ({r['after_interval']})")
    posts = signpost_rows(folder)
    if posts:
        lines.append("signposts that move the outcome most (signposts.csv; 95% intervals):")
        for r in posts:
            lines.append(f"  if {r['description']} (in {r['seen']} of members): "
                         f"P({labels.get(r['outcome'], r['outcome'])}) {r['before']} -> "
                         f"{r['after']} ({r['after_interval']}); if not, {r['not_seen']}"
                         f" [{r['after_split']} of sightings follow an open split]")
    return lines
