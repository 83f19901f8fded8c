"""The strict YAML reader (issue 8, items 2 and 3): hostile or loose input gets one
clear UserError, fast, never a hang, a traceback or a silently wrong value."""

from __future__ import annotations

import time

import pytest

from sim import safe_yaml
from sim.errors import UserError
from sim.safe_yaml import load_yaml, parse_yaml

BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]"
       for i in range(8)])


def refused(text: str) -> UserError:
    with pytest.raises(UserError) as info:
        parse_yaml(text, "s.yaml")
    assert info.value.origin == "s.yaml"
    assert "\n" not in str(info.value)
    return info.value


# -- item 2: resource exhaustion -------------------------------------------------------

def test_billion_laughs_is_refused_at_once():
    assert len(BILLION_LAUGHS) < 500
    started = time.perf_counter()
    error = refused(BILLION_LAUGHS)
    assert time.perf_counter() - started < 1.0
    assert "anchors and aliases are not allowed" in error.message


def test_self_referencing_alias_is_refused():
    assert "alias" in refused("a: &a [*a]").message or "anchor" in refused("a: &a [*a]").message
    assert "alias *x" in refused("a: [*x]").message


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  v"])
def test_deep_nesting_is_refused_without_recursion_error(text):
    assert "nests mappings and lists more than" in refused(text).message


def test_recursion_and_memory_errors_become_user_errors(monkeypatch):
    with pytest.raises(UserError, match="too deeply nested"):
        parse_yaml("[" * 5000 + "]" * 5000, "s.yaml", max_depth=10**6)

    def exhausted(self):
        raise MemoryError

    monkeypatch.setattr(safe_yaml._StrictLoader, "strict_data", exhausted)
    with pytest.raises(UserError, match="too large to read into memory"):
        parse_yaml("a: 1", "s.yaml")


def test_size_is_checked_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: 3 GB on paper, nothing on disk
        handle.truncate(3 * 1024**3)
    read = []
    monkeypatch.setattr(safe_yaml.os, "read", lambda *args: read.append(args) or b"")
    with pytest.raises(UserError, match="larger than 1,000,000 bytes"):
        load_yaml(big)
    assert read == []


def test_a_device_or_folder_is_not_read(tmp_path):
    for path in ("/dev/zero", tmp_path):
        with pytest.raises(UserError, match="not a regular file"):
            load_yaml(path)


def test_file_just_over_the_cap_is_refused_and_under_is_read(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("a: 1\n" + "#" * (safe_yaml.MAX_BYTES - 5), encoding="utf-8")
    assert load_yaml(path) == {"a": 1}
    path.write_text("a: 1\n" + "#" * safe_yaml.MAX_BYTES, encoding="utf-8")
    with pytest.raises(UserError, match="larger than"):
        load_yaml(path)


def test_not_utf8_and_missing_files(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"name: \xff\n")
    with pytest.raises(UserError, match="not UTF-8"):
        load_yaml(path)
    with pytest.raises(UserError, match="file not found"):
        load_yaml(tmp_path / "missing.yaml")


# -- item 3: loose typing ---------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("name: a\nname: b", "name"),
    ("parameters:\n  x: 1\n  x: 2", "parameters.x"),
    ("events:\n  - {type: a, week: 1, week: 2}", "events.0.week"),
    ("true: 1\nTrue: 2", "True"),
])
def test_duplicate_keys_are_refused_naming_the_key(text, key):
    error = refused(text)
    assert error.field == key
    assert "duplicate key" in error.message


@pytest.mark.parametrize("value", ["yes", "No", "ON", "off", "y", "N"])
def test_yaml11_booleans_are_refused(value):
    assert "YAML 1.1" in refused(f"members: {value}").message


@pytest.mark.parametrize("value, words", [("010", "leading zero"), ("1:30", "sexagesimal"),
                                          ("0x1F", "hexadecimal"), ("1_000", "'_'"),
                                          ("-07", "leading zero")])
def test_yaml11_numbers_are_refused(value, words):
    error = refused(f"weeks: {value}")
    assert words in error.message and error.field == "weeks"


def test_quoted_numbers_stay_strings_and_plain_numbers_are_typed():
    data = parse_yaml("a: '10'\nb: \"5.0\"\nc: 10\nd: 5.0\ne: 1e3\nf: true\ng: 'yes'\n"
                      "h: 2026-01-01\ni: ~\nj: 10:30 meeting", "s.yaml")
    assert data == {"a": "10", "b": "5.0", "c": 10, "d": 5.0, "e": 1000.0, "f": True,
                    "g": "yes", "h": "2026-01-01", "i": None, "j": "10:30 meeting"}
    assert type(data["c"]) is int and type(data["d"]) is float


def test_strict_int_fields_then_refuse_quoted_and_float_numbers():
    """What the scenario schema gets once it is strict: "10" and 5.0 are not ints."""
    from pydantic import BaseModel, ConfigDict, ValidationError

    class Strict(BaseModel):
        model_config = ConfigDict(strict=True)
        members: int

    for text in ("members: '10'", "members: 5.0", "members: true"):
        with pytest.raises(ValidationError):
            Strict.model_validate(parse_yaml(text, "s.yaml"))
    assert Strict.model_validate(parse_yaml("members: 10", "s.yaml")).members == 10


@pytest.mark.parametrize("text, words", [
    ("a: !!int '3'", "explicit tag !!int"),
    ("a: !!python/object/apply:os.system [ls]", "explicit tag"),
    ("<<: {a: 1}", "merge key"),
    ("? [a, b]\n: 1", "keys must be plain"),
    ("a: 1\n---\nb: 2", "single document"),
    ("a: [1, 2", "not valid YAML"),
])
def test_other_refusals(text, words):
    assert words in str(refused(text))


def test_shipped_scenarios_read_the_same_as_before():
    import yaml

    from sim.paths import SCENARIOS_DIR

    for path in sorted(SCENARIOS_DIR.glob("*.yaml")):
        assert load_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path


def test_a_control_character_is_a_clear_error_not_a_reader_traceback():
    with pytest.raises(UserError, match=r"x.yaml: not valid YAML: a control character "
                                        r"\(code 0x7\) at character 15"):
        parse_yaml('description: "a\x07b"\n', "x.yaml")
