"""Every model parameter, declared once: symbol, unit, range, default, source.

Scenario files override parameters by name (``parameters:`` block); an unknown name or
a value outside the declared range is rejected with a message naming the file and the
field. Mechanism modules read values from a :class:`Parameters` object and never hold
defaults of their own. ``docs/model.md`` lists the same table (a test checks that each
parameter is documented there).

Sources marked ``assumption:`` are judgements, not measurements; the reason follows
the colon. The allowed range of ``threshold_spread``, ``stress_drag``
and ``unrest_drag`` stops where the no-runaway condition fails (a state tipping into
mass protest with no cause; ``tests/test_mechanism_directions.py`` checks every
parameter at both ends of its range). Those marked ``calibrated:`` were tuned so that
the model reproduces a sourced target (see ``docs/model.md``, Calibration).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from sim.model.plausible import PLAUSIBLE
from sim.model.retired_params import MOVED_TO_REGION, RENAMED


@dataclass(frozen=True)
class Param:
    """Declaration of one model parameter.

    Attributes
    ----------
    name : str
        Key used in scenario files.
    symbol : str
        Symbol used in ``docs/model.md``.
    unit : str
        Unit of the value.
    default : float
        Default value.
    low, high : float
        Inclusive allowed range.
    mechanism : str
        The module that uses it.
    source : str
        Where the default comes from.
    description : str
        One sentence on what it does.
    plausible : tuple of float
        The range the literature or data support (sensitivity analysis samples it);
        inside the hard range ``low``-``high``, which only guards validity.
    grade : str
        Provenance of the default (:data:`PARAM_GRADES`).
    plausible_source : str
        Why the plausible range is what it is.
    """

    name: str
    symbol: str
    unit: str
    default: float
    low: float
    high: float
    mechanism: str
    source: str
    description: str
    plausible: tuple[float, float] = (0.0, 0.0)
    grade: str = "assumption"
    plausible_source: str = ""


#: Provenance grades of a parameter's default: read from a named publication or dataset;
#: remembered from one but not read here; a judgement; fitted to the calibration targets
#: (docs/model.md, Calibration); a scenario lever (a choice, not an estimate).
PARAM_GRADES: tuple[str, ...] = ("sourced", "recalled", "assumption", "calibrated", "lever")

_DECLARED: tuple[Param, ...] = (
    # --- leader health -------------------------------------------------------------
    Param("incapacity_hazard_at_72", "mu_72", "1/year", 0.05, 0.0, 1.0, "health",
          "assumption: male all-cause mortality near 4%/yr at 72 in Eastern European "
          "life tables, plus incapacitating illness; not in region-facts",
          "Annual hazard of death or lasting incapacity at age 72."),
    Param("gompertz_slope", "b", "1/year", 0.09, 0.0, 0.3, "health",
          "recalled: adult mortality doubles about every 8 years in human life tables "
          "(Gompertz law)",
          "Growth of the incapacity hazard with age."),
    Param("health_risk_multiplier", "m_h", "1", 1.0, 0.0, 50.0, "health",
          "assumption: scenario lever; unconfirmed health reports (region-facts) are "
          "modelled here, never as fact",
          "Multiplies the age-based hazard."),
    Param("transition_split_rate", "kappa_s", "1/week", 0.023, 0.0, 1.0, "succession",
          "calibrated: calibration targets 1-3 in both shipped regions with one parameter "
          "set (docs/model.md, Calibration; python -m sim.analyses.calibration); 0.023 is "
          "the median of the posterior shipped before split_unrest_gain left (was 0.02, "
          "at which Belarus's continuity then read 0.882, above its band)",
          "Weekly hazard of an elite split during the interim at baseline cohesion."),
    Param("split_fading_weeks", "tau_s", "weeks", 3.0, 0.5, 52.0, "succession",
          "calibrated: region-facts' recount (failures after a death within days to "
          "months) and calibration target 2 (splits in at most 15% of successions in "
          "both regions, whose interims last 4-10 and about 12 weeks)",
          "Time constant over which the split hazard of an interim fades after the "
          "vacancy."),
    Param("elite_loyalty_factor", "f_e", "1", 1.0, 0.3, 1.0, "succession",
          "assumption: scenario lever for rival insiders; 1 keeps the loyalty in the data",
          "Scales the baseline loyalty of the security bloc and the apparatus; elite "
          "cohesion is still judged against the data's baseline, so below 1 the elite "
          "is looser from the start."),
    Param("coup_attempt_rate", "q_c", "1/year", 0.04, 0.0, 1.0, "succession",
          "Frantz & Stein 2017: baseline coup-attempt rate about 4% per dictatorship-year",
          "Annual rate of coup attempts against a settled ruler at baseline cohesion."),
    Param("rival_win_share", "rho_r", "share", 0.9, 0.0, 1.0, "succession",
          "calibrated: region-facts' Archigos/GWF recount (four of the six regimes that fell "
          "after a ruler's death fell to a coup or military move within days to months) "
          "and the continuity after a death (calibration targets 1 and 3)",
          "Share of the open splits resolving without the street that a faction outside "
          "the ruling group (rival or junior officers) wins; the rest an insider wins."),
    Param("opposition_win_unrest", "u_*", "share", 0.05, 0.001, 0.5, "succession",
          "assumption: 2020's peak of ~200,000 (2% of the population) did not topple "
          "the regime while the security bloc held; 5% with a split elite is decisive",
          "Unrest at which a contested succession resolves for the opposition."),
    Param("contested_stability_shock", "delta_c", "share of s0", 0.25, 0.0, 1.0,
          "succession", "assumption: an open split is a large shock to state capacity",
          "Loss of stability of Belarus, its security bloc and its apparatus on entering "
          "contested, opposition-led or Russian-controlled rule."),
    Param("regime_change_alignment_shift", "Delta_a^O", "alignment units", 0.8, 0.0, 2.0,
          "succession", "assumption: an opposition-led government turns westward "
          "(2020 opposition programme), bounded by dependence on Russia",
          "Shift of Belarus's alignment anchor under an opposition-led government."),
    # --- public mobilisation -----------------------------------------------------------
    Param("threshold_spread", "sigma_theta", "share", 0.1, 0.01, 1.0, "mobilisation",
          "assumption: logistic spread of individual protest thresholds "
          "(Granovetter 1978)",
          "Spread of individual thresholds; small means sharper tipping."),
    Param("max_participation", "u_max", "share", 0.25, 0.01, 1.0, "mobilisation",
          "assumption: even the largest anti-regime mobilisations bring out a minority "
          "of the population; 3.5% sustained participation has been decisive "
          "(Chenoweth & Stephan 2011), and 2020 peaked near 2% (region-facts)",
          "Share of a public that would ever protest; caps the cascade."),
    Param("grievance_weight", "beta_g", "1", 0.3, 0.0, 2.0, "mobilisation",
          "assumption: scale of the protest-event push (protest waves, disputed "
          "elections) and of excess economic stress in the participation drive",
          "Weight of the protest-event push and excess economic stress in the drive to "
          "protest."),
    Param("weakness_weight", "beta_w", "1", 0.3, 0.0, 2.0, "mobilisation",
          "assumption: perceived regime weakness lowers the cost of joining (Kuran 1991)",
          "Weight of lost stability in the drive to protest."),
    Param("repression_weight", "beta_r", "1", 0.3, 0.0, 2.0, "mobilisation",
          "assumption: repression deters participation while the security bloc is loyal",
          "Weight of repression capacity against the drive."),
    Param("mobilisation_speed", "rho_u", "1/week", 0.5, 0.0, 1.0, "mobilisation",
          "assumption: protest waves build over one to two weeks (2020: election 9 Aug, "
          "peak 16 Aug)",
          "Share of the gap to the threshold equilibrium closed each week."),
    # --- distress contagion ------------------------------------------------------------
    # --- elite defection under street pressure -----------------------------------------
    Param("defection_crowd", "u_d", "share", 0.055, 0.005, 0.5, "defection",
          "calibrated: with the tolerance spread of 0.6, the middle of the values "
          "(0.05-0.06 on a grid of 0.005) that meet every calibration target in both "
          "regions (wave targets 4 and 5; docs/model.md, Calibration)",
          "Excess protest share that puts full pressure on the median member's security "
          "bloc of repression capacity 1 (scaled by the focal state's repression "
          "capacity, state capacity and the member's tolerance)."),
    Param("defection_erosion", "eps_d", "1/week", 0.05, 0.0, 1.0, "defection",
          "assumption: under full street pressure the bloc loses 5% of its loyalty a week "
          "before relaxation and patron help (weeks of mass protest in 2020 did not break "
          "Belarus's bloc, which had Russian help)",
          "Weekly erosion of the security bloc's loyalty per unit of street pressure."),
    Param("defection_threshold", "lambda_d", "share of baseline loyalty", 0.78, 0.1, 1.0,
          "defection",
          "calibrated: the earlier calibrated absolute threshold (0.66) over the Belarus "
          "bloc's baseline loyalty (0.85), so Belarus's response is kept and every region "
          "is judged against its own baseline (calibration targets 4 and 5)",
          "Loyalty, as a share of the bloc's own baseline, below which the security bloc "
          "may defect."),
    Param("defection_rate", "kappa_def", "1/week", 2.4, 0.0, 20.0, "defection",
          "calibrated: a plain run draws it from the posterior of make calibrate "
          "(docs/model.md 9.1); this default, used by FIXED=1 runs, is a point at which "
          "every literature target holds in both regions "
          "(python -m sim.analyses.calibration --no-search)",
          "Weekly defection hazard at full pressure and zero loyalty, relative to the "
          "threshold."),
    Param("defection_tolerance_spread", "sigma_d", "log units", 0.6, 0.0, 2.0, "defection",
          "assumption: nobody outside the bloc knows its breaking point (Kuran 1991: "
          "preferences are falsified until they are not), so each member draws the "
          "crowd the bloc tolerates from a lognormal around u_d",
          "Standard deviation of the log of the security bloc's tolerance across "
          "members (0: one breaking point, a step response to crowd size)."),
    # --- cohesion and expectations from pre-trigger evidence (regime.py) -------------
    Param("cohesion_weight", "w_c", "1", 1.0, 0.0, 2.0, "regime",
          "assumption: failure hazards scale with the inverse of a regime type's mean "
          "lifespan (Geddes 1999), taken at face value",
          "Exponent on the ruling base's cohesion f in the defection and split hazards "
          "(0: the ruling base does not matter)."),
    Param("capacity_weight", "w_g", "1", 0.5, 0.0, 1.0, "regime",
          "assumption: a capable state represses selectively and sustains it (Way 2005; "
          "Hendrix 2010 on WGI-type capacity measures); half the range of the median",
          "How far state capacity g scales what repression achieves: r x (1 + w_g "
          "(g - 0.5))."),
    Param("lame_duck_weight", "w_L", "1", 1.0, 0.0, 3.0, "regime",
          "assumption: Hale 2005's lame-duck syndrome (clients defect from a ruler who "
          "must leave) doubles the hazards at full strength",
          "Raises the defection and split hazards and the chance of losing a vote by "
          "(1 + w_L L)."),
    Param("linkage_weight", "w_W", "1", 0.5, 0.0, 2.0, "regime",
          "assumption: linkage to the West raises the cost of repression for the bloc "
          "(Levitsky & Way 2010, ch. 2), +50% at full linkage",
          "Raises the defection hazard by (1 + w_W W)."),
    Param("rally_weight", "w_r", "log-odds", 1.0, 0.0, 3.0, "regime",
          "assumption: a coup is a coordination game whose outcome follows what officers "
          "expect the others and the street to do (Singh 2014, Seizing Power); crowds for "
          "the ruler defeated coups (Zunes 2017: Moscow 1991, Venezuela 2002, Turkey 2016) "
          "and crowds against him invite them (Johnson & Thyne 2018); one log-odds unit "
          "between a ruler nobody and everybody supports (recalled, verify)",
          "Shifts a coup attempt's log-odds of taking power by -w_r (2a - 1), a the "
          "ruler's pre-trigger popularity (rule RC8; 0: the public does not matter)."),
    Param("election_loss_autocracy", "p_E1", "1", 0.16, 0.0, 1.0, "election",
          "sourced: incumbents seeking re-election during autocratisation lost 8 of 51 "
          "votes in autocracies (Jacob, 'When do autocratizing incumbents lose "
          "elections?', data site, 1995-2024)",
          "Chance that the ruling group loses a vote in an electoral autocracy (V-Dem "
          "Regimes of the World 1)."),
    Param("election_loss_democracy", "p_E2", "1", 0.39, 0.0, 1.0, "election",
          "sourced: the same data, 21 of 54 in democracies",
          "Chance that the ruling group loses a vote in a democracy (Regimes of the World "
          "2-3)."),
    Param("contagion_strength", "kappa_d", "1", 0.5, 0.0, 1.0, "contagion",
          "assumption: share of a partner's new distress passed on at full dependence "
          "(DebtRank impact scale, Battiston et al. 2012)",
          "Scales the combined dependence matrix."),
    Param("max_dependence_row_sum", "D_max", "1", 0.9, 0.5, 0.99, "contagion",
          "assumption: DebtRank echoes along cycles die out when every row of D sums to "
          "less than one (Bardoscia et al. 2015); 0.9 leaves a margin. It binds for the "
          "actors whose layers add up to more (the power centres, Belarus and the Baltic "
          "states)",
          "Largest total dependence of one actor in the contagion matrix (rows above it "
          "are scaled down)."),
    Param("stability_recovery", "r_s", "1/week", 0.03, 0.0, 1.0, "contagion",
          "assumption: shocks to stability half-recover in about 5 months",
          "Weekly relaxation of stability toward its baseline."),
    Param("stress_drag", "kappa_e", "1/week", 0.02, 0.0, 0.5, "contagion",
          "assumption: economic stress above baseline erodes stability",
          "Weekly loss of stability per unit of excess economic stress."),
    Param("unrest_drag", "kappa_u", "1/week", 0.05, 0.0, 2.0, "contagion",
          "assumption: 10% of the population in the street costs 0.005 stability a week; "
          "larger values let a 3x-2020 protest wave lock whole regions into protest",
          "Weekly loss of stability per unit of excess unrest."),
    # --- alignment drift ---------------------------------------------------------------
    Param("patron_support_gain", "g_R", "1", 2.0, 0.0, 10.0, "reactions",
          "assumption: Russia responded fully to Belarus's 2020 crisis (loan $1.5bn, "
          "police-reserve offer; region-facts)",
          "Sensitivity of a patron's support to the focal state's distress and drift."),
    Param("unsettled_support_need", "nu_u", "1", 0.5, 0.0, 2.0, "reactions",
          "assumption: an unsettled succession in a client (an interim, an emergency body "
          "or an open split) is a need for support on a par with half of the client's "
          "full distress; setting it to 0 halved Russia's ripple and the takeover in "
          "Belarus (issue 19), so it is a parameter to vary, not a hidden constant",
          "Need added to each patron's support target while the focal state's succession "
          "is unsettled."),
    Param("patron_support_speed", "rho_R", "1/week", 0.3, 0.0, 1.0, "reactions",
          "assumption: Russia's 2020 loan to Belarus came about a month after the election",
          "Weekly adjustment of a patron's support."),
    Param("patron_security_help", "h_R", "1/week", 0.05, 0.0, 1.0, "reactions",
          "assumption: a patron's security help restores the security bloc's loyalty",
          "Weekly recovery of the security bloc per unit of support."),
    Param("patron_support_cost", "c_R", "1/week", 0.002, 0.0, 0.1, "reactions",
          "assumption: support costs the patron little relative to its economy "
          "(Russia-Belarus GDP ratio 28:1, region-facts)",
          "Weekly increase of a patron's stress per unit of support."),
    Param("patron_intervention_rate", "kappa_I", "1/week", 0.003, 0.0, 1.0, "reactions",
          "calibrated: a plain run draws it from the posterior of make calibrate "
          "(docs/model.md 9.1); this default, used by FIXED=1 runs, is a point at which "
          "every literature target holds in both regions "
          "(python -m sim.analyses.calibration --no-search)",
          "Weekly hazard of a patron's takeover at full support and full presence in a "
          "contested focal state."),
    Param("patron_move_multiplier", "m_I", "1", 5.0, 1.0, 50.0, "reactions",
          "assumption: scenario lever for an early move by a patron",
          "Multiplies the intervention hazard after a patron_move event."),
    Param("posture_gain", "g_p", "1", 1.2, 0.0, 5.0, "reactions",
          "assumption: exposed states raise readiness with the threat; doubled from 0.6 when "
          "exposure became the alliance member's border share with the threat sources "
          "(0.2-0.58 for the frontline states, was 1)",
          "Rise of an exposed state's posture per unit of threat and exposure."),
    Param("posture_speed", "rho_p", "1/week", 0.15, 0.0, 1.0, "reactions",
          "assumption: readiness moves over weeks",
          "Weekly adjustment of military posture toward its target."),
    Param("refugee_rate", "phi", "1/week", 0.5, 0.0, 10.0, "reactions",
          "assumption: emigration scales with repressed unrest (2020 wave into Poland "
          "and Lithuania)",
          "Economic stress added to neighbours per unit of excess unrest times the "
          "sender's repression, by border share and population ratio."),
    Param("distress_to_stress", "kappa_he", "1", 0.1, 0.0, 2.0, "reactions",
          "assumption: loss of stability raises economic stress",
          "New economic stress per unit of new distress."),
    Param("stress_recovery", "r_e", "1/week", 0.03, 0.0, 1.0, "reactions",
          "assumption: economic shocks half-recover in about 5 months",
          "Weekly relaxation of economic stress toward its baseline."),
    # --- ripples in real units (read by the outputs only; no mechanism reads them) -----
    Param("emigration_per_protest_week", "k_m", "people per person-week", 0.17, 0.0, 10.0,
          "ripple_units",
          "recalled: anchor rule (sim/analyses/ripple_anchor.py): about 100,000 people left "
          "Belarus in the year after the August 2020 election (recalled, verify) over the "
          "model's repressed protest in the belarus_2020 backtest episode fed the observed "
          "crowd, 0.58 million person-weeks (python -m sim.analyses.ripple_anchor)",
          "People who leave the focal state per person-week of its protest above baseline "
          "that meets its repression (the refugee rule's outflow term, summed over weeks)."),
    Param("troops_marginal_share", "k_t", "1", 0.5, 0.0, 2.0, "ripple_units",
          "assumption: extra military spending goes more to equipment than the average "
          "budget does (NATO's guideline puts at least 20% on major equipment; recent rises "
          "in Poland and the Baltic states were led by arms purchases), so an extra dollar "
          "buys half the troops an average dollar does",
          "Troops per extra US$ of military spending, as a share of the state's active "
          "personnel per US$ of its whole military budget."),
)

def _with_plausible(params: tuple[Param, ...]) -> tuple[Param, ...]:
    """Attach plausible range and grade; every parameter must have them, inside its range."""
    out = []
    for p in params:
        low, high, grade, why = PLAUSIBLE[p.name]
        if not (p.low <= low <= p.default <= high <= p.high) or grade not in PARAM_GRADES:
            raise ValueError(f"parameter {p.name}: plausible range {low}-{high} must hold the "
                             f"default and lie in {p.low}-{p.high}; grade in {PARAM_GRADES}")
        out.append(replace(p, plausible=(low, high), grade=grade, plausible_source=why))
    return tuple(out)


_DECLARED = _with_plausible(_DECLARED)

#: All declared parameters by name (read-only).
PARAMS: MappingProxyType[str, Param] = MappingProxyType({p.name: p for p in _DECLARED})


#: Parameters that shape a run's constant inputs (the elite's starting loyalty, the
#: capped dependence graph) rather than a mechanism's weekly rule. They take one value
#: per ensemble, not one per member; vary them across separate runs.
#: Conversion factors of the outputs (:mod:`sim.analyses.ripple_units`): no mechanism
#: reads them, so they are one value per run and never varied by a design.
OUTPUT_ONLY: frozenset[str] = frozenset({"emigration_per_protest_week",
                                         "troops_marginal_share"})
CONTEXT_ONLY: frozenset[str] = frozenset({"elite_loyalty_factor",
                                          "max_dependence_row_sum"}) | OUTPUT_ONLY


class Parameters:
    """Parameter values for one run: defaults plus validated overrides.

    Parameters
    ----------
    overrides : dict of str to float, optional
        Values that replace defaults. Names and ranges must be valid; the scenario
        loader checks them first so that errors name the file.
    per_member : dict of str to numpy.ndarray, optional
        Values that differ from member to member, each of shape (M,) in the order of
        the block's members (an experimental design run as one ensemble). Such a
        parameter reads as that array; mechanisms combine it with arrays over actors
        through :func:`per_actor`. Not allowed for :data:`CONTEXT_ONLY`.

    Examples
    --------
    >>> Parameters({"coup_attempt_rate": 0.05}).coup_attempt_rate
    0.05
    >>> Parameters(per_member={"coup_attempt_rate": np.array([0.05, 0.1])}).coup_attempt_rate
    array([0.05, 0.1 ])
    """

    def __init__(self, overrides: dict[str, float] | None = None,
                 per_member: dict[str, np.ndarray] | None = None) -> None:
        values: dict[str, float | np.ndarray] = {name: p.default for name, p in PARAMS.items()}
        for name, value in (overrides or {}).items():
            problem = check_value(name, value)
            if problem:
                raise ValueError(f"{name}: {problem}")
            values[name] = float(value)
        for name, array in (per_member or {}).items():
            array = np.asarray(array, dtype=np.float64)
            if name in CONTEXT_ONLY:
                raise ValueError(f"{name}: one value per ensemble (it shapes the run's "
                                 "constant inputs); vary it across runs instead")
            if array.ndim != 1:
                raise ValueError(f"{name}: per-member values must be 1-D, got {array.shape}")
            problem = check_value(name, float(array.min())) or check_value(
                name, float(array.max()))
            if problem:
                raise ValueError(f"{name}: {problem}")
            values[name] = array
        self._values = values

    def __getattr__(self, name: str) -> float:
        try:
            return self.__dict__["_values"][name]
        except KeyError as exc:
            raise AttributeError(f"no parameter named {name!r}") from exc

    def varied(self) -> tuple[str, ...]:
        """Names of the parameters that differ from member to member."""
        return tuple(k for k, v in self._values.items() if isinstance(v, np.ndarray))

    def as_dict(self) -> dict[str, float]:
        """Return all values as a plain dict (for manifests)."""
        return dict(self._values)

    def replace(self, **changes: float) -> Parameters:
        """Return a copy with some values changed (validated)."""
        merged = {**self._values, **changes}
        scalars = {k: v for k, v in merged.items() if not isinstance(v, np.ndarray)}
        arrays = {k: v for k, v in merged.items() if isinstance(v, np.ndarray)}
        return Parameters(scalars, arrays)


def per_actor(value: float | np.ndarray) -> float | np.ndarray:
    """A parameter shaped to combine with an array over (member, actor).

    A per-member value of shape (M,) becomes (M, 1); a single value stays as it is,
    so the arithmetic, and its bytes, are the same in both cases.

    Examples
    --------
    >>> per_actor(0.5), per_actor(np.array([1.0, 2.0])).shape
    (0.5, (2, 1))
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return value[:, None]
    return value


def elementwise(function, value: float | np.ndarray) -> float | np.ndarray:
    """Apply a scalar ``math`` function to a parameter value, element by element.

    Mechanisms that use ``math.exp`` or ``math.expm1`` on a parameter keep that exact
    function for per-member arrays too (numpy's vectorised versions may differ in the
    last bit), so a member's numbers do not depend on whether it runs in a design.
    """
    if isinstance(value, np.ndarray):
        unique, inverse = np.unique(value, return_inverse=True)
        return np.array([function(float(v)) for v in unique])[inverse]
    return function(value)


def check_value(name: str, value: object) -> str | None:
    """Say what is wrong with a parameter override, or return None if it is valid."""
    if name in RENAMED:
        return f"renamed: use {RENAMED[name]!r} instead"
    if name in MOVED_TO_REGION:
        return f"no longer a parameter ({MOVED_TO_REGION[name]})"
    if name not in PARAMS:
        return f"unknown parameter; known parameters: {', '.join(sorted(PARAMS))}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    p = PARAMS[name]
    if value != value or not (p.low <= value <= p.high):  # value != value: NaN
        return f"must be a number from {p.low:g} to {p.high:g} ({p.unit})"
    return None
