"""Calibration as inference (``make calibrate``): see :mod:`sim.analyses.inference.run`."""
