"""The rule table that turns public indicators into attributes (sim/regions/indicators.py):
each rule on hand-computed values, the shipped regions agree with their indicators.csv,
at most 40% of attribute rows are assumptions, and a broken indicators.csv gets one
clear message naming the file, the row and the field."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.paths import PACKAGE_DIR, REGIONS_DIR
from sim.regions import indicators as ind
from sim.regions.loader import APPLIES_TO, DataError, load_region

SHIPPED = ("belarus", "russia")
DOCS = PACKAGE_DIR.parent / "docs" / "data-rules.md"


@pytest.mark.parametrize(("function", "args", "expected"), [
    (ind.stability_from_wgi_pv, (20.0,), 0.60),
    (ind.stability_from_wgi_pv, (4.0,), 0.52),
    (ind.stability_from_wgi_pv, (0.0,), 0.5),           # the least stable country
    (ind.stability_from_wgi_pv, (100.0,), 1.0),
    (ind.repression_from_vdem_civlib, (0.22,), 0.78),
    (ind.repression_from_vdem_civlib, (0.0,), 1.0),
    # poles -1.0 (Moscow) and 1.1 (West): 2 (x + 1) / 2.1 - 1
    (ind.alignment_from_ideal_points, (-1.0, -1.0, 1.1), -1.0),   # the Moscow pole itself
    (ind.alignment_from_ideal_points, (1.1, -1.0, 1.1), 1.0),     # the West pole itself
    (ind.alignment_from_ideal_points, (0.05, -1.0, 1.1), 0.0),    # halfway
    (ind.alignment_from_ideal_points, (0.8, -1.0, 1.1), 2 * 1.8 / 2.1 - 1),
    (ind.alignment_from_ideal_points, (-0.7, -1.0, 1.1), 2 * 0.3 / 2.1 - 1),
    (ind.alignment_from_ideal_points, (-1.4, -1.0, 1.1), -1.0),   # beyond Moscow: clipped
    (ind.alignment_from_ideal_points, (2.9, -1.0, 1.1), 1.0),     # beyond the West: clipped
    (ind.posture_from_milex, (1.0,), 0.2),
    (ind.posture_from_milex, (4.0,), 0.5),
    (ind.posture_from_milex, (12.0,), 0.75),
    (ind.posture_from_milex, (36.0,), 0.9),              # a state at war keeps room
    (ind.frontline_from_nato, (1, 375.0), 1.0),
    (ind.frontline_from_nato, (1, 0.0), 0.0),           # a member with no border
    (ind.frontline_from_nato, (0, 1312.0), 0.0),        # a neighbour outside NATO
])
def test_each_rule_on_hand_computed_values(function, args, expected):
    assert function(*args) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("function", "low", "high", "rising"), [
    (ind.stability_from_wgi_pv, 0, 100, True),
    (ind.repression_from_vdem_civlib, 0, 1, False),
    (lambda x: ind.alignment_from_ideal_points(x, -1.0, 1.1), -3, 3, True),
    (ind.posture_from_milex, 0, 40, True),
])
def test_rules_are_monotone_and_stay_in_range(function, low, high, rising):
    values = [function(low + (high - low) * i / 50) for i in range(51)]
    assert values == sorted(values, reverse=not rising)
    assert min(values) >= -1.0 and max(values) <= 1.0


def test_alignment_poles_must_be_ordered():
    with pytest.raises(ValueError, match="West pole"):
        ind.alignment_from_ideal_points(0.0, moscow=1.0, west=-1.0)


def test_rule_table_is_complete_and_documented():
    ids = [rule.id for rule in ind.RULES]
    # R3 (grievance) was removed; its id is not reused, so an old row's source that
    # quotes "rule R3" can never be read as another rule's.
    assert ids == ["R1", "R2", "R4", "R5", "R6"]
    known = {i.id for i in ind.INDICATORS}
    text = DOCS.read_text()
    for rule in ind.RULES:
        assert rule.attribute in APPLIES_TO and rule.indicator in known
        assert f"| {rule.id} |" in text and rule.formula in text, rule.id
    for indicator in ind.INDICATORS:
        assert f"`{indicator.id}`" in text, indicator.id


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_region_agrees_with_its_indicators(name):
    folder = REGIONS_DIR / name
    assert ind.differences(folder) == []
    derived = ind.derive(folder)
    attrs = pd.read_csv(folder / "attributes.csv", dtype=str, keep_default_na=False)
    merged = derived.merge(attrs, on=["actor", "attribute"], suffixes=("", "_file"))
    assert len(merged) == len(derived)
    assert set(derived["grade"]) <= {"sourced", "recalled"}
    region = load_region(folder)
    states = [a for a, k in zip(region.ids, region.kinds, strict=True) if k == "state"]
    for rule in ind.RULES:   # every rule covers every state of the shipped regions
        assert set(derived.loc[derived["attribute"] == rule.attribute, "actor"]) >= set(states)


@pytest.mark.parametrize("name", SHIPPED)
def test_check_command_passes_on_shipped_regions(name):
    done = subprocess.run([sys.executable, "-m", "sim.regions.indicators",
                           str(REGIONS_DIR / name), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agree" in done.stdout


@pytest.mark.parametrize("name", SHIPPED)
def test_at_most_40_percent_of_attribute_rows_are_assumptions(name):
    grades = pd.read_csv(REGIONS_DIR / name / "attributes.csv", dtype=str,
                         keep_default_na=False)["grade"]
    assert (grades == "assumption").mean() <= 0.40
    assert ind.grade_counts(REGIONS_DIR / name)["assumption"] == (grades == "assumption").sum()


def test_poles_sit_at_the_ends_and_grades_follow_the_weakest_input():
    derived = ind.derive(REGIONS_DIR / "russia").set_index(["actor", "attribute"])
    assert derived.loc[("RUS", "alignment0"), "value"] == "-1"   # the Moscow pole itself
    assert derived.loc[("DEU", "alignment0"), "value"] == "1"    # the West pole itself
    # Russia's military spending is computed from two sourced figures of region-facts.
    assert derived.loc[("RUS", "posture0"), "grade"] == "sourced"
    assert derived.loc[("RUS_SEC", "posture0"), "value"] == derived.loc[("RUS", "posture0"),
                                                                         "value"]
    # Poland's membership is sourced, its border with Russia recalled: recalled.
    assert derived.loc[("POL", "frontline"), "grade"] == "recalled"
    assert derived.loc[("FIN", "frontline"), "value"] == "1"
    assert derived.loc[("DEU", "frontline"), "value"] == "0"     # NATO, no border


@pytest.fixture()
def region_copy(tmp_path):
    target = tmp_path / "belarus"
    shutil.copytree(REGIONS_DIR / "belarus", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("old", "new", "row", "field", "expected"), [
    ("BLR,wgi_pv,20,", "XXX,wgi_pv,20,", 2, "actor", "unknown actor 'XXX'"),
    ("BLR,wgi_pv,20,", "BLR_SEC,wgi_pv,20,", 2, "actor", "power centre"),
    ("BLR,wgi_pv,20,", "BLR,wgi_pvv,20,", 2, "indicator", "unknown indicator 'wgi_pvv'"),
    ("BLR,wgi_pv,20,", "BLR,wgi_pv,120,", 2, "value", "outside the range of wgi_pv"),
    ("BLR,vdem_civlib,0.22,", "BLR,vdem_civlib,-0.1,", None, "value", "outside the range"),
    ("BLR,nato_member,0,", "BLR,nato_member,0.5,", None, "value", "0 or 1"),
    ("BLR,wgi_pv,20,", "BLR,wgi_pv,high,", 2, "value", "not a number"),
    ("BLR,wgi_pv,20,percentile rank,", "BLR,wgi_pv,20,percent,", 2, "unit", "percentile rank"),
    ("(PV.PER.RNK)\",recalled,", "(PV.PER.RNK)\",,", 2, "grade", "must be one of sourced"),
    ("(PV.PER.RNK)\",recalled,", "(PV.PER.RNK)\",assumption,", 2, "grade", "must be one of"),
    ("(PV.PER.RNK)\",recalled,\"recalled, verify;", "(PV.PER.RNK)\",recalled,\"from memory;",
     2, "note", "recalled, verify"),
])
def test_broken_indicators_file_is_named(region_copy, old, new, row, field, expected):
    path = region_copy / "indicators.csv"
    _edit(path, old, new)
    with pytest.raises(DataError) as info:
        ind.derive(region_copy)
    message = str(info.value)
    assert message.count("indicators.csv") == 1 and expected in message
    assert f", {field}:" in message
    if row is not None:
        assert f"row {row}, {field}" in message


def test_broken_file_exits_2_with_one_line(region_copy):
    _edit(region_copy / "indicators.csv", "BLR,wgi_pv,20,", "XXX,wgi_pv,20,")
    done = subprocess.run([sys.executable, "-m", "sim.regions.indicators", str(region_copy)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "row 2, actor" in done.stderr


def test_duplicate_and_missing_pole_are_named(region_copy):
    path = region_copy / "indicators.csv"
    lines = path.read_text().splitlines()
    pole = next(line for line in lines if ",unga_pole_west," in line)
    path.write_text("\n".join([*lines, pole]) + "\n")
    with pytest.raises(DataError, match="duplicate"):
        ind.derive(region_copy)
    path.write_text("\n".join(ln for ln in lines if ",unga_pole_west," not in ln) + "\n")
    with pytest.raises(DataError, match="unga_pole_west.*both poles"):
        ind.derive(region_copy)


def test_a_changed_indicator_moves_only_its_rows(region_copy):
    before = (region_copy / "attributes.csv").read_text().splitlines()
    _edit(region_copy / "indicators.csv", "BLR,sipri_milex_gdp,1.1,", "BLR,sipri_milex_gdp,4.0,")
    diffs = ind.differences(region_copy)
    assert diffs and all(d.startswith(("BLR/posture0", "BLR_SEC/posture0")) for d in diffs)
    assert ind.main([str(region_copy), "--check"]) == 1
    assert ind.main([str(region_copy)]) == 0
    after = (region_copy / "attributes.csv").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert [b.split(",")[:3] for _, b in changed] == [["BLR", "posture0", "0.5"],
                                                      ["BLR_SEC", "posture0", "0.5"]]
    assert ind.differences(region_copy) == []
    load_region(region_copy)


def test_a_derived_row_without_its_indicator_is_flagged(region_copy):
    path = region_copy / "indicators.csv"
    path.write_text("".join(ln for ln in path.read_text().splitlines(keepends=True)
                            if not ln.startswith("MDA,vdem_civlib,")))
    assert ind.differences(region_copy) == [
        "MDA/repression: derived by a rule, but indicators.csv no longer gives its input"]


def test_removed_rule_r3_and_its_indicator_are_refused_with_the_reason(region_copy):
    """R3 (grievance from WGI VA) left the rule table: a wgi_va row is named in one error
    saying why; no rule derives grievance any more."""
    assert "grievance" not in {rule.attribute for rule in ind.RULES}
    assert "wgi_va" not in {i.id for i in ind.INDICATORS}
    path = region_copy / "indicators.csv"
    lines = path.read_text().splitlines()
    lines[2:2] = ['BLR,wgi_va,6,percentile rank,2022,"World Bank WGI 2023 update, VA",'
                  'recalled,"recalled, verify"']
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"indicators.csv: row 3, indicator: wgi_va is no "
                       r"longer read: rule R3 \(grievance\) was removed"):
        ind.derive(region_copy)
    assert ind.main([str(region_copy), "--check"]) == 2


def test_write_is_idempotent_and_keeps_other_rows(region_copy):
    text = (region_copy / "attributes.csv").read_text()
    assert ind.main([str(region_copy)]) == 0
    assert (region_copy / "attributes.csv").read_text() == text


def test_a_new_region_without_attributes_gets_the_derived_rows(region_copy):
    (region_copy / "attributes.csv").unlink()
    count = ind.write(region_copy)
    written = pd.read_csv(region_copy / "attributes.csv", dtype=str, keep_default_na=False)
    assert len(written) == count and ind.differences(region_copy) == []
    assert tuple(written.columns) == ind.ATTRIBUTE_COLUMNS
