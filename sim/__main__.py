"""``python -m sim``: see :mod:`sim.cli`."""

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
sys.exit(code)
