"""Shared fixtures: the real region data and small scenarios built in code."""

from __future__ import annotations

import shutil

import pytest

from sim import paths
from sim.model.context import Context, build_context
from sim.model.scenario import Scenario
from sim.regions.loader import Region, load_region


@pytest.fixture(scope="session")
def region() -> Region:
    return load_region()


@pytest.fixture()
def belarus_copy(tmp_path):
    """A writable copy of the shipped Belarus region folder (to break on purpose)."""
    folder = tmp_path / "belarus"
    shutil.copytree(paths.REGIONS_DIR / "belarus", folder)
    return folder


def make_scenario(weeks: int = 30, members: int = 50, seed: int = 11, events=None,
                  parameters=None, name: str = "t") -> Scenario:
    return Scenario.model_validate(dict(
        name=name, description="test", weeks=weeks, seed=seed, members=members,
        parameters=parameters or {}, events=events or []))


def make_context(region: Region, **kwargs) -> Context:
    return build_context(make_scenario(**kwargs), region)


INCAPACITY = [{"type": "leader_incapacitated", "week": 2, "mode": "natural"}]


@pytest.fixture()
def results_dir(tmp_path, monkeypatch):
    """Send results to a temporary folder so tests never touch results/."""
    target = tmp_path / "results"
    monkeypatch.setattr(paths, "RESULTS_DIR", target)
    return target


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the dashboard in headless Chromium "
                                       "(skipped when chromium or playwright is missing)")
