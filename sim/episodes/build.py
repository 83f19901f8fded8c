"""Build every file of an episode folder from its source file, by the fixed rules.

::

    python -m sim.episodes.build                       # (re)build every episode folder
    python -m sim.episodes.build georgia_2003          # one episode
    python -m sim.episodes.build --check               # shipped folders equal their build?
    python -m sim.episodes.build --check-sources NAME  # validate a source file only

The source files (``sim/episodes/sources/<name>.yaml``, schema
:mod:`sim.episodes.source`) hold only recalled figures with their sources; the
gazetteer (``sources/world/*.yaml``) the capitals and borders. Everything else (which
states enter, the patrons, the tie strengths, the template, the years, the election
window, the trigger event) is decided here by :mod:`sim.episodes.rules`, the same for
every episode. ``--check`` exits 1 listing each folder that differs from its build
(the tests run it), 2 on a broken source file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from sim.episodes import rules
from sim.episodes import tables as T
from sim.episodes.source import EpisodeSource, WorldFile
from sim.errors import UserError, from_validation
from sim.paths import PACKAGE_DIR
from sim.safe_yaml import load_yaml

EPISODES_DIR = PACKAGE_DIR / "episodes"
SOURCES_DIR = EPISODES_DIR / "sources"
WORLD_DIR = SOURCES_DIR / "world"
#: The files a build writes (and ``--check`` compares).
FILES = ("actors.csv", "attributes.csv", "indicators.csv", "edges.csv", "layers.csv",
         "roles.yaml", "episode.yaml", "evidence.csv")


class World:
    """The merged gazetteer: countries and land borders (km, source or None)."""

    def __init__(self, files: list[Path]):
        self.countries: dict = {}
        self.borders: dict[frozenset[str], tuple[float, str | None]] = {}
        self.dated: list = []
        for file in files:
            data = load_yaml(file, str(file))
            try:
                world = WorldFile.model_validate(data or {})
            except ValidationError as exc:
                raise from_validation(str(file), exc) from None
            for cid, country in world.countries.items():
                if cid in self.countries and self.countries[cid] != country:
                    raise UserError(str(file), f"countries.{cid}", "differs from the entry "
                                    "in another gazetteer file: one entry per country")
                self.countries[cid] = country
            for border in world.borders:
                key = frozenset(border[:2])
                value = (float(border[2]), border[3] if len(border) > 3 else None)
                if len(key) != 2:
                    raise UserError(str(file), "borders", f"{border[0]} borders itself")
                if key in self.borders and self.borders[key] != value:
                    raise UserError(str(file), f"borders {border[0]}-{border[1]}",
                                    "differs from another gazetteer file")
                self.borders[key] = value
            self.dated.extend(world.dated_borders)
        for dated in self.dated:
            if frozenset(dated.between) in self.borders:
                raise UserError(str(files[-1]), f"dated_borders {'-'.join(dated.between)}",
                                "a pair is either a 2024 border or a dated one, not both")

    def on(self, day: dt.date) -> dict[frozenset[str], tuple[float, str | None]]:
        """The borders that held on ``day``: the 2024 ones and the dated ones (rule E4)."""
        out = dict(self.borders)
        for dated in self.dated:
            if dated.holds_on(day):
                out[frozenset(dated.between)] = (dated.km, dated.source)
        return out

    def lengths(self, day: dt.date) -> dict[frozenset[str], float]:
        """Border lengths (km) by pair on ``day``."""
        return {k: v[0] for k, v in self.on(day).items()}


def load_world(folder: Path = WORLD_DIR) -> World:
    """Merge every gazetteer file of ``folder``."""
    return World(sorted(Path(folder).glob("*.yaml")))


def load_source(path: Path) -> EpisodeSource:
    """Read and validate one source file (a :class:`UserError` names the field)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(str(path), None, "episode source file not found")
    data = load_yaml(path, str(path))
    try:
        return EpisodeSource.model_validate(data)
    except ValidationError as exc:
        raise from_validation(str(path), exc) from None


def problems(source: EpisodeSource, world: World) -> list[str]:
    """What the rules require that the source file lacks (empty when it builds)."""
    out: list[str] = []
    try:
        expected = rules.entering_states(source, world.lengths(source.trigger.date))
    except KeyError as exc:
        return [str(exc.args[0])]
    if set(expected) != set(source.states):
        out.append(f"states must be exactly {expected} by rules E1-E3 (have "
                   f"{sorted(source.states)})")
    for state in expected:
        if state not in world.countries:
            out.append(f"{state} is missing from the gazetteer (sources/world/*.yaml)")
    have = {frozenset(t[:2]) for t in source.trade}
    for pair in sorted(rules.trade_pairs(expected, source.focal), key=sorted):
        if pair not in have and pair <= set(source.states):
            out.append("trade row missing by rule T1: " + "-".join(sorted(pair)))
    moscow = rules.POLE_MOSCOW
    if moscow in source.states and source.states[moscow].ideal != source.pole_moscow:
        out.append(f"pole_moscow must equal {moscow}'s ideal point")
    for layer in ("energy", "debt", "troops"):
        for tie in getattr(source, layer):
            if tie.target != source.focal or tie.source not in source.states:
                out.append(f"{layer} {tie.source}->{tie.target}: the target must be the "
                           "focal state and the source an entering state")
    gdp = source.states[source.focal].gdp
    for tie in source.debt:
        if tie.value < rules.DEBT_MIN_SHARE * gdp:
            out.append(f"debt {tie.source}->{tie.target}: {tie.value:g} US$ bn is under "
                       f"{rules.DEBT_MIN_SHARE:.0%} of the focal state's GDP ({gdp:g}); "
                       "rule T5 leaves it out")
    for tie in source.security:
        if not {tie.source, tie.target} <= set(source.states):
            out.append(f"security {tie.source}-{tie.target}: both must be entering states")
    listed = {frozenset((t.source, t.target)) for t in source.security}
    for pair, why in rules.organisation_pairs(expected, source.trigger.date).items():
        if pair not in listed:
            out.append(f"security row missing by rule T3 ({why}): " + "-".join(sorted(pair)))
    return out


def build(source: EpisodeSource, world: World, target: Path) -> None:
    """Write the episode folder's files into ``target`` (created if missing)."""
    found = problems(source, world)
    if found:
        raise UserError(f"sources/{source.name}.yaml", None, "; ".join(found))
    target.mkdir(parents=True, exist_ok=True)
    T.write_all(source, world, target)


def _differs(a: Path, b: Path) -> list[str]:
    return [f for f in FILES if not (a / f).is_file() or not (b / f).is_file()
            or not filecmp.cmp(a / f, b / f, shallow=False)]


def source_paths(names: list[str] | None = None) -> list[Path]:
    """The source files of the named episodes (default: all)."""
    if not names:
        return sorted(SOURCES_DIR.glob("*.yaml"))
    return [SOURCES_DIR / f"{n.removesuffix('.yaml')}.yaml" for n in names]


def build_into(root: Path, names: list[str] | None = None,
               transform: Callable[[EpisodeSource], EpisodeSource] | None = None
               ) -> list[Path]:
    """Build the named episodes under ``root`` (``transform`` may perturb each source)."""
    world = load_world()
    out = []
    for path in source_paths(names):
        source = load_source(path)
        if transform is not None:
            source = transform(source)
        build(source, world, root / source.name)
        out.append(root / source.name)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: build, ``--check`` or ``--check-sources``."""
    parser = argparse.ArgumentParser(prog="python -m sim.episodes.build",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="episode names (default: every source)")
    parser.add_argument("--check", action="store_true",
                        help="compare each shipped folder with its build; exit 1 if any differ")
    parser.add_argument("--check-sources", action="store_true",
                        help="validate the source files and the rules only")
    args = parser.parse_args(argv)
    try:
        if args.check_sources:
            world = load_world()
            bad = 0
            for path in source_paths(args.names):
                found = problems(load_source(path), world)
                bad += bool(found)
                print(f"{path.stem}: " + ("ok" if not found else "; ".join(found)))
            return 1 if bad else 0
        with tempfile.TemporaryDirectory() as tmp:
            built = build_into(Path(tmp), args.names)
            if args.check:
                differing = [(p.name, _differs(p, EPISODES_DIR / p.name)) for p in built]
                differing = [(n, d) for n, d in differing if d]
                for name, files in differing:
                    print(f"{name}: differs from its build in {', '.join(files)} "
                          f"(rebuild: python -m sim.episodes.build {name})")
                print(f"{len(built) - len(differing)} of {len(built)} episode folders equal "
                      "their build")
                return 1 if differing else 0
            for folder in built:
                dest = EPISODES_DIR / folder.name
                dest.mkdir(exist_ok=True)
                for f in FILES:
                    shutil.copyfile(folder / f, dest / f)
            print(f"built {len(built)} episode folders under {EPISODES_DIR}")
            return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
