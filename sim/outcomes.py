"""One vocabulary for the focal state's outcomes: holder -> outcome -> label -> class.

Three names describe who rules at the horizon, and this module is the only place that
says how they relate:

* the **holder** of power, stored per week in the state (:data:`sim.model.state.HOLDERS`,
  written to ``holders.csv`` and ``members.csv``'s ``holder_end``);
* the **outcome** of a run (``outcomes.csv``'s ``outcome`` column), one per holder at the
  horizon, several holders sharing one outcome;
* the backtest **class** (A, B, C; ``docs/model.md``, Backtests), one per outcome.

Every readable text (console, reports, charts, dashboard) takes its label from
:data:`OUTCOME_TABLE` and :data:`HOLDER_LABELS`; the CSVs keep the machine names.

Examples
--------
>>> OUTCOME_OF_HOLDER["emergency_body"], CLASS_OF_OUTCOME["regime_continues_new_leader"]
('regime_continues_new_leader', 'B')
>>> CLASS_OF_HOLDER["rival_takeover"], label("contested")
('C', 'Contested (elite split)')
>>> label("patron_takeover", patron="Russia")
'Takeover by Russia'
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.state import HOLDERS


@dataclass(frozen=True)
class Outcome:
    """One outcome of the focal state at the horizon.

    Attributes
    ----------
    name : str
        Machine name, the value in ``outcomes.csv`` (stable).
    holders : tuple of str
        The holders of power (:data:`sim.model.state.HOLDERS`) that end in this outcome.
    backtest_class : str
        The backtest class (A, B or C) of this outcome.
    label : str
        Readable label (tables, charts, dashboard, console).
    short : str
        A column heading of a few characters (the overview table).
    phrase : str
        How the outcome reads in a sentence ("... at the horizon").
    colour : str
        Fixed colour in every chart and the dashboard.
    """

    name: str
    holders: tuple[str, ...]
    backtest_class: str
    label: str
    short: str
    phrase: str
    colour: str


#: The focal state's outcomes in display order: the one table every place reads.
OUTCOME_TABLE: tuple[Outcome, ...] = (
    Outcome("regime_and_leader_continue", ("incumbent",), "A",
            "Regime and leader continue", "same leader",
            "the regime and its leader still rule", "#4c72b0"),
    Outcome("regime_continues_new_leader",
            ("constitutional_interim", "emergency_body", "insider_successor",
             "designated_successor"), "B",
            "Regime continues, new leader", "new leader",
            "the regime continues under a new leader", "#55a868"),
    Outcome("contested", ("contested",), "B",
            "Contested (elite split)", "contested",
            "the regime's insiders are still openly split", "#dd8452"),
    Outcome("regime_change", ("opposition_led",), "C",
            "Regime change (opposition)", "opposition",
            "the opposition is in power", "#e9c46a"),
    Outcome("rival_takeover", ("rival_takeover",), "C",
            "Takeover by rival officers", "rival officers",
            "rival or junior officers have taken power", "#8c564b"),
    Outcome("patron_takeover", ("patron_controlled",), "C",
            "Takeover by a patron", "patron",
            "a patron has taken control", "#c44e52"),
)

#: The backtest classes (``docs/model.md``, Backtests; ``episodes.md`` defines them), fixed
#: before any score was looked at:
#: A the ruling group keeps power under its ruler (or the successor it had planned
#: before the trigger, which the model represents by the incumbent holding on);
#: B it keeps power under another insider (interim, emergency body, elected insider,
#: a successor named at the trigger), or its insiders are still contesting the rule
#: (an open split: the group has not lost power, Geddes, Wright & Frantz 2014);
#: C it loses power: to the opposition, a faction outside it (rival or junior
#: officers), or a patron.
CLASSES: tuple[str, ...] = ("A", "B", "C")
CLASS_LABELS: dict[str, str] = {
    "A": "A: ruling group keeps power under its ruler or planned successor",
    "B": "B: keeps power under another insider (or its insiders still contest it)",
    "C": "C: loses power (opposition, rival officers or a patron)",
}

#: Readable name of each holder of power (``holders.csv``, timelines).
HOLDER_LABELS: dict[str, str] = {
    "incumbent": "incumbent",
    "constitutional_interim": "constitutional interim",
    "emergency_body": "emergency body",
    "insider_successor": "insider successor",
    "contested": "contested",
    "opposition_led": "opposition led",
    "patron_controlled": "patron controlled",
    "designated_successor": "designated successor",
    "rival_takeover": "rival takeover",
}

OUTCOMES: tuple[str, ...] = tuple(o.name for o in OUTCOME_TABLE)
BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOME_TABLE}
OUTCOME_OF_HOLDER: dict[str, str] = {h: o.name for o in OUTCOME_TABLE for h in o.holders}
CLASS_OF_OUTCOME: dict[str, str] = {o.name: o.backtest_class for o in OUTCOME_TABLE}
CLASS_OF_HOLDER: dict[str, str] = {h: CLASS_OF_OUTCOME[o] for h, o in OUTCOME_OF_HOLDER.items()}
LABELS: dict[str, str] = {o.name: o.label for o in OUTCOME_TABLE}
SHORT_LABELS: dict[str, str] = {o.name: o.short for o in OUTCOME_TABLE}
PHRASES: dict[str, str] = {o.name: o.phrase for o in OUTCOME_TABLE}
COLOURS: dict[str, str] = {o.name: o.colour for o in OUTCOME_TABLE}

if set(OUTCOME_OF_HOLDER) != set(HOLDERS) or len(OUTCOME_OF_HOLDER) != len(HOLDERS):
    raise RuntimeError("sim.outcomes: every holder of power needs exactly one outcome")
if set(HOLDER_LABELS) != set(HOLDERS) or set(CLASS_OF_OUTCOME.values()) - set(CLASSES):
    raise RuntimeError("sim.outcomes: holder labels or classes out of step with HOLDERS")


def label(outcome: str, patron: str | None = None) -> str:
    """Readable label of an outcome (its machine name if unknown).

    Parameters
    ----------
    outcome : str
        Machine name (``outcomes.csv``).
    patron : str, optional
        The patron's name, put into the patron takeover's label.
    """
    if outcome == "patron_takeover" and patron:
        return f"Takeover by {patron}"
    entry = BY_NAME.get(outcome)
    return entry.label if entry else outcome


def output_label(output: str) -> str:
    """Readable name of an exploration's output column (``p_<outcome>``, ``drop_<state>``).

    Here, not with the exploration's charts, so that a run's report can name them
    without importing matplotlib.

    Examples
    --------
    >>> output_label("drop_FOC")
    'peak stability fall, FOC (share of baseline)'
    >>> output_label("p_regime_continues")
    'P(regime continues, with or without the leader)'
    """
    if output.startswith("drop_"):
        return f"peak stability fall, {output[5:]} (share of baseline)"
    labels = {"p_regime_continues": "P(regime continues, with or without the leader)",
              **{f"p_{o.name}": f"P({o.label[0].lower()}{o.label[1:]})" for o in OUTCOME_TABLE}}
    return labels.get(output, output)


def holder_label(holder: str) -> str:
    """Readable name of a holder of power (underscores as spaces if unknown)."""
    return HOLDER_LABELS.get(holder, holder.replace("_", " "))


def class_legend() -> list[str]:
    """One line per backtest class naming the outcomes (and holders) it covers.

    Examples
    --------
    >>> class_legend()[0]
    'A = Regime and leader continue [incumbent]'
    """
    lines = []
    for c in CLASSES:
        members = [f"{o.label} [{', '.join(holder_label(h) for h in o.holders)}]"
                   for o in OUTCOME_TABLE if o.backtest_class == c]
        lines.append(f"{c} = " + "; ".join(members))
    return lines


def mapping_frame():
    """The whole table as a frame: holder, outcome, label, class (one row per holder).

    Examples
    --------
    >>> mapping_frame().iloc[0].tolist()
    ['incumbent', 'incumbent', 'regime_and_leader_continue', 'Regime and leader continue', 'A']
    """
    import pandas as pd

    rows = [(h, holder_label(h), o.name, o.label, o.backtest_class)
            for o in OUTCOME_TABLE for h in o.holders]
    return pd.DataFrame(rows, columns=["holder", "holder_label", "outcome", "label",
                                       "backtest_class"])
