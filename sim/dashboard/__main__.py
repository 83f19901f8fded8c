"""Start the dashboard: ``python -m sim.dashboard [--port N] [--results DIR] [--scenarios DIR]``.

Sets the offline environment (:data:`sim.dashboard.settings.OFFLINE_ENV`) and the
folders, makes a per-launch secret token, prints the URL that holds it, then hands over
to :mod:`sim.dashboard.serve` (``solara run`` in production mode, no browser opened, no
version check, every request checked by :class:`sim.dashboard.guard.LocalOnly`)
listening on a loopback address only: a non-loopback ``--host`` is refused.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.dashboard.guard import TOKEN_ENV, is_loopback, new_token
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
                        help="loopback address to listen on (default 127.0.0.1; other addresses "
                             "are refused: the dashboard serves only this machine)")
    parser.add_argument("--results", type=Path,
                        help=f"results folder to browse and write (default ${RESULTS_ENV} "
                             "or results/)")
    parser.add_argument("--scenarios", type=Path,
                        help=f"folder of scenario files offered (default ${SCENARIOS_ENV} "
                             "or scenarios/)")
    return parser


def solara_command(host: str, port: int) -> list[str]:
    """The command line of the server process (:mod:`sim.dashboard.serve`)."""
    return [sys.executable, "-m", "sim.dashboard.serve", "--host", host, "--port", str(port)]


def dashboard_url(host: str, port: int, token: str) -> str:
    """The URL to open: the server's address with the launch's token.

    >>> dashboard_url("127.0.0.1", 8765, "abc")
    'http://127.0.0.1:8765/?token=abc'
    """
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def main(argv: list[str] | None = None) -> int:
    """Set the environment and replace this process by the Solara server.

    Returns 2 (and starts nothing) for a non-loopback ``--host``: anyone on the network
    could then reach a page that runs jobs and reads every result; a user who needs it
    elsewhere can forward the port over SSH (``ssh -L 8765:127.0.0.1:8765 host``).
    """
    args = build_parser().parse_args(argv)
    if not is_loopback(args.host):
        print(f"error: --host {args.host} is not a loopback address; the dashboard serves "
              "only this machine (127.0.0.1, localhost or ::1). To use it from another "
              f"machine, forward the port over SSH: ssh -L {args.port}:127.0.0.1:{args.port} "
              "<this machine>", file=sys.stderr)
        return 2
    token = new_token()
    env = dict(os.environ)
    env[TOKEN_ENV] = token
    env.update(OFFLINE_ENV)
    if args.results:
        env[RESULTS_ENV] = str(args.results.resolve())
    if args.scenarios:
        env[SCENARIOS_ENV] = str(args.scenarios.resolve())
    print(f"dashboard: {dashboard_url(args.host, args.port, token)}  (open this full URL; "
          "its token changes at every start; Ctrl-C stops it)", flush=True)
    command = solara_command(args.host, args.port)
    os.execve(command[0], command, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
