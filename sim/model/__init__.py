"""The model of one week: state, parameters, random streams, scenario schema and the mechanisms.

``week.py`` states the order of a week; each mechanism lives in ``mechanisms/``.
"""
