"""Writers of the episode folder's files, each row derived by a rule of :mod:`rules`.

Called by :func:`sim.episodes.build.build`; the row texts name the rule and the
source of every figure, as the hand-encoded folders did.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from sim.episodes import rules
from sim.episodes.source import EVIDENCE_FIELDS, OPTIONAL_EVIDENCE_FIELDS, EpisodeSource
from sim.paths import REGIONS_DIR
from sim.regions import indicators

if TYPE_CHECKING:
    from sim.episodes.build import World

RECALLED = "recalled"
GAZETTEER = "capital city coordinates (public gazetteer)"
#: The power-centre template (README 1.4): the Belarus region's values for a
#: personalist regime, the same in every episode.
TEMPLATE = {  # role: (stability0, stubbornness, power_weight)
    "LEAD": (1.0, 0.9, 0.4), "SEC": (0.85, 0.8, 0.3), "APP": (0.8, 0.7, 0.2),
    "PUB": (0.3, 0.8, 0.1)}
TEMPLATE_SOURCE = ("assumption: episode power-centre template, the Belarus region's value "
                   "for a personalist regime, the same in every episode (nothing about the "
                   "security forces' loyalty in this episode goes in: it is an outcome)")
NOT_APPLICABLE = "assumption: not applicable to a power centre (sub-state actor), so set to 0."
#: The regime layer template (README 1.4): (source role, target role, value, why).
REGIME_EDGES = (
    ("LEAD", "SEC", 0.6, "security chiefs are personal appointees whose cohesion depends on "
     "the leader's patronage in a personalist regime."),
    ("LEAD", "APP", 0.7, "the civilian apparatus is appointed by and answers to the "
     "president."),
    ("LEAD", "", 0.3, "a personalist state's stability is partly tied to the person of the "
     "leader."),
    ("SEC", "", 0.3, "the coercive apparatus holds the state in place."),
    ("APP", "", 0.3, "the apparatus runs the state and holds the constitutional succession."),
    ("PUB", "", 0.1, "the public moves the state only weakly under an authoritarian regime."),
    ("", "PUB", 0.3, "state conditions (repression, economy) shape the public and "
     "opposition."),
    ("SEC", "LEAD", 0.3, "the leader's survival depends on security loyalty."),
    ("APP", "LEAD", 0.2, "the leader relies on the apparatus, but less than on the coercive "
     "bloc."),
)
PATRON_EDGE = (0.3, "a patron reaches the security bloc through its security ties.")
STRESS0 = 0.3
#: Display offsets of the power centres around the capital (degrees): north, east,
#: south, west.
OFFSETS = {"LEAD": (0.6, 0.0, "north"), "SEC": (0.0, 0.6, "east"),
           "APP": (-0.6, 0.0, "south"), "PUB": (0.0, -0.6, "west")}


def _num(value: float) -> str:
    """A figure as written in the tables (shortest round-trip text, no '.0')."""
    return f"{value:g}" if abs(value) >= 1e-4 or value == 0 else repr(value)


def _ref(tie) -> str:
    """A tie's reference; a judgement's starts with 'assumption:' as the loader requires."""
    if tie.grade == "assumption" and not tie.ref.startswith("assumption:"):
        return f"assumption: {tie.ref}"
    return tie.ref


def _write(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _pc(focal: str, role: str) -> str:
    return f"{focal}_{role}"


def patrons(source: EpisodeSource, world: World) -> list[tuple[str, bool, str]]:
    """(actor, takeover, reason) of every patron by rules P1-P2."""
    out = []
    for cand in source.patron_candidates:
        if not rules.is_patron(cand):
            continue
        takeover = rules.can_take_over(cand, source.focal, world.lengths(source.trigger.date))
        facts = "; ".join(x for x in (cand.treaty, cand.base) if x)
        why = ("treaty" if cand.treaty else "land border") if takeover else None
        out.append((cand.actor, takeover, f"{facts}. Takeover "
                    + (f"allowed: {why}." if takeover else
                       "not allowed: no mutual-defence treaty and no land border.")))
    return out


def write_all(source: EpisodeSource, world: World, target: Path) -> None:
    """Write every file of the folder (attributes last: the indicator rules read the rest)."""
    states = rules.entering_states(source, world.lengths(source.trigger.date))
    year = rules.measurement_year(source.trigger.date)
    _actors(source, world, states, target)
    _indicators(source, states, year, target)
    _edges(source, world, states, year, target)
    shutil.copyfile(REGIONS_DIR / "russia" / "layers.csv", target / "layers.csv")
    _roles(source, world, states, target)
    _episode(source, target)
    _evidence(source, target)
    _attributes(source, world, states, year, target)


def _actors(source: EpisodeSource, world: World, states: list[str], target: Path) -> None:
    rows = []
    for s in states:
        c = world.countries[s]
        rows.append((s, c.name, "state", "", c.capital, f"{c.lat:.4f}", f"{c.lon:.4f}",
                     GAZETTEER))
    focal = world.countries[source.focal]
    names = {"LEAD": f"Leader ({source.leader.title})", "SEC": source.security_bloc,
             "APP": f"State apparatus and constitutional successor ({source.succession.title})",
             "PUB": "Public and opposition"}
    for role, (dlat, dlon, where) in OFFSETS.items():
        rows.append((_pc(source.focal, role), names[role], "power_centre", source.focal,
                     focal.capital, f"{focal.lat + dlat:.4f}", f"{focal.lon + dlon:.4f}",
                     f"{GAZETTEER}; placed near {focal.capital} for display ({focal.capital} "
                     f"offset 0.6 deg {where}; not a real location)"))
    _write(target / "actors.csv", ("id", "name", "kind", "parent", "capital", "lat", "lon",
                                   "source"), rows)


def _indicators(source: EpisodeSource, states: list[str], year: int, target: Path) -> None:
    wgi = rules.wgi_year(source.trigger.date)
    rows = []
    notes = {"wgi": "recalled, verify; remembered to about +/-10 percentile points",
             "vdem": "recalled, verify; remembered to about +/-0.1",
             "unga": "recalled, verify; remembered to about +/-0.4 (the ordering is firmer "
                     "than the decimals)",
             "sipri": "recalled, verify; remembered to about +/-0.5 points"}
    wgi_src = ("World Bank Worldwide Governance Indicators, 2023 update (Kaufmann & Kraay; "
               f"data for {wgi}), ")
    unga_src = ("Bailey, Strezhnev & Voeten UN General Assembly ideal points (Voeten, Harvard "
                f"Dataverse doi:10.7910/DVN/LEJUQZ, 2024 release), IdealPointAll, {year}")
    # Only PV is written: the sources' wgi_va (Voice and Accountability) fed rule R3, the
    # grievance level, which was removed because it cancels out of the protest cascade.
    label = "Political Stability and Absence of Violence/Terrorism, percentile rank (PV.PER.RNK)"
    for s in states:
        rows.append((s, "wgi_pv", _num(source.states[s].wgi_pv), "percentile rank", wgi,
                     wgi_src + label, RECALLED, notes["wgi"]))
    for s in states:
        rows.append((s, "vdem_civlib", _num(source.states[s].civlib), "index [0,1]", year,
                     f"V-Dem Country-Year dataset v13 (2023; data for {year}), v2x_civlib",
                     RECALLED, notes["vdem"]))
    for s in states:
        v = source.states[s].ideal
        if v is not None:
            rows.append((s, "unga_idealpoint", _num(v), "ideal point", year, unga_src,
                         RECALLED, notes["unga"]))
    for pole, actor, v, name in (
            ("unga_pole_moscow", rules.POLE_MOSCOW, source.pole_moscow, "Moscow"),
            ("unga_pole_west", rules.POLE_WEST, source.pole_west, "West")):
        rows.append((actor, pole, _num(v), "ideal point", year, unga_src, RECALLED,
                     "recalled, verify; remembered to about +/-0.4; the " + name + " pole of "
                     "rule R4 (the same state in every region and episode)"))
    for s in states:
        f = source.states[s]
        if f.milex is not None:
            y = f.milex_year or year
            rows.append((s, "sipri_milex_gdp", _num(f.milex), "% of GDP", y,
                         "SIPRI Military Expenditure Database (April 2024 release), military "
                         f"expenditure as a share of GDP, {y}", RECALLED, notes["sipri"]))
    date = source.trigger.date.isoformat()
    for s in states:
        key = f"{s}.nato"
        sourced = key in source.sourced
        rows.append((s, "nato_member", str(source.states[s].nato), "binary",
                     source.trigger.date.year,
                     source.sourced[key] if sourced else
                     f"NATO member countries (nato.int), membership on {date}",
                     "sourced" if sourced else RECALLED,
                     ("member" if source.states[s].nato else "not a member")
                     if sourced else "recalled, verify; "
                     + ("member" if source.states[s].nato else "not a member")))
    _write(target / "indicators.csv", indicators.INDICATOR_COLUMNS, rows)


def _edges(source: EpisodeSource, world: World, states: list[str], year: int,
           target: Path) -> None:
    rows = []
    for a, b, v in source.trade:
        if v == 0:
            continue
        rows.append(("trade", a, b, _num(v), "US$ bn", year, "IMF Direction of Trade "
                     f"Statistics, goods exports + imports, {year}", RECALLED,
                     "recalled, verify; order of magnitude only (about +/-50%)"))
    for t in source.energy:
        rows.append(("energy", t.source, t.target, _num(t.value), "share", year, _ref(t),
                     t.grade, "recalled, verify; to about +/-0.15"))
    pairs: dict[frozenset[str], list] = {}
    for t in source.security:  # rule T3: one row per pair, the strongest tie listed
        pairs.setdefault(frozenset((t.source, t.target)), []).append(t)
    for ties in pairs.values():
        best = max(ties, key=lambda t: rules.SECURITY_TIE[t.kind])
        v = rules.SECURITY_TIE[best.kind]
        rows.append(("security", ties[0].source, ties[0].target, _num(v), "tie strength",
                     year, f"assumption: episode security rule T3 ({_num(v)}, "
                     f"{rules.SECURITY_MEANING[best.kind]}): {best.ref}"
                     + "".join(f"; also {rules.SECURITY_MEANING[t.kind]}: {t.ref}"
                               for t in ties if t is not best),
                     "assumption", "membership and treaty dates recalled, verify"))
    borders = world.on(source.trigger.date)
    dated = {frozenset(d.between) for d in world.dated}
    for pair in sorted(borders, key=sorted):
        a, b = sorted(pair)
        if a in states and b in states:
            km, ref = borders[pair]
            was = pair in dated  # rule E4: an edition of the episode's time, recalled
            rows.append(("border", a, b, _num(km), "km", source.trigger.date.year if was
                         else 2024, ref or "CIA World Factbook 2024",
                         "sourced" if ref and not was else RECALLED,
                         "recalled, verify; the border as it stood then (rule E4)" if was
                         else "" if ref else "recalled, verify"))
    for t in source.debt:
        rows.append(("debt", t.source, t.target, _num(t.value), "US$ bn", year, _ref(t),
                     t.grade, "recalled, verify; to about +/-25%; rule T5: rows only where "
                     "at least 10% of the debtor's GDP"))
    for t in source.troops:
        rows.append(("troops", t.source, t.target, _num(t.value), "troops", year, _ref(t),
                     t.grade, "recalled, verify; order of magnitude"
                     if t.grade == RECALLED else ""))
    f = source.focal
    tmpl = "assumption: episode regime template (the Belarus region's values): "
    for src, dst, v, why in REGIME_EDGES:
        rows.append(("regime", _pc(f, src) if src else f, _pc(f, dst) if dst else f, _num(v),
                     "share", year, tmpl + why, "assumption", ""))
    for actor, _, _ in patrons(source, world):
        rows.append(("regime", actor, _pc(f, "SEC"), _num(PATRON_EDGE[0]), "share", year,
                     tmpl + PATRON_EDGE[1], "assumption", ""))
    _write(target / "edges.csv", ("layer", "source", "target", "value", "unit", "year",
                                  "source_ref", "grade", "note"), rows)


class _Flow(list):
    pass


yaml.SafeDumper.add_representer(
    _Flow, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data,
                                                flow_style=True))


def _dump(header: str, data: dict) -> str:
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


def _outsider(succ) -> dict:
    """Rule RC7's row of ``roles.yaml`` (nothing where the source does not encode it)."""
    fact = succ.successor_outsider
    if fact is None:
        return {}
    note = (f"recalled, verify; rule RC7 (docs/data-rules.md 13), {fact.year}"
            if fact.grade == "recalled" else f"rule RC7 (docs/data-rules.md 13), {fact.year}")
    source = fact.source if fact.grade != "assumption" or fact.source.startswith(
        "assumption:") else f"assumption: {fact.source}"
    return {"successor_outsider": {"value": fact.value, "source": source,
                                   "grade": fact.grade, "note": note}}


def _roles(source: EpisodeSource, world: World, states: list[str], target: Path) -> None:
    f, succ = source.focal, source.succession
    born = source.leader.born
    age_src = (f"{source.leader.name} born {born.day} {born.strftime('%b %Y')} "
               + ("(" + source.sourced["leader.born"] + ")" if "leader.born" in source.sourced
                  else "(recalled, verify)")
               + f"; age on the trigger date {source.trigger.date.isoformat()}")
    patron_ids = {a for a, _, _ in patrons(source, world)}
    window = rules.election_window(succ.window_days, succ.deadline_days, succ.term_end_days)
    rule = ("the text's window" if succ.window_days else
            f"rule S2, deadline {succ.deadline_days} days -> [D - 14, D]"
            if succ.deadline_days else
            f"rule S3, no early vote: the term's end ({succ.term_end_days} days) -> [D - 14, D]")
    data = {
        "focal": f, "leader": _pc(f, "LEAD"), "security": _pc(f, "SEC"),
        "apparatus": _pc(f, "APP"), "public": _pc(f, "PUB"),
        "leader_age": {"years": rules.age_years(born, source.trigger.date), "source": age_src},
        "patrons": [{"actor": a, "support": True, "takeover": t, "source": why}
                    for a, t, why in patrons(source, world)],
        "reported": [s for s in states if s != f and s not in patron_ids],
        "succession": {
            "source": f"{succ.source} Window: {rule}.",
            "natural": {"acting": _pc(f, "APP" if succ.acting == "apparatus" else "SEC"),
                        "title": succ.title},
            "violent": {"emergency_body": None},
            "election_days": _Flow(window),
            **_outsider(succ)},
    }
    (target / "roles.yaml").write_text(_dump(
        f"# Roles and succession rules of the {source.title} episode region, as they stood\n"
        "# before the trigger. Built by python -m sim.episodes.build from "
        f"sources/{source.name}.yaml.\n", data), encoding="utf-8")


def _episode(source: EpisodeSource, target: Path) -> None:
    crowd = source.crowd if isinstance(source.crowd, str) else {
        "low": source.crowd.low, "high": source.crowd.high, "week": source.crowd.week,
        "side": source.crowd.side}
    data = {"name": source.name, "title": source.title, "trigger": source.trigger.kind,
            "trigger_date": source.trigger.date, "observed": source.observed}
    if source.alternative_class:
        data["alternative_class"] = source.alternative_class
    data["crowd"] = crowd
    data["events"] = rules.events(source) + rules.scheduled_elections(source)
    if source.scheduled_votes:
        data["scheduled_votes"] = [{"date": v.date, "what": v.what}
                                   for v in source.scheduled_votes]
    if source.no_path:
        data["no_path"] = source.no_path
    data["sources"] = [
        f"episodes.md (development set), row {source.row}: {source.summary}; class "
        f"{source.observed}",
        "Reuters, BBC and RFE/RL reporting; OSCE/ODIHR election reports; Archigos and "
        "Geddes-Wright-Frantz (as summarised in episodes.md)",
        f"Built from sources/{source.name}.yaml by python -m sim.episodes.build; the region "
        "files name the source of every figure"]
    (target / "episode.yaml").write_text(_dump(
        f"# {source.title}: development episode (/work/shared/reference/episodes.md).\n"
        "# Built by python -m sim.episodes.build; nothing here was changed after seeing a "
        "model result.\n", data), encoding="utf-8")


#: Which rule of docs/data-rules.md section 13 reads each evidence field.
_EVIDENCE_RULES = {"ruling_base": "RC1", "wgi_ge": "RC2", "term_limited": "RC3",
                   "successor_announced": "RC3", "approval": "RC3 and RC8",
                   "last_vote_share": "RC8",
                   "trade_eu_pct_gdp": "RC4", "trade_us_pct_gdp": "RC4", "vdem_regime": "RC5"}


def _evidence_note(field: str) -> str:
    rule = _EVIDENCE_RULES.get(field)
    if rule is None:
        return "not read by the model (pre-trigger evidence, README 5)"
    return f"read by the model: rule {rule} (docs/data-rules.md 13)"


def _evidence(source: EpisodeSource, target: Path) -> None:
    rows = []
    given = [f for f in OPTIONAL_EVIDENCE_FIELDS if f in source.evidence]
    for field in EVIDENCE_FIELDS + tuple(given):
        e = source.evidence[field]
        value = "" if e.value is None else str(e.value)
        rows.append((source.focal, field, value, "" if e.year is None else e.year, e.source,
                     e.grade, _evidence_note(field)))
    _write(target / "evidence.csv", ("actor", "evidence", "value", "year", "source", "grade",
                                     "note"), rows)


def _stubbornness(state: str, nato: int) -> tuple[float, str]:
    if state in rules.GREAT_POWERS:
        return 0.95, "a permanent member of the UN Security Council that sets its own line"
    if nato:
        return 0.85, "anchored by NATO membership"
    return 0.7, "any other state (the episode template)"


def _attributes(source: EpisodeSource, world: World, states: list[str], year: int,
                target: Path) -> None:
    rows: list[tuple] = []
    figs = source.states
    add = rows.append
    for s in states:
        add((s, "population_m", _num(figs[s].pop), "million people", year,
             f"World Bank WDI (SP.POP.TOTL), {year}", RECALLED,
             "recalled, verify; to about +/-3%"))
    for s in states:
        add((s, "gdp_usd_bn", _num(figs[s].gdp), "US$ bn", year,
             f"World Bank WDI (NY.GDP.MKTP.CD, current US$), {year}", RECALLED,
             "recalled, verify; to about +/-15%"))
    cinc_year = min(year, 2016)
    for s in states:
        add((s, "capability", _num(figs[s].cinc), "CINC share of world", cinc_year,
             f"Correlates of War NMC v7.0, CINC {cinc_year}", RECALLED,
             "recalled, verify; to about +/-30%; read by the security layer "
             "(tie_by_capability)"))
    for s in states:
        c = world.countries[s]
        add((s, "border_total_km", _num(c.border_total_km), "km", 2024,
             c.border_total_source or f"CIA World Factbook 2024 ({c.name}, land boundaries)",
             "sourced" if c.border_total_source else RECALLED,
             "" if c.border_total_source else "recalled, verify; one edition for every "
             "episode"))
    regime_class = source.evidence["vdem_regime"].value
    for s in states:
        value, why = rules.baseline_unrest(s == source.focal, regime_class)
        add((s, "unrest0", _num(value), "share of population", year,
             f"assumption: {why}; the Belarus region's values for its autocracies and "
             "democracies, so the push calibrated on Belarus means the same everywhere",
             "assumption", ""))
    for s in states:
        add((s, "stress0", _num(STRESS0), "index [0,1]", year, "assumption: one value for "
             "every state of every episode; no defensible public indicator "
             "(docs/data-rules.md 6) and the model reads only the excess over the baseline",
             "assumption", ""))
    for s in states:
        v, why = _stubbornness(s, figs[s].nato)
        add((s, "stubbornness", _num(v), "weight [0,1]", year, "assumption: episode rule E5: "
             "0.95 permanent members of the UN Security Council, 0.85 NATO members, 0.7 "
             f"others; here {why}", "assumption", "Friedkin-Johnsen anchoring to own "
             "alignment0"))
    f = source.focal
    for attr, k, unit, note in (
            ("stability0", 0, "index [0,1]", "loyalty/cohesion (leader: capacity to rule; "
             "public: organisational strength)"),
            ("stubbornness", 1, "weight [0,1]", "Friedkin-Johnsen anchoring to own "
             "alignment0"),
            ("power_weight", 2, "share", "weights of the four power centres sum to 1")):
        for role, values in TEMPLATE.items():
            add((_pc(f, role), attr, _num(values[k]), unit, year, TEMPLATE_SOURCE,
                 "assumption", note))
    for role in ("LEAD", "APP", "PUB"):
        add((_pc(f, role), "posture0", "0", "index [0,1]", year, NOT_APPLICABLE,
             "assumption", ""))
    for role in TEMPLATE:
        add((_pc(f, role), "stress0", "0", "index [0,1]", year, NOT_APPLICABLE,
             "assumption", ""))
    _gap_rows(source, states, year, add)
    _write(target / "attributes.csv", indicators.ATTRIBUTE_COLUMNS, rows)
    derived = indicators.derive(target)
    focal_alignment = derived[(derived["actor"] == f) & (derived["attribute"] == "alignment0")]
    align = (float(focal_alignment["value"].iloc[0]) if len(focal_alignment)
             else rules.ALIGNMENT_FALLBACK)
    for role in TEMPLATE:
        add((_pc(f, role), "alignment0", _num(align), "index [-1,1]", year,
             "assumption: episode template: every power centre takes the focal state's "
             f"alignment0 ({_num(align)}); no dataset measures the alignment of a regime's "
             "power centres", "assumption", "-1 = fully Moscow-aligned, +1 = fully "
             "West-aligned"))
    rows.extend(tuple(r) for r in derived[list(indicators.ATTRIBUTE_COLUMNS)]
                .astype(str).itertuples(index=False))
    _write(target / "attributes.csv", indicators.ATTRIBUTE_COLUMNS, rows)


def _gap_rows(source: EpisodeSource, states: list[str], year: int, add) -> None:
    """Rules G1-G3: assumption rows where an indicator has no value."""
    fallback = indicators.posture_from_milex(rules.MILEX_FALLBACK)
    for s in states:
        figs = source.states[s]
        if figs.milex is None:
            targets = [s] + ([_pc(s, "SEC")] if s == source.focal else [])
            for actor in targets:
                add((actor, "posture0", _num(round(fallback, 4)), "index [0,1]", year,
                     f"assumption: no SIPRI value for {figs.name} in {year - 3}-{year} "
                     f"(recalled gap); rule G3: rule R5 at {rules.MILEX_FALLBACK:g}% of GDP, "
                     "a middle value", "assumption", ""))
        if figs.ideal is None:
            add((s, "alignment0", _num(rules.ALIGNMENT_FALLBACK), "index [-1,1]", year,
                 f"assumption: no UN General Assembly votes of {figs.name} in {year} (not "
                 "seated); rule G2: neutral", "assumption", "-1 = fully Moscow-aligned, "
                 "+1 = fully West-aligned"))
