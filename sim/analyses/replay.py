"""Replay one ensemble member in the Mesa model: ``python -m sim replay NAME --member K``.

The member is re-run alone, agent by agent, with the scenario's root seed, horizon and
ensemble size; a run made with ``--members``/``--seed``/``--weeks`` overrides is
replayed by passing the same overrides again, ``--set`` included (its results live in
their own folder, ``results/<scenario>__<overrides>/``). Its
values equal that member's record in the ensemble exactly: both engines call
:func:`sim.model.week.advance` and draw the same counter-based random numbers. Results
go to ``<run folder>/replay/member_<k>/``:

* ``agents.csv``: every actor's metrics every week (full precision);
* ``model.csv``: week, who holds power in the focal state, each patron's support
  (``support_<id>``), leader capable;
* ``events.csv``; ``manifest.json``; ``charts/``.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd

from sim.analyses.run import (
    RunRequest,
    code_fingerprint,
    prepare,
    with_parameter_mode,
)
from sim.claims import claim, run_request
from sim.engines.mesa_model import RegionModel
from sim.errors import UserError
from sim.model.events import EVENT_COLUMNS
from sim.model.scenario import file_sha256
from sim.outputs import tables as outputs
from sim.paths import result_folder_name, results_dir_for


def replay(scenario: str, member: int, charts: bool = True, members: int | None = None,
           seed: int | None = None, weeks: int | None = None,
           parameters: tuple[tuple[str, float], ...] = (), uncertain: bool = False,
           posterior: bool = False, fixed: bool = False) -> Path:
    """Re-run ``member`` of ``scenario`` in Mesa and write its detailed record.

    With ``members``, ``seed`` or ``weeks`` it replays the run made with those overrides
    (its own result folder, as for ``run``); without, the scenario's own run. With
    ``uncertain`` it replays a run made with ``--uncertain``: the member gets the same
    drawn parameter values (the design depends only on the scenario and its seed); with
    ``fixed`` one made with ``--fixed``; by default (or ``posterior``) a run that drew
    from the posterior (the member gets the same draw).

    Raises
    ------
    UserError
        For an unknown scenario or a member outside the ensemble.
    """
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    request = RunRequest(scenario, members=members, seed=seed, weeks=weeks,
                         parameters=tuple(parameters), uncertain=uncertain,
                         posterior=posterior, fixed=fixed)
    request.parameter_mode()   # two modes at once: refused before anything runs
    path, spec, ctx = prepare(request)
    ctx, _ = with_parameter_mode(ctx, spec, request)
    overrides = request.overrides()
    run_folder = results_dir_for(result_folder_name(spec.name, overrides))
    # The replay goes inside the run's folder: never into another request's.
    claim(run_folder, run_request(spec.name, path, overrides), str(path))
    if member >= spec.members:
        raise UserError("--member", None,
                        f"must be from 0 to {spec.members - 1} (the ensemble's members)")
    model = RegionModel(ctx, member).run()
    target = run_folder / "replay" / f"member_{member}"
    with outputs.atomic_directory(target) as out:
        agents = model.agent_table()
        agents.insert(2, "kind", agents["actor"].map(dict(zip(ctx.region.ids, ctx.region.kinds,
                                                              strict=True))))
        agents.to_csv(out / "agents.csv", index=False, lineterminator="\n")
        model_vars = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        model_vars.to_csv(out / "model.csv", index=False, lineterminator="\n")
        pd.DataFrame(model.events, columns=list(EVENT_COLUMNS)).to_csv(
            out / "events.csv", index=False, lineterminator="\n")
        if charts:
            from sim.outputs import charts as charting

            charting.write_replay_charts(out / "charts", agents, model_vars, ctx.region,
                                         spec.name, member)
        outputs.write_json({
            "scenario": spec.name, "scenario_file": str(path),
            "scenario_sha256": file_sha256(path), "member": member,
            "root_seed": spec.seed, "members": spec.members, "weeks": spec.weeks,
            "overrides": overrides, "engine": "mesa", "code_sha256": code_fingerprint(),
            "started_utc": started.isoformat(timespec="seconds"),
            "wall_time_s": round(time.perf_counter() - t0, 3),
        }, out / "manifest.json")
    return target
