"""``python -m sim.analyses.inference``: the calibration's command line."""

from sim.analyses.inference.run import main

main()
