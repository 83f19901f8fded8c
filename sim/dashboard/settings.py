"""Where the dashboard reads from, its limits, and the environment that keeps it offline.

The results root is ``$SIM_RESULTS_DIR`` (default ``results/``, :mod:`sim.paths`); the
scenario files offered are those of ``$SIM_DASHBOARD_SCENARIOS`` (default
``scenarios/``). ``python -m sim.dashboard --results DIR --scenarios DIR`` sets both.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim import paths

#: Environment variable naming the folder of scenario files the dashboard offers.
SCENARIOS_ENV = "SIM_DASHBOARD_SCENARIOS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Caps of the run form (a run from the browser should finish in minutes).
MAX_MEMBERS = 5000
MAX_WEEKS = 260

#: Solara settings that keep every request of the page on this machine: front-end
#: assets are served by the server from the installed ``solara-assets`` package
#: (``SOLARA_ASSETS_PROXY``); a file missing there is fetched from ``SOLARA_ASSETS_CDN``,
#: pointed at a closed local port so it fails instead of reaching the internet;
#: telemetry (Mixpanel, and the ipify look-up it makes) is off.
OFFLINE_ENV: dict[str, str] = {
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "Scenario dashboard",
    "SOLARA_CHECK_HOOKS": "off",
    "MPLBACKEND": "Agg",
    # Solara warns on every page load that a 127.0.0.1 cookie cannot be SameSite=None.
    "PYTHONWARNINGS": "ignore:Cookies with samesite:UserWarning",
}


def results_root() -> Path:
    """The results folder being browsed (``sim.paths.RESULTS_DIR``)."""
    return Path(paths.RESULTS_DIR)


def scenarios_dir() -> Path:
    """The folder of scenario files offered in the compare and run forms."""
    return Path(os.environ.get(SCENARIOS_ENV) or paths.SCENARIOS_DIR)
