"""``python -m sim``: see :mod:`sim.cli`."""

import sys

try:
    from sim.cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl-C before the command line took over
    print("interrupted: earlier results were left as they were", file=sys.stderr)
    code = 130
sys.exit(code)
