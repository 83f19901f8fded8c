"""One module per mechanism.

Each rule is a pure function over arrays whose last axis is the actors (or, for
the focal state's regime variables, the member axis alone); none knows whether it runs for one
member or for a whole ensemble. ``sim/model/week.py`` wires them together in the order of one
simulated week.
"""
