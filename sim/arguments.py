"""Checks of the arguments given to the command line and to the Python API.

The command line reads every option through argparse types built here; the API
(:mod:`sim.api`) checks its arguments with the same rules before anything runs, so a
wrong type or value gives one :class:`~sim.errors.UserError` naming the argument and what
is allowed (never a raw ``TypeError`` deep inside, never a silent default).
"""

from __future__ import annotations

import argparse
import math
import numbers
import os
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from sim.errors import UserError


def whole_number_from(minimum: int) -> Callable[[str], int]:
    """An argparse type accepting whole numbers of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _kind(value: object) -> str:
    return type(value).__name__


def whole_number(value: object, origin: str, field: str, minimum: int) -> int | None:
    """``value`` as an int of at least ``minimum`` (None stays None: the default).

    Accepts Python and NumPy integers; refuses ``True``/``False``, floats (``2.0``
    included, as the command line refuses ``--members 2.0``) and text.

    Raises
    ------
    UserError
        Naming ``origin`` and ``field`` and what is allowed.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UserError(origin, field, f"must be a whole number of at least {minimum}, got "
                        f"{value!r} ({_kind(value)})")
    if int(value) < minimum:
        raise UserError(origin, field, f"must be at least {minimum}, got {int(value)}")
    return int(value)


def flag(value: object, origin: str, field: str) -> bool:
    """``value`` if it is True or False (a truthy text such as ``"no"`` is refused)."""
    if not isinstance(value, bool):
        raise UserError(origin, field, f"must be True or False, got {value!r} "
                        f"({_kind(value)})")
    return value


def scenario_text(value: object, origin: str, field: str) -> str:
    """A scenario name or the path of a file or result folder, as text."""
    if isinstance(value, os.PathLike):
        return str(Path(value))
    if not isinstance(value, str) or not value:
        raise UserError(origin, field, "must be a scenario name or a path (text or "
                        f"pathlib.Path), got {value!r} ({_kind(value)})")
    return value


def parameter_settings(value: object, origin: str, field: str = "set"
                       ) -> tuple[tuple[str, float], ...]:
    """Parameter overrides ``{name: number}`` as sorted ``(name, float)`` pairs.

    Each value must be a real number (not ``True``/``False``, not text) within the
    parameter's range (:func:`sim.model.params.check_value`), as ``--set`` requires.

    Raises
    ------
    UserError
        Naming ``set`` or ``set.<name>`` and what is allowed.
    """
    from sim.model.params import check_value

    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise UserError(origin, field, "must be a dict of parameter name to number, e.g. "
                        f"{{'patron_support_gain': 1.0}}, got {_kind(value)}")
    out = {}
    for name, number in value.items():
        if not isinstance(name, str):
            raise UserError(origin, field, f"each key must be a parameter name (text), got "
                            f"{name!r}")
        where = f"{field}.{name}"
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise UserError(origin, where, f"must be a number, got {number!r} "
                            f"({_kind(number)})")
        number = float(number)
        if not math.isfinite(number):
            raise UserError(origin, where, f"must be a finite number, got {number!r}")
        problem = check_value(name, number)
        if problem:
            raise UserError(origin, where, problem)
        out[name] = number
    return tuple(sorted(out.items()))


def call_text(function: str, positional: tuple, keywords: dict[str, object],
              defaults: Mapping[str, object]) -> str:
    """The call as a user would write it, with the keywords that differ from defaults.

    Examples
    --------
    >>> call_text("sim.api.run", ("x",), {"members": 5, "seed": None}, {"seed": None})
    "sim.api.run('x', members=5)"
    """
    shown = [repr(p) for p in positional]
    shown += [f"{k}={v!r}" for k, v in keywords.items() if defaults.get(k, ...) != v]
    return f"{function}({', '.join(shown)})"


def command_line(argv: list[str] | None = None) -> str:
    """The command line of ``python -m sim``, as a user would type it (quoted).

    Parameters
    ----------
    argv : list of str, optional
        The arguments given to :func:`sim.cli.main` (default: this process's own).
    """
    if argv is not None:
        return shlex.join(["python", "-m", "sim", *argv])
    program = "python -m sim" if sys.argv[0].endswith("__main__.py") else sys.argv[0]
    return " ".join([program, shlex.join(sys.argv[1:])]).rstrip()
