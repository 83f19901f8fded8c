"""Start the dashboard: ``python -m sim.dashboard [--port N] [--results DIR] [--scenarios DIR]``.

Sets the offline environment (:data:`sim.dashboard.settings.OFFLINE_ENV`) and the
folders, then hands over to ``solara run`` (production mode, no browser opened, no
version check) listening on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.dashboard.settings import DEFAULT_HOST, DEFAULT_PORT, OFFLINE_ENV, SCENARIOS_ENV
from sim.paths import RESULTS_ENV


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python -m sim.dashboard``."""
    parser = argparse.ArgumentParser(
        prog="python -m sim.dashboard",
        description="Local web dashboard of stored results (works offline).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT),
                        help=f"port on 127.0.0.1 (default $PORT or {DEFAULT_PORT})")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--results", type=Path,
                        help=f"results folder to browse and write (default ${RESULTS_ENV} "
                             "or results/)")
    parser.add_argument("--scenarios", type=Path,
                        help=f"folder of scenario files offered (default ${SCENARIOS_ENV} "
                             "or scenarios/)")
    return parser


def solara_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line serving :mod:`sim.dashboard.app`."""
    return [sys.executable, "-m", "solara", "run", "sim.dashboard.app", "--host", host,
            "--port", str(port), "--production", "--no-open", "--no-check-version",
            "--log-level", "warning"]


def main(argv: list[str] | None = None) -> int:
    """Set the environment and replace this process by the Solara server."""
    args = build_parser().parse_args(argv)
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    if args.results:
        env[RESULTS_ENV] = str(args.results.resolve())
    if args.scenarios:
        env[SCENARIOS_ENV] = str(args.scenarios.resolve())
    print(f"dashboard: http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
    command = solara_command(args.host, args.port)
    os.execve(command[0], command, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
