"""The dashboard's server process: ``solara run`` with :class:`~sim.dashboard.guard.LocalOnly`.

Started by ``python -m sim.dashboard`` (which makes the token and prints the URL); not
meant to be run by hand. ``solara run`` serves the Starlette app of
:mod:`solara.server.starlette`, which uvicorn imports by name; importing it here first
and adding the middleware to that same module object means uvicorn serves the guarded
app, with every other part of Solara's start-up (production mode, asset proxy, logging)
left as ``solara run`` does it.
"""

from __future__ import annotations

import argparse
import os
import sys
from types import SimpleNamespace

from sim.dashboard.guard import TOKEN_ENV, LocalOnly, is_loopback

APP = "sim.dashboard.app"


def _quiet_print(*args: object, **kwargs: object) -> None:
    """``rich.print`` without Solara's start-up line naming a URL without the token."""
    if args and str(args[0]).startswith("Solara server is starting at"):
        return
    import rich

    rich.print(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    """Guard Solara's app with the token of ``$SIM_DASHBOARD_TOKEN`` and serve it."""
    parser = argparse.ArgumentParser(prog="python -m sim.dashboard.serve")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    # Taken out of the environment so that nothing the server starts inherits it.
    token = os.environ.pop(TOKEN_ENV, "")
    if not token:
        print("error: start the dashboard with 'make dashboard' or 'python -m sim.dashboard'",
              file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(f"error: refusing to listen on {args.host}: not a loopback address",
              file=sys.stderr)
        return 2
    # Solara registers the app named by SOLARA_APP when its server module is imported.
    os.environ["SOLARA_APP"] = APP
    import solara.__main__ as solara_cli
    import solara.server.starlette as solara_server

    solara_server.app.add_middleware(LocalOnly, token=token, port=args.port,
                                     bind_host=args.host)
    # solara run prints its URL without the token (which would answer 403); the
    # launcher has printed the one to open, so that line is left out.
    solara_cli.rich = SimpleNamespace(print=_quiet_print)
    solara_cli.cli(["run", APP, "--host", args.host, "--port", str(args.port),
                    "--production", "--no-open", "--no-check-version",
                    "--log-level", "warning"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
