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

use oreflow_core::{Dataset, EndUseKind, Year, ELEMENTS, N_ELEMENTS, REFERENCE_YEAR};
use oreflow_lp::Backend;
use oreflow_market::{
    constant_elasticity_steps, CurveParams, Good, MarketError, MarketSession, Network, StockRule,
    YearData, YearSolution,
};

pub use calibrate::{Calibration, CurveRef};

/// Last year a run may reach.
pub const MAX_YEAR: Year = 2050;

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
            from: REFERENCE_YEAR,
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
    /// End use of each curve's lifetime in whole years (≥ 1).
    lifetimes: Vec<usize>,
}

/// One simulated year: its inputs and its equilibrium.
#[derive(Clone, Debug)]
pub struct YearResult {
    pub data: YearData,
    pub solution: YearSolution,
}

/// A whole run.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub years: Vec<YearResult>,
}

impl Model {
    /// Checks the settings, builds the network and calibrates the demand curves.
    pub fn new(dataset: Dataset, config: RunConfig) -> Result<Model, SimError> {
        if config.from < REFERENCE_YEAR || config.to > MAX_YEAR || config.from > config.to {
            return Err(SimError::Config(format!(
                "years {}–{} are outside {REFERENCE_YEAR}–{MAX_YEAR} or in the wrong order",
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
        let network = network::build(&dataset);
        let calibration = calibrate::calibrate(&dataset, &network)?;
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
            lifetimes,
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
            let q = r.q_ref * path.index(self.network.curves[c].end_use, year);
            baseline.push(q);
            steps.push(constant_elasticity_steps(
                q,
                r.p_ref,
                r.elasticity,
                &self.config.curve,
            ));
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
            let q = history[done - l][c] * self.config.recycling_rate;
            let r = curve.region.index();
            match curve.good {
                Good::Magnet => {
                    for e in ELEMENTS {
                        recycled[r][e.index()] += q * self.network.recipe[e.index()];
                    }
                }
                Good::Oxide(e) => recycled[r][e.index()] += q,
            }
        }
        YearData {
            year,
            mine_capacity: ds.mines.iter().map(|m| m.capacity.at(year)).collect(),
            mine_cost: ds.mines.iter().map(|m| m.cost.0).collect(),
            separation_capacity: ds
                .separation_plants
                .iter()
                .map(|p| p.capacity.at(year))
                .collect(),
            separation_cost: ds.separation_plants.iter().map(|p| p.cost.0).collect(),
            magnet_capacity: ds
                .magnet_plants
                .iter()
                .map(|p| p.capacity.at(year))
                .collect(),
            magnet_cost: ds.magnet_plants.iter().map(|p| p.cost.0).collect(),
            steps,
            baseline_demand: baseline,
            recycled,
            disposal_cost: self.config.disposal_cost,
            stocks: self.stock_rules(&state.stock),
            strategic: Vec::new(),
            recipe: self.network.recipe,
            trade: Default::default(),
            caps: Vec::new(),
        }
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
    /// Commercial stock per region and element at the start of the next year (t REO).
    pub stock: Vec<[f64; N_ELEMENTS]>,
}

/// Runs the model from `config.from` to `config.to`, calling `on_year` after
/// each solved year (for progress reporting). Each year is warm-started from
/// the previous year's optimal basis when the backend supports it (HiGHS
/// does); wrap the backend in [`oreflow_lp::Cold`] to solve every year from scratch.
pub fn run(
    model: &Model,
    backend: &dyn Backend,
    mut on_year: impl FnMut(&YearResult),
) -> Result<RunResult, SimError> {
    let mut years = Vec::new();
    let n = model.network.regions.len();
    let mut state = State {
        consumption: Vec::new(),
        stock: vec![[0.0; N_ELEMENTS]; n],
    };
    let mut market = MarketSession::new(&model.network, backend);
    for year in model.config.from..=model.config.to {
        let data = model.year_data(year, &state);
        let solution = market.solve(&data)?;
        state.consumption.push(solution.consumption.clone());
        for r in 0..n {
            for e in 0..N_ELEMENTS {
                state.stock[r][e] += solution.stock_in[r][e] - solution.stock_out[r][e];
            }
        }
        let yr = YearResult { data, solution };
        on_year(&yr);
        years.push(yr);
    }
    Ok(RunResult { years })
}
