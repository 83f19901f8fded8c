"""Regions as data, the loader that checks them, and the sparse graph kernels.

One folder per region (``belarus/``, ...) holds its actors, attributes, layered edges,
roles and succession rules.
"""
