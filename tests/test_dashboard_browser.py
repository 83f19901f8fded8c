"""The dashboard in a real browser: headless Chromium driven by Playwright.

The server runs in a subprocess on a free port of 127.0.0.1 with a temporary results
folder and two small scenario files, so the user's ``results/`` is never touched. The
tests follow the main path in order (they share one page): pick a scenario and see the
numbers of its ``outcomes.csv``, redraw a fan chart, download a CSV, compare two
scenarios, run one from the form, open a small exploration (``make explore``) and see
its top drivers and noise shares, and finally check that no request left 127.0.0.1.

Needs the ``chromium`` browser (``apt-get install -y chromium``) and the ``playwright``
package (dev extra of the lock file); without them the tests are skipped, saying so.
Set ``SIM_DASHBOARD_SHOTS=/some/folder`` to save a screenshot of each page state.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from sim import paths
from sim.dashboard.data import interval, pct, signed_pct
from sim.dashboard.explore_data import noise_text

CHROMIUM = os.environ.get("SIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None,
                       reason="playwright is not installed: make venv (dev extra of "
                              "requirements.lock)"),
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason="chromium not found: install it with 'apt-get install -y "
                              "chromium' (or set SIM_CHROMIUM to its path)"),
]

SCENARIO = """name: {name}
description: >
  {description}
weeks: 12
seed: 4242
members: 60
parameters: {{}}
events: {events}
"""
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SHOTS = os.environ.get("SIM_DASHBOARD_SHOTS")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"dashboard did not answer at {url} within {timeout:g} s")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Two small paired scenarios run, and a tiny exploration, in a temporary results folder."""
    root = tmp_path_factory.mktemp("dash")
    scenarios, results = root / "scenarios", root / "results"
    scenarios.mkdir()
    (scenarios / "t_quo.yaml").write_text(SCENARIO.format(
        name="t_quo", description="Small status quo for the browser test.", events="[]"))
    (scenarios / "t_incap.yaml").write_text(SCENARIO.format(
        name="t_incap", description="Small incapacity at week 2 for the browser test.",
        events="[{type: leader_incapacitated, week: 2, mode: natural}]"))
    from sim import api

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "RESULTS_DIR", results)
        for name in ("t_quo", "t_incap"):
            api.run(str(scenarios / f"{name}.yaml"), charts=True, report=True)
        from sim.analyses.explore_run import explore

        # 80 Morris points x 5 replicates (~3 s); the second case finds a PRIM box.
        explore(str(scenarios / "t_incap.yaml"), samples=2, replicates=5, weeks=12,
                cases=("p_regime_change>0.1", "p_contested>0.2"), quiet=True)
    return scenarios, results


@pytest.fixture(scope="module")
def server(folders):
    """The dashboard in a subprocess on a free port; stopped at the end."""
    scenarios, results = folders
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    log = open(results.parent / "server.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "sim.dashboard", "--port", str(port),
                             "--results", str(results), "--scenarios", str(scenarios)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser_page(server):
    """One page of headless Chromium, with every request URL recorded."""
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox"], headless=True)
        context = browser.new_context(accept_downloads=True,
                                      viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("request", lambda request: requests.append(request.url))
        page.goto(server)
        page.get_by_text("Who rules").first.wait_for()
        yield page, requests
        browser.close()


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(700)
        # The app scrolls inside its own container: grow the window to the content.
        height = page.evaluate("Math.max(...Array.from(document.querySelectorAll('*'), "
                               "e => e.scrollHeight))")
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": min(int(height), 9000)})
        page.wait_for_timeout(500)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        page.set_viewport_size(size)


def _pick(page, css_class: str, option: str) -> None:
    """Choose ``option`` in the Select with class ``css_class``."""
    page.locator(f".{css_class}").click()
    page.locator(".v-overlay--active .v-list-item, .menuable__content__active .v-list-item",
                 has_text=option).first.click()


def _expect_text(page, text: str, timeout: float = 30_000) -> None:
    expect(page.locator("body")).to_contain_text(text, timeout=timeout)


def test_pick_scenario_shows_outcomes_csv(browser_page, folders):
    page, _ = browser_page
    _, results = folders
    _pick(page, "pick-scenario", "t_incap")
    _expect_text(page, "Small incapacity at week 2")
    outcomes = pd.read_csv(results / "t_incap" / "outcomes.csv")
    for row in outcomes.itertuples():
        _expect_text(page, f"{row.count}/{row.members}")
    text = page.locator("body").inner_text()
    for row in outcomes.itertuples():
        assert pct(row.probability) in text, row
        assert interval(row.ci_low, row.ci_high) in text, row
    assert "week 2: leader_incapacitated (mode natural)" in text
    assert "assumption" in text and "calibrated" in text  # parameter grade badges
    _shot(page, "1_results")


def test_fan_chart_redraws(browser_page):
    page, _ = browser_page
    page.get_by_role("button", name="unrest").click()
    expect(page.locator("body")).to_contain_text("unrest")
    page.get_by_role("button", name="stability").click()
    _shot(page, "2_fan_stability")


def test_download_csv(browser_page, folders):
    page, _ = browser_page
    _, results = folders
    with page.expect_download() as info:
        page.get_by_role("button", name="outcomes.csv").first.click()
    download = info.value
    assert download.suggested_filename == "outcomes.csv"
    assert Path(download.path()).read_bytes() == (results / "t_incap" / "outcomes.csv"
                                                  ).read_bytes()


def test_compare_two_scenarios(browser_page, folders):
    page, _ = browser_page
    _, results = folders
    page.locator(".nav-1").click()
    _pick(page, "pick-a", "t_quo")
    _pick(page, "pick-b", "t_incap")
    page.locator(".run-compare").click()
    _expect_text(page, "t_incap minus t_quo")
    table = pd.read_csv(results / "compare" / "t_quo_vs_t_incap" / "outcomes.csv")
    text = page.locator("body").inner_text()
    for row in table.itertuples():
        assert f"{signed_pct(row.ci_low)} to {signed_pct(row.ci_high)}" in text, row
    _shot(page, "3_compare")


def test_run_from_form(browser_page, folders):
    page, _ = browser_page
    _, results = folders
    own = (results / "t_quo" / "manifest.json").read_bytes()
    page.locator(".nav-2").click()
    _pick(page, "form-scenario", "t_quo")
    page.locator(".form-members input").fill("50")
    page.locator(".form-members input").press("Enter")
    page.locator(".form-weeks input").fill("10")
    page.locator(".form-weeks input").press("Enter")
    _expect_text(page, "Writes: results/t_quo__members-50_weeks-10/")
    page.locator(".form-run").click()
    _shot(page, "4_run_started")
    expect(page.locator(".run-finished")).to_be_visible(timeout=40_000)
    _shot(page, "5_run_finished")
    folder = results / "t_quo__members-50_weeks-10"
    assert (folder / "outcomes.csv").is_file()
    assert (results / "t_quo" / "manifest.json").read_bytes() == own  # not replaced
    page.locator(".open-results").click()
    _expect_text(page, "50 members, 10 weeks")
    row = pd.read_csv(folder / "outcomes.csv").iloc[0]
    _expect_text(page, f"{row['count']}/{row['members']}")


def test_explorations_page(browser_page, folders):
    page, _ = browser_page
    _, results = folders
    (folder,) = [p for p in (results / "explore").iterdir() if p.name.startswith("t_incap_morris")]
    page.locator(".nav-3").click()
    _pick(page, "pick-exploration", folder.name)
    _expect_text(page, "t_incap: which assumptions drive the answer?")
    manifest = json.loads((folder / "manifest.json").read_text())
    indices = pd.read_csv(folder / "indices.csv")
    noise = pd.read_csv(folder / "noise.csv").set_index("output")["noise_share"]
    for output in manifest["headline"]:
        row = page.locator(".explore-headline tr", has_text=output).inner_text()
        assert noise_text(noise[output]) in row, (output, row)
        top = indices[indices["output"] == output].nlargest(3, "mu_star")
        for r in top[top["mu_star"] > 0].itertuples():
            assert f"{r.parameter} {r.mu_star:.3f} (±{r.mu_star_conf:.3f})" in row, (r, row)
        if not (top["mu_star"] > 0).any():  # a constant output has no drivers
            assert "none: the output does not move" in row, row
    first = manifest["headline"][0]
    table = page.locator(".explore-indices").inner_text()
    for r in indices[indices["output"] == first].nlargest(15, "mu_star").itertuples():
        assert r.parameter in table and f"{r.mu_star:.3f}" in table, r
    box = manifest["prim"][1]
    _expect_text(page, f"The box holds {pct(box['coverage'])} of them")
    _shot(page, "6_explorations")
    with page.expect_download() as info:
        page.get_by_role("button", name="indices.csv").click()
    download = info.value
    assert download.suggested_filename == f"{folder.name}_indices.csv"
    assert Path(download.path()).read_bytes() == (folder / "indices.csv").read_bytes()


def test_no_request_left_the_machine(browser_page):
    _, requests = browser_page
    assert requests
    outside = [url for url in requests if urlparse(url).scheme not in ("data", "blob")
               and urlparse(url).hostname not in LOCAL_HOSTS]
    assert not outside, outside
