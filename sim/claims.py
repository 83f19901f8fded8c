"""Which request a result folder holds, checked before any request replaces it.

Every folder a run, comparison or exploration writes is named from its request
(:mod:`sim.paths`) and records that request in its ``manifest.json`` (``request``). Before
a request replaces a folder, :func:`claim` reads the folder's manifest: the same request
replaces its own results (a visible note when another command made them); another
request's results, or a folder this project did not write, are never replaced: the
request is refused with what to do. Manifests written before ``request`` existed are read
from their older fields (:func:`stored_request`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

from sim.errors import UserError
from sim.paths import exact_text

__all__ = ["claim", "compare_request", "describe", "explore_request", "run_request",
           "stored_request"]


def _settings(values: object) -> dict[str, str]:
    """Settings as exact texts, so ``1`` and ``1.0`` (or ``-0`` and ``0``) are equal."""
    if not isinstance(values, Mapping):
        return {"?": repr(values)}   # a manifest of the wrong shape: matches no request
    return {str(k): exact_text(v) for k, v in sorted(values.items(), key=lambda kv: str(kv[0]))}


def _file(path: object) -> str:
    """A scenario file's path, resolved, so two spellings of one file are equal."""
    return str(Path(path).resolve()) if isinstance(path, str | Path) and path else repr(path)


def run_request(scenario: str, scenario_file: str | Path, overrides: Mapping) -> dict:
    """The request of a run: its scenario file and the overrides given.

    Parameters
    ----------
    scenario : str
        The scenario's ``name:``.
    scenario_file : str or pathlib.Path
        The scenario file that was run.
    overrides : mapping
        What was given besides the file (``members``, ``seed``, ``weeks``, parameters,
        ``uncertain``), as in :meth:`sim.analyses.run.RunRequest.overrides`.
    """
    return {"kind": "run", "scenario": scenario, "scenario_file": _file(scenario_file),
            "overrides": _settings(overrides)}


def compare_request(a: dict, b: dict) -> dict:
    """The request of a comparison: the run requests of its sides A and B."""
    return {"kind": "compare", "a": a, "b": b}


def explore_request(scenario: str, scenario_file: str | Path, method: str,
                    settings: Mapping) -> dict:
    """The request of an exploration: its scenario file, method and settings used."""
    return {"kind": "explore", "scenario": scenario, "scenario_file": _file(scenario_file),
            "method": method, "settings": _settings(settings)}


def stored_request(manifest: object) -> dict | None:
    """The request a manifest records, or None if it records none.

    Manifests written before the ``request`` field are read from their older fields:
    a comparison's ``a``/``b``, an exploration's ``method`` and settings, a run's
    ``scenario_file`` and ``overrides``.
    """
    if not isinstance(manifest, dict):
        return None
    recorded = manifest.get("request")
    if isinstance(recorded, dict):
        return _canonical(recorded)
    if isinstance(manifest.get("a"), dict) and isinstance(manifest.get("b"), dict):
        sides = [run_request(str(side.get("scenario")), side.get("file"),
                             side.get("overrides", {}))
                 for side in (manifest["a"], manifest["b"])]
        return compare_request(*sides)
    if "method" in manifest:
        cases = manifest.get("cases")
        settings = {key: manifest.get(key) for key in ("samples", "replicates", "weeks")}
        settings["cases"] = ";".join(map(str, cases)) if isinstance(cases, list) else cases
        return explore_request(str(manifest.get("scenario")), manifest.get("scenario_file"),
                               str(manifest["method"]), settings)
    if "scenario_file" in manifest:
        return run_request(str(manifest.get("scenario")), manifest["scenario_file"],
                           manifest.get("overrides", {}))
    return None


def _canonical(request: dict) -> dict:
    """A recorded request with its files resolved and settings as exact texts."""
    out = dict(request)
    for key, value in request.items():
        if key == "scenario_file":
            out[key] = _file(value)
        elif key in ("overrides", "settings"):
            out[key] = _settings(value)
        elif isinstance(value, dict):
            out[key] = _canonical(value)
    return out


def describe(request: dict) -> str:
    """A request in a few words, for messages."""
    kind = request.get("kind")
    if kind == "compare":
        return f"comparison of {describe(request['a'])} with {describe(request['b'])}"
    settings = request.get("overrides") or request.get("settings") or {}
    given = ", ".join(f"{k}={v}" for k, v in settings.items()) if isinstance(
        settings, dict) else repr(settings)
    what = f"exploration ({request.get('method')}) of" if kind == "explore" else "run of"
    return f"{what} {request.get('scenario_file')}" + (f" with {given}" if given else "")


def claim(target: Path, request: dict, origin: str, command: str | None = None) -> None:
    """Check that ``request`` may write ``target``; refuse if it holds another's results.

    Parameters
    ----------
    target : pathlib.Path
        The folder the request will replace.
    request : dict
        From :func:`run_request`, :func:`compare_request` or :func:`explore_request`.
    origin : str
        The file or call the request came from, for the error.
    command : str, optional
        The command of this request; when the folder was made by another command (the
        same request from another entry point), a note says what is replaced.

    Raises
    ------
    UserError
        If ``target`` holds another request's results, or files without a readable
        manifest (not a folder this project wrote): naming the folder, its request and
        what to do.
    """
    target = Path(target)
    if not target.is_dir():
        return
    manifest_path = target / "manifest.json"
    if not manifest_path.is_file():
        # ``replay`` may write results/<run>/replay/ before the run exists: not results
        # of another request.
        if any(entry.name != "replay" for entry in target.iterdir()):
            raise UserError(origin, None, f"{target} holds files but no manifest.json, so "
                            "it is not a result folder this project wrote; it is never "
                            "replaced: move or remove it first")
        return
    try:
        stored = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):   # UnicodeDecodeError is a ValueError
        stored = None
    owner = stored_request(stored)
    if owner is None:
        raise UserError(str(manifest_path), None, "does not say which request made this "
                        f"folder, so {target} is never replaced: move or remove it first")
    mine = _canonical(request)
    if owner == mine:
        previous = stored.get("command") if isinstance(stored, dict) else None
        if isinstance(previous, str) and command and previous != command:
            print(f"note: replacing {target}, made by `{previous}` (the same scenario and "
                  "settings)", file=sys.stderr)
        return
    if (owner.get("kind") == mine.get("kind") == "run"
            and owner.get("scenario_file") != mine.get("scenario_file")):
        raise UserError(origin, "name", f"{target} holds the results of "
                        f"{owner.get('scenario_file')}, another file with the name "
                        f"{mine.get('scenario')!r}; give this scenario its own name (the name: "
                        f"key), or remove {target} first")
    raise UserError(origin, None, f"{target} holds the results of another request "
                    f"({describe(owner)}); this request ({describe(mine)}) would replace "
                    f"them, so it is refused: move or remove {target} first")
