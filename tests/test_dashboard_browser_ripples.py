"""The Results page's analyst cards and the compare-by-folder flow in headless Chromium.

A temporary results folder holds a small run of ``incapacity_watched`` (300 members,
30 weeks: observations, signposts, trade exposure, the outcome map, ``results.xlsx``),
the same run with a parameter override (it pairs with the first), a copy of the first
whose ``signposts.csv`` is truncated, and a run of the Russia region. The tests read
the numbers each card must show from the files themselves, check that a broken file
spoils only its own card, and compare two runs by their folders (paired), then refuse a
pair of two regions. ``browser_helpers`` starts the server and skips without Chromium.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from browser_helpers import CHROMIUM, SHOTS, SKIPS, dashboard, expect, pick, shot, sync_playwright

from sim import paths
from sim.analyses.signposts import strongest
from sim.dashboard import compare_data
from sim.dashboard.data import interval, pct, signed_pct
from sim.outcomes import OUTCOMES

pytestmark = SKIPS

WATCHED = "incapacity_watched__members-300_weeks-30"
OVERRIDE = "incapacity_watched__members-300_patron_support_gain-1_weeks-30"
BROKEN = "incapacity_watched__copy_with_broken_signposts"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The runs the tests browse (see the module docstring)."""
    from sim import api

    root = tmp_path_factory.mktemp("dash_ripples") / "results"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "RESULTS_DIR", root)
        api.run("incapacity_watched", members=300, weeks=30, charts=True, report=True)
        api.run("incapacity_watched", members=300, weeks=30,
                set={"patron_support_gain": 1.0})
        api.run("russia_status_quo", members=40, weeks=12)
    shutil.copytree(root / WATCHED, root / BROKEN)
    text = (root / BROKEN / "signposts.csv").read_text()
    (root / BROKEN / "signposts.csv").write_text(text[: len(text) // 2].rstrip("\n"))
    return root


def open_run(page, folder: str) -> None:
    """Pick run ``folder`` on the Results page and wait until the page shows it."""
    heading = page.locator("h3", has_text=f"results/{folder}")
    for _ in range(3):  # a pick made while the last menu closes can be lost: pick again
        pick(page, "pick-run", folder, exact=True)
        try:
            heading.wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 (playwright's TimeoutError)
            page.keyboard.press("Escape")
    expect(heading).to_be_visible()


@pytest.fixture(scope="module")
def page(results):
    """One page of headless Chromium on the dashboard over ``results``."""
    with dashboard(results) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])
        context = browser.new_context(accept_downloads=True,
                                      viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        page.get_by_text("Who rules").first.wait_for()
        pick(page, "pick-scenario", "incapacity_watched", exact=True)
        open_run(page, WATCHED)
        expect(page.locator(".watching-card")).to_be_visible()
        yield page
        browser.close()


def test_outcome_map_and_narrative_render(page, results):
    image = page.locator(".outcome-map-card img")
    expect(image).to_be_visible()
    # decoded by the browser: a real picture, not a broken-image icon
    page.wait_for_function("document.querySelector('.outcome-map-card img').naturalWidth > 400")
    from sim.outputs.narrative import run_narrative

    lines = run_narrative(results / WATCHED, OUTCOMES, "Belarus")
    narrative = page.locator(".run-narrative").inner_text()
    for line in lines:
        assert line in narrative
    assert narrative.startswith("Belarus at week 30: ")


def test_signposts_table_shows_the_file_s_numbers(page, results):
    top = strongest(pd.read_csv(results / WATCHED / "signposts.csv"), 6)
    assert len(top)  # the run has signposts to rank
    table = page.locator(".signposts-table")
    expect(table).to_contain_text("P if seen")
    for r in top.itertuples():
        row = table.locator("tr", has_text=r.description).inner_text()
        for text in (pct(r.p_seen), interval(r.p_seen_low, r.p_seen_high), pct(r.p_not_seen),
                     interval(r.p_not_seen_low, r.p_not_seen_high), pct(r.probability),
                     f"{r.seen_count}/{r.members}"):
            assert text in row, (text, row)
    first = top.iloc[0]
    expect(page.locator(".signpost-sentences")).to_contain_text(
        f"If you see {first.description} (seen in {pct(first.seen_share)} of members)")


def test_watching_card_shows_conditioned_beside_unconditioned(page, results):
    frame = pd.read_csv(results / WATCHED / "outcomes_conditioned.csv")
    seen = pd.read_csv(results / WATCHED / "observations.csv")
    card = page.locator(".watching-card")
    expect(card.locator(".watching-ess")).to_have_text(
        f"{frame['effective_members'].iloc[0]:.0f} of 300")
    for r in seen.itertuples():
        row = card.locator(".observations-table tr",
                           has_text=r.observation.split(": ", 1)[1]).inner_text()
        assert pct(r.consistent_share) in row, row
    table = card.locator(".conditioned-table")
    focal = frame[(frame["actor"] == "BLR") & frame["outcome"].isin(OUTCOMES)]
    rows = table.locator("tr").all_inner_texts()[1:]
    assert len(rows) == len(focal)
    for r, text in zip(focal.set_index("outcome").loc[list(
            o for o in OUTCOMES if o in set(focal["outcome"]))].itertuples(), rows,
            strict=True):
        for value in (pct(r.probability_unconditioned), pct(r.probability),
                      interval(r.ci_low, r.ci_high),
                      interval(r.ci_low_unconditioned, r.ci_high_unconditioned)):
            assert value in text, (value, text)


def test_trade_exposure_has_units_and_sources(page, results):
    frame = pd.read_csv(results / WATCHED / "trade_exposure.csv")
    card = page.locator(".exposure-card")
    expect(card).to_contain_text("US$ bn")
    expect(card.locator(".exposure-chance")).to_contain_text(pct(frame["p_ruling_group_out"][0]))
    for r in frame.itertuples():
        row = card.locator("tr", has_text=f"{r.name} ({r.actor})").inner_text()
        assert f"{r.trade_with_focal_usd_bn:,.1f}" in row and r.trade_source in row, row
        assert f"{r.exposed_trade_usd_bn:,.2f}" in row, row
    shot(page, "r1_results_cards")


def test_real_units_card_shows_people_money_and_troops(page, results):
    frame = pd.read_csv(results / WATCHED / "ripple_units.csv")
    card = page.locator(".units-card")
    expect(card).to_contain_text("people who have left")
    for unit in ("people", "US$ bn/yr", "troops"):
        assert unit in set(frame["unit"])
        expect(card.locator(".units-table")).to_contain_text(unit)
    assert "<b>" not in card.inner_text()
    if SHOTS:  # the card alone, to look at
        card.screenshot(path=str(Path(SHOTS) / "units_card.png"))


def test_workbook_downloads(page, results):
    with page.expect_download() as info:
        page.get_by_role("button", name="results.xlsx").click()
    download = info.value
    assert download.suggested_filename == "results.xlsx"
    assert Path(download.path()).read_bytes() == (results / WATCHED / "results.xlsx"
                                                  ).read_bytes()


def test_broken_signposts_spoil_only_their_card(page, results):
    open_run(page, BROKEN)
    card = page.locator(".folder-error")
    expect(card).to_contain_text(f"signposts.csv of results/{BROKEN} cannot be shown")
    expect(card).to_have_count(1)
    text = card.inner_text()
    assert str(results) not in text and "Traceback" not in text
    # the rest of the run still shows
    expect(page.locator(".watching-card")).to_be_visible()
    expect(page.locator(".outcome-map-card img")).to_be_visible()
    expect(page.locator(".exposure-card")).to_be_visible()
    expect(page.locator(".signposts-table")).to_have_count(0)
    shot(page, "r2_broken_signposts")
    open_run(page, WATCHED)
    expect(page.locator(".folder-error")).to_have_count(0)


def test_compare_two_runs_by_folder(page, results):
    page.locator(".nav-1").click()
    pick(page, "pick-run-a", WATCHED, exact=True)
    pick(page, "pick-run-b", OVERRIDE, exact=True)
    expect(page.locator(".compare-pairing")).to_contain_text(
        "These runs pair member by member: same root seed, members (300) and weeks (30)")
    shot(page, "r3_compare_pick")
    page.locator(".run-compare-runs").click()
    expect(page.locator("body")).to_contain_text(f"{OVERRIDE} minus {WATCHED}",
                                                 timeout=120_000)
    folder = results / "compare" / compare_data.comparison_folder(WATCHED, OVERRIDE).name
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["paired"] is True
    table = pd.read_csv(folder / "outcomes.csv")
    text = page.locator("body").inner_text()
    for row in table.itertuples():
        assert f"{signed_pct(row.ci_low)} to {signed_pct(row.ci_high)}" in text, row
    assert "paired member by member (common random numbers)" in text
    shot(page, "r4_compare_done")


def test_compare_refuses_two_regions(page, results):
    (russia,) = [p.name for p in results.iterdir() if p.name.startswith("russia")]
    pick(page, "pick-run-b", russia, exact=True)
    expect(page.locator(".compare-refused")).to_contain_text(
        "A is a run of region 'belarus' and B of region 'russia': compare two runs of one "
        "region")
    expect(page.locator(".run-compare-runs")).to_be_disabled()
    shot(page, "r5_compare_refused")
