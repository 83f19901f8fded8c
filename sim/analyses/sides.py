"""The two sides of a comparison: a scenario, or the result folder of any run.

A side is given as a scenario name, a ``.yaml`` path (the scenario run as written) or a
run's result folder (``results/<name>__<overrides>/``, from the command line, the API or
the dashboard). A folder stands for the request its ``manifest.json`` records (the
scenario file and the overrides), so the comparison steps that same run again, member by
member, beside the other side.
"""

from __future__ import annotations

import json
import numbers
import os
from dataclasses import dataclass, replace
from pathlib import Path

from sim.analyses.run import (
    PARAMETER_MODES,
    RunRequest,
    code_fingerprint,
    prepare,
    with_parameter_mode,
)
from sim.errors import UserError
from sim.model.context import Context
from sim.model.scenario import Scenario, file_sha256
from sim.paths import exact_text, result_folder_name
from sim.regions.folders import region_sha256

#: Overrides of a run that are not model parameters (whole numbers; ``uncertain`` a flag).
_SIZES = {"members": 1, "seed": 0, "weeks": 1}


@dataclass(frozen=True)
class Side:
    """One side of a comparison, prepared.

    Attributes
    ----------
    request : RunRequest
        The run this side stands for.
    path : pathlib.Path
        Its scenario file.
    scenario : Scenario
        The scenario with the request's overrides.
    ctx : Context
        Its context (with each member's drawn parameters, from the posterior by default
        or from the ranges for an uncertain run; none for a fixed run).
    name : str
        Its result folder's name (:func:`sim.paths.result_folder_name`), its label.
    """

    request: RunRequest
    path: Path
    scenario: Scenario
    ctx: Context
    name: str


def is_folder(text: str) -> bool:
    """Whether a side given as text names a result folder (not a scenario)."""
    if Path(text).suffix in {".yaml", ".yml"}:
        return False
    return "/" in text or os.sep in text or Path(text).is_dir()


def request_from_folder(folder: Path) -> RunRequest:
    """The run request a result folder's ``manifest.json`` records.

    Raises
    ------
    UserError
        Naming the manifest (and field) when the folder is not a run's result folder:
        no manifest, a comparison's or an exploration's, a manifest of the wrong shape,
        or a scenario file that no longer exists.
    """
    manifest_path = Path(folder) / "manifest.json"
    if not manifest_path.is_file():
        raise UserError(str(manifest_path), None, "not found: give a run's result folder "
                        "(results/<name>/ or results/<name>__<overrides>/) or a scenario")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict):
        raise UserError(str(manifest_path), None, "is not a run's manifest (a JSON object "
                        "with scenario_file and overrides)")
    if "a" in manifest and "b" in manifest:
        raise UserError(str(manifest_path), None, "is a comparison, not a run: compare the "
                        "result folders of two runs")
    if "method" in manifest:
        raise UserError(str(manifest_path), None, "is an exploration, not a run: compare "
                        "the result folders of two runs")
    scenario_file = manifest.get("scenario_file")
    if not isinstance(scenario_file, str) or not scenario_file:
        raise UserError(str(manifest_path), "scenario_file", "must be the path of the run's "
                        "scenario file (text)")
    overrides = manifest.get("overrides", {})
    if not isinstance(overrides, dict):
        raise UserError(str(manifest_path), "overrides", "must be an object of the run's "
                        "overrides (e.g. {\"members\": 200, \"patron_support_gain\": 1.0})")
    if not Path(scenario_file).is_file():
        raise UserError(str(manifest_path), "scenario_file", f"the run's scenario file "
                        f"{scenario_file} no longer exists, so the run cannot be stepped "
                        "again: restore the file, or compare another run")
    return _request(str(manifest_path), scenario_file, overrides)


def _request(origin: str, scenario_file: str, overrides: dict) -> RunRequest:
    sizes, parameters, modes = {}, {}, {}
    for key, value in overrides.items():
        field = f"overrides.{key}"
        if key in _SIZES:
            if (isinstance(value, bool) or not isinstance(value, int)
                    or value < _SIZES[key]):
                raise UserError(origin, field, f"must be a whole number of at least "
                                f"{_SIZES[key]}")
            sizes[key] = value
        elif key in PARAMETER_MODES:   # a parameter mode (posterior: older folders)
            if value not in (0, 1) or isinstance(value, float):
                raise UserError(origin, field, "must be 1 (or 0)")
            modes[key] = bool(value)
        elif isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise UserError(origin, field, "must be a number (a parameter override)")
        else:
            parameters[key] = float(value)
    request = RunRequest(scenario_file, **sizes,
                         parameters=tuple(sorted(parameters.items())), **modes)
    try:
        request.parameter_mode()
    except UserError as exc:
        raise UserError(origin, "overrides", exc.message) from None
    return request


def side_request(given: str | Path) -> RunRequest:
    """The run request of a side given as a scenario (name or path) or a result folder."""
    if isinstance(given, Path) or is_folder(given):
        return request_from_folder(Path(given))
    return RunRequest(given)


def prepare_side(request: RunRequest) -> Side:
    """Validate a side's scenario and build its context (drawn parameters unless fixed)."""
    path, scenario, ctx = prepare(request)
    ctx, _ = with_parameter_mode(ctx, scenario, request)
    return Side(request=request, path=path, scenario=scenario, ctx=ctx,
                name=result_folder_name(scenario.name, request.overrides()))


def up_to_date(folder: Path, path: Path, ctx: Context, overrides: dict | None = None) -> bool:
    """Whether ``folder`` holds this request's run from this file, region data and code.

    Parameters
    ----------
    folder : pathlib.Path
        The run's result folder.
    path : pathlib.Path
        Its scenario file.
    ctx : Context
        Its context (for the region data).
    overrides : dict, optional
        The request's overrides (default: none, the scenario run as written).
    """
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return False
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or not isinstance(manifest.get("overrides"), dict):
        return False
    region = manifest.get("region")

    def exact(values: dict) -> dict:
        return {str(k): exact_text(v) for k, v in values.items()}

    return (manifest.get("scenario_sha256") == file_sha256(path)
            and manifest.get("code_sha256") == code_fingerprint()
            and isinstance(region, dict)
            and region.get("sha256") == region_sha256(ctx.region.folder)
            and exact(manifest["overrides"]) == exact(overrides or {}))


def for_rerun(side: Side, **settings) -> RunRequest:
    """The side's request with run settings (charts, workers, ...) for re-making it."""
    return replace(side.request, scenario=str(side.path), **settings)
