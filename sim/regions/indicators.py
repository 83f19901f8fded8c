"""One rule table that turns named public indicators into model attributes.

A region folder (``sim/regions/<name>/``, or a historical episode's region) may hold an
``indicators.csv``: one row per (actor, indicator) with the figure read or remembered
from a public dataset. The rules in :data:`RULES` turn those figures into attribute rows
of ``attributes.csv``, the same rules for every region and every episode, so that no
baseline index is set by hand where a public indicator exists::

    python -m sim.regions.indicators sim/regions/belarus          # (re)write the rows
    python -m sim.regions.indicators sim/regions/belarus --check  # verify them

Each derived row names its rule and the indicator values in its source (``rule R1: WGI
PV percentile rank 2022 = 20 (recalled, verify) -> 0.5 + 0.5 x / 100``) and takes the
weakest grade of its inputs (``recalled`` if any input is recalled, else ``sourced``).
Rows of attributes the rules do not produce are left untouched. ``docs/data-rules.md``
documents the table, the file format and the values shipped.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

import pandas as pd

from sim.errors import UserError
from sim.regions.loader import DataError, _load_actors, _read, refuse_removed
from sim.regions.roles import load_roles

#: Columns of ``indicators.csv``.
INDICATOR_COLUMNS = ("actor", "indicator", "value", "unit", "year", "source", "grade", "note")
#: Columns of ``attributes.csv`` (written when the file is new).
ATTRIBUTE_COLUMNS = ("actor", "attribute", "value", "unit", "year", "source", "grade", "note")
#: An indicator is a figure from a named dataset: read here, or remembered from it.
INDICATOR_GRADES = ("sourced", "recalled")
#: Indicators that name the poles of the alignment scale (rule R4): the row's actor is
#: the state whose UN voting defines "fully Moscow-aligned" (-1, Russia) or "fully
#: West-aligned" (+1, Germany), in every region and episode (docs/data-rules.md); ids
#: are data, so the poles are rows of indicators.csv, not names in this module.
POLES = ("unga_pole_moscow", "unga_pole_west")
#: Baseline stability of the least stable country in the world (rule R1).
STABILITY_AT_BOTTOM = 0.5
#: Military spending (% of GDP) at which posture is half way to full (rule R5).
HALF_POSTURE_MILEX = 4.0


@dataclass(frozen=True)
class Indicator:
    """A public indicator: id, short label, dataset, variable, unit and range."""

    id: str
    label: str
    dataset: str
    variable: str
    unit: str
    low: float
    high: float


INDICATORS: tuple[Indicator, ...] = (
    Indicator("wgi_pv", "WGI PV percentile rank", "World Bank, Worldwide Governance "
              "Indicators", "Political Stability and Absence of Violence/Terrorism: "
              "Percentile Rank (PV.PER.RNK)", "percentile rank", 0.0, 100.0),
    Indicator("vdem_civlib", "V-Dem civil liberties index", "V-Dem Country-Year dataset",
              "v2x_civlib (civil liberties index)", "index [0,1]", 0.0, 1.0),
    Indicator("unga_idealpoint", "UNGA ideal point", "Bailey, Strezhnev & Voeten, UN "
              "General Assembly ideal points (Harvard Dataverse doi:10.7910/DVN/LEJUQZ)",
              "IdealPointAll", "ideal point", -5.0, 5.0),
    Indicator("unga_pole_moscow", "Moscow pole", "as unga_idealpoint", "IdealPointAll of "
              "the Moscow pole (Russia)", "ideal point", -5.0, 5.0),
    Indicator("unga_pole_west", "West pole", "as unga_idealpoint", "IdealPointAll of "
              "the West pole (Germany)", "ideal point", -5.0, 5.0),
    Indicator("sipri_milex_gdp", "military expenditure share of GDP", "SIPRI Military "
              "Expenditure Database", "military expenditure as a share of GDP",
              "% of GDP", 0.0, 100.0),
    Indicator("nato_member", "NATO member", "NATO member countries (nato.int)",
              "member in that year (1) or not (0)", "binary", 0.0, 1.0),
)
_INDICATOR = {i.id: i for i in INDICATORS}
#: Indicators that only a removed rule read, with why: rows naming them get one error
#: saying so, not a generic "unknown indicator".
REMOVED_INDICATORS: MappingProxyType[str, str] = MappingProxyType({
    "wgi_va": "wgi_va is no longer read: rule R3 (grievance) was removed because the "
              "grievance level cancels out of the protest cascade (docs/data-rules.md R3); "
              "delete these rows",
})


def stability_from_wgi_pv(percentile: float) -> float:
    """R1: ``stability0 = 0.5 + 0.5 PV / 100`` from WGI Political Stability.

    The model's stability is a capacity to govern (1: full). The least stable country
    still has a government at baseline (0.5), the most stable is at 1. The band also
    keeps the model's no-runaway condition: excess unrest and stress drag stability by
    absolute amounts while protest reads the relative loss ``1 - s / s0``, so the
    feedback grows as ``1 / s0`` and tips into lasting mass protest below about 0.4
    (``docs/data-rules.md``, R1).

    Examples
    --------
    >>> stability_from_wgi_pv(20.0), stability_from_wgi_pv(0.0), stability_from_wgi_pv(100.0)
    (0.6, 0.5, 1.0)
    """
    return STABILITY_AT_BOTTOM + (1.0 - STABILITY_AT_BOTTOM) * percentile / 100.0


def repression_from_vdem_civlib(civlib: float) -> float:
    """R2: ``repression = 1 - v2x_civlib`` from V-Dem's civil liberties index.

    Examples
    --------
    >>> repression_from_vdem_civlib(0.25), repression_from_vdem_civlib(1.0)
    (0.75, 0.0)
    """
    return 1.0 - civlib


def alignment_from_ideal_points(x: float, moscow: float, west: float) -> float:
    """R4: ``alignment0 = clip(2 (x - x_M) / (x_W - x_M) - 1, -1, 1)`` from UN ideal points.

    ``x_M`` is the ideal point of the Moscow pole (Russia), ``x_W`` that of the West pole
    (Germany). Russia's own row is -1 and Germany's +1 by construction; a state voting
    further from the West than Russia (China, Belarus) or further from Russia than
    Germany (the United States) is clipped to the pole.

    Examples
    --------
    >>> alignment_from_ideal_points(0.05, moscow=-1.0, west=1.1)
    0.0
    >>> [alignment_from_ideal_points(x, -1.0, 1.1) for x in (-1.4, -1.0, 0.8, 2.9)]
    [-1.0, -1.0, 0.7142857142857142, 1.0]
    """
    if not west > moscow:
        raise ValueError("the West pole's ideal point must exceed the Moscow pole's")
    return min(1.0, max(-1.0, 2.0 * (x - moscow) / (west - moscow) - 1.0))


def posture_from_milex(share_of_gdp: float) -> float:
    """R5: ``posture0 = x / (x + 4)`` from military expenditure x, % of GDP (SIPRI).

    Saturating but never full: a state at war (Ukraine, 36%) sits near 0.9 and keeps
    room to arm further, which a capped linear rule (``min(1, x / 5)``) took away.

    Examples
    --------
    >>> posture_from_milex(4.0), round(posture_from_milex(36.2), 3)
    (0.5, 0.9)
    """
    return share_of_gdp / (share_of_gdp + HALF_POSTURE_MILEX)


def frontline_from_nato(member: float, border_km: float) -> float:
    """R6: 1 for a NATO member with a land border (km) with a threat source, else 0.

    The threat sources are the focal state and its patrons (``roles.yaml``); the border
    is read from the region's ``edges.csv`` (layer ``border``).

    Examples
    --------
    >>> frontline_from_nato(1, 584.0), frontline_from_nato(1, 0.0), frontline_from_nato(0, 1312)
    (1.0, 0.0, 0.0)
    """
    return 1.0 if member >= 0.5 and border_km > 0 else 0.0


@dataclass(frozen=True)
class Rule:
    """One row of the rule table (:data:`RULES`; ``docs/data-rules.md``).

    Attributes
    ----------
    id, attribute, applies_to, indicator, formula, why : str
        Rule id (``R1``...), the attribute it sets, for which actors, the id of the
        :class:`Indicator` it reads, the formula and why the indicator measures it.
    compute : callable
        The formula: takes the indicator value (and the extra inputs below).
    unit, note : str
        Unit and note of the derived ``attributes.csv`` rows.
    extra : str
        ``poles``: also the poles' ideal points; ``border``: also the land border (km)
        with the threat sources; ``security_bloc``: the focal state's security bloc
        takes the focal state's value.
    """

    id: str
    attribute: str
    applies_to: str
    indicator: str
    formula: str
    why: str
    compute: Callable[..., float]
    unit: str
    note: str = ""
    extra: str = ""


RULES: tuple[Rule, ...] = (
    Rule("R1", "stability0", "states", "wgi_pv", "0.5 + 0.5 x / 100",
         "the perceived likelihood of political instability or politically motivated "
         "violence, as the share of countries judged less stable, on the model's band "
         "of a governing state (0.5 to 1)", stability_from_wgi_pv, "index [0,1]"),
    Rule("R2", "repression", "states", "vdem_civlib", "1 - x",
         "the civil liberty a state takes away (physical integrity, private and political "
         "liberties) is the repression it has shown it can and will apply",
         repression_from_vdem_civlib, "index [0,1]"),
    # R3 (grievance from WGI VA) was removed: the level cancels out of the protest
    # cascade. The ids of the other rules stay, as derived rows' sources quote them.
    Rule("R4", "alignment0", "states", "unga_idealpoint",
         "clip(2 (x - x_M) / (x_W - x_M) - 1, -1, 1); x_M: Russia's, x_W: Germany's",
         "UN voting is the one yearly measure of foreign-policy position for every state; "
         "Germany, not the United States (an outlier near +3), anchors the West so that "
         "EU and NATO members land near +1", alignment_from_ideal_points, "index [-1,1]",
         "-1 = fully Moscow-aligned, +1 = fully West-aligned", "poles"),
    Rule("R5", "posture0", "states and the focal state's security bloc (its state's value)",
         "sipri_milex_gdp", f"x / (x + {HALF_POSTURE_MILEX:g})",
         "the share of output spent on arms measures readiness across states of any size; "
         "4% (about NATO's frontline members in 2023-24) is half way, and a state at war "
         "approaches 1 without reaching it, so it can still arm further",
         posture_from_milex, "index [0,1]", extra="security_bloc"),
    Rule("R6", "frontline", "states", "nato_member",
         "1 if member and a land border with the focal state or a patron, else 0",
         "the model's frontline rule (docs/model.md 6.6) written out: NATO members that "
         "border a threat source", frontline_from_nato, "binary", extra="border"),
)


@dataclass(frozen=True)
class _Figure:
    actor: str
    value: float
    year: str
    grade: str
    row: int

    def text(self, label: str) -> str:
        grade = "recalled, verify" if self.grade == "recalled" else self.grade
        return f"{label} {self.year} = {self.value:g} ({grade})"


def read_indicators(path: Path, kinds: dict[str, str]) -> dict[tuple[str, str], _Figure]:
    """Read and check ``indicators.csv`` (``kinds``: actor id -> kind, from actors.csv).

    Returns ``(actor, indicator) -> figure``; a bad row raises :class:`DataError` naming
    the file, the row and the field.
    """
    frame = _read(path, INDICATOR_COLUMNS)
    refuse_removed(path, frame, "indicator", REMOVED_INDICATORS)
    out: dict[tuple[str, str], _Figure] = {}
    for row, rec in frame.iterrows():
        def fail(field: str, message: str, row: int = row) -> NoReturn:
            raise DataError(str(path), f"row {row + 2}, {field}", message)

        spec = _INDICATOR.get(rec["indicator"])
        if spec is None:
            fail("indicator", f"unknown indicator {rec['indicator']!r}; known: "
                 f"{', '.join(_INDICATOR)}")
        if rec["actor"] not in kinds and spec.id not in POLES:
            fail("actor", f"unknown actor {rec['actor']!r}: not in actors.csv (only a pole "
                 f"of the alignment scale, {' or '.join(POLES)}, may name another state)")
        if kinds.get(rec["actor"], "state") != "state":
            fail("actor", f"{rec['actor']} is a power centre: indicators describe states")
        try:
            value = float(rec["value"])
        except ValueError:
            fail("value", f"not a number: {rec['value']!r}")
        if not (math.isfinite(value) and spec.low <= value <= spec.high) or (
                spec.unit == "binary" and value not in (0.0, 1.0)):
            fail("value", f"{rec['value']} is outside the range of {spec.id}: "
                 + ("0 or 1" if spec.unit == "binary" else f"[{spec.low:g}, {spec.high:g}]"))
        if rec["unit"] != spec.unit:
            fail("unit", f"{spec.id} is in {spec.unit!r}, not {rec['unit']!r}")
        if not (rec["year"].isdigit() and 1900 <= int(rec["year"]) <= 2100):
            fail("year", f"a year such as 2022, not {rec['year']!r}")
        if not rec["source"].strip() or rec["source"].strip().startswith("assumption:"):
            fail("source", "name the dataset, its version and year (a judgement is not an "
                 "indicator: put it in attributes.csv as an assumption)")
        if rec["grade"] not in INDICATOR_GRADES:
            fail("grade", f"must be one of {', '.join(INDICATOR_GRADES)} (read from the "
                 f"dataset, or remembered from it), not {rec['grade']!r}")
        if rec["grade"] == "recalled" and "recalled, verify" not in rec["note"]:
            fail("note", "a recalled figure says so: the note must contain 'recalled, verify'")
        if (rec["actor"], spec.id) in out or (
                spec.id in POLES and any(key[1] == spec.id for key in out)):
            fail("indicator", f"duplicate {spec.id} (a pole names one state)"
                 if spec.id in POLES else f"duplicate {rec['actor']}/{spec.id}")
        out[(rec["actor"], spec.id)] = _Figure(rec["actor"], value, rec["year"], rec["grade"],
                                               row + 2)
    for (actor, indicator), figure in out.items():
        own = out.get((actor, "unga_idealpoint"))
        if indicator in POLES and own is not None and own.value != figure.value:
            raise DataError(str(path), f"row {figure.row}, value", f"the pole's ideal point "
                            f"differs from {actor}'s unga_idealpoint (row {own.row})")
    return out


def derive(folder: Path) -> pd.DataFrame:
    """The attribute rows (columns :data:`ATTRIBUTE_COLUMNS`) the rules produce.

    ``folder`` holds ``actors.csv``, ``roles.yaml``, ``edges.csv`` and ``indicators.csv``.
    Rows come in rule order, then actor order; a state without the rule's indicator
    gets no row from that rule.
    """
    folder = Path(folder)
    actors = _load_actors(folder / "actors.csv")
    kinds = dict(zip(actors["id"], actors["kind"], strict=True))
    roles = load_roles(folder / "roles.yaml", kinds,
                       dict(zip(actors["id"], actors["parent"], strict=True)))
    figures = read_indicators(folder / "indicators.csv", kinds)
    threats = (roles.focal, *roles.patrons)
    edges = _read(folder / "edges.csv", ("layer", "source", "target", "value", "grade"))
    border = edges[edges["layer"] == "border"]
    rows = []
    for rule in RULES:
        for actor in (a for a in actors["id"] if kinds[a] == "state"):
            figure = figures.get((actor, rule.indicator))
            if figure is None:
                continue
            inputs, grades = [figure.text(_INDICATOR[rule.indicator].label)], {figure.grade}
            args = [figure.value]
            for pole in POLES if rule.extra == "poles" else ():
                found = [f for (_, ind), f in figures.items() if ind == pole]
                if not found:
                    raise DataError(str(folder / "indicators.csv"), pole, "rule R4 needs the "
                                    "ideal points of both poles of the alignment scale")
                args.append(found[0].value)
                grades.add(found[0].grade)
                inputs.append(found[0].text(f"{_INDICATOR[pole].label} {found[0].actor}"))
            if rule.extra == "border":
                shared = border[((border["source"] == actor) & border["target"].isin(threats))
                                | ((border["target"] == actor) & border["source"].isin(threats))]
                args.append(km := float(shared["value"].astype(float).sum()))
                if figure.value == 1.0:
                    if "assumption" in set(shared["grade"]):
                        raise DataError(str(folder / "edges.csv"), f"border of {actor}",
                                        "rule R6 reads land borders: grade them sourced or "
                                        "recalled (CIA World Factbook), not assumption")
                    grades |= set(shared["grade"])
                    inputs.append(f"land border with {', '.join(threats)} = {km:g} km "
                                  "(edges.csv)")
            grade = "recalled" if "recalled" in grades else "sourced"
            source = f"rule {rule.id}: {'; '.join(inputs)} -> {rule.formula}"
            notes = (rule.note, f"derived by rule {rule.id} (docs/data-rules.md)",
                     "inputs recalled, verify" if grade == "recalled" else "")
            row = dict(actor=actor, attribute=rule.attribute,
                       value=f"{round(rule.compute(*args), 4):g}", unit=rule.unit,
                       year=figure.year, source=source, grade=grade,
                       note="; ".join(n for n in notes if n))
            rows.append(row)
            if rule.extra == "security_bloc" and actor == roles.focal:
                rows.append({**row, "actor": roles.security, "source": source
                             + f"; the security bloc holds {actor}'s armed readiness"})
    return pd.DataFrame(rows, columns=list(ATTRIBUTE_COLUMNS))


def _attributes(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=list(ATTRIBUTE_COLUMNS))
    return _read(path, ATTRIBUTE_COLUMNS[:-1])


def differences(folder: Path) -> list[str]:
    """Derived rows that ``attributes.csv`` lacks or holds otherwise (empty: all agree)."""
    table = _attributes(Path(folder) / "attributes.csv").set_index(["actor", "attribute"])
    derived = derive(folder)
    keys = set(zip(derived["actor"], derived["attribute"], strict=True))
    out = [f"{a}/{b}: derived by a rule, but indicators.csv no longer gives its input"
           for (a, b), source in table["source"].items()
           if source.startswith("rule R") and (a, b) not in keys]
    for rec in derived.to_dict("records"):
        key = (rec["actor"], rec["attribute"])
        if key not in table.index:
            out.append(f"{key[0]}/{key[1]}: no row in attributes.csv")
            continue
        for field in ATTRIBUTE_COLUMNS[2:]:   # as written by :func:`write`, text for text
            old, new = str(table.loc[key].get(field, "")), rec[field]
            if old != new:
                out.append(f"{key[0]}/{key[1]}: {field} is {old!r}, the rule gives {new!r}")
    return out


def write(folder: Path) -> int:
    """(Re)write the derived rows into ``attributes.csv``; return how many were derived.

    A derived row replaces the row of the same (actor, attribute) in place, or is
    appended (a new file is created if need be); every other row is left as it was.
    """
    path = Path(folder) / "attributes.csv"
    table = _attributes(path)
    derived = derive(folder)
    for rec in derived.to_dict("records"):
        at = table.index[(table["actor"] == rec["actor"])
                         & (table["attribute"] == rec["attribute"])]
        table.loc[at[0] if len(at) else len(table), list(rec)] = list(rec.values())
    table.to_csv(path, index=False, lineterminator="\n")
    return len(derived)


def grade_counts(folder: Path) -> dict[str, int]:
    """Rows of ``attributes.csv`` per grade, and ``total``."""
    grades = _attributes(Path(folder) / "attributes.csv")["grade"]
    counts = {g: int((grades == g).sum()) for g in ("sourced", "recalled", "assumption")}
    return counts | {"total": len(grades)}


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) a region's derived rows; exit 0, 1 or 2."""
    parser = argparse.ArgumentParser(prog="python -m sim.regions.indicators",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="region folder holding indicators.csv")
    parser.add_argument("--check", action="store_true",
                        help="verify the derived rows of attributes.csv, write nothing")
    args = parser.parse_args(argv)
    try:
        found = differences(args.folder) if args.check else []
        if not args.check:
            print(f"{args.folder / 'attributes.csv'}: {write(args.folder)} derived rows written")
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        print("\n".join([*found, f"{args.folder}: {len(found)} derived rows differ"]) if found
              else f"{args.folder}: derived rows agree with indicators.csv")
    counts = grade_counts(args.folder)
    print(f"rows by grade: {counts['sourced']} sourced, {counts['recalled']} recalled, "
          f"{counts['assumption']} assumption of {counts['total']} "
          f"({counts['assumption'] / max(counts['total'], 1):.0%} assumption)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
