"""The Mesa view of one ensemble member: every actor an agent on the influence network.

The model is the readable, agent-level view used for single runs and replays. Its
``step()`` calls the very same :func:`sim.model.week.advance` as the ensemble engine, on
arrays with one member, so its numbers equal that member's record in the ensemble
exactly. Agents read their values from those arrays; Mesa owns the agents, the
network space, the clock and the data collection.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import FixedAgent, Network

from sim.model.context import Context
from sim.model.events import Before, detect, sort_events
from sim.model.state import HOLDERS, METRICS
from sim.model.week import advance


class ActorAgent(FixedAgent):
    """One actor (a state or one of the focal state's power centres) on its node of the network.

    Parameters
    ----------
    model : RegionModel
    index : int
        The actor's position on the actor axis of the state arrays.
    cell : mesa.discrete_space.Cell
        The network node of the actor.
    """

    def __init__(self, model: RegionModel, index: int, cell) -> None:
        super().__init__(model)
        region = model.ctx.region
        self.index = index
        self.actor_id = region.ids[index]
        self.name = region.names[index]
        self.kind = region.kinds[index]
        self.cell = cell

    def _value(self, metric: str) -> float:
        return float(getattr(self.model.state, metric)[0, self.index])

    @property
    def stability(self) -> float:
        """Stability (for power centres: loyalty / capacity to rule), 0-1."""
        return self._value("stability")

    @property
    def alignment(self) -> float:
        """Alignment, -1 (Moscow) to +1 (West)."""
        return self._value("alignment")

    @property
    def unrest(self) -> float:
        """Share of the public protesting."""
        return self._value("unrest")

    @property
    def posture(self) -> float:
        """Military posture, 0-1."""
        return self._value("posture")

    @property
    def stress(self) -> float:
        """Economic stress, 0-1."""
        return self._value("stress")

    def linked_actors(self) -> list[ActorAgent]:
        """Agents on neighbouring nodes of the influence network (any layer)."""
        return [agent for cell in self.cell.neighborhood for agent in cell.agents]


class RegionModel(mesa.Model):
    """One member of a scenario ensemble as a Mesa model.

    Parameters
    ----------
    ctx : Context
        The scenario's run context (data, parameters, random streams).
    member : int
        Which ensemble member to run; its random numbers are those of member
        ``member`` in any ensemble with the same root seed.
    """

    def __init__(self, ctx: Context, member: int = 0) -> None:
        # Mesa's own generators are seeded from (root seed, member) for its space;
        # the simulation's draws come from ctx.streams, keyed the same way.
        seed_words = np.random.SeedSequence(ctx.scenario.seed, spawn_key=(member,))
        super().__init__(rng=np.random.default_rng(seed_words))
        self.member = member
        self.members = np.array([member])
        # A row of a design runs with its own parameters and its replicate's numbers.
        self.ctx, self.draws_of = ctx.for_rows(self.members)
        ctx = self.ctx
        self.week = 0
        self.state = ctx.initial_state(1)
        self.events: list[tuple] = []
        self.space = Network(ctx.region.graph.to_undirected(), random=self.random, layout=None)
        for index, actor in enumerate(ctx.region.ids):
            ActorAgent(self, index, self.space[actor])
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "week": "week",
                "holder": lambda m: HOLDERS[int(m.state.holder[0])],
                **{f"support_{patron}": (lambda m, k=k: float(m.state.patron_support[0, k]))
                   for k, patron in enumerate(ctx.region.roles.patrons)},
                "leader_capable": lambda m: bool(m.state.leader_capable[0]),
            },
            agent_reporters={"actor": "actor_id", **{metric: metric for metric in METRICS}},
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """Advance one week (see :mod:`sim.model.week` for the order) and record it."""
        before = Before.of(self.state)
        advance(self.state, self.ctx, self.week, self.draws_of)
        roles = self.ctx.roles
        found = detect(before, self.state, self.week, self.members, self.ctx.region.ids,
                       roles.focal, roles.leader,
                            self.ctx.region.roles.patrons)
        self.events.extend(sort_events(found, self.ctx.region.ids))
        self.week += 1
        self.datacollector.collect(self)

    def run(self, weeks: int | None = None) -> RegionModel:
        """Step to the horizon (default: the scenario's weeks); returns self."""
        for _ in range(self.ctx.scenario.weeks if weeks is None else weeks):
            self.step()
        return self

    def agent_table(self) -> pd.DataFrame:
        """Every actor's metrics every week: week, actor, stability, ... (tidy-wide)."""
        frame = self.datacollector.get_agent_vars_dataframe().reset_index()
        frame["week"] = frame["Step"].astype(int)
        return frame[["week", "actor", *METRICS]].reset_index(drop=True)

    def trajectory(self) -> np.ndarray:
        """Metrics as an array of shape (weeks + 1, len(METRICS), n_actors)."""
        table = self.agent_table()
        n = self.ctx.region.n
        values = table[list(METRICS)].to_numpy()
        return values.reshape(-1, n, len(METRICS)).transpose(0, 2, 1)
