"""The Makefile and the lock file (issue 8, items 10 and 13): user values are single
arguments, never commands; two fresh clones install the same locked versions."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sim.paths import PROJECT_ROOT

LOCK = PROJECT_ROOT / "requirements.lock"
MAKEFILE = PROJECT_ROOT / "Makefile"

FAKE_PYTHON = """#!{python}
import json, sys
with open({log!r}, "a") as handle:
    handle.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.fixture()
def make_dir(tmp_path):
    """A copy of the Makefile whose Python is a stand-in recording its arguments."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    folder = tmp_path / "with space"
    folder.mkdir()
    shutil.copy(MAKEFILE, folder / "Makefile")
    for name in ("pyproject.toml", "requirements.lock"):
        (folder / name).write_text("")
        os.utime(folder / name, (time.time() - 3600, time.time() - 3600))
    (folder / "stamp").write_text("")
    fake = folder / "fake python"
    fake.write_text(FAKE_PYTHON.format(python=sys.executable, log=str(folder / "argv.log")))
    fake.chmod(0o755)
    return folder


def make(folder: Path, *args: str) -> list[list[str]]:
    log = folder / "argv.log"
    log.unlink(missing_ok=True)
    subprocess.run(["make", "-s", *args, f"PY={folder / 'fake python'}", "STAMP=stamp"],
                   cwd=folder, check=True, capture_output=True, timeout=60)
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_scenario_value_is_never_run_as_a_command(make_dir):
    for value in ("x; touch hacked #", "$(shell touch hacked)", "`touch hacked`",
                  "$$(touch hacked)", "x' ; touch hacked ; '"):
        assert make(make_dir, "run", f"SCENARIO={value}") == [["-m", "sim", "run", value]]
    assert make(make_dir, "replay", "SCENARIO=a", "MEMBER=1; touch hacked") == [
        ["-m", "sim", "replay", "a", "--member", "1; touch hacked"]]
    assert make(make_dir, "compare", "A=a; touch hacked", "B=b", "UNPAIRED=1") == [
        ["-m", "sim", "compare", "a; touch hacked", "b", "--unpaired"]]
    assert not (make_dir / "hacked").exists()


def test_paths_with_spaces_and_overrides_are_single_arguments(make_dir):
    assert make(make_dir, "run", "SCENARIO=my scenarios/a b.yaml", "MEMBERS=5", "SEED=7",
                "WEEKS=12", "WORKERS=2") == [
        ["-m", "sim", "run", "my scenarios/a b.yaml", "--members", "5", "--seed", "7",
         "--weeks", "12", "--workers", "2"]]
    assert make(make_dir, "run") == [["-m", "sim", "run", "incapacity"]]


def _locked() -> dict[str, tuple[str, Marker | None]]:
    """Name -> (version, marker) of every requirement in the lock file."""
    text = LOCK.read_text(encoding="utf-8")
    entries = {}
    for block in re.split(r"\n(?=\S)", text):
        first = block.splitlines()[0].rstrip(" \\")
        if first.startswith("#") or not first.strip():
            continue
        requirement = Requirement(first)
        assert "--hash=sha256:" in block, f"{requirement.name} has no hash"
        (spec,) = requirement.specifier
        assert spec.operator == "==", first
        entries[canonicalize_name(requirement.name)] = (spec.version, requirement.marker)
    return entries


def test_lock_pins_every_dependency_with_hashes():
    locked = _locked()
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = list(project["project"]["dependencies"])
    for extra in ("dev", "dask"):
        wanted += project["project"]["optional-dependencies"][extra]
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is in pyproject.toml but not in requirements.lock " \
                               "(run make lock)"
        assert requirement.specifier.contains(locked[name][0]), name


def test_makefile_installs_the_lock_with_the_pinned_interpreter():
    text = MAKEFILE.read_text(encoding="utf-8")
    minor = re.search(r"^PYTHON_MINOR := (\d+\.\d+)$", text, re.M)
    assert minor and minor.group(1) == "3.12"
    assert "pip install --quiet --require-hashes -r $(LOCK)" in text
    assert "pip install --quiet --no-deps -e ." in text
    assert "--python-version $(PYTHON_MINOR)" in text
    assert "$(STAMP): pyproject.toml $(LOCK)" in text


@pytest.mark.skipif(sys.version_info[:2] != (3, 12), reason="the lock is for Python 3.12")
def test_this_environment_has_the_locked_versions():
    wrong = []
    for name, (version, marker) in _locked().items():
        if marker is not None and not marker.evaluate():
            continue
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{name} not installed")
            continue
        if installed != version:
            wrong.append(f"{name} {installed} != {version}")
    assert not wrong, "environment differs from requirements.lock: " + "; ".join(wrong)
