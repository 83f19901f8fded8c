"""Errors caused by the user's input, reported without a traceback (exit code 2)."""

from __future__ import annotations

from pydantic import ValidationError


class UserError(Exception):
    """A mistake in user input: names the file, the field and what is allowed.

    Parameters
    ----------
    origin : str
        The file (or command-line option) the bad input came from.
    field : str or None
        The offending field, dotted (``events.0.week``), or None for the whole file.
    message : str
        What is wrong and what is allowed.
    """

    def __init__(self, origin: str, field: str | None, message: str) -> None:
        self.origin = origin
        self.field = field
        self.message = message
        where = f"{origin}: {field}" if field else origin
        super().__init__(f"{where}: {message}")


class RunError(Exception):
    """A run that failed for a reason other than the user's input, said in one line.

    For example a worker process that was killed. The command line prints it without a
    traceback and exits with code 1; earlier results are left as they were.
    """


def from_validation(origin: str, exc: ValidationError, unknown_key: str = "unknown key",
                    missing: str | None = None) -> UserError:
    """One :class:`UserError` from the first problem pydantic found in a file.

    Parameters
    ----------
    origin : str
        The file the data came from.
    exc : pydantic.ValidationError
    unknown_key, missing : str, optional
        The message for an unknown key and, if given, for a missing one.
    """
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = unknown_key
    elif first["type"] == "missing" and missing is not None:
        message = missing
    return UserError(origin, field, message)
