"""The console summary printed after a run: who rules at the horizon, and where to look."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.outputs.tables import OUTCOMES

LABELS = {
    "regime_and_leader_continue": "regime and leader continue",
    "regime_continues_new_leader": "regime continues, new leader",
    "contested": "contested (elite split)",
    "regime_change": "regime change (opposition)",
    "rival_takeover": "takeover by rival officers",
    "patron_takeover": "takeover by a patron",
}


def console_summary(folder: Path) -> str:
    """A few lines for the terminal from a finished run's ``outcomes.csv`` and manifest.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> rows = [("AAA", o, 0.2, 0.1, 0.3, 200, 1000) for o in OUTCOMES]
    >>> cols = ["actor", "outcome", "probability", "ci_low", "ci_high", "count", "members"]
    >>> pd.DataFrame(rows, columns=cols).to_csv(d / "outcomes.csv", index=False)
    >>> _ = (d / "manifest.json").write_text('{"scenario": "x", "weeks": 104, '
    ...                                      '"members": 1000, "region": {"name": "belarus"}}')
    >>> print(console_summary(d).splitlines()[0])
    x (region belarus): who rules AAA at week 104, 1000 members (95% intervals)
    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    outcomes = pd.read_csv(folder / "outcomes.csv")
    rows = outcomes[outcomes["outcome"].isin(OUTCOMES)]
    focal = rows["actor"].iloc[0] if len(rows) else "?"
    region = manifest.get("region", {}).get("name", "?")
    lines = [f"{manifest['scenario']} (region {region}): who rules {focal} at week "
             f"{manifest['weeks']}, {manifest['members']} members (95% intervals)"]
    for row in rows.itertuples():
        lines.append(f"  {LABELS.get(row.outcome, row.outcome):30s} {100 * row.probability:5.1f}%"
                     f"  ({100 * row.ci_low:.1f}-{100 * row.ci_high:.1f})")
    if len(rows):
        from sim.outputs.narrative import run_narrative

        lines += run_narrative(folder, OUTCOMES, focal)
    report = folder / "report.html"
    lines.append(f"results written to {folder}")
    if report.is_file():
        lines.append(f"open the report: {report}")
    return "\n".join(lines)
