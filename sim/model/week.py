"""The order of one simulated week, written down in one place.

``advance(state, ctx, week, members)`` applies, in this order:

1. **Scenario events** scheduled for the week: a forced leader incapacity
   (natural or violent; a constitutional successor from outside the ruling group takes
   office unless the group blocks it, ``mechanisms/outsider.py``), a voluntary
   handover, a coup attempt (its odds read the ruler's popularity), a scheduled vote
   (``mechanisms/election.py``), a patron's move (protest waves and disputed elections
   act through ``Context.protest_push``).
2. **Leader health** (``mechanisms/health.py``): the age-based weekly hazard; a
   random incapacity opens a vacancy exactly like a forced one.
3. **Succession and elite cohesion** (``mechanisms/succession.py``): elite split,
   election of an insider, resolution of a contested succession.
4. **Public mobilisation** (``mechanisms/mobilisation.py``): the threshold cascade
   for every public.
5. **Elite defection** (``mechanisms/defection.py``): street pressure, measured
   against the crowd this member's bloc tolerates, erodes the security bloc's loyalty;
   a wavering bloc may defect to the opposition.

Steps 3, 5 and the vote read the regime's pre-trigger evidence through
``mechanisms/regime.py`` (cohesion, capacity, a lame duck, linkage).
6. **Distress contagion** (``mechanisms/contagion.py``): last week's new distress
   crosses one hop of the dependence graph; new distress raises economic stress.
7. **Reactions of outside powers** (``mechanisms/reactions.py``): the patrons' support
   and possible takeover, military posture, refugee stress, trade pass-through.
8. **Holder effects**: a change of who rules the focal state this week shocks stability
   and moves its alignment anchor.
9. **Alignment drift** (``mechanisms/alignment.py``): one Friedkin-Johnsen update.
10. **Relaxation**: stability and stress recover toward baseline, less the drag of
   excess stress and unrest.

The same function steps one Mesa member or a whole ensemble: ``members`` holds the
member indices of the rows of ``state``, which key the counter-based random numbers.
"""

from __future__ import annotations

import numpy as np

from sim.model.context import Context
from sim.model.mechanisms import (
    alignment,
    contagion,
    defection,
    election,
    health,
    mobilisation,
    outsider,
    reactions,
    regime,
    succession,
)
from sim.model.params import per_actor
from sim.model.state import HOLDER, State, holder_in

#: Holders under which the ruling group still holds power (a settled ruler or a transition).
REGIME_IN_POWER = np.concatenate([succession.TRANSITION, succession.SETTLED])


def advance(state: State, ctx: Context, week: int, members: np.ndarray) -> None:
    """Advance ``state`` (in place) by one week; see the module docstring for the order."""
    holder_before = state.holder.copy()
    _scheduled_events(state, ctx, week, members)
    _leader_health(state, ctx, week, members)
    _succession(state, ctx, week, members)
    _mobilisation(state, ctx, week, members)
    _defection(state, ctx, week, members)
    _contagion(state, ctx)
    _reactions(state, ctx, week, members)
    _holder_effects(state, ctx, holder_before)
    state.alignment = alignment.step(state.alignment, state.prejudice, ctx.influence,
                                     ctx.susceptibility)
    _relaxation(state, ctx)


def _open_vacancy(state: State, ctx: Context, week: int, members: np.ndarray,
                  struck: np.ndarray, violent: np.ndarray) -> None:
    """The leader can no longer rule: the constitutional or emergency path opens."""
    if not struck.any():
        return
    roles = ctx.roles
    delay_draw = ctx.streams.uniform("succession", members, week, 4)[:, 0]
    state.leader_capable &= ~struck
    state.incapacity_week = np.where(struck, week, state.incapacity_week).astype(np.int32)
    state.incapacity_kind = np.where(struck, np.where(violent, 2, 1),
                                     state.incapacity_kind).astype(np.int8)
    ruling = struck & (state.holder == HOLDER["incumbent"])
    state.holder = np.where(ruling, succession.vacancy_holder(violent, roles.emergency_body),
                            state.holder).astype(np.int8)
    election = succession.election_week(week, delay_draw, roles.election_days)
    state.election_week = np.where(ruling, election, state.election_week).astype(np.int32)
    if ctx.region.roles.successor_outsider:
        # Rule RC7: the constitutional successor stood outside the ruling group; the
        # office passes to him unless the group blocks it (mechanisms/outsider.py).
        opened = ruling & (state.holder == HOLDER["constitutional_interim"])
        draw = ctx.streams.uniform("outsider", members, week, 1)[:, 0]
        blocked = draw < outsider.block_probability(
            state.stability[:, roles.security], ctx.region.attrs["stability0"][roles.security],
            ctx.region.evidence, ctx.params)
        state.holder = outsider.accession(state.holder, opened, blocked)
    state.stability[:, roles.leader] = np.where(struck, 0.0, state.stability[:, roles.leader])


def _scheduled_events(state: State, ctx: Context, week: int, members: np.ndarray) -> None:
    forced = ctx.forced_incapacity(week)
    if forced is not None:
        struck = state.leader_capable.copy()
        violent = np.full(state.members, forced.mode == "violent")
        _open_vacancy(state, ctx, week, members, struck, violent)
    if ctx.handover_at(week) is not None:
        # The ruler leaves by choice; the named successor takes the office (and the
        # leader's axis) at once, so the leader's stability is kept, not zeroed.
        leaving = state.leader_capable & (state.holder == HOLDER["incumbent"])
        state.leader_capable &= ~leaving
        state.incapacity_week = np.where(leaving, week, state.incapacity_week).astype(np.int32)
        state.incapacity_kind = np.where(leaving, 3, state.incapacity_kind).astype(np.int8)
        state.holder = np.where(leaving, HOLDER["designated_successor"],
                                state.holder).astype(np.int8)
    evidence = ctx.region.evidence
    insiders = regime.security_core_rules(evidence)
    for slot, coup in enumerate(ctx.coups_at(week)):
        draw = ctx.streams.uniform("events", members, week, slot + 1)[:, slot]
        sec = ctx.roles.security
        succeeds = draw < regime.coup_success_probability(coup.strength, evidence, ctx.params)
        # Rule RC6: only a coup by officers outside the ruling group that takes power
        # splits the bloc; a failed coup's plotters are purged (the rest stays loyal),
        # and a core that took power is the ruling group itself.
        split = succeeds & holder_in(state.holder, REGIME_IN_POWER) & (not insiders)
        state.stability[:, sec] = np.where(split, state.stability[:, sec] * (1.0 - coup.strength),
                                           state.stability[:, sec])
        state.holder = succession.coup_outcome(state.holder, succeeds, insiders)
    for slot, _vote in enumerate(ctx.elections_at(week)):
        draw = ctx.streams.uniform("election", members, week, slot + 1)[:, slot]
        loses = draw < election.loss_probability(ctx.region.evidence, ctx.params)
        state.holder = election.apply(state.holder, loses,
                                      reviewed=ctx.region.roles.election_review_body is not None)
    moving = ctx.patron_moves_at(week)
    if moving.any():
        state.patron_move[:, moving] = True


def _leader_health(state: State, ctx: Context, week: int, members: np.ndarray) -> None:
    draws = ctx.streams.uniform("health", members, week, 1)
    probability = health.weekly_incapacity_probability(week, ctx.roles.leader_age_years,
                                                       ctx.params)
    # Illness and natural death only: a violent death is a scenario event.
    struck = health.draw_incapacity(state.leader_capable, draws[:, 0], probability)
    violent = np.zeros(state.members, dtype=bool)
    _open_vacancy(state, ctx, week, members, struck, violent)


def _succession(state: State, ctx: Context, week: int, members: np.ndarray) -> None:
    roles, params = ctx.roles, ctx.params
    draws = ctx.streams.uniform("succession", members, week, 5)
    cohesion = succession.elite_cohesion(state.stability[:, ctx.elite], ctx.elite_weight)
    unrest_focal = state.unrest[:, roles.focal]
    split = draws[:, 1] < succession.split_probability(
        state.holder, cohesion, ctx.cohesion0, week - state.incapacity_week,
        params, regime.split_scale(ctx.region.evidence, params))
    resolves = draws[:, 2] < succession.contested_resolution_probability()
    # Judged against the data's loyalty, as defection is (step 5): a bloc started looser
    # (elite_loyalty_factor < 1) is already partly lost to the regime.
    opposition = draws[:, 3] < succession.opposition_win_probability(
        unrest_focal, state.stability[:, roles.security],
        ctx.region.attrs["stability0"][roles.security], params)
    rival = draws[:, 4] < params.rival_win_share
    state.holder = succession.next_holder(state.holder, week, state.election_week, split,
                                          resolves, opposition, rival)


def _mobilisation(state: State, ctx: Context, week: int, members: np.ndarray) -> None:
    base = ctx.baseline
    carrier = ctx.repression_carrier
    loyalty = state.stability[:, carrier] / np.where(base["stability0"][carrier] > 0,
                                                     base["stability0"][carrier], 1.0)
    x = mobilisation.drive(
        unrest=state.unrest,
        push=ctx.protest_push(week),
        stress_excess=np.maximum(state.stress - base["stress0"], 0.0),
        weakness=contagion.relative_distress(state.stability, base["stability0"]),
        repression=ctx.region.attrs["repression"] * loyalty,
        params=ctx.params,
    )
    state.unrest = mobilisation.update(state.unrest, x, ctx.theta, ctx.params)
    floor = ctx.crowd_floor(week)
    if floor is not None:  # an observed crowd (backtests) holds the protest share up
        state.unrest = np.maximum(state.unrest, floor)


def _defection(state: State, ctx: Context, week: int, members: np.ndarray) -> None:
    roles, params = ctx.roles, ctx.params
    focal, sec = roles.focal, roles.security
    evidence = ctx.region.evidence
    # Each member's bloc has its own breaking point, drawn once (week 0's counter).
    tolerance = defection.tolerance(ctx.streams.normal("tolerance", members, 0, 1)[:, 0],
                                    params)
    capable = ctx.region.attrs["repression"][focal] * regime.repression_scale(evidence, params)
    pressure = defection.street_pressure(state.unrest[:, focal],
                                         ctx.baseline["unrest0"][focal], capable * tolerance,
                                         params)
    state.stability[:, sec] = defection.erode(state.stability[:, sec], pressure, params)
    draw = ctx.streams.uniform("defection", members, week, 1)[:, 0]
    base = ctx.region.attrs["stability0"][sec]  # the data's baseline (elite_loyalty_factor
    relative = state.stability[:, sec] / (base if base > 0 else 1.0)  # starts it lower)
    defects = draw < defection.probability(pressure, relative, params,
                                           regime.defection_scale(evidence, params))
    state.holder = defection.apply(state.holder, defects, regime.security_core_rules(evidence))


def _contagion(state: State, ctx: Context) -> None:
    state.stability, state.distress_sent, new_distress = contagion.propagate(
        state.stability, state.distress_sent, ctx.baseline["stability0"],
        ctx.dependence, ctx.params)
    state.stress = contagion.distress_to_stress(state.stress, new_distress, ctx.params)


def _reactions(state: State, ctx: Context, week: int, members: np.ndarray) -> None:
    roles, params, base = ctx.roles, ctx.params, ctx.baseline
    s0 = base["stability0"]
    focal, patrons, sec = roles.focal, roles.patrons, roles.security
    distress_focal = contagion.relative_distress(state.stability[:, focal], s0[focal])
    drift_focal = state.alignment[:, focal] - base["alignment0"][focal]
    capacity = state.stability[:, patrons] / s0[patrons]
    # Every patron's commitment follows need and capacity; only those able to support
    # pay it out as loans and security help, and only to rulers it backs (not to an
    # opposition government). Commitment alone still drives the takeover hazard.
    committed = np.ones(len(patrons), dtype=bool)
    target = reactions.patron_support_target(distress_focal, drift_focal, state.holder,
                                             capacity, committed, params)
    state.patron_support = reactions.update_support(state.patron_support, target,
                                                    state.patron_move, params)
    support = state.patron_support
    state.stress[:, patrons], state.stability[:, sec] = reactions.support_effects(
        reactions.paid_support(support, roles.can_support, state.holder),
        state.stress[:, patrons], state.stability[:, sec], s0[sec], params)
    probability = reactions.intervention_probability(support, state.holder, state.patron_move,
                                                     roles.can_take_over, ctx.presence, params)
    taker = reactions.first_takeover(
        ctx.streams.uniform("reactions", members, week, len(patrons)), probability)
    taken = taker >= 0
    state.holder = np.where(taken, HOLDER["patron_controlled"], state.holder).astype(np.int8)
    state.controller = np.where(taken, taker, state.controller).astype(np.int8)

    sources = roles.threat_sources
    threat = reactions.threat(distress_focal,
                              state.posture[:, sources] - base["posture0"][sources],
                              sources, ctx.region.n)
    state.posture = reactions.update_posture(state.posture, base["posture0"], ctx.exposure,
                                             threat, params)
    unrest_excess = np.maximum(state.unrest - base["unrest0"], 0.0)
    state.stress = state.stress + reactions.refugee_stress(
        unrest_excess, ctx.region.attrs["repression"], ctx.region.attrs["population_m"],
        ctx.outflow_share, params)
    # No trade pass-through: trade_passthrough left the model (docs/model.md 7, Pruning).
    state.stress = np.clip(state.stress, 0.0, 1.0)


def _holder_effects(state: State, ctx: Context, holder_before: np.ndarray) -> None:
    roles, base = ctx.roles, ctx.baseline
    state.stability, state.prejudice[:, roles.focal] = succession.entry_effects(
        holder_before, state.holder, state.stability, state.prejudice[:, roles.focal],
        base["stability0"], [roles.focal, roles.security, roles.apparatus],
        ctx.patron_anchor(state.controller), ctx.params)


def _relaxation(state: State, ctx: Context) -> None:
    base, params = ctx.baseline, ctx.params
    state.stability = contagion.relax(
        state.stability, base["stability0"],
        np.maximum(state.stress - base["stress0"], 0.0),
        np.maximum(state.unrest - base["unrest0"], 0.0), params)
    recovery = per_actor(params.stress_recovery)
    state.stress = np.clip(state.stress + recovery * (base["stress0"] - state.stress), 0.0, 1.0)
