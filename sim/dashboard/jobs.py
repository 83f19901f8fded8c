"""Runs and comparisons started from the browser, in a background thread.

Both go through the project's own code paths: :func:`sim.analyses.run.run` (so a run
with overrides gets its own folder ``results/<name>__<overrides>/`` and never replaces
the scenario's own results) and :func:`sim.analyses.compare.compare`. They are Solara
tasks (:func:`solara.lab.task`): the page stays responsive and shows their progress.
One job at a time runs per server (:data:`JOB_LOCK`), so two browser tabs never write
the same folder at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import solara.lab

from sim.analyses.run import RunRequest, prepare
from sim.analyses.run import run as run_scenario
from sim.dashboard.files import is_regular
from sim.dashboard.settings import MAX_MEMBERS, MAX_WEEKS, results_root, scenarios_dir
from sim.engines.blocks import WeekRecord
from sim.errors import RunError, UserError
from sim.model.params import check_value
from sim.paths import result_folder_name, results_dir_for

#: Held while a run or comparison started from the dashboard is working.
JOB_LOCK = threading.Lock()


@dataclass(frozen=True)
class RunForm:
    """What the run form asks for.

    Attributes
    ----------
    scenario : str
        Path of the scenario file.
    members, weeks : int
        Ensemble size and horizon (capped at :data:`MAX_MEMBERS`, :data:`MAX_WEEKS`).
    seed : int, optional
        Root seed override.
    parameters : tuple of (str, float)
        Parameter overrides.
    fixed : bool
        A fixed-point run (every parameter at its default); by default the members draw
        the calibrated parameters from the posterior, as ``make run`` does.
    """

    scenario: str
    members: int
    weeks: int
    seed: int | None = None
    parameters: tuple[tuple[str, float], ...] = ()
    fixed: bool = False

    def request(self, on_week=None) -> RunRequest:
        """The :class:`~sim.analyses.run.RunRequest` of this form."""
        return RunRequest(scenario=self.scenario, members=self.members, weeks=self.weeks,
                          seed=self.seed, parameters=self.parameters, progress=False,
                          charts=True, report=True, on_week=on_week, fixed=self.fixed)


def parse_parameters(text: str) -> tuple[tuple[str, float], ...]:
    """``"name=value, name=value"`` (commas, spaces or new lines between) as overrides.

    Raises
    ------
    sim.errors.UserError
        Naming the setting and what is allowed.

    Examples
    --------
    >>> parse_parameters("patron_support_gain=1  defection_crowd=0.03")
    (('defection_crowd', 0.03), ('patron_support_gain', 1.0))
    """
    out = {}
    for item in text.replace(",", " ").split():
        name, sep, value = item.partition("=")
        if not sep:
            raise UserError("parameters", None, f"expected NAME=VALUE, got {item!r}")
        try:
            number = float(value)
        except ValueError:
            raise UserError("parameters", name, f"not a number: {value!r}") from None
        problem = check_value(name, number)
        if problem:
            raise UserError("parameters", name, problem)
        out[name] = number
    return tuple(sorted(out.items()))


#: Largest root seed accepted (the seeds are unsigned 64-bit integers).
MAX_SEED = 2**63 - 1


def _count(value: object, name: str, cap: int) -> str | None:
    """What is wrong with a member or week count ('None' when it is 1 to ``cap``)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= cap:
        return f"{name} must be a whole number from 1 to {cap:,}"
    return None


def check_form(form: RunForm) -> list[str]:
    """What is wrong with the form (empty when it can run), checked on the server.

    The page's widgets only suggest values: anything that reaches the server (a stale
    page, a crafted websocket message) is checked again here before a job starts:
    members and weeks within the caps, a seed 0 to :data:`MAX_SEED`, parameters known
    and in range, and a scenario file of the scenarios folder.
    """
    problems = [p for p in (_count(form.members, "members", MAX_MEMBERS),
                            _count(form.weeks, "weeks", MAX_WEEKS)) if p]
    seed = form.seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed <= MAX_SEED):
        problems.append(f"seed must be a whole number from 0 to {MAX_SEED}")
    try:
        pairs = [(str(n), v) for n, v in form.parameters]
    except (TypeError, ValueError):
        pairs = []
        problems.append("parameters must be name=value pairs")
    for name, value in pairs:
        problem = check_value(name, value)
        if problem:
            problems.append(f"parameter {name}: {problem}")
    if not offered_scenario(form.scenario):
        problems.append("the scenario must be a .yaml file of the scenarios folder")
    return problems


def offered_scenario(path: object) -> bool:
    """Whether ``path`` is a regular ``.yaml`` file directly in the scenarios folder."""
    if not isinstance(path, str) or not path or "\x00" in path:
        return False
    candidate = Path(path)
    return (candidate.suffix == ".yaml" and is_regular(candidate)
            and candidate.resolve().parent == scenarios_dir().resolve())


def target_folder(form: RunForm) -> Path:
    """The folder the run will write (``results/<name>__<overrides>/``).

    Raises
    ------
    sim.errors.UserError
        If the scenario file is invalid.
    """
    _, scenario, _ = prepare(RunRequest(scenario=form.scenario))
    return results_dir_for(result_folder_name(scenario.name, form.request().overrides()))


def _describe(exc: BaseException) -> str:
    """A one-line message for an error of a job."""
    if isinstance(exc, UserError | RunError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "out of memory; lower the members or weeks"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc} ({exc.filename or 'file system'})"
    return f"{type(exc).__name__}: {exc}"


class JobFailed(Exception):
    """A job's failure, with a message fit for the page."""


def _locked(work):
    """Run ``work()`` holding :data:`JOB_LOCK`; refuse if another job holds it."""
    if not JOB_LOCK.acquire(blocking=False):
        raise JobFailed("another run or comparison is working; wait for it to finish")
    try:
        return work()
    except Exception as exc:  # shown on the page; the previous results are untouched
        raise JobFailed(_describe(exc) + "; earlier results were left as they were") from exc
    finally:
        JOB_LOCK.release()


def run_form(form: RunForm, on_week=None) -> Path:
    """Check the form on the server, then run it holding :data:`JOB_LOCK`.

    Raises
    ------
    JobFailed
        If :func:`check_form` finds a problem (nothing runs), another job is working,
        or the run fails.
    """
    problems = check_form(form)
    if problems:  # the page checks too, but only the server's check counts
        raise JobFailed("refused: " + "; ".join(problems))
    return _locked(lambda: run_scenario(form.request(on_week)))


@solara.lab.task
def run_job(form: RunForm) -> Path:
    """Run the form's scenario; :attr:`run_job.progress` is the share of weeks done (%)."""
    done = [0, -1]

    def on_week(_record: WeekRecord) -> None:
        done[0] += 1
        percent = int(100 * done[0] / (form.weeks + 1))
        if percent != done[1]:
            done[1] = percent
            run_job.progress = percent

    run_job.progress = 0
    return run_form(form, on_week)


@solara.lab.task
def compare_job(path_a: str, path_b: str, unpaired: bool = False) -> Path:
    """Compare scenario ``path_b`` with ``path_a`` member by member."""
    from sim.analyses.compare import compare

    if not (offered_scenario(path_a) and offered_scenario(path_b)):
        raise JobFailed("refused: both scenarios must be .yaml files of the scenarios folder")
    return _locked(lambda: compare(path_a, path_b, unpaired=unpaired, workers=2,
                                   charts=True, progress=False))


@solara.lab.task
def compare_runs_job(name_a: str, name_b: str) -> Path:
    """Compare the run folder ``results/<name_b>`` with ``results/<name_a>``.

    The names are checked again on the server (:func:`compare_data.refusal`): two run
    folders of the results folder, of one region. Each folder stands for the request its
    manifest records (:mod:`sim.analyses.sides`).
    """
    from sim.analyses.compare import compare
    from sim.dashboard import compare_data

    root = results_root()
    problem = compare_data.refusal(root, name_a, name_b)
    if problem:
        raise JobFailed(f"refused: {problem}")
    a, b = root / name_a, root / name_b
    return _locked(lambda: compare(a, b, workers=2, charts=True, progress=False,
                                   command=f"python -m sim compare {a} {b}  "
                                           "(from the dashboard's Compare page)"))
