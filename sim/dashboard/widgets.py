"""HTML pieces shared by the pages: outcome bars, tables, grade badges, style sheet.

They return HTML strings, shown with ``solara.HTML``; plain text in them is what the
browser tests read. Every piece of text that comes from a file (a result folder's names,
a manifest's fields, a CSV's values) is passed through :func:`html.escape` before it
goes into HTML: a result folder is data anyone can drop into ``results/``. Also here:
:func:`FolderGuard`, which shows an error card instead of a part of a page that fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from html import escape

import pandas as pd
import solara

from sim.dashboard.data import interval, pct, problem_text, signed_pct
from sim.outcomes import COLOURS, OUTCOMES
from sim.outcomes import label as outcome_label

#: Background colour of each provenance grade's badge (sim.model.params.PARAM_GRADES).
GRADE_COLOURS: dict[str, str] = {
    "sourced": "#2e7d32", "recalled": "#b26a00", "assumption": "#c62828",
    "calibrated": "#1565c0", "lever": "#6a1b9a",
}
RIPPLE_LABELS: dict[str, str] = {
    "stability_drop_10pct": "stability fell >10%",
    "mass_protest": "mass protest (>=2%)",
    "posture_surge": "posture rose >=0.1",
}

CSS = """
.history-table td:last-child { word-break: break-all; max-width: 340px; font-size: 12px; }
.history-table tr.broken td { color: #a00; }
.dash-table { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px 0; }
.dash-table th, .dash-table td { border-bottom: 1px solid #e0e0e0; padding: 3px 8px;
  text-align: left; vertical-align: top; }
.dash-table th { background: #f5f5f5; font-weight: 600; }
.dash-table td.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.dash-table tr.changed td { background: #fff8e1; }
.bar-cell { width: 320px; min-width: 200px; }
.bar-track { position: relative; height: 16px; background: #f0f0f0; border-radius: 2px; }
.bar-fill { position: absolute; top: 0; bottom: 0; left: 0; border-radius: 2px; }
.bar-ci { position: absolute; top: 7px; height: 2px; background: #222; }
.bar-ci-end { position: absolute; top: 3px; width: 1px; height: 10px; background: #222; }
.badge { display: inline-block; color: white; border-radius: 8px; padding: 0 7px;
  font-size: 11px; line-height: 17px; white-space: nowrap; }
.muted { color: #666; font-size: 12px; }
.beyond-data { color: #a04000; font-size: 12px; display: inline-block; max-width: 26em; }
.diff-up { color: #bf360c; font-weight: 600; }
.diff-down { color: #0d47a1; font-weight: 600; }
.dash-table td.nowrap { white-space: nowrap; }
.dash-download { text-transform: none !important; letter-spacing: normal !important; }
.outcome-map { max-width: 100%; height: auto; }
.no-caps { text-transform: none !important; letter-spacing: normal !important; }
.noise-warn { color: #c62828; font-weight: 600; }
.dash-table tr.noisy td { background: #ffebee; }
.dash-table tr.zero td { color: #9e9e9e; }
.sort-index .v-btn { text-transform: none !important; }
details summary { cursor: pointer; color: #1565c0; margin: 4px 0; }
"""


def badge(grade: str) -> str:
    """A coloured badge naming a provenance grade."""
    colour = GRADE_COLOURS.get(grade, "#616161")
    return f'<span class="badge" style="background:{colour}">{escape(grade)}</span>'


def _bar(probability: float, low: float, high: float, colour: str) -> str:
    """A horizontal probability bar (0-100%) with its 95% interval as a whisker."""
    p, lo, hi = (max(0.0, min(1.0, float(v))) * 100 for v in (probability, low, high))
    return (f'<div class="bar-track"><div class="bar-fill" style="width:{p:.2f}%;'
            f'background:{colour}"></div><div class="bar-ci" style="left:{lo:.2f}%;'
            f'width:{max(hi - lo, 0.3):.2f}%"></div><div class="bar-ci-end" '
            f'style="left:{lo:.2f}%"></div><div class="bar-ci-end" style="left:{hi:.2f}%">'
            '</div></div>')


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (),
          row_classes: Sequence[str] | None = None, css_class: str = "dash-table") -> str:
    """An HTML table; cells are HTML already (escape text before)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        klass = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(f'<td class="num">{c}</td>' if j in numeric else f"<td>{c}</td>"
                        for j, c in enumerate(row))
        body.append(f"<tr{klass}>{cells}</tr>")
    return f'<table class="{css_class}"><tr>{head}</tr>{"".join(body)}</table>'


def focal_outcome_bars(outcomes: pd.DataFrame, focal: str, patron: str = "a patron") -> str:
    """The focal state's regime outcomes: bar, probability, 95% interval and count."""
    rows = []
    for name in OUTCOMES:
        hit = outcomes[(outcomes["actor"] == focal) & (outcomes["outcome"] == name)]
        if hit.empty:
            continue
        r = hit.iloc[0]
        label, colour = outcome_label(name, patron), COLOURS.get(name, "#888888")
        rows.append([f"{escape(label)}<br><span class='muted'>{escape(name)}</span>",
                     f'<div class="bar-cell">{_bar(r.probability, r.ci_low, r.ci_high, colour)}'
                     "</div>", pct(r.probability), interval(r.ci_low, r.ci_high),
                     f"{int(r['count'])}/{int(r.members)}"])
    return table(["outcome", "probability with 95% interval", "probability", "95% interval",
                  "members"], rows, numeric=(2, 3, 4))


def ripple_table(outcomes: pd.DataFrame, names: dict[str, str]) -> str:
    """Ripple outcomes of every state: probability, interval and count per outcome."""
    ripple = outcomes[outcomes["outcome"].isin(list(RIPPLE_LABELS))]
    headers = ["state"]
    for outcome in RIPPLE_LABELS.values():
        headers += [outcome, "95% interval", "members"]
    rows = []
    for actor, group in ripple.groupby("actor", sort=False):
        row = [f"{escape(names.get(actor, actor))} <span class='muted'>{escape(actor)}</span>"]
        for outcome in RIPPLE_LABELS:
            hit = group[group["outcome"] == outcome]
            if hit.empty:
                row += ["", "", ""]
                continue
            r = hit.iloc[0]
            row += [pct(r.probability), interval(r.ci_low, r.ci_high),
                    f"{int(r['count'])}/{int(r.members)}"]
        rows.append(row)
    return table(headers, rows, numeric=tuple(range(1, len(headers))))


def parameter_table(params: pd.DataFrame) -> str:
    """Parameters with value, default, unit, plausible range, grade badge and source."""
    rows, classes = [], []
    for r in params.itertuples():
        value = (f"<i>drawn per member: {escape(r.drawn)}</i>" if r.drawn else
                 f"<b>{r.value:g}</b> (changed)" if r.changed else f"{r.value:g}")
        rows.append([f"<code>{escape(r.name)}</code><br><span class='muted'>"
                     f"{escape(r.description)}</span>", escape(r.symbol), value,
                     f"{r.default:g}", escape(r.unit), escape(r.plausible).replace(" ", "&nbsp;"),
                     escape(getattr(r, "posterior", "")).replace(" ", "&nbsp;"),
                     badge(r.grade),
                     escape(r.source)])
        classes.append("changed" if r.changed or r.drawn else "")
    return table(["parameter", "symbol", "value", "default", "unit", "plausible range",
                  "posterior 90% (make calibrate)", "grade", "source"], rows, numeric=(2, 3),
                 row_classes=classes)


def _difference(diff: float, low: float, high: float) -> str:
    """``B - A`` in points, coloured when its 95% interval excludes zero, and the interval."""
    klass = "diff-up" if low > 0 else "diff-down" if high < 0 else ""
    return (f'<span class="{klass}">{signed_pct(diff)}</span><br><span class="muted">'
            f"{signed_pct(low)} to {signed_pct(high)}</span>")


def compare_table(outcomes: pd.DataFrame, focal: str, a: str, b: str,
                  patron: str = "a patron") -> str:
    """The focal state's outcomes in A and B, the difference B - A and its 95% interval.

    ``a`` and ``b`` (the runs' folder names) are named once above the table; the
    columns say "A" and "B", as a folder name can be too long for a column heading.
    """
    rows = []
    for name in OUTCOMES:
        hit = outcomes[(outcomes["actor"] == focal) & (outcomes["outcome"] == name)]
        if hit.empty:
            continue
        r = hit.iloc[0]
        label = outcome_label(name, patron)
        rows.append([escape(label), pct(r.probability_a), pct(r.probability_b),
                     _difference(r["diff"], r.ci_low, r.ci_high)])
    sides = (f"<p class='compare-sides'><b>A</b> = results/{escape(a)} &nbsp; "
             f"<b>B</b> = results/{escape(b)}</p>")
    return sides + table(["outcome", "P in A", "P in B", "B - A (95% interval)"], rows,
                         numeric=(1, 2, 3))


def compare_ripple_table(outcomes: pd.DataFrame, names: dict[str, str]) -> str:
    """Ripple outcomes per state: A, B and the difference with its interval."""
    ripple = outcomes[outcomes["outcome"].isin(list(RIPPLE_LABELS))]
    headers = ["state"]
    for label in RIPPLE_LABELS.values():
        headers += [f"{label}: A / B", "B - A (95% interval)"]
    rows = []
    for actor, group in ripple.groupby("actor", sort=False):
        row = [f"{escape(names.get(actor, actor))} <span class='muted'>{escape(actor)}</span>"]
        for outcome in RIPPLE_LABELS:
            hit = group[group["outcome"] == outcome]
            if hit.empty:
                row += ["", ""]
                continue
            r = hit.iloc[0]
            row += [f"{pct(r.probability_a)} / {pct(r.probability_b)}",
                    _difference(r["diff"], r.ci_low, r.ci_high)]
        rows.append(row)
    return table(headers, rows, numeric=tuple(range(1, len(headers))))


#: Border and background colours of the notices (info, warning, error, success).
NOTICE_COLOURS: dict[str, tuple[str, str]] = {
    "info": ("#1565c0", "#e3f2fd"), "warning": ("#b26a00", "#fff3e0"),
    "error": ("#c62828", "#ffebee"), "success": ("#2e7d32", "#e8f5e9"),
}


def notice(kind: str, text: str, css_class: str = "") -> None:
    """Show a coloured message box (``solara.Info`` and its kin do not render here).

    Parameters
    ----------
    kind : {"info", "warning", "error", "success"}
    text : str
        Plain text (escaped).
    css_class : str
        Extra class, for tests.
    """
    border, background = NOTICE_COLOURS[kind]
    solara.HTML(tag="div", unsafe_innerHTML=escape(text),
                classes=[f"notice-{kind}", *([css_class] if css_class else [])],
                style=f"border-left: 4px solid {border}; background: {background}; "
                      "padding: 8px 12px; margin: 6px 0; border-radius: 3px;")


logger = logging.getLogger(__name__)


@solara.component
def FolderGuard(what: str, children: list | None = None) -> None:
    """Show ``children``; if rendering them fails, an error card naming ``what`` instead.

    A broken result folder (a truncated CSV, a manifest of the wrong shape, a missing
    file) then spoils only its own card: the rest of the app keeps working. The card
    says what is wrong in words (:func:`sim.dashboard.data.problem_text`), without a
    server path or a traceback; the traceback goes to the server's log. Give the guard
    a ``key`` per folder (``FolderGuard(...).key(name)``) so that picking another folder
    starts afresh.

    Parameters
    ----------
    what : str
        What the children show, e.g. ``results/incapacity``.
    children : list of elements
    """
    exception, _clear = solara.use_exception()
    if exception is not None:
        logger.warning("could not show %s", what, exc_info=exception)
        with solara.Card(f"{what} cannot be shown", classes=["folder-error"]):
            notice("error", f"{what} cannot be shown: {problem_text(exception)}. The rest "
                   "of the dashboard is not affected; repair or remove the folder, then "
                   "press Reload list.", "folder-error-text")
        return
    solara.Column(children=children or [], style={"padding": "0", "gap": "0"})
