"""Local web dashboard of stored results: ``make dashboard`` (``python -m sim.dashboard``).

A Solara app served on 127.0.0.1 that browses ``results/``: a run's description, event
timeline, outcome bars with intervals, narrative, signposts, conditioned outcomes,
outcome map, trade exposure, fan charts, ripple map and parameter table; a paired
comparison of two scenarios or of any two run folders of one region
(:func:`sim.analyses.compare.compare`); a form that
runs a scenario with capped overrides through :func:`sim.analyses.run.run` (so the run
gets its own result folder); downloads of the CSVs, the report and the scenario file.

It works offline: Solara's front-end assets come from the locally installed
``solara-assets`` package, the CDN is pointed at a dead local address, telemetry and the
version check are off (:data:`sim.dashboard.settings.OFFLINE_ENV`). It serves only its
user: a per-launch token in the printed URL, and the ``Host``, ``Origin`` and
``Sec-Fetch-Site`` headers of every request checked (:mod:`~sim.dashboard.guard`);
result folders are read as untrusted data (:mod:`~sim.dashboard.files`).

Modules: :mod:`~sim.dashboard.settings` (folders, limits, offline environment),
:mod:`~sim.dashboard.guard` (who may use it), :mod:`~sim.dashboard.serve` (the server
process), :mod:`~sim.dashboard.files` (which files are read and served),
:mod:`~sim.dashboard.data` (reading result folders, broken ones included),
:mod:`~sim.dashboard.figures` (matplotlib fan charts), :mod:`~sim.dashboard.jobs`
(runs and comparisons in a background thread), :mod:`~sim.dashboard.widgets` (shared
HTML pieces), :mod:`~sim.dashboard.download` (download buttons),
:mod:`~sim.dashboard.ripples_data` and :mod:`~sim.dashboard.ripples_view` (the Results
page's analyst cards), :mod:`~sim.dashboard.compare_data` (which run folders compare),
:mod:`~sim.dashboard.run_view`, :mod:`~sim.dashboard.compare_runs_view` and
:mod:`~sim.dashboard.compare_view`, :mod:`~sim.dashboard.new_run_view`,
:mod:`~sim.dashboard.explore_view`, :mod:`~sim.dashboard.history_view` (the pages) and
:mod:`~sim.dashboard.app`.
"""
