"""Emulators: how each outcome's probability moves with the calibrated parameters.

A design point has only ``replicates`` members, too few to read a probability near 0
or 1 from its own counts. The emulator pools every member of every point: a logistic
regression of the member's outcome on the point's parameters (on the unit cube, with
their squares, so a probability may rise and fall), multinomial for an episode's three
classes. It is fitted by maximum likelihood with a mild ridge penalty (scikit-learn's
``LogisticRegression``, ``C`` = :data:`RIDGE_C`), so it is the smooth surface that
best explains the members' outcomes; ``check`` says how far it sits from each point's
own frequencies relative to their Monte Carlo noise.

A class no member of any point ended in gets the Jeffreys floor of the backtest's
smoothing, ``0.5 / (n + 1.5)`` for ``n`` members, as an unseen class would in a plain
run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scikit-learn is imported when an emulator is fitted, not before
    from sklearn.linear_model import LogisticRegression

#: Inverse ridge strength of the emulators (on unit-cube features; 1 is mild).
RIDGE_C = 1.0


def features(unit: np.ndarray) -> np.ndarray:
    """Regression features of unit-cube parameter values: each value and its square."""
    unit = np.atleast_2d(unit)
    return np.hstack([unit, unit ** 2])


@dataclass
class ClassEmulator:
    """P(class | parameters) for ``k`` classes, fitted on member outcomes."""

    k: int
    model: LogisticRegression | None
    present: np.ndarray
    floor: float

    @classmethod
    def fit(cls, unit_points: np.ndarray, labels: np.ndarray, k: int) -> ClassEmulator:
        """Fit on ``labels`` (rows point-major: ``replicates`` members per point)."""
        replicates = len(labels) // len(unit_points)
        x = np.repeat(features(unit_points), replicates, axis=0)
        present = np.unique(labels)
        floor = 0.5 / (len(labels) + 1.5)
        if len(present) == 1:
            return cls(k, None, present, floor)
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=RIDGE_C, max_iter=2000)
        model.fit(x, labels)
        return cls(k, model, present, floor)

    def predict(self, unit: np.ndarray) -> np.ndarray:
        """Probabilities, shape (points, k); absent classes at the floor, rows sum to 1."""
        unit = np.atleast_2d(unit)
        out = np.full((len(unit), self.k), self.floor)
        if len(unit) == 0:  # nothing to predict (e.g. no draw left by history matching)
            return out
        if self.model is None:
            out[:, self.present[0]] = 1.0
        else:
            out[:, self.model.classes_] = np.maximum(
                self.model.predict_proba(features(unit)), self.floor)
        return out / out.sum(axis=1, keepdims=True)


def check(emulator: ClassEmulator, unit_points: np.ndarray, labels: np.ndarray) -> float:
    """Root-mean-square gap between emulated and per-point frequencies, in standard errors.

    About 1 when the emulator is as good as the points' own Monte Carlo noise allows.
    """
    replicates = len(labels) // len(unit_points)
    predicted = emulator.predict(unit_points)
    gaps = []
    for c in range(emulator.k):
        freq = (labels.reshape(len(unit_points), replicates) == c).mean(axis=1)
        p = predicted[:, c]
        se = np.sqrt(np.maximum(p * (1 - p), 1e-6) / replicates)
        gaps.append((freq - p) / se)
    return float(np.sqrt(np.mean(np.square(gaps))))
