//! The time loop (MODEL.md §2 "Time"): calibrates demand curves to the
//! reference year, then solves the market year by year, carrying state
//! (in-use stocks by vintage and the scrap they return) from one year to the
//! next.
//!
//! Architecture invariant: no IO. A [`Model`] is built once from a validated
//! [`Dataset`] and is immutable (shareable across threads); each
//! [`run`] returns a fresh [`RunResult`].

mod calibrate;
mod network;
pub mod policy;
pub mod uncertainty;

use oreflow_core::{
    Commodity, Dataset, Element, EndUseKind, Year, DEFAULT_REFERENCE_YEAR, ELEMENTS, N_ELEMENTS,
};
use oreflow_lp::Backend;
use oreflow_market::{
    centred_steps, CurveParams, Good, MarketError, MarketSession, Network, Step, StockRule,
    TradeTerms, YearData, YearSolution,
};

pub use calibrate::{Calibration, CurveRef};
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
    /// Commercial stocks: bought at or below this multiple of the reference price…
    pub stock_buy_below: f64,
    /// …sold at or above this multiple…
    pub stock_sell_above: f64,
    /// …up to this many years of the region's reference-year use (0: no stocks).
    pub stock_capacity_years: f64,
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
            stock_buy_below: 0.6,
            stock_sell_above: 1.5,
            stock_capacity_years: 0.25,
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
}

/// At most this many solves of one year: the first, and re-solves with the
/// fine band of the demand curves re-centred on prices that fell outside it.
pub const MAX_SOLVES_PER_YEAR: usize = 6;

/// One simulated year: its inputs and its equilibrium.
#[derive(Clone, Debug)]
pub struct YearResult {
    pub data: YearData,
    pub solution: YearSolution,
    /// LP solves the year took: 1, plus one per re-centring of the demand
    /// curves' fine bands (at most [`MAX_SOLVES_PER_YEAR`]).
    pub solves: usize,
    /// Price groups (a good in a region) whose price still lies outside the
    /// fine band after the last solve, i.e. on a coarse step (0 unless the
    /// year needed more than [`MAX_SOLVES_PER_YEAR`] solves).
    pub coarse_prices: usize,
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
        let stock_ok = config.stock_buy_below >= 0.0
            && config.stock_sell_above > config.stock_buy_below
            && config.stock_capacity_years >= 0.0;
        if !stock_ok {
            return Err(SimError::Config(
                "stock rule needs 0 ≤ buy-below < sell-above multiples and a non-negative capacity"
                    .into(),
            ));
        }
        let mut network = network::build(&dataset);
        let calibration = calibrate::calibrate(&dataset, &network)?;
        let cap_controls = network::add_policy_structure(&mut network, &policies);
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
        let lifetimes = network
            .curves
            .iter()
            .map(|c| dataset.end_uses[c.end_use].lifetime_years.round().max(1.0) as usize)
            .collect();
        Ok(Model {
            dataset,
            config,
            network,
            calibration,
            policies,
            cap_controls,
            lifetimes,
            concentrate_value,
            price_groups,
        })
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
            let q = r.q_ref * path.index(end_use, year) * (1.0 - substituted);
            baseline.push(q);
            let centre = state.centres.get(c).copied().unwrap_or(r.p_ref);
            steps.push(self.curve_steps(c, q, centre));
        }
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
        let capacity = |stage: oreflow_core::Stage, k: usize, c: f64| {
            self.policies
                .outages
                .iter()
                .filter(|o| o.stage == stage && o.years.contains(year) && o.facilities.contains(&k))
                .fold(c, |c, o| c * o.capacity_factor.clamp(0.0, 1.0))
        };
        use oreflow_core::Stage;
        YearData {
            year,
            mine_capacity: ds
                .mines
                .iter()
                .enumerate()
                .map(|(k, m)| capacity(Stage::Mining, k, m.capacity.at(year)))
                .collect(),
            mine_cost: ds.mines.iter().map(|m| m.cost.0).collect(),
            separation_capacity: ds
                .separation_plants
                .iter()
                .enumerate()
                .map(|(k, p)| capacity(Stage::Separation, k, p.capacity.at(year)))
                .collect(),
            separation_cost: ds.separation_plants.iter().map(|p| p.cost.0).collect(),
            magnet_capacity: ds
                .magnet_plants
                .iter()
                .enumerate()
                .map(|(k, p)| capacity(Stage::Magnet, k, p.capacity.at(year)))
                .collect(),
            magnet_cost: ds.magnet_plants.iter().map(|p| p.cost.0).collect(),
            steps,
            baseline_demand: baseline,
            recycled,
            disposal_cost: self.config.disposal_cost,
            stocks: self.stock_rules(&state.stock),
            strategic: self.strategic_rules(year, state),
            recipe: self.recipe(year),
            trade: self.trade_terms(year),
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
        centred_steps(q.max(0.0), r.p_ref, r.elasticity, centre, &self.config.curve)
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
        s: &YearSolution,
        data: &mut YearData,
        centres: &mut [f64],
        brackets: &mut [(f64, f64)],
    ) -> bool {
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
            let wanted = params.clamp_centre(p_ref, target);
            if wanted == now {
                continue;
            }
            for &c in group {
                centres[c] = wanted;
                data.steps[c] = self.curve_steps(c, data.baseline_demand[c], wanted);
            }
            moved = true;
        }
        moved
    }

    /// Price groups whose price in `s` lies outside the fine band around
    /// their centre (and could still move: a centre clamped at the floor or
    /// the choke price does not count).
    fn out_of_band(&self, s: &YearSolution, centres: &[f64]) -> usize {
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
            .count()
    }

    /// The magnet recipe in `year`, after thrifting.
    pub fn recipe(&self, year: Year) -> [f64; N_ELEMENTS] {
        let mut r = self.network.recipe;
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

    fn trade_terms(&self, year: Year) -> TradeTerms {
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
        let recipe = self.recipe(year);
        let covers = |list: &[Element], e: Element| list.is_empty() || list.contains(&e);
        let magnet_covered =
            |list: &[Element]| list.is_empty() || list.iter().any(|e| recipe[e.index()] > 0.0);
        for c in p.export_controls.iter().filter(|c| c.years.contains(year)) {
            let (closed, fee) = match c.kind {
                policy::ControlKind::Ban => (true, 0.0),
                policy::ControlKind::Licence { fee_usd_per_kg, .. } => (false, fee_usd_per_kg),
                policy::ControlKind::Quota { .. } => (false, 0.0),
            };
            let i = c.origin.index();
            for j in c.destinations.iter().map(|d| d.index()) {
                for stage in &c.stages {
                    match stage {
                        Commodity::Concentrate => {
                            let a = &mut t.concentrate[i][j];
                            a.closed |= closed;
                            a.extra_cost += fee;
                        }
                        Commodity::Oxide => {
                            for e in ELEMENTS.iter().copied().filter(|&e| covers(&c.elements, e)) {
                                let a = &mut t.oxide[i][j][e.index()];
                                a.closed |= closed;
                                a.extra_cost += fee;
                            }
                        }
                        Commodity::Magnet if magnet_covered(&c.elements) => {
                            let a = &mut t.magnet[i][j];
                            a.closed |= closed;
                            a.extra_cost += fee;
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

    fn stock_rules(&self, stock: &[[f64; N_ELEMENTS]]) -> Vec<[Option<StockRule>; N_ELEMENTS]> {
        let cfg = &self.config;
        let n = self.network.regions.len();
        let mut rules = vec![[None; N_ELEMENTS]; n];
        if cfg.stock_capacity_years <= 0.0 {
            return rules;
        }
        for (r, row) in rules.iter_mut().enumerate() {
            for e in ELEMENTS {
                let (use_ref, p_ref) = self.calibration.regional_use[r][e.index()];
                let cap = cfg.stock_capacity_years * use_ref;
                if cap > 0.0 && p_ref > 0.0 {
                    let opening = stock[r][e.index()];
                    row[e.index()] = Some(StockRule {
                        opening,
                        room: (cap - opening).max(0.0),
                        buy_below: cfg.stock_buy_below * p_ref,
                        sell_above: cfg.stock_sell_above * p_ref,
                    });
                }
            }
        }
        rules
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
    /// Per curve: the price expected this year (last year's price of its
    /// good in its region), where its fine band is centred (USD/kg).
    pub centres: Vec<f64>,
}

impl State {
    /// The state before the first year of a run of `model`.
    pub fn initial(model: &Model) -> State {
        State {
            consumption: Vec::new(),
            recipes: Vec::new(),
            stock: vec![[0.0; N_ELEMENTS]; model.network.regions.len()],
            strategic_left: model.policies.stockpiles.iter().map(|s| s.size_t).collect(),
            pre_policy: vec![None; model.cap_controls.len()],
            centres: model.calibration.curves.iter().map(|r| r.p_ref).collect(),
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
}

/// As [`run`], starting the first year from `warm.first_basis` and reusing
/// (then returning in `warm`) the LP of an earlier run. Each call uses a new
/// solver session, so a run's results do not depend on the runs before it.
pub fn run_warm(
    model: &Model,
    backend: &dyn Backend,
    warm: &mut Warm,
    mut on_year: impl FnMut(&YearResult),
) -> Result<RunResult, SimError> {
    let mut years = Vec::new();
    let n = model.network.regions.len();
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
        let mut data = model.year_data(year, &state);
        let mut centres = state.centres.clone();
        let mut brackets = vec![(0.0, f64::INFINITY); model.price_groups.len()];
        let mut solution = market.solve(&data)?;
        let mut solves = 1;
        while solves < MAX_SOLVES_PER_YEAR
            && model.recentre(&solution, &mut data, &mut centres, &mut brackets)
        {
            solution = market.solve(&data)?;
            solves += 1;
        }
        let coarse_prices = model.out_of_band(&solution, &centres);
        for (c, centre) in state.centres.iter_mut().enumerate() {
            if let Some(p) = model.curve_price(c, &solution) {
                *centre = p;
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
            for e in 0..N_ELEMENTS {
                state.stock[r][e] += solution.stock_in[r][e] - solution.stock_out[r][e];
            }
        }
        let yr = YearResult {
            data,
            solution,
            solves,
            coarse_prices,
        };
        on_year(&yr);
        years.push(yr);
    }
    warm.problem = market.into_problem();
    Ok(RunResult { years })
}
