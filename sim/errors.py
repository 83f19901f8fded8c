"""Errors caused by the user's input, reported without a traceback (exit code 2)."""

from __future__ import annotations


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
