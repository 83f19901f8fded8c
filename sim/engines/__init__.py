"""Engines that step the model: the vectorised ensemble, its executors and the Mesa model."""
