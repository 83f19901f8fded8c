"""The dashboard app (``solara run sim.dashboard.app``): five pages over ``results/``."""

from __future__ import annotations

import solara

from sim.dashboard.compare_runs_view import ComparePage
from sim.dashboard.explore_view import ExplorationsPage
from sim.dashboard.history_view import HistoryPage
from sim.dashboard.new_run_view import NewRunPage
from sim.dashboard.run_view import ResultsPage, current_page
from sim.dashboard.settings import results_root
from sim.dashboard.widgets import CSS, FolderGuard

TABS = ("Results", "Compare", "New run", "Explorations", "Past runs")


@solara.component
def Page() -> None:
    """The whole app: a title bar, buttons to the five pages, and the page chosen."""
    solara.Style(CSS)
    solara.Title("Scenario dashboard")
    with solara.Column(style={"padding": "12px 20px", "max-width": "1400px"}):
        solara.HTML(tag="h2", unsafe_innerHTML="Regional-instability scenarios: stored results")
        solara.Text(f"Results folder: {results_root()} (local, offline)",
                    style={"color": "#666", "font-size": "12px"})
        with solara.Row(classes=["dash-nav"], style={"margin": "8px 0 12px 0"}):
            for i, name in enumerate(TABS):
                solara.Button(name, color="primary" if current_page.value == i else None,
                              outlined=current_page.value != i, classes=[f"nav-{i}"],
                              on_click=lambda i=i: current_page.set(i))
        pages = (ResultsPage, ComparePage, NewRunPage, ExplorationsPage, HistoryPage)
        # A failure anywhere in a page leaves the title bar and the other pages usable.
        name = f"The {TABS[current_page.value]} page"
        with FolderGuard(name).key(name):
            pages[current_page.value]()
