"""``python -m sim``: see :mod:`sim.cli`."""

import os
import signal
import sys

INTERRUPTED = "interrupted: earlier results were left as they were"
_pressed: list[int] = []


def _defer(signum, frame) -> None:
    """Note a Ctrl-C that arrives while the package is imported, act on it after.

    A KeyboardInterrupt raised in the middle of an import can land inside a callback
    that CPython runs from C (importlib's weak-reference bookkeeping), which prints
    "Exception ignored ... Traceback" and drops the interrupt: the user saw a traceback
    and the run went on. Noting the key and acting once the imports are done gives the
    one-line message instead.
    """
    _pressed.append(signum)


signal.signal(signal.SIGINT, _defer)
try:
    from sim.cli import main
finally:
    signal.signal(signal.SIGINT, signal.default_int_handler)
if _pressed:
    print(INTERRUPTED, file=sys.stderr)
    sys.exit(130)
try:
    code = main()
except KeyboardInterrupt:  # Ctrl-C before the command line took over
    print(INTERRUPTED, file=sys.stderr)
    code = 130
if code == 0:
    from sim.cli import ends_at_once

    if ends_at_once():  # a finished run: nothing left to tear down (see ends_at_once)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # e.g. a closed pipe: the interpreter's own exit reports it
            pass
        else:
            os._exit(0)
sys.exit(code)
