//! The time loop (MODEL.md §2 "Time"): calibrates demand curves to the
//! reference year, then solves the market year by year, carrying state
//! (in-use stocks by vintage and the scrap they return) from one year to the
//! next.
//!
//! Architecture invariant: no IO. A [`Model`] is built once from a validated
//! [`Dataset`] and is immutable (shareable across threads); each
//! [`run`] returns a fresh [`RunResult`].

mod calibrate;
mod dynamics;
mod network;
pub mod policy;
pub mod uncertainty;

use oreflow_core::{
    Commodity, Dataset, Element, EndUseKind, Year, DEFAULT_REFERENCE_YEAR, ELEMENTS, N_ELEMENTS,
};
use oreflow_lp::Backend;
use oreflow_market::{
    CurveParams, Good, MarketError, MarketSession, Network, Shape, Step, StockHolding, StockRule,
    TradeTerms, YearData, YearSolution,
};

pub use calibrate::{Calibration, CurveRef};
pub use dynamics::{Plan, Plans, StockSpec};
pub use policy::Policies;

pub use oreflow_core::MAX_YEAR;

/// Settings of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    pub from: Year,
    pub to: Year,
    /// Demand growth path (a `path` of demand_growth.csv).
    pub growth_path: String,
    pub curve: CurveParams,
    /// USD/kg for disposing of a surplus element (0: free disposal).
    pub disposal_cost: f64,
    /// Share of end-of-life content recovered as oxide (collection × recovery).
    pub recycling_rate: f64,
    /// Multiplies the commercial stocks of `stocks.csv` (normal, opening,
    /// maximum and precautionary levels; 0: no commercial stocks).
    pub stock_scale: f64,
    /// Demand moves from its short-run toward its long-run response, and
    /// magnet makers thrift Dy/Tb, as prices stay high (false: every curve
    /// keeps its short-run slope and the recipe is fixed).
    pub adjustment: bool,
    /// Facilities start earlier, slip or restart with their rents
    /// (`supply_response.csv`; false: every start is as planned).
    pub supply_response: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            from: DEFAULT_REFERENCE_YEAR,
            to: 2040,
            growth_path: "steps".into(),
            curve: CurveParams::default(),
            disposal_cost: 0.0,
            recycling_rate: DEFAULT_RECYCLING_RATE,
            stock_scale: 1.0,
            adjustment: true,
            supply_response: true,
        }
    }
}

impl RunConfig {
    /// Default settings for a run of `ds`: from its reference year to its
    /// default last year.
    pub fn for_dataset(ds: &Dataset) -> RunConfig {
        RunConfig {
            from: ds.reference_year,
            to: ds.default_to,
            growth_path: ds.default_growth_path.clone(),
            ..RunConfig::default()
        }
    }
}

/// End-of-life recycling rate of rare earths: "less than 1%" (UNEP
/// International Resource Panel, Recycling Rates of Metals, 2011, Table 1);
/// the model uses 1% as the upper end of that statement.
pub const DEFAULT_RECYCLING_RATE: f64 = 0.01;

/// Why a model could not be built or run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SimError {
    #[error("invalid run settings: {0}")]
    Config(String),
    #[error("calibration failed: {0}")]
    Calibration(String),
    #[error(transparent)]
    Market(#[from] MarketError),
}

/// A calibrated model, ready to run.
#[derive(Clone, Debug)]
pub struct Model {
    pub dataset: Dataset,
    pub config: RunConfig,
    pub network: Network,
    pub calibration: Calibration,
    pub policies: Policies,
    /// For each cap group of the network: the export control it enforces.
    pub cap_controls: Vec<usize>,
    /// End use of each curve's lifetime in whole years (≥ 1).
    lifetimes: Vec<usize>,
    /// Reference value of each region's concentrate (USD/kg REO), for tariffs.
    concentrate_value: Vec<f64>,
    /// Curves of one good in one region: they share a price and a fine band.
    price_groups: Vec<Vec<usize>>,
    /// Commercial stocks per region and element.
    stock_specs: Vec<[Option<StockSpec>; N_ELEMENTS]>,
    /// Commercial magnet stocks per region.
    magnet_stock_specs: Vec<Option<StockSpec>>,
    /// The unattributed residual (see [`Calibration::unattributed`]) per
    /// region and element: a use (positive) or a supply (negative), t REO
    /// in the reference year, scaled each year with the world's mine
    /// capacity of the element.
    unattributed: Vec<[f64; N_ELEMENTS]>,
    /// Region of each production-cap group of the network.
    production_cap_regions: Vec<oreflow_core::RegionId>,
    /// Price cells cut before, kept for the next cut at the same band
    /// position.
    shapes: Shapes,
    /// The price group of each curve.
    group_of: Vec<usize>,
}

/// The last few band positions of each price group ([`oreflow_market::Shape`]):
/// every curve is cut at every solve, the curves of a group share their
/// lattice and band, and a group often returns to a band position it had
/// (a later year, a re-solve) with only the quantities changed. A cache,
/// nothing more: a kept shape gives the numbers a fresh cut gives, bit for
/// bit (`Shape::is_at` checks the reference price and the centre's
/// lattice index), so a `Model` stays a pure function of its inputs; a
/// clone starts empty.
#[derive(Default)]
struct Shapes(std::sync::Mutex<Vec<Vec<Shape>>>);

/// Band positions kept per price group (most recently used first).
const SHAPES_KEPT: usize = 4;

impl Shapes {
    /// `f` of group `g`'s cells for reference price `p_ref` centred on
    /// `centre`, made if none kept fits.
    fn with<R>(
        &self,
        g: usize,
        (p_ref, centre): (f64, f64),
        params: &CurveParams,
        f: impl FnOnce(&Shape) -> R,
    ) -> R {
        let index = Shape::index(p_ref, centre, params);
        // A poisoned lock only means a panic elsewhere: the cache is
        // still a set of valid cuts.
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() <= g {
            all.resize_with(g + 1, Vec::new);
        }
        let kept = &mut all[g];
        match kept.iter().position(|s| s.is_at(p_ref, index)) {
            Some(0) => {}
            Some(i) => kept[..=i].rotate_right(1),
            None => {
                kept.insert(0, Shape::at(p_ref, index, params));
                kept.truncate(SHAPES_KEPT);
            }
        }
        f(&kept[0])
    }
}

impl Clone for Shapes {
    fn clone(&self) -> Shapes {
        Shapes::default()
    }
}

impl std::fmt::Debug for Shapes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shapes(cache)")
    }
}

/// At most this many solves of one year: the first, and re-solves with the
/// fine band of the demand curves re-centred on prices that fell outside it.
pub const MAX_SOLVES_PER_YEAR: usize = 8;

/// How much of last year's price change the next year's band centre
/// expects again: centre = p × (p / p_last)^CENTRE_TREND, the factor kept
/// within ×0.5–2. Where a band sits changes how many solves a year takes,
/// not its equilibrium (the fixed lattice: docs/model.md), so this was
/// chosen by measured solves: 0 (last year's price) 1,215 LPs for 30 runs
/// of `scenarios/ensemble-licensing-risk.toml`, 0.5 1,175, 0.75 1,161,
/// 1 1,167 (docs/benchmarks.md).
pub const CENTRE_TREND: f64 = 0.75;

/// One simulated year: its inputs and its equilibrium.
#[derive(Clone, Debug)]
pub struct YearResult {
    pub data: YearData,
    pub solution: YearSolution,
    /// LP solves the year took: 1, plus one per re-centring of the demand
    /// curves' fine bands (at most [`MAX_SOLVES_PER_YEAR`]).
    pub solves: usize,
    /// Simplex iterations of the year's solves together.
    pub iterations: u64,
    /// Build (or update) plus solve time of the year's solves together.
    pub solve_seconds: f64,
    /// Price groups (a good in a region, labelled like `Dy oxide in JP`)
    /// whose price still lies outside the fine band after the last solve,
    /// i.e. on a coarse step (empty unless the year needed more than
    /// [`MAX_SOLVES_PER_YEAR`] solves).
    pub coarse_prices: Vec<String>,
}

/// A whole run.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub years: Vec<YearResult>,
}

impl Model {
    /// Checks the settings, builds the network and calibrates the demand curves.
    pub fn new(dataset: Dataset, config: RunConfig) -> Result<Model, SimError> {
        Model::with_policies(dataset, config, Policies::default())
    }

    /// As [`Model::new`], with policy levers.
    pub fn with_policies(
        dataset: Dataset,
        config: RunConfig,
        policies: Policies,
    ) -> Result<Model, SimError> {
        let backend = oreflow_lp::HighsBackend::default();
        Model::calibrated_with(dataset, config, policies, &backend, &mut Warm::default())
    }

    /// As [`Model::with_policies`], solving the calibration's probes (the
    /// policy-free reference year, twice) on `backend` from `probe_warm`: the
    /// first probe starts from `probe_warm.first_basis` (say, the basis the
    /// central run's calibration ended with, in [`Warm::last_basis`]) and
    /// reuses `probe_warm.problem`; the second starts from the first's optimum.
    /// The probes' LP has one optimum (the degeneracy breaks), so a start
    /// changes the pivots, not the calibration beyond the solver's
    /// tolerances. On return `probe_warm.last_basis` is the second probe's
    /// optimal basis and `probe_warm.problem` its LP; `first_basis` is left
    /// as given (on errors too), so one `Warm` can start many calibrations.
    pub fn calibrated_with(
        dataset: Dataset,
        config: RunConfig,
        policies: Policies,
        backend: &dyn Backend,
        probe_warm: &mut Warm,
    ) -> Result<Model, SimError> {
        let first = dataset.reference_year;
        if config.from < first || config.to > MAX_YEAR || config.from > config.to {
            return Err(SimError::Config(format!(
                "years {}–{} are outside {first}–{MAX_YEAR} (the dataset's reference year to the last year a run may reach) or in the wrong order",
                config.from, config.to
            )));
        }
        if dataset.growth_path(&config.growth_path).is_none() {
            let names: Vec<&str> = dataset
                .growth_paths
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            return Err(SimError::Config(format!(
                "unknown demand growth path `{}`; available: {}",
                config.growth_path,
                names.join(", ")
            )));
        }
        if !(0.0..=1.0).contains(&config.recycling_rate)
            || config.disposal_cost.is_nan()
            || config.disposal_cost < 0.0
        {
            return Err(SimError::Config(
                "recycling rate must be in [0, 1] and disposal cost ≥ 0".into(),
            ));
        }
        if !(config.stock_scale.is_finite() && (0.0..=10.0).contains(&config.stock_scale)) {
            return Err(SimError::Config(format!(
                "stock scale is {}; expected a multiple between 0 and 10 of stocks.csv",
                config.stock_scale
            )));
        }
        let network0 = network::build(&dataset);
        let mut calibration = calibrate::calibrate(&dataset, &network0)?;
        // Regions that export a good in the reference year pay less than
        // China's price plus freight: the curves there are re-anchored at
        // the prices of a policy-free solve of the reference year (twice:
        // re-anchoring moves trade a little), so every region consumes its
        // listed quantity at the price it pays and China's price is the
        // reference price.
        let mut start = probe_warm.first_basis.clone();
        for _ in 0..2 {
            let probe_config = RunConfig {
                from: dataset.reference_year,
                to: dataset.reference_year,
                ..config.clone()
            };
            let probe = Model::assemble(
                dataset.clone(),
                probe_config,
                Policies::default(),
                calibration.clone(),
            );
            let mut w = Warm {
                first_basis: start.take(),
                problem: probe_warm.problem.take(),
                last_basis: None,
            };
            let r = run_warm(&probe, backend, &mut w, |_| {});
            probe_warm.problem = w.problem;
            calibrate::reanchor(&mut calibration, &probe, &r?.years[0].solution);
            start = w.last_basis;
            probe_warm.last_basis = start.clone();
        }
        Ok(Model::assemble(dataset, config, policies, calibration))
    }

    /// The model of a calibration (everything after calibrating).
    fn assemble(
        dataset: Dataset,
        config: RunConfig,
        policies: Policies,
        calibration: Calibration,
    ) -> Model {
        let mut network = network::build(&dataset);
        let cap_controls = network::add_policy_structure(&mut network, &policies);
        let production_cap_regions =
            network::add_production_caps(&mut network, &dataset, &policies);
        let concentrate_value = network::concentrate_values(&dataset);
        let mut price_groups: Vec<Vec<usize>> = Vec::new();
        for (c, curve) in network.curves.iter().enumerate() {
            let same = |g: &&mut Vec<usize>| {
                let o = &network.curves[g[0]];
                o.region == curve.region && o.good == curve.good
            };
            match price_groups.iter_mut().find(same) {
                Some(g) => g.push(c),
                None => price_groups.push(vec![c]),
            }
        }
        let n = network.regions.len();
        let mut oxide_group = vec![[None; N_ELEMENTS]; n];
        for (g, group) in price_groups.iter().enumerate() {
            let c = &network.curves[group[0]];
            if let Good::Oxide(e) = c.good {
                oxide_group[c.region.index()][e.index()] = Some(g);
            }
        }
        let stock_specs = dynamics::stock_specs(
            &dataset,
            &calibration.regional_use,
            &oxide_group,
            config.stock_scale,
        );
        let mut magnet_group = vec![None; n];
        let mut magnet_use = vec![0.0; n];
        for (g, group) in price_groups.iter().enumerate() {
            let c = &network.curves[group[0]];
            if c.good == Good::Magnet {
                magnet_group[c.region.index()] = Some(g);
                magnet_use[c.region.index()] =
                    group.iter().map(|&c| calibration.curves[c].q_ref).sum();
            }
        }
        let magnet_stock_specs =
            dynamics::magnet_stock_specs(&dataset, &magnet_use, &magnet_group, config.stock_scale);
        let mut unattributed = vec![[0.0; N_ELEMENTS]; n];
        if let Some(r) = calibration.unattributed_region {
            for e in ELEMENTS {
                let has_market = oxide_group[r.index()][e.index()].is_some();
                if let (Some(u), true) = (calibration.unattributed[e.index()], has_market) {
                    unattributed[r.index()][e.index()] = u;
                }
            }
        }
        // Every curve is in one group (the groups were built from them).
        let mut group_of = vec![0; network.curves.len()];
        for (g, group) in price_groups.iter().enumerate() {
            for &c in group {
                group_of[c] = g;
            }
        }
        let lifetimes = network
            .curves
            .iter()
            .map(|c| dataset.end_uses[c.end_use].lifetime_years.round().max(1.0) as usize)
            .collect();
        Model {
            dataset,
            config,
            network,
            calibration,
            policies,
            cap_controls,
            lifetimes,
            concentrate_value,
            price_groups,
            stock_specs,
            magnet_stock_specs,
            unattributed,
            production_cap_regions,
            shapes: Shapes::default(),
            group_of,
        }
    }

    /// The numbers of one year, given the state carried from earlier years.
    pub fn year_data(&self, year: Year, state: &State) -> YearData {
        let history = &state.consumption;
        let ds = &self.dataset;
        let path = ds
            .growth_path(&self.config.growth_path)
            .expect("checked in Model::new");
        let mut steps = Vec::with_capacity(self.network.curves.len());
        let mut baseline = Vec::with_capacity(self.network.curves.len());
        for (c, r) in self.calibration.curves.iter().enumerate() {
            let end_use = self.network.curves[c].end_use;
            let substituted: f64 = self
                .policies
                .substitution
                .iter()
                .filter(|(u, _)| *u == end_use)
                .map(|(_, p)| p.at(year).clamp(0.0, 1.0))
                .sum::<f64>()
                .min(1.0);
            // Demand at the reference price this year: growth, policy
            // substitution, and the long-run adjustment to past prices.
            let shift = state.structural.get(c).copied().unwrap_or(0.0).exp();
            let q = r.q_ref * path.index(end_use, year) * (1.0 - substituted) * shift;
            baseline.push(q);
            let centre = state.centres.get(c).copied().unwrap_or(r.p_ref);
            steps.push(self.curve_steps(c, q, centre));
        }
        let targets = self.stock_targets(year, state);
        let stocks = self.stock_holdings(state, &targets, &state.centres);
        let magnet_targets = self.magnet_stock_targets(year, state);
        let magnet_stocks = (0..self.network.regions.len())
            .map(|r| self.magnet_stock_holding(r, state, &magnet_targets, &state.centres))
            .collect();
        // Recycling: consumption of `lifetime` years ago returns as oxide.
        let n = self.network.regions.len();
        let mut recycled = vec![[0.0; N_ELEMENTS]; n];
        let done = history.len();
        for (c, curve) in self.network.curves.iter().enumerate() {
            let l = self.lifetimes[c];
            if done < l {
                continue;
            }
            let rate = self
                .policies
                .recycling
                .as_ref()
                .map(|p| p.at(year).clamp(0.0, 1.0))
                .unwrap_or(self.config.recycling_rate);
            let q = history[done - l][c] * rate;
            let r = curve.region.index();
            match curve.good {
                Good::Magnet => {
                    for e in ELEMENTS {
                        recycled[r][e.index()] +=
                            q * state.recipes.get(done - l).unwrap_or(&self.network.recipe)
                                [e.index()];
                    }
                }
                Good::Oxide(e) => recycled[r][e.index()] += q,
            }
        }
        use oreflow_core::Stage;
        let capacity = |stage: Stage, k: usize| {
            let c = self.capacity_at(stage, k, year, state);
            self.policies
                .outages
                .iter()
                .filter(|o| o.stage == stage && o.years.contains(year) && o.facilities.contains(&k))
                .fold(c, |c, o| c * o.capacity_factor.clamp(0.0, 1.0))
        };
        YearData {
            year,
            mine_capacity: (0..ds.mines.len())
                .map(|k| capacity(Stage::Mining, k))
                .collect(),
            mine_cost: ds.mines.iter().map(|m| m.cost.0).collect(),
            separation_capacity: (0..ds.separation_plants.len())
                .map(|k| capacity(Stage::Separation, k))
                .collect(),
            separation_cost: ds.separation_plants.iter().map(|p| p.cost.0).collect(),
            magnet_capacity: (0..ds.magnet_plants.len())
                .map(|k| capacity(Stage::Magnet, k))
                .collect(),
            magnet_cost: ds.magnet_plants.iter().map(|p| p.cost.0).collect(),
            steps,
            baseline_demand: baseline,
            recycled,
            disposal_cost: self.config.disposal_cost,
            stocks,
            magnet_stocks,
            unattributed_use: self.fixed_uses(year, state),
            unattributed_supply: self.unattributed_at(state, false),
            production_caps: self.production_caps(year),
            cap_leaks: self.cap_leaks(year),
            strategic: self.strategic_rules(year, state),
            recipe: self.recipe(year, state),
            trade: self.trade_terms(year, state),
            caps: self.caps(year, state),
            offtakes: self
                .policies
                .links
                .iter()
                .filter(|l| l.offtake_share.is_some())
                .map(|l| year >= l.from && year <= l.to)
                .collect(),
        }
    }

    /// Steps of curve `c` for demand `q` at the reference price, with the
    /// fine band centred on `centre` (USD/kg).
    pub fn curve_steps(&self, c: usize, q: f64, centre: f64) -> Vec<Step> {
        let r = &self.calibration.curves[c];
        let slope = if self.config.adjustment {
            r.elasticity_short_run
        } else {
            r.elasticity
        };
        self.with_shape(c, centre, |s| s.steps(q.max(0.0), slope))
    }

    /// `f` of the price cells of curve `c` with its fine band centred on
    /// `centre` (shared by its price group, kept for re-use).
    fn with_shape<R>(&self, c: usize, centre: f64, f: impl FnOnce(&Shape) -> R) -> R {
        let p_ref = self.calibration.curves[c].p_ref;
        self.shapes
            .with(self.group_of[c], (p_ref, centre), &self.config.curve, f)
    }

    /// The price a solution gives curve `c`'s good in its region, if any.
    pub fn curve_price(&self, c: usize, s: &YearSolution) -> Option<f64> {
        let curve = &self.network.curves[c];
        let r = curve.region.index();
        match curve.good {
            Good::Magnet => s.magnet_price.get(r).copied().flatten(),
            Good::Oxide(e) => s.prices.get(r).and_then(|p| p[e.index()]),
        }
    }

    /// Re-centres the fine band of every price group (the curves of one
    /// good in one region) whose price in `s` fell outside it; returns
    /// whether any centre moved (then the year is solved again).
    ///
    /// A price outside the band sits on a coarse step, whose value can be
    /// off the smooth curve's price by up to half a coarse step; centring on
    /// it can make the band jump back and forth across the equilibrium. So
    /// each group keeps a bracket: a price above the band says the
    /// equilibrium is above the band's top, one below says it is below the
    /// bottom; once both sides are known the new centre is the geometric
    /// mean of the bracket (bisection in log price), else the price found.
    fn recentre(
        &self,
        state: &State,
        s: &YearSolution,
        data: &mut YearData,
        centres: &mut [f64],
        brackets: &mut [(f64, f64)],
    ) -> bool {
        let targets = self.stock_targets(data.year, state);
        let magnet_targets = self.magnet_stock_targets(data.year, state);
        let params = &self.config.curve;
        let edge = params.fine_ratio.powf(params.fine_steps as f64 + 0.5);
        let mut moved = false;
        for (g, group) in self.price_groups.iter().enumerate() {
            let first = group[0];
            let Some(p) = self.curve_price(first, s) else {
                continue;
            };
            let p_ref = self.calibration.curves[first].p_ref;
            let now = params.clamp_centre(p_ref, centres[first]);
            if params.in_band(now, p) {
                continue;
            }
            let (lo, hi) = &mut brackets[g];
            let mut target = p;
            if p > now {
                *lo = lo.max(now * edge);
                if target >= *hi {
                    target = (*lo * *hi).sqrt();
                }
            } else {
                *hi = hi.min(now / edge);
                if target <= *lo {
                    target = (*lo * *hi).sqrt();
                }
            }
            // Markets are linked (trade, joint production), so a group's
            // bracket can be overtaken by others' moves: when it closes on
            // itself, start it again from this price.
            if *lo >= *hi {
                (*lo, *hi) = if p > now {
                    (now * edge, f64::INFINITY)
                } else {
                    (0.0, now / edge)
                };
                target = p;
            }
            let wanted = params.clamp_centre(p_ref, target);
            if wanted == now {
                continue;
            }
            for &c in group {
                centres[c] = wanted;
                data.steps[c] = self.curve_steps(c, data.baseline_demand[c], wanted);
            }
            if let Some((r, e)) = self.group_element(g) {
                if let Some(h) = self.stock_holding(r, e, state, &targets, centres) {
                    data.stocks[r][e.index()] = Some(h);
                }
            } else {
                let r = self.network.curves[first].region.index();
                if let Some(h) = self.magnet_stock_holding(r, state, &magnet_targets, centres) {
                    data.magnet_stocks[r] = Some(h);
                }
            }
            moved = true;
        }
        moved
    }

    /// Price groups whose price in `s` lies outside the fine band around
    /// their centre (and could still move: a centre clamped at the floor or
    /// the choke price does not count).
    fn out_of_band(&self, s: &YearSolution, centres: &[f64]) -> Vec<String> {
        let params = &self.config.curve;
        self.price_groups
            .iter()
            .filter(|g| {
                let c = g[0];
                self.curve_price(c, s).is_some_and(|p| {
                    let p_ref = self.calibration.curves[c].p_ref;
                    let now = params.clamp_centre(p_ref, centres[c]);
                    !params.in_band(now, p) && params.clamp_centre(p_ref, p) != now
                })
            })
            .map(|g| {
                let c = &self.network.curves[g[0]];
                let what = match c.good {
                    Good::Magnet => "magnets".to_string(),
                    Good::Oxide(e) => format!("{e} oxide"),
                };
                format!("{what} in {}", self.network.regions[c.region.index()])
            })
            .collect()
    }

    /// The magnet recipe in `year`: the reference recipe after the
    /// price-driven thrifting carried in `state` and a scenario's thrifting.
    pub fn recipe(&self, year: Year, state: &State) -> [f64; N_ELEMENTS] {
        let mut r = self.network.recipe;
        for e in ELEMENTS {
            r[e.index()] *= state.thrift.get(e.index()).copied().unwrap_or(1.0);
        }
        for (e, p) in &self.policies.thrifting {
            r[e.index()] *= 1.0 - p.at(year).clamp(0.0, 1.0);
        }
        r
    }

    fn strategic_rules(&self, year: Year, state: &State) -> Vec<StockRule> {
        self.policies
            .stockpiles
            .iter()
            .enumerate()
            .map(|(k, s)| StockRule {
                opening: if year >= s.from {
                    state.strategic_left.get(k).copied().unwrap_or(s.size_t)
                } else {
                    0.0
                },
                room: 0.0,
                buy_below: 0.0,
                sell_above: s.release_above_usd_per_kg,
            })
            .collect()
    }

    fn caps(&self, year: Year, state: &State) -> Vec<f64> {
        self.cap_controls
            .iter()
            .enumerate()
            .map(|(g, &k)| {
                let c = &self.policies.export_controls[k];
                if !c.years.contains(year) {
                    return f64::INFINITY;
                }
                match c.kind {
                    policy::ControlKind::Quota { tonnes } => tonnes,
                    policy::ControlKind::Licence {
                        share: Some(share), ..
                    } => {
                        share
                            * state
                                .pre_policy
                                .get(g)
                                .copied()
                                .flatten()
                                .unwrap_or(f64::INFINITY)
                    }
                    _ => f64::INFINITY,
                }
            })
            .collect()
    }

    fn trade_terms(&self, year: Year, state: &State) -> TradeTerms {
        let p = &self.policies;
        let n = self.network.regions.len();
        let active = |from: Year, to: Year| year >= from && year <= to;
        if !p.export_controls.iter().any(|c| c.years.contains(year))
            && !p.tariffs.iter().any(|t| active(t.from, t.to))
            && !p.links.iter().any(|l| active(l.from, l.to))
        {
            return TradeTerms::default();
        }
        let mut t = TradeTerms::new(n);
        let recipe = self.recipe(year, state);
        // An export duty is ad valorem at the origin's price of the year
        // before (the reference price in the first year).
        let last = state.price_history.last();
        let last_magnet = state.magnet_price_history.last();
        let oxide_price = |i: usize, e: Element| {
            last.and_then(|p| p[i][e.index()])
                .or_else(|| self.dataset.reference_price(e).map(|p| p.0))
                .unwrap_or(0.0)
                .max(0.0)
        };
        let magnet_price = |i: usize| {
            last_magnet
                .and_then(|p| p[i])
                .unwrap_or(self.calibration.magnet_price)
                .max(0.0)
        };
        let covers = |list: &[Element], e: Element| list.is_empty() || list.contains(&e);
        let magnet_covered =
            |list: &[Element]| list.is_empty() || list.iter().any(|e| recipe[e.index()] > 0.0);
        for c in p.export_controls.iter().filter(|c| c.years.contains(year)) {
            let (closed, fee, tax) = match c.kind {
                policy::ControlKind::Ban => (true, 0.0, 0.0),
                policy::ControlKind::Licence { fee_usd_per_kg, .. } => (false, fee_usd_per_kg, 0.0),
                policy::ControlKind::Quota { .. } => (false, 0.0, 0.0),
                policy::ControlKind::Tax { rate } => (false, 0.0, rate.max(0.0)),
            };
            let i = c.origin.index();
            let conc_value = self.concentrate_value[i];
            for j in c.destinations.iter().map(|d| d.index()) {
                for stage in &c.stages {
                    match stage {
                        Commodity::Concentrate => {
                            let a = &mut t.concentrate[i][j];
                            a.closed |= closed;
                            a.extra_cost += fee + tax * conc_value;
                        }
                        Commodity::Oxide => {
                            for e in ELEMENTS.iter().copied().filter(|&e| covers(&c.elements, e)) {
                                let a = &mut t.oxide[i][j][e.index()];
                                a.closed |= closed;
                                a.extra_cost += fee + tax * oxide_price(i, e);
                            }
                        }
                        Commodity::Magnet if magnet_covered(&c.elements) => {
                            let a = &mut t.magnet[i][j];
                            a.closed |= closed;
                            a.extra_cost += fee + tax * magnet_price(i);
                        }
                        Commodity::Magnet => {}
                    }
                }
            }
        }
        let price = |e: Element| self.dataset.reference_price(e).map(|p| p.0).unwrap_or(0.0);
        for tf in p.tariffs.iter().filter(|t| active(t.from, t.to)) {
            let j = tf.importer.index();
            for i in tf.origins.iter().map(|o| o.index()).filter(|&i| i != j) {
                for stage in &tf.stages {
                    match stage {
                        Commodity::Concentrate => {
                            t.concentrate[i][j].extra_cost += tf.rate * self.concentrate_value[i]
                        }
                        Commodity::Oxide => {
                            for e in ELEMENTS
                                .iter()
                                .copied()
                                .filter(|&e| covers(&tf.elements, e))
                            {
                                t.oxide[i][j][e.index()].extra_cost += tf.rate * price(e);
                            }
                        }
                        Commodity::Magnet => {
                            t.magnet[i][j].extra_cost += tf.rate * self.calibration.magnet_price
                        }
                    }
                }
            }
        }
        let net = &self.network;
        for l in p.links.iter().filter(|l| active(l.from, l.to)) {
            let (a, b) = (l.a.index(), l.b.index());
            for (i, j) in [(a, b), (b, a)] {
                for stage in &l.stages {
                    let k = l.cost_factor - 1.0;
                    match stage {
                        Commodity::Concentrate => {
                            t.concentrate[i][j].extra_cost += k * net.concentrate_cost[i][j]
                        }
                        Commodity::Oxide => {
                            for e in ELEMENTS {
                                t.oxide[i][j][e.index()].extra_cost += k * net.oxide_cost[i][j];
                            }
                        }
                        Commodity::Magnet => t.magnet[i][j].extra_cost += k * net.magnet_cost[i][j],
                    }
                }
            }
        }
        t
    }

    /// Commercial stocks this year: the opening stock carried from last
    /// year and stockholders' demand for closing stock on the lattice of
    /// their price group (centred as the group's curves are).
    fn stock_holdings(
        &self,
        state: &State,
        targets: &[[dynamics::StockTarget; N_ELEMENTS]],
        centres: &[f64],
    ) -> Vec<[Option<StockHolding>; N_ELEMENTS]> {
        let n = self.network.regions.len();
        let mut out: Vec<[Option<StockHolding>; N_ELEMENTS]> =
            (0..n).map(|_| std::array::from_fn(|_| None)).collect();
        for r in 0..n {
            for e in ELEMENTS {
                if let Some(h) = self.stock_holding(r, e, state, targets, centres) {
                    out[r][e.index()] = Some(h);
                }
            }
        }
        out
    }

    fn stock_holding(
        &self,
        r: usize,
        e: Element,
        state: &State,
        targets: &[[dynamics::StockTarget; N_ELEMENTS]],
        centres: &[f64],
    ) -> Option<StockHolding> {
        let spec = self.stock_specs[r][e.index()]?;
        let (target, expected) = targets[r][e.index()]?;
        let c = self.price_groups[spec.group][0];
        let p_ref = self.calibration.curves[c].p_ref;
        let centre = centres.get(c).copied().unwrap_or(p_ref);
        Some(StockHolding {
            opening: state.stock.get(r).map(|s| s[e.index()]).unwrap_or(0.0),
            steps: self.with_shape(c, centre, |s| {
                dynamics::stock_steps(&spec, target, expected, s)
            }),
        })
    }

    /// This year's unattributed use (`use_ = true`) or supply: the
    /// reference-year residual × last year's world mine output of the
    /// element over the reference year's (it moves with what is mined, one
    /// year behind, so that it is fixed within a year's market).
    fn unattributed_at(&self, state: &State, use_: bool) -> Vec<[f64; N_ELEMENTS]> {
        let now = state.mined_last;
        self.unattributed
            .iter()
            .map(|row| {
                std::array::from_fn(|i| {
                    let base = self.calibration.supply[i];
                    let scale = if base > 0.0 { now[i] / base } else { 0.0 };
                    let u = row[i] * scale;
                    if use_ {
                        u.max(0.0)
                    } else {
                        (-u).max(0.0)
                    }
                })
            })
            .collect()
    }

    fn magnet_stock_holding(
        &self,
        r: usize,
        state: &State,
        targets: &[dynamics::StockTarget],
        centres: &[f64],
    ) -> Option<StockHolding> {
        let spec = self.magnet_stock_specs[r]?;
        let (target, expected) = targets[r]?;
        let c = self.price_groups[spec.group][0];
        let p_ref = self.calibration.curves[c].p_ref;
        let centre = centres.get(c).copied().unwrap_or(p_ref);
        Some(StockHolding {
            opening: state.magnet_stock.get(r).copied().unwrap_or(0.0),
            steps: self.with_shape(c, centre, |s| {
                dynamics::stock_steps(&spec, target, expected, s)
            }),
        })
    }

    /// Fixed uses this year: the unattributed residual plus state reserve
    /// purchases in force.
    fn fixed_uses(&self, year: Year, state: &State) -> Vec<[f64; N_ELEMENTS]> {
        let mut u = self.unattributed_at(state, true);
        for p in self
            .policies
            .reserve_purchases
            .iter()
            .filter(|p| p.years.contains(year))
        {
            for e in 0..N_ELEMENTS {
                u[p.region.index()][e] += p.tonnes * p.mix[e];
            }
        }
        u
    }

    /// The year's cap on each production-cap group: a scenario's quota for
    /// the region and year, else the dataset's, else none.
    fn production_caps(&self, year: Year) -> Vec<f64> {
        self.production_cap_regions
            .iter()
            .map(|&r| {
                self.policies
                    .production_quotas
                    .iter()
                    .rev()
                    .find(|q| q.region == r && q.years.contains(year))
                    .map(|q| q.tonnes)
                    .or_else(|| self.dataset.production_quota(r, year))
                    .unwrap_or(f64::INFINITY)
            })
            .collect()
    }

    /// Leaks past each cap group this year (tonnes, extra USD/kg).
    fn cap_leaks(&self, year: Year) -> Vec<(f64, f64)> {
        self.cap_controls
            .iter()
            .map(|&k| {
                let c = &self.policies.export_controls[k];
                if c.years.contains(year) {
                    (c.leak_t, c.leak_cost_usd_per_kg)
                } else {
                    (0.0, 0.0)
                }
            })
            .collect()
    }

    /// Kind of end use of curve `c`.
    pub fn curve_kind(&self, c: usize) -> EndUseKind {
        self.dataset.end_uses[self.network.curves[c].end_use].kind
    }
}

/// State carried from one year to the next.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// Consumption per curve in each solved year (in-use stock by vintage).
    pub consumption: Vec<Vec<f64>>,
    /// Magnet recipe of each solved year (content of that vintage).
    pub recipes: Vec<[f64; N_ELEMENTS]>,
    /// Commercial stock per region and element at the start of the next year (t REO).
    pub stock: Vec<[f64; N_ELEMENTS]>,
    /// Strategic stockpile left, per stockpile (t REO).
    pub strategic_left: Vec<f64>,
    /// Pre-policy flow of each cap group (its total in the year before its
    /// control starts), once known.
    pub pre_policy: Vec<Option<f64>>,
    /// Per curve: the price expected this year, where its fine band is
    /// centred (USD/kg): last year's price of its good in its region moved
    /// on by part of last year's change ([`CENTRE_TREND`]).
    pub centres: Vec<f64>,
    /// Per curve: the price its good had in its region the year before
    /// (USD/kg; the reference price at the start), for the trend in
    /// [`State::centres`].
    pub last_prices: Vec<f64>,
    /// Per curve: log shift of demand at the reference price from the
    /// long-run adjustment to past prices (substitution; 0 = none).
    pub structural: Vec<f64>,
    /// Per element: magnet content as a share of the reference recipe after
    /// price-driven thrifting (1 = none).
    pub thrift: [f64; N_ELEMENTS],
    /// Oxide prices of each solved year, `[year][region][element]`.
    pub price_history: Vec<Vec<[Option<f64>; N_ELEMENTS]>>,
    /// Magnet prices of each solved year, `[year][region]`.
    pub magnet_price_history: Vec<Vec<Option<f64>>>,
    /// Every facility's start as the supply response moves it.
    pub plans: Plans,
    /// World mine output per element in the last solved year (t REO; the
    /// reference-year supply before the first).
    pub mined_last: [f64; N_ELEMENTS],
    /// Commercial magnet stock per region at the start of the next year (t magnet).
    pub magnet_stock: Vec<f64>,
}

impl State {
    /// The state before the first year of a run of `model`.
    pub fn initial(model: &Model) -> State {
        let n = model.network.regions.len();
        State {
            consumption: Vec::new(),
            recipes: Vec::new(),
            stock: (0..n)
                .map(|r| {
                    std::array::from_fn(|e| {
                        model.stock_specs[r][e].map(|s| s.opening_t).unwrap_or(0.0)
                    })
                })
                .collect(),
            strategic_left: model.policies.stockpiles.iter().map(|s| s.size_t).collect(),
            pre_policy: vec![None; model.cap_controls.len()],
            centres: model.calibration.curves.iter().map(|r| r.p_ref).collect(),
            last_prices: model.calibration.curves.iter().map(|r| r.p_ref).collect(),
            structural: vec![0.0; model.calibration.curves.len()],
            thrift: [1.0; N_ELEMENTS],
            price_history: Vec::new(),
            magnet_price_history: Vec::new(),
            plans: Plans::from_data(&model.dataset),
            mined_last: model.calibration.supply,
            magnet_stock: model
                .magnet_stock_specs
                .iter()
                .map(|s| s.map(|s| s.opening_t).unwrap_or(0.0))
                .collect(),
        }
    }
}

/// Runs the model from `config.from` to `config.to`, calling `on_year` after
/// each solved year (for progress reporting). Each year is warm-started from
/// the previous year's optimal basis when the backend supports it (HiGHS
/// does); wrap the backend in [`oreflow_lp::Cold`] to solve every year from scratch.
pub fn run(
    model: &Model,
    backend: &dyn Backend,
    on_year: impl FnMut(&YearResult),
) -> Result<RunResult, SimError> {
    run_warm(model, backend, &mut Warm::default(), on_year)
}

/// What many runs of models of one shape (an ensemble) can share: the
/// optimal basis of the first year in a reference run, to start each run's
/// first year from, and the LP built by the previous run (its labels are
/// kept, its numbers rewritten).
#[derive(Clone, Debug, Default)]
pub struct Warm {
    pub first_basis: Option<oreflow_lp::Basis>,
    pub problem: Option<oreflow_lp::Problem>,
    /// Set by a run: the optimal basis of its last solve (of its last year).
    pub last_basis: Option<oreflow_lp::Basis>,
}

/// As [`run`], starting the first year from `warm.first_basis` and reusing
/// (then returning in `warm`) the LP of an earlier run. Each call uses a new
/// solver session, so a run's results do not depend on the runs before it.
pub fn run_warm(
    model: &Model,
    backend: &dyn Backend,
    warm: &mut Warm,
    on_year: impl FnMut(&YearResult),
) -> Result<RunResult, SimError> {
    run_inner(model, backend, warm, on_year, None)
}

/// As [`run`], also returning the state before each year (for tests and
/// diagnostics that re-solve single years: [`solve_year_alone`]).
pub fn run_recording(
    model: &Model,
    backend: &dyn Backend,
) -> Result<(RunResult, Vec<State>), SimError> {
    let mut states = Vec::new();
    let r = run_inner(
        model,
        backend,
        &mut Warm::default(),
        |_| {},
        Some(&mut states),
    )?;
    Ok((r, states))
}

/// Solves `year` of `model` from `state` on a fresh solver session, with
/// the same re-centring as a run, without changing the state.
pub fn solve_year_alone(
    model: &Model,
    backend: &dyn Backend,
    year: Year,
    state: &State,
) -> Result<YearResult, SimError> {
    let mut market = MarketSession::new(&model.network, backend);
    solve_in(model, &mut market, year, state)
}

/// One year: its data from the state, solved, re-centred and solved again
/// while prices leave their fine bands.
fn solve_in(
    model: &Model,
    market: &mut MarketSession,
    year: Year,
    state: &State,
) -> Result<YearResult, SimError> {
    let mut data = model.year_data(year, state);
    let mut centres = state.centres.clone();
    let mut brackets = vec![(0.0, f64::INFINITY); model.price_groups.len()];
    let mut solution = market.solve(&data)?;
    let mut solves = 1;
    let mut iterations = solution.iterations;
    let mut solve_seconds = solution.solve_seconds;
    while solves < MAX_SOLVES_PER_YEAR
        && model.recentre(state, &solution, &mut data, &mut centres, &mut brackets)
    {
        solution = market.solve(&data)?;
        solves += 1;
        iterations += solution.iterations;
        solve_seconds += solution.solve_seconds;
    }
    let coarse_prices = model.out_of_band(&solution, &centres);
    Ok(YearResult {
        data,
        solution,
        solves,
        iterations,
        solve_seconds,
        coarse_prices,
    })
}

/// Carries a solved year into the state for the next.
fn advance(model: &Model, yr: &YearResult, state: &mut State) {
    let (year, data, solution) = (yr.data.year, &yr.data, &yr.solution);
    let n = model.network.regions.len();
    for (c, centre) in state.centres.iter_mut().enumerate() {
        if let Some(p) = model.curve_price(c, solution) {
            let last = state.last_prices[c];
            let trend = if last > 0.0 && p > 0.0 {
                (p / last).powf(CENTRE_TREND).clamp(0.5, 2.0)
            } else {
                1.0
            };
            *centre = p * trend;
            state.last_prices[c] = p;
        }
    }
    state.consumption.push(solution.consumption.clone());
    state.recipes.push(data.recipe);
    for (g, &k) in model.cap_controls.iter().enumerate() {
        if model.policies.export_controls[k].years.starts(year + 1) {
            state.pre_policy[g] = Some(solution.cap_flows[g]);
        }
    }
    for (k, s) in model.policies.stockpiles.iter().enumerate() {
        if year >= s.from {
            state.strategic_left[k] =
                (state.strategic_left[k] - solution.strategic_release[k]).max(0.0);
        }
    }
    for r in 0..n {
        state.stock[r] = solution.stock_close[r];
    }
    state.magnet_stock.clone_from(&solution.magnet_stock_close);
    model.adjust_demand(solution, state);
    model.adjust_recipe(solution, state);
    model.respond(
        year,
        solution,
        [
            &data.mine_capacity,
            &data.separation_capacity,
            &data.magnet_capacity,
        ],
        state,
    );
    let mut mined = [0.0; N_ELEMENTS];
    for (m, out) in solution.mine_output.iter().enumerate() {
        for (i, x) in mined.iter_mut().enumerate() {
            *x += out * model.network.mines[m].composition[i];
        }
    }
    state.mined_last = mined;
    state.price_history.push(solution.prices.clone());
    state
        .magnet_price_history
        .push(solution.magnet_price.clone());
}

fn run_inner(
    model: &Model,
    backend: &dyn Backend,
    warm: &mut Warm,
    mut on_year: impl FnMut(&YearResult),
    mut recorded: Option<&mut Vec<State>>,
) -> Result<RunResult, SimError> {
    let mut years = Vec::new();
    let mut state = State::initial(model);
    // Licences capped at a share of pre-policy exports that start with the
    // run: their pre-policy level is the first year solved without caps.
    let first = model.config.from;
    if model
        .cap_controls
        .iter()
        .any(|&k| model.policies.export_controls[k].years.contains(first))
    {
        let mut data = model.year_data(first, &state);
        data.caps.iter_mut().for_each(|c| *c = f64::INFINITY);
        data.trade = TradeTerms::default();
        let free = oreflow_market::solve_year(&model.network, &data, backend)?;
        for (g, &k) in model.cap_controls.iter().enumerate() {
            if model.policies.export_controls[k].years.contains(first) {
                state.pre_policy[g] = Some(free.cap_flows[g]);
            }
        }
    }
    let mut market = MarketSession::reusing(&model.network, backend, warm.problem.take());
    if let Some(b) = &warm.first_basis {
        market.start_from(b);
    }
    for year in model.config.from..=model.config.to {
        if let Some(r) = recorded.as_deref_mut() {
            r.push(state.clone());
        }
        let yr = solve_in(model, &mut market, year, &state)?;
        advance(model, &yr, &mut state);
        on_year(&yr);
        years.push(yr);
    }
    warm.last_basis = market.basis();
    warm.problem = market.into_problem();
    Ok(RunResult { years })
}
