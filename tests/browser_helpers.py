"""Helpers of the dashboard's Chromium tests: start the server, pick, wait, screenshot.

Shared by ``test_dashboard_browser.py`` and ``test_dashboard_browser_ripples.py``. The
server runs in a subprocess on a free port of 127.0.0.1 over a temporary results folder,
and the tests open the URL it prints (with its per-launch token). Needs the ``chromium``
browser (``apt-get install -y chromium``) and the ``playwright`` package; without them
the tests are skipped (:data:`SKIPS`), saying so. ``SIM_DASHBOARD_SHOTS=/some/folder``
keeps a screenshot of each page state.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    expect = sync_playwright = None
else:
    # Playwright's assertions wait 5 s by default; on the shared 2-core machine a page
    # redraw under a full test run has taken longer (test_fan_chart_redraws failed so,
    # and passed alone). Waiting longer changes no verdict, only how long a failure takes.
    expect.set_options(timeout=30_000)

#: The marks of every browser test module.
SKIPS = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None,
                       reason="playwright is not installed: make venv (dev extra of "
                              "requirements.lock)"),
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason="chromium not found: install it with 'apt-get install -y "
                              "chromium' (or set SIM_CHROMIUM to its path)"),
]
SHOTS = os.environ.get("SIM_DASHBOARD_SHOTS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def printed_url(log: Path, proc: subprocess.Popen, timeout: float = 20.0) -> str:
    """The URL the launcher printed (``dashboard: http://...?token=...``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"dashboard: (http://\S+)", log.read_text(errors="replace"))
        if found:
            return found.group(1)
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited with code {proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError("the dashboard printed no URL")


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 40.0) -> None:
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


@contextlib.contextmanager
def dashboard(results: Path, scenarios: Path | None = None):
    """Run ``python -m sim.dashboard`` over ``results``; yield its URL; stop it after."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    log_path = results.parent / f"server_{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 (closed below)
    command = [sys.executable, "-m", "sim.dashboard", "--port", str(port),
               "--results", str(results)]
    if scenarios is not None:
        command += ["--scenarios", str(scenarios)]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = printed_url(log_path, proc)
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")
        wait_until_up(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def shot(page, name: str) -> None:
    """Save a full-page screenshot as ``$SIM_DASHBOARD_SHOTS/<name>.png`` (if set)."""
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


def pick(page, css_class: str, option: str, exact: bool = False) -> None:
    """Choose ``option`` in the Select with class ``css_class`` (``exact``: whole text).

    Checks that the Select shows the choice; a click that lands while the page is still
    redrawing (a heavy run page) can be lost, so the choice is made again, up to three
    times in all.
    """
    select = page.locator(f".{css_class}")
    items = page.locator(".v-overlay--active .v-list-item, "
                         ".menuable__content__active .v-list-item")
    wanted = (items.filter(has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")) if exact
              else items.filter(has_text=option))
    for _ in range(3):
        select.click()
        wanted.first.click()
        try:
            expect(select).to_contain_text(option, timeout=5_000)
            return
        except AssertionError:
            page.keyboard.press("Escape")
    expect(select).to_contain_text(option)


def expect_text(page, text: str, timeout: float = 30_000) -> None:
    expect(page.locator("body")).to_contain_text(text, timeout=timeout)
