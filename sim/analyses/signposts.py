"""Signposts: early observable events and how much each shifts the horizon outcomes.

"If you see X by week N, P(regime change) goes from a to b": for every signpost of the
fixed list :data:`SIGNPOSTS` and every headline outcome (who rules the focal state at
the horizon, :data:`sim.outputs.tables.OUTCOMES`), the share of members where the
signpost was seen, and the outcome's probability among the members where it was seen
and where it was not, each with a 95% Wilson interval. By construction
``P(outcome) = P(seen) P(outcome | seen) + P(not seen) P(outcome | not seen)``.

Signposts are read off the ensemble as run (unconditioned, equal weights): they say
what to watch for, before anything has been observed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analyses.observables import Observables
from sim.engines.stats import wilson_interval
from sim.model.context import Context
from sim.model.state import HOLDER
from sim.outputs.tables import OUTCOMES

#: Members on each side (seen, not seen) below which a row is left out of the console and
#: report tables (it stays in ``signposts.csv``): a rarer signpost's interval is too
#: wide to rank it.
MIN_SIDE = 20
#: Weeks after a vacancy that the interim must pass without an open split.
QUIET_WEEKS = 8
#: Rise of the focal state's economic stress above its baseline (0-1 scale) that counts
#: as visible (a run on the currency, queues): about the 80th percentile at week 8 of
#: the incapacity scenario, far above the status quo's 0.0001.
STRESS_RISE = 0.02


@dataclass(frozen=True)
class Signpost:
    """An early event an analyst can watch for.

    Attributes
    ----------
    name : str
        Identifier in ``signposts.csv``.
    week : int
        Seen "by week N": at some week 0 to ``week``.
    words : str
        What is seen, in an analyst's words.
    seen : callable
        ``(Observables, Context, week) ->`` per-member booleans, shape (M,).
    """

    name: str
    week: int
    words: str
    seen: Callable[[Observables, Context, int], np.ndarray]


def _crowd(share: float) -> Callable[[Observables, Context, int], np.ndarray]:
    def seen(data: Observables, ctx: Context, week: int) -> np.ndarray:
        return data.unrest_max[(week, ctx.roles.focal)] >= share
    return seen


def _full_backing(data: Observables, ctx: Context, week: int) -> np.ndarray:
    from sim.model.observations import PATRON_FULL_SUPPORT

    support = data.support_max[week]
    if support.shape[1] == 0:
        return np.zeros(support.shape[0], dtype=bool)
    return (support >= PATRON_FULL_SUPPORT).any(axis=1)


def _stress_rise(data: Observables, ctx: Context, week: int) -> np.ndarray:
    return data.stress_rise[week] >= STRESS_RISE


def _quiet_interim(data: Observables, ctx: Context, week: int) -> np.ndarray:
    vacancy = data.incapacity_week
    started = (vacancy >= 0) & (vacancy + QUIET_WEEKS <= week)
    weeks = np.arange(week + 1)
    window = (weeks >= vacancy[:, None]) & (weeks <= vacancy[:, None] + QUIET_WEEKS)
    split = ((data.holder[:, :week + 1] == HOLDER["contested"]) & window).any(axis=1)
    return started & ~split


#: The fixed list of signposts. Each is observable early and none is the outcome itself
#: (the outcomes are who rules at the horizon):
#:
#: * crowds: protest sizes are counted by the press, NGOs and police within days (0.5% of
#:   Belarus is about 46,000 people, 1% about 92,000); a crowd is the street, not a change
#:   of ruler, and both lines are below the 2% mass-protest ripple outcome;
#: * the patron's full backing (support at :data:`PATRON_FULL_SUPPORT`): loans, security
#:   help and statements are public; support alone, not a takeover (which is the
#:   ``patron_takeover`` outcome);
#: * economic stress 0.02 above baseline: seen in the exchange rate, prices and bank
#:   queues; stress is an input to the outcomes, not one of them;
#: * the interim's first 8 weeks without an open split: seen by anyone watching the
#:   capital; not "a split opened", which is already half of ``contested``. Its "not
#:   seen" side mixes members with no vacancy (yet) and members with an early split,
#:   so read the "seen" side.
#:
#: Left out on purpose: the security bloc's loyalty well below normal (30%) by week 8.
#: In the incapacity scenario it was seen in exactly the members whose elite had split
#: (41 of 300, all of them), so it is "a split opened" under another name. Each row of
#: ``signposts.csv`` says in ``seen_after_split`` how many of the members where the
#: signpost was seen had already had an open split by its week: near 1, the signpost is
#: a visible shadow of the split rather than an independent warning.
SIGNPOSTS: tuple[Signpost, ...] = (
    Signpost("crowd_over_0.5pct", 8, "a crowd of 0.5% of the public or more by week 8",
             _crowd(0.005)),
    Signpost("crowd_over_1pct", 12, "a crowd of 1% of the public or more by week 12",
             _crowd(0.01)),
    Signpost("patron_full_backing", 26, "the patron's full backing by week 26",
             _full_backing),
    Signpost("economic_stress_up", 8, "economic stress 0.02 above normal by week 8",
             _stress_rise),
    Signpost("interim_quiet_8_weeks", 12,
             f"the interim's first {QUIET_WEEKS} weeks pass without an open split, "
             "by week 12", _quiet_interim),
)


def signpost_weeks(horizon: int) -> set[int]:
    """Weeks the recorder must keep for the signposts that fit in ``horizon`` weeks."""
    return {s.week for s in SIGNPOSTS if s.week < horizon}


def signposts_frame(data: Observables, ctx: Context, outcome: np.ndarray) -> pd.DataFrame:
    """``signposts.csv``: one row per signpost and headline outcome.

    Parameters
    ----------
    data : Observables
        Recorded at the signposts' weeks.
    ctx : Context
    outcome : numpy.ndarray of str, shape (M,)
        Every member's outcome class (:func:`sim.outputs.tables.member_outcomes`).

    Returns
    -------
    pandas.DataFrame
        signpost, week, description, outcome, members, seen_count, seen_share,
        seen_after_split (share of the members where it was seen that had had an open
        elite split by its week), probability (all members), p_seen, p_seen_low,
        p_seen_high, p_not_seen, p_not_seen_low, p_not_seen_high, shift (p_seen -
        probability); the conditional
        columns are empty where no member is on that side. Signposts whose week is not
        before the horizon are left out.
    """
    horizon = data.holder.shape[1] - 1
    members = len(outcome)
    rows = []
    for post in SIGNPOSTS:
        if post.week >= horizon:
            continue
        seen = post.seen(data, ctx, post.week)
        n_seen = int(seen.sum())
        n_not = members - n_seen
        split = (data.holder[:, :post.week + 1] == HOLDER["contested"]).any(axis=1)
        after_split = int((seen & split).sum()) / n_seen if n_seen else np.nan
        for name in OUTCOMES:
            hit = outcome == name
            k_seen, k_not = int((hit & seen).sum()), int((hit & ~seen).sum())
            p_seen = k_seen / n_seen if n_seen else np.nan
            p_not = k_not / n_not if n_not else np.nan
            low_s, high_s = wilson_interval(k_seen, n_seen) if n_seen else (np.nan, np.nan)
            low_n, high_n = wilson_interval(k_not, n_not) if n_not else (np.nan, np.nan)
            probability = int(hit.sum()) / members
            rows.append((post.name, post.week, post.words, name, members, n_seen,
                         n_seen / members, after_split, probability, p_seen, low_s, high_s,
                         p_not, low_n, high_n, p_seen - probability))
    return pd.DataFrame(rows, columns=[
        "signpost", "week", "description", "outcome", "members", "seen_count", "seen_share",
        "seen_after_split", "probability", "p_seen", "p_seen_low", "p_seen_high",
        "p_not_seen", "p_not_seen_low", "p_not_seen_high", "shift"])


def strongest(frame: pd.DataFrame, rows: int = 6) -> pd.DataFrame:
    """Each signpost's row that shifts an outcome most, largest ``|shift|`` first.

    Only signposts with at least :data:`MIN_SIDE` members on each side; one row per
    signpost, so the table shows several signposts rather than one signpost's outcomes.
    Ties are broken by the fixed order of the list, so the table is reproducible.
    """
    usable = frame[(frame["seen_count"] >= MIN_SIDE)
                   & (frame["members"] - frame["seen_count"] >= MIN_SIDE)]
    order = usable.assign(size=usable["shift"].abs()).sort_values(
        "size", ascending=False, kind="stable")
    return order.drop_duplicates("signpost").head(rows).drop(columns="size")
