"""The dashboard in a real browser: headless Chromium driven by Playwright.

The server runs in a subprocess on a free port of 127.0.0.1 with a temporary results
folder and two small scenario files, so the user's ``results/`` is never touched; the
tests open the URL it prints (with its per-launch token). The tests follow the main path
in order (they share one page): pick a scenario and see the numbers of its
``outcomes.csv``, redraw a fan chart, download a CSV, compare two scenarios, run one
from the form, open a small exploration (``make explore``) and see its top drivers and
noise shares, and finally check that no request left 127.0.0.1.

The results folder also holds a hostile run folder (HTML in its name and manifest) and
a broken one (truncated CSV): no script may run, the text shows as text, and the broken
folder gets an error card while the rest works. A page served from another local port
tries to read the dashboard and open its websocket (refused), a rebound host name is
refused, and a run above the form's caps is refused by the server.

Needs the ``chromium`` browser (``apt-get install -y chromium``) and the ``playwright``
package (dev extra of the lock file); without them the tests are skipped, saying so.
Set ``SIM_DASHBOARD_SHOTS=/some/folder`` to save a screenshot of each page state.
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
from browser_helpers import CHROMIUM, SKIPS, dashboard, expect, sync_playwright
from browser_helpers import expect_text as _expect_text
from browser_helpers import pick as _pick
from browser_helpers import shot as _shot

from sim import paths
from sim.dashboard.data import interval, pct, signed_pct
from sim.dashboard.explore_data import noise_text

pytestmark = SKIPS

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


#: HTML that runs script if it ever reaches the page as markup.
HOSTILE = '<img src=x onerror="window.__pwned=1">'


def _hostile_and_broken(results: Path) -> None:
    """A run folder with HTML in its name and manifest, and one with a truncated CSV."""
    hostile = results / f"t_quo__{HOSTILE}"
    shutil.copytree(results / "t_quo", hostile)
    manifest = json.loads((hostile / "manifest.json").read_text())
    manifest.update(scenario=f"evil{HOSTILE}", finished_utc=HOSTILE,
                    region={**manifest["region"], "name": f"<b>bold</b>{HOSTILE}"},
                    overrides={"members": 60, "note": HOSTILE})
    (hostile / "manifest.json").write_text(json.dumps(manifest))
    # A run whose parameters were drawn per member (as make run UNCERTAIN=1 records it).
    drawn = results / "t_quo__uncertain-1"
    shutil.copytree(results / "t_quo", drawn)
    manifest = json.loads((drawn / "manifest.json").read_text())
    manifest["engine"]["mode"] = {"parameters": "uncertain: drawn per member",
                                  "uncertainties": {"patron_support_gain":
                                                    {"low": 1.0, "high": 4.0}}}
    manifest["overrides"] = {"uncertain": 1}
    (drawn / "manifest.json").write_text(json.dumps(manifest))
    broken = results / "t_quo__broken"
    shutil.copytree(results / "t_quo", broken)
    text = (broken / "outcomes.csv").read_text()
    (broken / "outcomes.csv").write_text(text[: len(text) // 2])


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
    _hostile_and_broken(results)
    return scenarios, results


@pytest.fixture(scope="module")
def server(folders):
    """The dashboard in a subprocess on a free port; stopped at the end."""
    scenarios, results = folders
    with dashboard(results, scenarios) as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(server):
    """One page of headless Chromium, with every request URL recorded."""
    requests: list[str] = []
    with sync_playwright() as playwright:
        # rebind.test resolves to 127.0.0.1, as a DNS-rebinding attacker's name would.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--host-resolver-rules=MAP rebind.test 127.0.0.1"])
        context = browser.new_context(accept_downloads=True,
                                      viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("request", lambda request: requests.append(request.url))
        page.goto(server)
        page.get_by_text("Who rules").first.wait_for()
        yield page, requests
        browser.close()


def test_hostile_folder_shows_text_and_runs_no_script(browser_page):
    page, _ = browser_page
    # The hostile scenario name sorts first, so the page opened on it.
    _pick(page, "pick-scenario", "evil")
    _expect_text(page, f"evil{HOSTILE}")
    _expect_text(page, f"finished {HOSTILE}")
    _expect_text(page, f"<b>bold</b>{HOSTILE}")
    _expect_text(page, f"note={HOSTILE}")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator(".run-about b").count() == 0
    _shot(page, "0_hostile")


def test_broken_folder_gets_an_error_card(browser_page, folders):
    page, _ = browser_page
    _pick(page, "pick-scenario", "t_quo")
    _pick(page, "pick-run", "t_quo__broken")
    card = page.locator(".folder-error")
    expect(card).to_contain_text("results/t_quo__broken cannot be shown")
    expect(card).to_contain_text("outcomes.csv")
    card_text = card.inner_text()
    assert str(folders[1]) not in card_text and "File \"" not in card_text
    assert "Traceback" not in page.locator("body").inner_text()
    _shot(page, "0_broken")
    # The rest keeps working: another run of the same scenario, then the other pages.
    _pick(page, "pick-run", "t_quo")
    _expect_text(page, "Small status quo for the browser test.")
    expect(page.locator(".folder-error")).to_have_count(0)


FOREIGN_PAGE = """<!doctype html><html><body>
<iframe src="http://127.0.0.1:%(port)d/" width="600" height="200"></iframe><script>
window.results = {};
const target = "http://127.0.0.1:%(port)d";
fetch(target + "/", {credentials: "include"})
  .then(r => r.text()).then(t => { window.results.fetch = "read " + t.length; })
  .catch(() => { window.results.fetch = "refused"; });
const ws = new WebSocket("ws://127.0.0.1:%(port)d/jupyter/api/kernels/k1/channels?session_id=s1");
ws.onopen = () => { window.results.ws = "open"; };
ws.onerror = () => { window.results.ws = "refused"; };
</script></body></html>"""


@pytest.fixture()
def foreign_site(server):
    """A page on another local port that tries to read and drive the dashboard."""
    port = urlparse(server).port
    body = (FOREIGN_PAGE % {"port": port}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{site.server_address[1]}/"
    site.shutdown()
    site.server_close()


def test_foreign_origin_page_is_refused(browser_page, server, foreign_site):
    page, _ = browser_page
    port = urlparse(server).port
    # Same browser context: it holds the dashboard's token cookie from the first visit.
    other = page.context.new_page()
    # The page's script cannot see why a cross-origin read failed; the browser's network
    # log (DevTools protocol) shows the dashboard's answer itself.
    urls: dict[str, str] = {}
    statuses: dict[str, int] = {}
    cdp = page.context.new_cdp_session(other)
    cdp.send("Network.enable")
    cdp.on("Network.requestWillBeSent", lambda e: urls.setdefault(e["requestId"],
                                                                  e["request"]["url"]))
    cdp.on("Network.responseReceivedExtraInfo", lambda e: statuses.setdefault(
        e["requestId"], e["statusCode"]))
    other.goto(foreign_site)
    other.wait_for_function("window.results.fetch && window.results.ws", timeout=15_000)
    frame = other.frame_locator("iframe")
    expect(frame.locator("body")).to_contain_text("403 Forbidden")
    results = other.evaluate("window.results")
    answers = {urlparse(url).path: statuses.get(rid) for rid, url in urls.items()
               if urlparse(url).port == port and urlparse(url).scheme == "http"}
    other.close()
    assert results == {"fetch": "refused", "ws": "refused"}, results
    assert answers.get("/") == 403, answers  # the fetch and the frame
    assert "Regional-instability" not in str(results)


def test_rebound_host_name_and_missing_token_are_refused(browser_page, server):
    page, _ = browser_page
    port = urlparse(server).port
    token = server.split("token=", 1)[1]
    other = page.context.new_page()
    response = other.goto(f"http://rebind.test:{port}/?token={token}")
    assert response.status == 403
    fresh = page.context.browser.new_context()  # no cookie, no token
    response = fresh.new_page().goto(f"http://127.0.0.1:{port}/")
    assert response.status == 403
    assert "URL printed by 'make dashboard'" in response.text()
    fresh.close()
    other.close()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(
            server, headers={"Origin": "http://127.0.0.1:1"}), timeout=5)
    assert info.value.code == 403



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
    # Fixed ranges by default; zooming is a choice the page marks.
    expect(page.locator(".fan-zoomed")).to_have_count(0)
    expect(page.locator(".fan-range")).to_contain_text("fixed range 0 to 1")
    page.get_by_role("button", name="unrest").click()
    expect(page.locator(".fan-range")).to_contain_text("fixed range 0 to 0.05")
    page.get_by_role("button", name="zoom to the data").click()
    expect(page.locator(".fan-zoomed")).to_contain_text("ZOOMED")
    page.get_by_role("button", name="fixed range").click()
    expect(page.locator(".fan-zoomed")).to_have_count(0)
    page.get_by_role("button", name="stability").click()
    _shot(page, "2_fan_stability")


def test_parameter_mode_is_the_manifest_s(browser_page):
    page, _ = browser_page
    # the scenario's own run draws from the posterior (the default mode)
    expect(page.locator(".param-mode")).to_contain_text("calibrated posterior (the default)")
    expect(page.locator(".intervals-cover")).to_contain_text("drawn from the posterior")
    _pick(page, "pick-scenario", "t_quo")
    _pick(page, "pick-run", "t_quo__uncertain-1")
    expect(page.locator(".param-mode")).to_contain_text("drawn per member")
    cover = page.locator(".intervals-cover")
    expect(cover).to_contain_text("drawn from their ranges")
    expect(cover).not_to_contain_text("Monte Carlo noise only")
    expect(page.locator(".param-counts")).to_contain_text("1 drawn per member")
    # the calibrated parameters' posterior intervals sit in the parameter table
    expect(page.get_by_text("posterior 90% (make calibrate)")).to_be_visible()
    _pick(page, "pick-scenario", "t_incap")
    _expect_text(page, "Small incapacity at week 2")


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
    page.get_by_role("button", name="two scenarios").click()
    _pick(page, "pick-a", "t_quo")
    _pick(page, "pick-b", "t_incap")
    page.locator(".run-compare").click()
    _expect_text(page, "t_incap minus t_quo")
    table = pd.read_csv(results / "compare" / "t_quo_vs_t_incap" / "outcomes.csv")
    text = page.locator("body").inner_text()
    for row in table.itertuples():
        assert f"{signed_pct(row.ci_low)} to {signed_pct(row.ci_high)}" in text, row
    _shot(page, "3_compare")


def test_run_above_the_caps_is_refused_by_the_server(browser_page, folders):
    page, _ = browser_page
    _, results = folders
    page.locator(".nav-2").click()
    _pick(page, "form-scenario", "t_quo")
    page.locator(".form-members input").fill("20000")
    page.locator(".form-members input").press("Enter")
    page.locator(".form-weeks input").fill("10")
    page.locator(".form-weeks input").press("Enter")
    page.locator(".form-run").click(timeout=5_000)
    expect(page.locator(".run-refused")).to_contain_text(
        "Refused: members must be a whole number from 1 to 5,000")
    page.wait_for_timeout(500)
    assert not list(results.glob("t_quo__members-20000*"))
    _shot(page, "4_run_refused")


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


def test_past_runs_page_lists_every_run_with_its_settings(browser_page, folders):
    page, _ = browser_page
    _, results = folders
    page.locator(".nav-4").click()
    expect(page.locator(".history-count")).to_contain_text("stored runs, newest first")
    table = page.locator(".history-table")
    manifest = json.loads((results / "t_incap" / "manifest.json").read_text())
    row = table.locator("tr", has_text="t_incap").first.inner_text()
    assert str(manifest["root_seed"]) in row and "calibrated posterior" in row, row
    assert manifest["command"][:20] in row, row
    drawn = table.locator("tr", has_text="t_quo__uncertain-1").inner_text()
    assert "drawn from their ranges" in drawn and "uncertain=1" in drawn, drawn
    # the hostile folder's HTML is shown as text and runs nothing
    expect(table).to_contain_text(HOSTILE)
    assert page.evaluate("window.__pwned") is None
    assert table.locator("img").count() == 0
    _shot(page, "7_past_runs")
