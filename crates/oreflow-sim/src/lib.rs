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
use oreflow_market::{constant_elasticity_steps, solve_year, CurveParams, Good, MarketError, Network, YearData, YearSolution};

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
            let names: Vec<&str> = dataset.growth_paths.iter().map(|p| p.name.as_str()).collect();
            return Err(SimError::Config(format!(
                "unknown demand growth path `{}`; available: {}",
                config.growth_path,
                names.join(", ")
            )));
        }
        if !(0.0..=1.0).contains(&config.recycling_rate) || !(config.disposal_cost >= 0.0) {
            return Err(SimError::Config("recycling rate must be in [0, 1] and disposal cost ≥ 0".into()));
        }
        let network = network::build(&dataset);
        let calibration = calibrate::calibrate(&dataset, &network)?;
        let lifetimes = network
            .curves
            .iter()
            .map(|c| dataset.end_uses[c.end_use].lifetime_years.round().max(1.0) as usize)
            .collect();
        Ok(Model { dataset, config, network, calibration, lifetimes })
    }

    /// The numbers of one year, given the consumption history (state).
    pub fn year_data(&self, year: Year, history: &[Vec<f64>]) -> YearData {
        let ds = &self.dataset;
        let path = ds.growth_path(&self.config.growth_path).expect("checked in Model::new");
        let mut steps = Vec::with_capacity(self.network.curves.len());
        let mut baseline = Vec::with_capacity(self.network.curves.len());
        for (c, r) in self.calibration.curves.iter().enumerate() {
            let q = r.q_ref * path.index(self.network.curves[c].end_use, year);
            baseline.push(q);
            steps.push(constant_elasticity_steps(q, r.p_ref, r.elasticity, &self.config.curve));
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
            separation_capacity: ds.separation_plants.iter().map(|p| p.capacity.at(year)).collect(),
            separation_cost: ds.separation_plants.iter().map(|p| p.cost.0).collect(),
            magnet_capacity: ds.magnet_plants.iter().map(|p| p.capacity.at(year)).collect(),
            magnet_cost: ds.magnet_plants.iter().map(|p| p.cost.0).collect(),
            steps,
            baseline_demand: baseline,
            recycled,
            disposal_cost: self.config.disposal_cost,
        }
    }

    /// Kind of end use of curve `c`.
    pub fn curve_kind(&self, c: usize) -> EndUseKind {
        self.dataset.end_uses[self.network.curves[c].end_use].kind
    }
}

/// Runs the model from `config.from` to `config.to`, calling `on_year` after
/// each solved year (for progress reporting).
pub fn run(model: &Model, backend: &dyn Backend, mut on_year: impl FnMut(&YearResult)) -> Result<RunResult, SimError> {
    let mut years = Vec::new();
    let mut history: Vec<Vec<f64>> = Vec::new();
    for year in model.config.from..=model.config.to {
        let data = model.year_data(year, &history);
        let solution = solve_year(&model.network, &data, backend)?;
        history.push(solution.consumption.clone());
        let yr = YearResult { data, solution };
        on_year(&yr);
        years.push(yr);
    }
    Ok(RunResult { years })
}
