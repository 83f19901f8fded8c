"""Regional-instability scenario simulator for Belarus and its neighbourhood."""

__version__ = "0.1.0"
