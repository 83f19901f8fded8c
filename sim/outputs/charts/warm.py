"""Importing this module warms matplotlib up for drawing a run's charts.

It imports the charts, loads the vendored borders and draws one small figure with the
artists the charts use (fonts, text layout, the PNG encoder), so that the first real
chart does not pay for them. The fork server of :mod:`sim.outputs.chart_pool` imports
it once, and every helper forked from it starts warm; the helper of
:mod:`sim.outputs.chart_fork` imports it while the run's ensemble steps.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import PercentFormatter

import sim.outputs.charts  # noqa: F401 (the import is the work)
from sim.outputs.charts.borders import load_borders
from sim.outputs.charts.png import _save


def warm_up() -> None:
    """Load the borders and draw one throw-away figure."""
    load_borders()
    figure = Figure(figsize=(3, 2), layout="constrained")
    left, right = figure.subplots(1, 2)
    weeks = np.arange(5.0)
    left.fill_between(weeks, weeks * 0.1, weeks * 0.2, label="band")
    left.plot(weeks, weeks * 0.15, label="median")
    left.stackplot(weeks, [weeks * 0.1, weeks * 0.1], labels=["a", "b"])
    left.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    left.legend(fontsize=8, frameon=False)
    right.barh(["a", "b"], [0.3, 0.5], xerr=[[0.1, 0.1], [0.1, 0.1]])
    right.add_patch(Polygon([[0, 0], [1, 0], [0, 1]], closed=True))
    right.annotate("warm", (0.5, 0.5), fontweight="bold", fontsize=9)
    figure.suptitle("warm\n(warm)", fontsize=12)
    figure.supxlabel("week", fontsize=10)
    _save(figure, io.BytesIO())  # the charts' own path: matplotlib's raw pixels, Pillow


warm_up()
