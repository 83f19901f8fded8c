"""Where ``emigration_per_protest_week`` comes from: recorded outflows over the model's.

**The anchoring rule, stated before the number.** The factor ``k_m`` turns the model's
repressed protest of the focal state, ``Q`` (million person-weeks: the refugee rule's
weekly outflow term ``(u_F - u0_F)^+ * r_F * pop_F`` summed over the weeks,
:class:`sim.analyses.ripple_units.OutflowRecorder`), into people who leave. It is set
by one case where protest met repression and people left because of it: **Belarus
after the August 2020 election**. ``k_m`` = the recorded outflow in the year after the
election / (``Q`` of the shipped backtest episode ``belarus_2020``, run fed the
observed crowd, 52 weeks, median over its members, x 10^6). Its plausible range is the
recorded outflow's range over the same ``Q``.

Two other recorded outflows are shown beside it and **not used**: Ukraine in 2014 and
Russia after the September 2022 mobilisation. People fled a war and a draft there, not
repressed protest; the model has neither (``docs/model.md`` 12), so its ``Q`` in those
cases says little about the flight and the factor they would imply is far larger. For
Russia there is no backtest episode: ``Q`` is that of the shipped Russia region fed,
at week 0, the crowd the backtests give a protest reported only as small
(:data:`sim.episodes.rules.SMALL_CROWD`, 1,000 people; the anti-mobilisation protests
of 21-24 Sep 2022 drew crowds in the thousands, with about 2,400 detained, OVD-Info,
recalled).
Every recorded figure is graded ``recalled`` (verify): none is in
``/work/shared/reference``.

``python -m sim.analyses.ripple_anchor`` runs the episodes and prints the table.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analyses.ripple_units import OutflowRecorder
from sim.engines.ensemble import run_ensemble
from sim.model.context import build_context
from sim.model.scenario import Scenario
from sim.paths import PACKAGE_DIR, REGIONS_DIR
from sim.regions.loader import Region, load_region

# The episodes' code (pydantic models of every source field, about 0.15 s to import) is
# imported only where an anchor is run: a scenario run reads just USED (ripple_tables).


@dataclass(frozen=True)
class Anchor:
    """A recorded outflow and the backtest episode (if any) that stands for it."""

    name: str
    #: A backtest episode (run fed its observed crowd), or ``region:<name>`` (a shipped
    #: region fed a small crowd at week 0, :func:`small_crowd_protest`).
    episode: str
    period: str
    people: float
    low: float
    high: float
    source: str
    used: bool
    why: str


ANCHORS: tuple[Anchor, ...] = (
    Anchor("Belarus after the August 2020 election", "belarus_2020", "Aug 2020 - Aug 2021",
           100_000, 50_000, 200_000,
           "estimates of emigration from Belarus after the 2020 election (residence "
           "permits and humanitarian visas of Poland and Lithuania, as reported by RFE/RL "
           "and Reuters); recalled, verify",
           True, "protest met repression and people left: the model's refugee rule"),
    Anchor("Ukraine 2014 (Euromaidan, Crimea, the Donbas war)", "ukraine_2014", "2014 - mid 2015",
           800_000, 500_000, 1_000_000,
           "UNHCR: Ukrainians seeking asylum or other forms of legal stay in Russia and "
           "other neighbours by mid 2015; recalled, verify",
           False, "flight from a war, which the model does not have"),
    Anchor("Russia after the September 2022 mobilisation", "region:russia", "Sep - Oct 2022",
           500_000, 400_000, 700_000,
           "border statistics of Kazakhstan (about 200,000 Russian arrivals in the two "
           "weeks after 21 Sep 2022), Georgia, Finland and Mongolia, as reported by "
           "Reuters; recalled, verify",
           False, "flight from a draft, which the model does not have; no backtest "
                  "episode"),
)
#: The anchor that sets the factor.
USED = next(a for a in ANCHORS if a.used)


def repressed_protest(episode: str, members: int | None = None) -> np.ndarray:
    """Per-member ``Q`` (million person-weeks) of an anchor's run (see :class:`Anchor`).

    ``members`` defaults to the backtests' ensemble size (``sim.analyses.episodes``).
    """
    from sim.analyses.episodes import MEMBERS, load_episode

    members = MEMBERS if members is None else members
    if episode.startswith("region:"):
        scenario, region = small_crowd_protest(episode.split(":", 1)[1], members)
    else:
        loaded = load_episode(PACKAGE_DIR / "episodes" / episode)
        scenario, region = loaded.conditional.with_overrides(members=members), loaded.region
    ctx = build_context(scenario, region)
    recorder = OutflowRecorder.of(ctx)
    run_ensemble(ctx, on_week=recorder, progress=False)
    return recorder.outflow().sum(axis=1)


def small_crowd_protest(name: str, members: int) -> tuple[Scenario, Region]:
    """A shipped region fed, at week 0, a small crowd (52 weeks).

    The crowd is :data:`sim.episodes.rules.SMALL_CROWD` people.
    """
    from sim.analyses.episodes import HORIZON_WEEKS, SEED
    from sim.episodes.rules import SMALL_CROWD

    region = load_region(REGIONS_DIR / name)
    population = float(region.attrs["population_m"][region.index(region.roles.focal)])
    scenario = Scenario.in_code(
        f"{name}_small_protest", weeks=HORIZON_WEEKS, members=members, seed=SEED,
        region=str(REGIONS_DIR / name),
        events=[{"type": "protest_wave", "week": 0, "intensity": 0.0,
                 "crowd_share": SMALL_CROWD / (population * 1e6)}])
    return scenario, region


def factor(people: float, q_million: float) -> float:
    """People per person-week: recorded people over the model's ``Q`` (million).

    Examples
    --------
    >>> factor(100_000, 0.5)
    0.2
    """
    return people / (q_million * 1e6) if q_million > 0 else float("nan")


def anchor_table(members: int | None = None) -> pd.DataFrame:
    """Each anchor's recorded outflow, the model's ``Q`` and the factor they imply.

    ``members`` defaults to the backtests' ensemble size (``sim.analyses.episodes``).
    """
    rows = []
    for a in ANCHORS:
        q = repressed_protest(a.episode, members)
        median = float(np.median(q))
        rows.append({"anchor": a.name, "run": a.episode, "period": a.period,
                     "people": a.people, "people_low": a.low, "people_high": a.high,
                     "q_median_million_person_weeks": median,
                     "q_p05": float(np.percentile(q, 5)),
                     "q_p95": float(np.percentile(q, 95)),
                     "factor": factor(a.people, median),
                     "factor_low": factor(a.low, median),
                     "factor_high": factor(a.high, median),
                     "used": a.used, "why": a.why, "source": a.source})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Print the anchor table (``python -m sim.analyses.ripple_anchor``)."""
    parser = argparse.ArgumentParser(prog="python -m sim.analyses.ripple_anchor")
    from sim.analyses.episodes import MEMBERS

    parser.add_argument("--members", type=int, default=MEMBERS)
    args = parser.parse_args(argv)
    table = anchor_table(args.members)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.drop(columns=["source", "why"]).to_string(index=False,
                                                               float_format="%.3g"))


if __name__ == "__main__":
    main()
