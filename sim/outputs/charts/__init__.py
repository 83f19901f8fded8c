"""Charts of a run, of a comparison of two scenarios and of one replayed member.

The public functions are :func:`write_run_charts` (one run's fan charts, focal
outcomes, holders of power and ripple map), :func:`write_compare_charts` (paired
differences of two scenarios) and :func:`write_replay_charts` (one ensemble member).

The drawing is split by what it draws: :mod:`~sim.outputs.charts.common` (style,
colours and shared helpers), :mod:`~sim.outputs.charts.run_charts`,
:mod:`~sim.outputs.charts.maps` (the ripple map),
:mod:`~sim.outputs.charts.compare_charts`, :mod:`~sim.outputs.charts.arrival_charts`
and :mod:`~sim.outputs.charts.replay_charts`.
"""

from sim.outputs.charts.arrival_charts import JITTER_STEP
from sim.outputs.charts.common import HOLDER_COLOURS
from sim.outputs.charts.compare_charts import write_compare_charts
from sim.outputs.charts.replay_charts import write_replay_charts
from sim.outputs.charts.run_charts import write_run_charts

__all__ = [
    "HOLDER_COLOURS",
    "JITTER_STEP",
    "write_compare_charts",
    "write_replay_charts",
    "write_run_charts",
]
