"""Public mobilisation: a threshold cascade.

Each public's members join a protest when the drive to protest exceeds their personal
threshold; thresholds are logistic with centre ``theta_i`` and spread ``sigma_theta``
(Granovetter 1978). The drive includes the share already protesting, which makes the
cascade (Kuran 1991's preference falsification: visible protest lowers the cost of
joining)::

    x_i = u_i + beta_g (push_i(t) + (e_i - e0_i)^+) + beta_w (1 - s_i / s0_i)^+
          - beta_r r_i (s_c(i) / s0_c(i))
    u_i' = u_i + rho_u [u_max Lambda((x_i - theta_i) / sigma_theta) - u_i]

where ``c(i)`` is the actor whose loyalty carries ``i``'s repression (the focal
state's security bloc for the focal state, the state itself elsewhere). ``u_max`` is the share of a
public that would ever protest: it bounds the cascade, so protest in one country cannot
tip every linked society into full mobilisation. ``theta_i`` is set so the baseline is
a fixed point: ``theta_i = x_i^0 - sigma_theta logit(u0_i / u_max)``.

``push_i(t)`` is the push of protest events (protest waves, disputed elections) in
``i``'s public, 0 at baseline. There is no grievance *level*: a constant term in ``x_i``
enters ``x_i^0`` as well and cancels in ``x_i - theta_i``, so a per-state grievance read
from data moved nothing and was removed (``docs/data-rules.md``, R3). Neither is there
a spill-over of neighbours' protest: its weight moved no headline output over its
plausible range (issue 19's pruning rule, ``docs/model.md`` section 7) and it left.

References
----------
Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6).
Kuran, T. (1991). Now out of never. World Politics 44(1).
"""

from __future__ import annotations

import numpy as np

from sim.model.params import Parameters, per_actor


def logistic(x: np.ndarray) -> np.ndarray:
    """Logistic CDF ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-x))


def drive(unrest: np.ndarray, push: np.ndarray, stress_excess: np.ndarray,
          weakness: np.ndarray, repression: np.ndarray, params: Parameters) -> np.ndarray:
    """The drive to protest ``x`` (see module docstring), shape (..., N).

    Parameters
    ----------
    unrest : share protesting now.
    push : the push of protest events (``Context.protest_push``; 0 at baseline).
    stress_excess : economic stress above baseline.
    weakness : relative loss of stability, ``(1 - s/s0)^+``.
    repression : effective repression capacity.
    """
    return (unrest + per_actor(params.grievance_weight) * (push + stress_excess)
            + per_actor(params.weakness_weight) * weakness
            - per_actor(params.repression_weight) * repression)


def baseline_thresholds(baseline_drive: np.ndarray, unrest0: np.ndarray,
                        params: Parameters) -> np.ndarray:
    """Threshold centres that make the baseline unrest a fixed point.

    Actors whose baseline unrest is 0 (power centres) or not below ``u_max`` get an
    infinite threshold and never mobilise.
    """
    share = unrest0 / per_actor(params.max_participation)
    mobilisable = (share > 0.0) & (share < 1.0)
    safe = np.where(mobilisable, share, 0.5)
    theta = baseline_drive - per_actor(params.threshold_spread) * np.log(safe / (1.0 - safe))
    return np.where(mobilisable, theta, np.inf)


def update(unrest: np.ndarray, drive_now: np.ndarray, theta: np.ndarray,
           params: Parameters) -> np.ndarray:
    """One week of adjustment toward the threshold equilibrium.

    Deterministic: a weekly noise term (``protest_noise``) moved no headline output over
    its plausible range and left the model (issue 19's pruning rule).
    """
    target = per_actor(params.max_participation) * logistic(
        (drive_now - theta) / per_actor(params.threshold_spread))
    return unrest + per_actor(params.mobilisation_speed) * (target - unrest)
