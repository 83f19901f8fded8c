"""Comparing two past runs by their result folders: which runs, whether they pair, where.

Any two runs of one region can be compared (:mod:`sim.analyses.sides`): a scenario's own
results, a run with overrides, an uncertain or posterior run, a run from the dashboard's
form. Whether member ``k`` of A and member ``k`` of B can be paired (common random
numbers, :mod:`sim.model.rng`) depends on the root seed, the members and the weeks, all
read from each folder's ``manifest.json``; runs of two regions are refused, here before
anything starts and again by :func:`sim.analyses.compare.compare` itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sim.dashboard import data, run_settings
from sim.paths import compare_dir_for

#: What the pairing looks at: the manifest's field and how the page names it.
PAIRING_FIELDS: tuple[tuple[str, str], ...] = (("root_seed", "root seed"),
                                               ("members", "members"), ("weeks", "weeks"))


def run_folders(root: Path) -> list[data.RunEntry]:
    """The run folders under ``root`` that can be shown (broken ones left out)."""
    return [entry for entry in data.list_runs(root) if not entry.problem]


def region_of(manifest: dict) -> tuple[str, str] | None:
    """A run's region as (name, resolved data folder); None when not recorded."""
    region = manifest.get("region") if isinstance(manifest, dict) else None
    folder = region.get("folder") if isinstance(region, dict) else None
    if not isinstance(folder, str) or not folder:
        return None
    return str(region.get("name", "?")), os.path.realpath(folder)


def region_problem(manifest_a: dict, manifest_b: dict) -> str:
    """Why two runs cannot be compared because of their regions ('' when they can).

    >>> region_problem({"region": {"name": "belarus", "folder": "/r/belarus"}},
    ...                {"region": {"name": "russia", "folder": "/r/russia"}})
    "A is a run of region 'belarus' and B of region 'russia': compare two runs of one region"
    """
    a, b = region_of(manifest_a), region_of(manifest_b)
    if a is None or b is None or a[1] == b[1]:
        return ""
    return (f"A is a run of region {a[0]!r} and B of region {b[0]!r}: compare two runs of "
            "one region")


@dataclass(frozen=True)
class Pairing:
    """Whether two runs pair member by member, and what a comparison of them covers.

    Attributes
    ----------
    paired : bool
        Same root seed, members and weeks.
    problems : list of str
        What differs, e.g. ``root seed: 1 in A, 2 in B``.
    members, weeks : int
        Members and weeks compared (the common ones).
    drawn : list of str
        Notes on sides whose parameters are drawn per member.
    """

    paired: bool
    problems: list[str]
    members: int
    weeks: int
    drawn: list[str]

    @property
    def text(self) -> str:
        """The sentence the page shows."""
        if self.paired:
            return (f"These runs pair member by member: same root seed, members "
                    f"({self.members}) and weeks ({self.weeks}), so member k of A and of B "
                    "draw the same random numbers (common random numbers): the differences "
                    "come from the runs' settings rather than from other random draws.")
        return ("These runs do not pair member by member (" + "; ".join(self.problems)
                + f"): they are compared unpaired over the common {self.members} members "
                f"and {self.weeks} weeks, as independent draws, with wider intervals.")


def _count(manifest: dict, key: str) -> int:
    value = manifest.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def pairing(manifest_a: dict, manifest_b: dict) -> Pairing:
    """How two runs' members pair (read from their manifests).

    >>> p = pairing({"root_seed": 1, "members": 50, "weeks": 10},
    ...             {"root_seed": 2, "members": 40, "weeks": 10})
    >>> p.paired, p.problems, p.members
    (False, ['root seed: 1 in A, 2 in B', 'members: 50 in A, 40 in B'], 40)
    """
    problems = [f"{words}: {manifest_a.get(key)} in A, {manifest_b.get(key)} in B"
                for key, words in PAIRING_FIELDS if manifest_a.get(key) != manifest_b.get(key)]
    drawn = []
    for side, manifest in (("A", manifest_a), ("B", manifest_b)):
        mode = run_settings.parameter_mode(manifest)
        if mode.posterior or mode.uncertain:
            source = "the calibrated posterior" if mode.posterior else "their ranges"
            drawn.append(f"{side} draws its parameters per member from {source}: the "
                         "difference includes the effect of those draws")
    return Pairing(paired=not problems, problems=problems,
                   members=min(_count(manifest_a, "members"), _count(manifest_b, "members")),
                   weeks=min(_count(manifest_a, "weeks"), _count(manifest_b, "weeks")),
                   drawn=drawn)


def comparison_folder(folder_a: Path, folder_b: Path) -> Path:
    """Where the comparison of two run folders is written (``results/compare/<A>_vs_<B>``).

    The comparison names each side by the result folder its request owns
    (:func:`sim.paths.result_folder_name`), which is the folder's own name for every
    folder a run wrote.
    """
    return compare_dir_for(Path(folder_a).name, Path(folder_b).name)


def side_label(side: object) -> str:
    """How the page names one side of a stored comparison: its result folder's name.

    Only the last part of the path the comparison's manifest records is used, so no
    server path reaches the page.

    >>> side_label({"scenario": "incapacity", "folder": "/home/u/results/incapacity__g-1"})
    'incapacity__g-1'
    >>> side_label({"scenario": "status_quo"})
    'status_quo'
    """
    if not isinstance(side, dict):
        return "?"
    folder = side.get("folder")
    if isinstance(folder, str) and folder:
        return Path(folder).name
    return str(side.get("scenario", "?"))


def not_comparable(manifest: dict) -> str:
    """Why a run cannot be a side of a comparison yet ('' when it can).

    A posterior run (``POSTERIOR=1``) records ``posterior: 1`` among its overrides,
    which :func:`sim.analyses.sides.request_from_folder` does not read yet (it takes it
    for a parameter), so the comparison would stop with "unknown parameter".
    """
    overrides = manifest.get("overrides") if isinstance(manifest, dict) else None
    if isinstance(overrides, dict) and "posterior" in overrides:
        return ("is a run with parameters drawn from the calibrated posterior "
                "(POSTERIOR=1), which cannot be compared yet: the comparison code "
                "(sim/analyses/sides.py) does not read a posterior run's request")
    return ""


def refusal(root: Path, name_a: str, name_b: str) -> str:
    """Why the comparison of two run folders under ``root`` is refused ('' if it is not).

    Checked on the server before a job starts: both must be run folders the Results
    page lists (by name, under the results root, not broken), two different ones, of
    one region, and comparable (:func:`not_comparable`).
    """
    if name_a == name_b:
        return "pick two different runs"
    entries = {entry.folder.name: entry for entry in run_folders(root)}
    for side, name in (("A", name_a), ("B", name_b)):
        if not isinstance(name, str) or name not in entries:
            return f"{side} is not a run folder of the results folder that can be shown"
    manifests = [data.read_manifest(entries[name].folder) for name in (name_a, name_b)]
    for side, manifest in zip("AB", manifests, strict=True):
        problem = not_comparable(manifest)
        if problem:
            return f"{side} {problem}"
    return region_problem(*manifests)
