"""Cards of the Results page for an analyst: words, map, signposts, the news, trade.

Each card reads one file of the run folder (:mod:`sim.dashboard.ripples_data`) and
appears only when that file is there. Each sits in its own
:func:`~sim.dashboard.widgets.FolderGuard`, so a truncated or edited file turns that card
alone into an error card (naming the file, never a server path) and the rest of the page
keeps working. Every piece of text from the folder is escaped before it goes into HTML.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import solara

from sim.dashboard import ripples_data, widgets


def guarded(folder: Path, name: str, component, *args) -> None:
    """Show ``component(*args)`` inside a guard naming the file it reads.

    Parameters
    ----------
    folder : pathlib.Path
        The run folder (only its name is shown).
    name : str
        What the card shows: the file it reads, e.g. ``signposts.csv``.
    component : solara component
    """
    where = f"{name} of results/{folder.name}"
    with widgets.FolderGuard(where).key(where):
        component(*args)


def _note(text: str, css_class: str = "") -> None:
    solara.HTML(tag="p", unsafe_innerHTML=f"<span class='muted {css_class}'>{text}</span>")


@solara.component
def NarrativeCard(folder: Path, focal_name: str) -> None:
    """The run's narrative in ICD 203 words (as its report and console summary)."""
    lines = ripples_data.narrative(folder, focal_name)
    with solara.Card("In words (ICD 203 likelihood scale)", classes=["narrative-card"]):
        solara.HTML(unsafe_innerHTML="".join(f"<p>{escape(line)}</p>" for line in lines),
                    classes=["run-narrative"])
        _note("ICD 203 (ODNI, Analytic Standards, 2015) fixes seven terms: almost no chance "
              "(1-5%), very unlikely (5-20%), unlikely (20-45%), roughly even chance "
              "(45-55%), likely (55-80%), very likely (80-95%), almost certain (95-99%); "
              "the number always stands beside the word.")


@solara.component
def OutcomeMapCard(folder: Path) -> None:
    """The outcome map ``charts/map.png`` (states drawn with their borders), if the run drew it."""
    image = ripples_data.map_png(folder)
    if image is None:
        return
    with solara.Card("Outcome map", classes=["outcome-map-card"]):
        # At its own size (about 1,200 px): scaled down, the legend and footnote of
        # borders and disputed areas become too small to read.
        solara.Image(image, classes=["outcome-map"])
        _note("Chance of a >10% stability fall in each state and of regime change in the "
              "focal state (charts/map.png; the numbers are in outcomes.csv).")


@solara.component
def SignpostsCard(folder: Path, patron: str) -> None:
    """The signposts that shift a horizon outcome most, with 95% intervals."""
    found = ripples_data.signposts(folder, patron)
    if found is None:
        return
    with solara.Card("Signposts to watch", classes=["signposts-card"]):
        if not found.rows:
            widgets.notice("info", f"None of the {found.signposts} signposts was seen in, and "
                           "missed in, enough members to rank it (20 on each side); every "
                           "row is in signposts.csv.", "signposts-none")
            return
        solara.HTML(tag="ul", unsafe_innerHTML="".join(
            f"<li>{escape(r['sentence'])}</li>" for r in found.rows),
            classes=["signpost-sentences"])
        rows = [[escape(r["description"]), f"{r['seen']}<br><span class='muted'>"
                 f"{r['seen_n']}</span>", escape(r["outcome"]), r["before"],
                 f"<b>{r['if_seen']}</b>", r["if_seen_interval"], r["if_not"],
                 r["if_not_interval"], r["after_split"]] for r in found.rows]
        solara.HTML(unsafe_innerHTML=widgets.table(
            ["if you see", "seen in (members)", "outcome at the horizon", "P overall",
             "P if seen", "95% interval", "P if not seen", "95% interval",
             "sightings after an open split"], rows, numeric=(1, 3, 4, 5, 6, 7, 8)),
            classes=["signposts-table"])
        _note(f"{found.usable} of the {found.signposts} signposts were seen, and missed, in "
              "at least 20 members each; each one's row that shifts an outcome most is "
              "shown, largest shift first. Read off the ensemble as run (nothing observed "
              "yet), with Wilson intervals. The last column is the share of the sightings "
              "whose elite had already split openly by then: near 100%, the signpost is a "
              "visible shadow of the split rather than an independent warning. Every "
              "signpost and outcome is in signposts.csv.")


@solara.component
def WatchingCard(folder: Path, focal: str, focal_name: str, patron: str) -> None:
    """Outcomes given the scenario's observations, beside the unconditioned ones."""
    found = ripples_data.watched(folder, focal, patron)
    if found is None:
        return
    with solara.Card("Watching the news: given what has been observed",
                     classes=["watching-card"]):
        solara.HTML(tag="p", unsafe_innerHTML=(
            f"The scenario records {len(found.observations)} observation(s). Each member is "
            "weighted by how likely they are under its trajectory, leaving an effective "
            f"<b class='watching-ess'>{found.effective:.0f} of {found.members}</b> members "
            f"(Kish; a run keeping fewer than {found.threshold} is refused)."))
        solara.HTML(unsafe_innerHTML=widgets.table(
            ["week", "what was observed", "members consistent with it alone"],
            [[escape(o["week"]), escape(o["observation"]), o["consistent"]]
             for o in found.observations], numeric=(0, 2)), classes=["observations-table"])
        solara.HTML(unsafe_innerHTML=widgets.table(
            [f"who rules {focal_name}", "before (unconditioned)", "95% interval",
             "given the observations", "95% interval", "shift"],
            [[escape(r["outcome"]), r["before"], r["before_interval"], f"<b>{r['after']}</b>",
              r["after_interval"], r["shift"]] for r in found.rows],
            numeric=(1, 2, 3, 4, 5)), classes=["conditioned-table"])
        _note("Weighted probabilities; their Wilson intervals use the effective number of "
              "members as n (outcomes_conditioned.csv holds every outcome and ripple; "
              "observations.csv the observations). The other cards of this page show the "
              "ensemble before conditioning.")


@solara.component
def ExposureCard(folder: Path, focal_name: str, weeks: object) -> None:
    """Each partner's goods trade with the focal state x P(ruling group out), US$ bn."""
    found = ripples_data.trade_exposure(folder)
    if found is None:
        return
    with solara.Card(f"Trade at stake, US$ bn a year (goods trade with {focal_name})",
                     classes=["exposure-card"]):
        if not found.rows:
            widgets.notice("info", "The region's data hold no goods trade with the focal "
                           "state (trade_exposure.csv is empty).")
            return
        solara.HTML(tag="p", unsafe_innerHTML=(
            f"P({escape(focal_name)}'s ruling group out of power at week {escape(str(weeks))}"
            f", to the opposition, rival officers or a patron) = "
            f"<b class='exposure-chance'>{escape(found.chance)}</b>."))
        rows = [[escape(r["state"]), r["trade"], escape(r["share"]), f"<b>{r['exposed']}</b>",
                 r["exposed_interval"], escape(r["year"]), escape(r["source"])]
                for r in found.rows]
        solara.HTML(unsafe_innerHTML=widgets.table(
            ["state", "goods trade with " + focal_name + " (US$ bn/yr)",
             "share of the state's GDP", "exposed: trade x P(out) (US$ bn/yr)",
             "95% interval (US$ bn/yr)", "data year", "source"], rows,
            numeric=(1, 2, 3, 4, 5)), classes=["exposure-table"])
        _note(f"Trade of the {len(found.rows)} partners listed: US$ {found.total} bn a year, "
              "both directions, as the region's data give it (trade_exposure.csv). An "
              "exposure, not a forecast of trade lost: the model has no trade-flow model, "
              "a change of rulers need not cut trade, and trade of the data year may have "
              "changed since (sanctions, war).")


@solara.component
def RealUnitsCard(folder: Path) -> None:
    """Ripples in people, US$ and troops (``ripple_units.csv``), with ranges and sources."""
    rows = ripples_data.real_units(folder)
    if rows is None:
        return
    with solara.Card("Ripples in real units: people, US$, troops", classes=["units-card"]):
        table = [[escape(r["state"]), escape(r["quantity"]), escape(r["when"]),
                  f"<b>{escape(r['median'])}</b>", escape(r["range"]) + (
                      f"<br><span class='beyond-data'>{escape(r['beyond'])}</span>"
                      if r["beyond"] else ""), escape(r["unit"]),
                  escape(r["year"])] for r in rows]
        solara.HTML(unsafe_innerHTML=widgets.table(
            ["state", "quantity", "when", "median", "90% of members", "unit", "data year"],
            table, numeric=(3, 4)), classes=["units-table"])
        sources = "".join(f"<li>{escape(r['state'])}, {escape(r['quantity'])} ({escape(r['when'])}"
                          f", {escape(r['unit'])}): {escape(r['source'])}</li>"
                          for r in rows if r["source"])
        solara.HTML(unsafe_innerHTML=f"<details><summary>Sources and conversions</summary>"
                                     f"<ul>{sources}</ul></details>")
        _note("Conversions of the model's index changes into people, US$ and troops "
              "(ripple_units.csv; docs/model.md 3.4): order of magnitude, not measurements. "
              "The factors are parameters with plausible ranges; the figures were recalled, "
              "not read from their sources here (verify). Spending is read back from "
              "posture by rule R5's inverse, x = 4p/(1-p), unbounded as posture nears 1: "
              "a figure that rests on members whose posture rises above the highest in the "
              "region's data is shown as the bound the data support ('> X'), not as the "
              "extrapolation.")
