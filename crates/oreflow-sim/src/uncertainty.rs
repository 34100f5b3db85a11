//! What an ensemble may draw (MODEL.md §5), in model terms: distributions
//! over numeric parameters, the risk that projects are late or never come
//! online, and disruption events that switch levers on and off. Built by
//! `oreflow-scenario` from a scenario's `[uncertain]` part and sampled by
//! `oreflow-ensemble`; nothing here draws random numbers — a distribution
//! turns a uniform number in (0, 1) into a value ([`Distribution::quantile`]),
//! so whoever owns the random streams decides reproducibility.

use oreflow_core::{Dataset, Stage, Status, Year};

use crate::policy::{ExportControl, Outage, Policies};
use crate::RunConfig;

/// The shape of a distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    Normal {
        mean: f64,
        sd: f64,
    },
    /// `ln X ~ Normal(mu, sigma)`: median `e^mu`.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
}

/// A distribution, optionally truncated to `[lower, upper]` (draws outside
/// the bounds are impossible; the density inside is rescaled).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Distribution {
    shape: Shape,
    lower: f64,
    upper: f64,
    /// CDF of the untruncated shape at `lower` and `upper`.
    cdf_lower: f64,
    cdf_upper: f64,
}

impl Distribution {
    /// Checks the parameters and the bounds. Errors say what is wrong in
    /// plain words (the scenario reader adds the place).
    pub fn new(shape: Shape, lower: Option<f64>, upper: Option<f64>) -> Result<Self, String> {
        let finite = |v: f64, what: &str| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(format!("`{what}` must be a finite number, got {v}"))
            }
        };
        match shape {
            Shape::Normal { mean, sd } => {
                finite(mean, "mean")?;
                finite(sd, "sd")?;
                positive_spread(sd, "sd", "standard deviation")?;
            }
            Shape::LogNormal { mu, sigma } => {
                finite(mu, "median")?;
                finite(sigma, "sigma")?;
                positive_spread(sigma, "sigma", "standard deviation of the logarithm")?;
            }
            Shape::Triangular { min, mode, max } => {
                finite(min, "min")?;
                finite(mode, "mode")?;
                finite(max, "max")?;
                if min >= max {
                    return Err(format!("`min` ({min}) must be less than `max` ({max})"));
                }
                if mode < min || mode > max {
                    return Err(format!(
                        "`mode` ({mode}) must lie between `min` ({min}) and `max` ({max})"
                    ));
                }
            }
            Shape::Uniform { min, max } => {
                finite(min, "min")?;
                finite(max, "max")?;
                if min >= max {
                    return Err(format!("`min` ({min}) must be less than `max` ({max})"));
                }
            }
        }
        let (natural_lo, natural_hi) = natural_support(shape);
        let lower = lower.unwrap_or(natural_lo).max(natural_lo);
        let upper = upper.unwrap_or(natural_hi).min(natural_hi);
        if lower.is_nan() || upper.is_nan() || lower >= upper {
            return Err(format!(
                "the bounds leave no room: lower bound {lower} is not below upper bound {upper}"
            ));
        }
        let cdf_lower = cdf(shape, lower);
        let cdf_upper = cdf(shape, upper);
        if cdf_upper - cdf_lower < 1e-9 {
            return Err(format!(
                "the bounds [{lower}, {upper}] hold a probability of only {:.1e} of this distribution",
                cdf_upper - cdf_lower
            ));
        }
        Ok(Distribution {
            shape,
            lower,
            upper,
            cdf_lower,
            cdf_upper,
        })
    }

    /// A log-normal distribution given by the mean and standard deviation
    /// of the variable itself (not of its logarithm).
    pub fn lognormal_from_mean_sd(mean: f64, sd: f64) -> Result<Shape, String> {
        if !(mean > 0.0 && mean.is_finite()) {
            return Err(format!("a log-normal `mean` must be positive, got {mean}"));
        }
        positive_spread(sd, "sd", "standard deviation")?;
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        Ok(Shape::LogNormal {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        })
    }

    /// Smallest and largest possible draws.
    pub fn support(&self) -> (f64, f64) {
        (self.lower, self.upper)
    }

    /// The value whose (truncated) cumulative probability is `u`, for `u` in
    /// (0, 1): a uniform draw in, a draw of this distribution out.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let p = self.cdf_lower + u * (self.cdf_upper - self.cdf_lower);
        inverse_cdf(self.shape, p).clamp(self.lower, self.upper)
    }

    /// Cumulative probability of the (truncated) distribution at `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= self.lower {
            return 0.0;
        }
        if x >= self.upper {
            return 1.0;
        }
        (cdf(self.shape, x) - self.cdf_lower) / (self.cdf_upper - self.cdf_lower)
    }
}

fn positive_spread(v: f64, key: &str, what: &str) -> Result<(), String> {
    if v < 0.0 {
        Err(format!(
            "`{key}` is negative ({v}): a {what} must be positive"
        ))
    } else if v == 0.0 {
        Err(format!(
            "`{key}` is 0: the value would not be uncertain (give it as a fixed value instead)"
        ))
    } else {
        Ok(())
    }
}

fn natural_support(shape: Shape) -> (f64, f64) {
    match shape {
        Shape::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
        Shape::LogNormal { .. } => (0.0, f64::INFINITY),
        Shape::Triangular { min, max, .. } | Shape::Uniform { min, max } => (min, max),
    }
}

/// Standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile: Acklam's rational approximation, refined by one
/// Halley step on the exact CDF (relative error below 1e-13 across (0, 1)).
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let low = 0.02425;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

fn cdf(shape: Shape, x: f64) -> f64 {
    match shape {
        Shape::Normal { mean, sd } => normal_cdf((x - mean) / sd),
        Shape::LogNormal { mu, sigma } => {
            if x <= 0.0 {
                0.0
            } else {
                normal_cdf((x.ln() - mu) / sigma)
            }
        }
        Shape::Triangular { min, mode, max } => {
            if x <= min {
                0.0
            } else if x >= max {
                1.0
            } else if x <= mode {
                (x - min).powi(2) / ((max - min) * (mode - min))
            } else {
                1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
            }
        }
        Shape::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
    }
}

fn inverse_cdf(shape: Shape, p: f64) -> f64 {
    match shape {
        Shape::Normal { mean, sd } => mean + sd * normal_quantile(p),
        Shape::LogNormal { mu, sigma } => (mu + sigma * normal_quantile(p)).exp(),
        Shape::Triangular { min, mode, max } => {
            let f = (mode - min) / (max - min);
            if p < f {
                min + (p * (max - min) * (mode - min)).sqrt()
            } else {
                max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
            }
        }
        Shape::Uniform { min, max } => min + p * (max - min),
    }
}

/// How a draw changes a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// value × draw (the draw is a factor: a distribution around 1).
    Scale,
    /// value + draw (e.g. a start year plus a delay).
    Add,
    /// value = draw.
    Set,
}

impl Mode {
    pub const NAMES: [&'static str; 3] = ["scale", "add", "set"];

    pub fn from_name(s: &str) -> Option<Mode> {
        match s {
            "scale" => Some(Mode::Scale),
            "add" => Some(Mode::Add),
            "set" => Some(Mode::Set),
            _ => None,
        }
    }

    /// The new value.
    pub fn apply(self, value: f64, draw: f64) -> f64 {
        match self {
            Mode::Scale => value * draw,
            Mode::Add => value + draw,
            Mode::Set => draw,
        }
    }
}

/// What values a parameter may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// ≥ 0.
    NonNegative,
    /// In [0, 1].
    Fraction,
    /// < 0 (price elasticities).
    Negative,
    /// A year (draws are rounded).
    Year,
    /// A whole number ≥ 0 (draws are rounded).
    Count,
}

impl Domain {
    /// Whether `v` is allowed (before rounding for whole numbers).
    pub fn allows(self, v: f64) -> bool {
        match self {
            Domain::NonNegative => v >= 0.0,
            Domain::Fraction => (0.0..=1.0).contains(&v),
            Domain::Negative => v < 0.0,
            // A start year may move before the run (the facility then runs
            // from the first year) or past its end (it never comes online
            // within the horizon); only absurd years are refused.
            Domain::Year => (1900.0..=2200.0).contains(&v),
            Domain::Count => v >= -0.5,
        }
    }

    /// In words, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::NonNegative => "zero or more",
            Domain::Fraction => "between 0 and 1",
            Domain::Negative => "negative",
            Domain::Year => "a year (1900–2200)",
            Domain::Count => "a whole number, 0 or more",
        }
    }
}

/// A numeric parameter an ensemble can draw: a column of a data table, a
/// run setting or a number of a scenario's levers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    MineCapacity,
    MineCost,
    MineStartYear,
    MineRampYears,
    SeparationCapacity,
    SeparationCost,
    SeparationStartYear,
    SeparationRampYears,
    MagnetCapacity,
    MagnetCost,
    MagnetStartYear,
    MagnetRampYears,
    /// The long-run elasticity; the short-run one moves in proportion.
    Elasticity,
    ElasticityShortRun,
    AdjustmentYears,
    Lifetime,
    ValueAdded,
    MagnetDemand,
    OxideDemand,
    /// Demand growth since the reference year: points after it become
    /// `1 + (index − 1)` changed by the draw.
    Growth,
    RecipeContent,
    ReferencePrice,
    TradeCost,
    RecyclingRate,
    DisposalCost,
    StockScale,
    ControlShare,
    ControlFee,
    ControlQuota,
    TariffRate,
    StockpileSize,
    StockpileTrigger,
    LinkCostFactor,
    LinkOfftakeShare,
    SubstitutionShare,
    ThriftingReduction,
}

/// Where a field lives: a data table (rows are its rows), the run settings
/// (one row), or a kind of lever (rows are those levers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    Table(&'static str),
    Run,
    Lever(&'static str),
}

impl Field {
    /// Every field with its name in scenario files (`table.column`, as in
    /// the data files, `run.key` or `lever.key`), its home and domain.
    pub const ALL: [(Field, &'static str, Domain); 36] = [
        (
            Field::MineCapacity,
            "mines.capacity_t_reo",
            Domain::NonNegative,
        ),
        (
            Field::MineCost,
            "mines.cost_usd_per_kg_reo",
            Domain::NonNegative,
        ),
        (Field::MineStartYear, "mines.start_year", Domain::Year),
        (Field::MineRampYears, "mines.ramp_years", Domain::Count),
        (
            Field::SeparationCapacity,
            "separation_plants.capacity_t_reo",
            Domain::NonNegative,
        ),
        (
            Field::SeparationCost,
            "separation_plants.cost_usd_per_kg_reo",
            Domain::NonNegative,
        ),
        (
            Field::SeparationStartYear,
            "separation_plants.start_year",
            Domain::Year,
        ),
        (
            Field::SeparationRampYears,
            "separation_plants.ramp_years",
            Domain::Count,
        ),
        (
            Field::MagnetCapacity,
            "magnet_plants.capacity_t_magnet",
            Domain::NonNegative,
        ),
        (
            Field::MagnetCost,
            "magnet_plants.cost_usd_per_kg_magnet",
            Domain::NonNegative,
        ),
        (
            Field::MagnetStartYear,
            "magnet_plants.start_year",
            Domain::Year,
        ),
        (
            Field::MagnetRampYears,
            "magnet_plants.ramp_years",
            Domain::Count,
        ),
        (Field::Elasticity, "end_uses.elasticity", Domain::Negative),
        (
            Field::ElasticityShortRun,
            "end_uses.elasticity_short_run",
            Domain::Negative,
        ),
        (
            Field::AdjustmentYears,
            "end_uses.adjustment_years",
            Domain::NonNegative,
        ),
        (
            Field::Lifetime,
            "end_uses.lifetime_years",
            Domain::NonNegative,
        ),
        (
            Field::ValueAdded,
            "end_uses.value_added_usd_per_kg",
            Domain::NonNegative,
        ),
        (
            Field::MagnetDemand,
            "magnet_demand.t_magnet",
            Domain::NonNegative,
        ),
        (
            Field::OxideDemand,
            "oxide_demand.t_reo",
            Domain::NonNegative,
        ),
        (Field::Growth, "demand_growth.growth", Domain::NonNegative),
        (
            Field::RecipeContent,
            "magnet_recipe.t_reo_per_t_magnet",
            Domain::NonNegative,
        ),
        (
            Field::ReferencePrice,
            "elements.reference_price_usd_per_kg",
            Domain::NonNegative,
        ),
        (
            Field::TradeCost,
            "trade_costs.usd_per_kg",
            Domain::NonNegative,
        ),
        (Field::RecyclingRate, "run.recycling_rate", Domain::Fraction),
        (
            Field::DisposalCost,
            "run.disposal_cost_usd_per_kg",
            Domain::NonNegative,
        ),
        (Field::StockScale, "run.stock_scale", Domain::NonNegative),
        (
            Field::ControlShare,
            "export_control.share",
            Domain::Fraction,
        ),
        (
            Field::ControlFee,
            "export_control.fee_usd_per_kg",
            Domain::NonNegative,
        ),
        (
            Field::ControlQuota,
            "export_control.quota_t",
            Domain::NonNegative,
        ),
        (Field::TariffRate, "tariff.rate", Domain::NonNegative),
        (
            Field::StockpileSize,
            "stockpile.size_t",
            Domain::NonNegative,
        ),
        (
            Field::StockpileTrigger,
            "stockpile.release_above_usd_per_kg",
            Domain::NonNegative,
        ),
        (
            Field::LinkCostFactor,
            "agreement.cost_factor",
            Domain::NonNegative,
        ),
        (
            Field::LinkOfftakeShare,
            "agreement.offtake_share",
            Domain::Fraction,
        ),
        (
            Field::SubstitutionShare,
            "substitution.share",
            Domain::Fraction,
        ),
        (
            Field::ThriftingReduction,
            "thrifting.reduction",
            Domain::Fraction,
        ),
    ];

    /// The field called `name` in scenario files.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().find(|f| f.1 == name).map(|f| f.0)
    }

    /// Its name in scenario files.
    pub fn name(self) -> &'static str {
        Field::ALL
            .iter()
            .find(|f| f.0 == self)
            .expect("every field is listed")
            .1
    }

    /// The values it may take.
    pub fn domain(self) -> Domain {
        Field::ALL
            .iter()
            .find(|f| f.0 == self)
            .expect("every field is listed")
            .2
    }

    /// Where it lives.
    pub fn home(self) -> Home {
        let name = self.name();
        let (head, _) = name.split_once('.').expect("names are table.column");
        match head {
            "run" => Home::Run,
            "export_control" | "tariff" | "stockpile" | "agreement" | "substitution"
            | "thrifting" => Home::Lever(match head {
                "export_control" => "export_control",
                "tariff" => "tariff",
                "stockpile" => "stockpile",
                "agreement" => "agreement",
                "substitution" => "substitution",
                _ => "thrifting",
            }),
            _ => Home::Table(match head {
                "mines" => "mines",
                "separation_plants" => "separation_plants",
                "magnet_plants" => "magnet_plants",
                "end_uses" => "end_uses",
                "magnet_demand" => "magnet_demand",
                "oxide_demand" => "oxide_demand",
                "demand_growth" => "demand_growth",
                "magnet_recipe" => "magnet_recipe",
                "elements" => "elements",
                _ => "trade_costs",
            }),
        }
    }

    /// The current numbers of the field in each of `rows` (indices into its
    /// table or list of levers; ignored for run settings): one number per
    /// row for a column, several for a path of values, none where a lever
    /// lacks the field (a ban has no `share`).
    pub fn values(
        self,
        ds: &Dataset,
        cfg: &RunConfig,
        pol: &Policies,
        rows: &[usize],
    ) -> Vec<Vec<f64>> {
        let (mut ds, mut cfg, mut pol) = (ds.clone(), cfg.clone(), pol.clone());
        rows.iter()
            .map(|&row| {
                let mut out = Vec::new();
                self.visit(&mut ds, &mut cfg, &mut pol, row, &mut |v| out.push(*v));
                out
            })
            .collect()
    }

    /// Changes the field in row `row` with `mode` and `draw`. Whole-number
    /// fields are rounded after the change.
    pub fn apply(
        self,
        ds: &mut Dataset,
        cfg: &mut RunConfig,
        pol: &mut Policies,
        row: usize,
        mode: Mode,
        draw: f64,
    ) {
        let whole = matches!(self.domain(), Domain::Year | Domain::Count);
        self.visit(ds, cfg, pol, row, &mut |v| {
            let x = mode.apply(*v, draw);
            *v = if whole { x.round() } else { x };
        });
    }

    /// Number of rows the field has (1 for run settings).
    pub fn rows(self, ds: &Dataset, pol: &Policies) -> usize {
        use Field::*;
        match self {
            MineCapacity | MineCost | MineStartYear | MineRampYears => ds.mines.len(),
            SeparationCapacity | SeparationCost | SeparationStartYear | SeparationRampYears => {
                ds.separation_plants.len()
            }
            MagnetCapacity | MagnetCost | MagnetStartYear | MagnetRampYears => {
                ds.magnet_plants.len()
            }
            Elasticity | ElasticityShortRun | AdjustmentYears | Lifetime | ValueAdded => {
                ds.end_uses.len()
            }
            MagnetDemand => ds.magnet_demand.len(),
            OxideDemand => ds.oxide_demand.len(),
            Growth => ds.growth_paths.len() * ds.end_uses.len(),
            RecipeContent => ds.recipe.len(),
            ReferencePrice => ds.elements.len(),
            TradeCost => ds.trade_costs.len(),
            RecyclingRate | DisposalCost | StockScale => 1,
            ControlShare | ControlFee | ControlQuota => pol.export_controls.len(),
            TariffRate => pol.tariffs.len(),
            StockpileSize | StockpileTrigger => pol.stockpiles.len(),
            LinkCostFactor | LinkOfftakeShare => pol.links.len(),
            SubstitutionShare => pol.substitution.len(),
            ThriftingReduction => pol.thrifting.len(),
        }
    }

    /// Calls `f` on every number the field holds in row `row` (several for
    /// a path of values or a growth path; none where a lever lacks it).
    fn visit(
        self,
        ds: &mut Dataset,
        cfg: &mut RunConfig,
        pol: &mut Policies,
        row: usize,
        f: &mut dyn FnMut(&mut f64),
    ) {
        use crate::policy::ControlKind;
        use Field::*;
        let year = |f: &mut dyn FnMut(&mut f64), y: &mut Year| {
            let mut v = *y as f64;
            f(&mut v);
            *y = v as Year;
        };
        let count = |f: &mut dyn FnMut(&mut f64), c: &mut u32| {
            let mut v = *c as f64;
            f(&mut v);
            *c = v.max(0.0) as u32;
        };
        match self {
            MineCapacity => {
                if let Some(m) = ds.mines.get_mut(row) {
                    f(&mut m.capacity.nameplate)
                }
            }
            MineCost => {
                if let Some(m) = ds.mines.get_mut(row) {
                    f(&mut m.cost.0)
                }
            }
            MineStartYear => {
                if let Some(m) = ds.mines.get_mut(row) {
                    year(f, &mut m.capacity.start_year)
                }
            }
            MineRampYears => {
                if let Some(m) = ds.mines.get_mut(row) {
                    count(f, &mut m.capacity.ramp_years)
                }
            }
            SeparationCapacity => {
                if let Some(p) = ds.separation_plants.get_mut(row) {
                    f(&mut p.capacity.nameplate)
                }
            }
            SeparationCost => {
                if let Some(p) = ds.separation_plants.get_mut(row) {
                    f(&mut p.cost.0)
                }
            }
            SeparationStartYear => {
                if let Some(p) = ds.separation_plants.get_mut(row) {
                    year(f, &mut p.capacity.start_year)
                }
            }
            SeparationRampYears => {
                if let Some(p) = ds.separation_plants.get_mut(row) {
                    count(f, &mut p.capacity.ramp_years)
                }
            }
            MagnetCapacity => {
                if let Some(p) = ds.magnet_plants.get_mut(row) {
                    f(&mut p.capacity.nameplate)
                }
            }
            MagnetCost => {
                if let Some(p) = ds.magnet_plants.get_mut(row) {
                    f(&mut p.cost.0)
                }
            }
            MagnetStartYear => {
                if let Some(p) = ds.magnet_plants.get_mut(row) {
                    year(f, &mut p.capacity.start_year)
                }
            }
            MagnetRampYears => {
                if let Some(p) = ds.magnet_plants.get_mut(row) {
                    count(f, &mut p.capacity.ramp_years)
                }
            }
            Elasticity => {
                if let Some(u) = ds.end_uses.get_mut(row) {
                    let old = u.elasticity;
                    f(&mut u.elasticity);
                    if old != 0.0 {
                        u.elasticity_short_run *= u.elasticity / old;
                    }
                }
            }
            ElasticityShortRun => {
                if let Some(u) = ds.end_uses.get_mut(row) {
                    f(&mut u.elasticity_short_run)
                }
            }
            AdjustmentYears => {
                if let Some(u) = ds.end_uses.get_mut(row) {
                    f(&mut u.adjustment_years)
                }
            }
            Lifetime => {
                if let Some(u) = ds.end_uses.get_mut(row) {
                    f(&mut u.lifetime_years)
                }
            }
            ValueAdded => {
                if let Some(u) = ds.end_uses.get_mut(row) {
                    f(&mut u.value_added.0)
                }
            }
            MagnetDemand => {
                if let Some(d) = ds.magnet_demand.get_mut(row) {
                    f(&mut d.quantity.0)
                }
            }
            OxideDemand => {
                if let Some(d) = ds.oxide_demand.get_mut(row) {
                    f(&mut d.quantity.0)
                }
            }
            Growth => {
                let n = ds.end_uses.len().max(1);
                let (path, end_use) = (row / n, row % n);
                if let Some(points) = ds
                    .growth_paths
                    .get_mut(path)
                    .and_then(|p| p.points.get_mut(end_use))
                {
                    for (y, index) in points.iter_mut() {
                        if *y > ds.reference_year {
                            let mut growth = *index - 1.0;
                            f(&mut growth);
                            *index = 1.0 + growth;
                        }
                    }
                }
            }
            RecipeContent => {
                if let Some(r) = ds.recipe.get_mut(row) {
                    f(&mut r.t_reo_per_t_magnet)
                }
            }
            ReferencePrice => {
                if let Some(p) = ds
                    .elements
                    .get_mut(row)
                    .and_then(|e| e.reference_price.as_mut())
                {
                    f(&mut p.0)
                }
            }
            TradeCost => {
                if let Some(t) = ds.trade_costs.get_mut(row) {
                    f(&mut t.cost.0)
                }
            }
            RecyclingRate => {
                f(&mut cfg.recycling_rate);
                if let Some(p) = pol.recycling.as_mut() {
                    for (_, v) in &mut p.0 {
                        f(v)
                    }
                }
            }
            DisposalCost => f(&mut cfg.disposal_cost),
            StockScale => f(&mut cfg.stock_scale),
            ControlShare => {
                if let Some(ExportControl {
                    kind: ControlKind::Licence { share: Some(s), .. },
                    ..
                }) = pol.export_controls.get_mut(row)
                {
                    f(s)
                }
            }
            ControlFee => {
                if let Some(ExportControl {
                    kind: ControlKind::Licence { fee_usd_per_kg, .. },
                    ..
                }) = pol.export_controls.get_mut(row)
                {
                    f(fee_usd_per_kg)
                }
            }
            ControlQuota => {
                if let Some(ExportControl {
                    kind: ControlKind::Quota { tonnes },
                    ..
                }) = pol.export_controls.get_mut(row)
                {
                    f(tonnes)
                }
            }
            TariffRate => {
                if let Some(t) = pol.tariffs.get_mut(row) {
                    f(&mut t.rate)
                }
            }
            StockpileSize => {
                if let Some(s) = pol.stockpiles.get_mut(row) {
                    f(&mut s.size_t)
                }
            }
            StockpileTrigger => {
                if let Some(s) = pol.stockpiles.get_mut(row) {
                    f(&mut s.release_above_usd_per_kg)
                }
            }
            LinkCostFactor => {
                if let Some(l) = pol.links.get_mut(row) {
                    f(&mut l.cost_factor)
                }
            }
            LinkOfftakeShare => {
                if let Some(s) = pol
                    .links
                    .get_mut(row)
                    .and_then(|l| l.offtake_share.as_mut())
                {
                    f(s)
                }
            }
            SubstitutionShare => {
                if let Some((_, p)) = pol.substitution.get_mut(row) {
                    for (_, v) in &mut p.0 {
                        f(v)
                    }
                }
            }
            ThriftingReduction => {
                if let Some((_, p)) = pol.thrifting.get_mut(row) {
                    for (_, v) in &mut p.0 {
                        f(v)
                    }
                }
            }
        }
    }
}

/// One uncertain parameter: a field in some rows, changed by a draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Name in outputs (the scenario's `name`, or the field and selection).
    pub label: String,
    pub field: Field,
    /// Rows of the field's table or levers that the draw changes.
    pub rows: Vec<usize>,
    pub mode: Mode,
    pub distribution: Distribution,
    /// One draw per row (independent) instead of one for all rows.
    pub per_row: bool,
}

/// Risk for projects of one status that have not started by the first year.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusRisk {
    pub status: Status,
    /// Probability that the project comes online at all.
    pub online_probability: f64,
    /// Years of delay if it does (rounded to whole years, ≥ 0).
    pub delay_years: Option<Distribution>,
}

/// A disruption that starts in a year with some probability, lasts a few
/// years and switches levers on while it lasts.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub label: String,
    /// Probability that it starts in a year when it is not in force.
    pub probability: f64,
    /// Whole years it lasts, drawn uniformly from `min..=max`.
    pub min_years: u32,
    pub max_years: u32,
    /// Years in which it may start.
    pub from: Year,
    pub to: Year,
    /// Export controls in force while it lasts (`years` empty here).
    pub controls: Vec<ExportControl>,
    /// Outages while it lasts (`years` empty here).
    pub outages: Vec<Outage>,
    pub source: Option<String>,
}

/// Everything uncertain in a scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Uncertainty {
    pub parameters: Vec<Parameter>,
    pub projects: Vec<StatusRisk>,
    pub events: Vec<Event>,
}

impl Uncertainty {
    /// Whether anything is uncertain.
    pub fn is_empty(&self) -> bool {
        self.parameters.is_empty() && self.projects.is_empty() && self.events.is_empty()
    }

    /// The facilities (stage, index) that project risk applies to: status
    /// covered by a [`StatusRisk`] and start after `first_year`.
    pub fn risky_projects(&self, ds: &Dataset, first_year: Year) -> Vec<(Stage, usize, usize)> {
        let mut out = Vec::new();
        let mut add = |stage: Stage, k: usize, status: Status, start: Year| {
            if let Some(r) = self.projects.iter().position(|r| r.status == status) {
                if start > first_year {
                    out.push((stage, k, r));
                }
            }
        };
        for (k, m) in ds.mines.iter().enumerate() {
            add(Stage::Mining, k, m.status, m.capacity.start_year);
        }
        for (k, p) in ds.separation_plants.iter().enumerate() {
            add(Stage::Separation, k, p.status, p.capacity.start_year);
        }
        for (k, p) in ds.magnet_plants.iter().enumerate() {
            add(Stage::Magnet, k, p.status, p.capacity.start_year);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        for &p in &[
            1e-12,
            1e-6,
            0.001,
            0.02425,
            0.05,
            0.3,
            0.5,
            0.7,
            0.95,
            0.999,
            1.0 - 1e-9,
        ] {
            let z = normal_quantile(p);
            assert!(
                (normal_cdf(z) - p).abs() < 1e-13 * p.max(1e-3),
                "p {p} z {z}"
            );
        }
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((normal_quantile(0.05) + 1.644_853_626_951_472_2).abs() < 1e-12);
    }

    #[test]
    fn quantiles_of_each_shape() {
        let d = |s, lo, hi| Distribution::new(s, lo, hi).unwrap();
        let n = d(
            Shape::Normal {
                mean: 10.0,
                sd: 2.0,
            },
            None,
            None,
        );
        assert!((n.quantile(0.5) - 10.0).abs() < 1e-12);
        assert!((n.quantile(0.95) - (10.0 + 2.0 * 1.644_853_626_951_472_2)).abs() < 1e-10);
        let ln = d(
            Shape::LogNormal {
                mu: 0.0,
                sigma: 0.5,
            },
            None,
            None,
        );
        assert!((ln.quantile(0.5) - 1.0).abs() < 1e-12);
        let t = d(
            Shape::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 4.0,
            },
            None,
            None,
        );
        // F(1) = 1/4: the mode's cumulative probability is (mode − min)/(max − min).
        assert!((t.quantile(0.25) - 1.0).abs() < 1e-12);
        assert!((t.cdf(t.quantile(0.8)) - 0.8).abs() < 1e-12);
        let u = d(Shape::Uniform { min: 2.0, max: 6.0 }, None, None);
        assert!((u.quantile(0.25) - 3.0).abs() < 1e-12);
        // Truncation: a standard normal cut at 0 is the half-normal.
        let h = d(Shape::Normal { mean: 0.0, sd: 1.0 }, Some(0.0), None);
        assert!((h.quantile(0.5) - normal_quantile(0.75)).abs() < 1e-12);
        assert_eq!(h.support(), (0.0, f64::INFINITY));
        assert!(h.quantile(1e-9) >= 0.0);
    }

    #[test]
    fn bad_parameters_are_refused_in_words() {
        let e = |s, lo, hi| Distribution::new(s, lo, hi).unwrap_err();
        assert!(e(
            Shape::Normal {
                mean: 1.0,
                sd: -0.1
            },
            None,
            None
        )
        .contains("negative"));
        assert!(
            e(Shape::Normal { mean: 1.0, sd: 0.0 }, None, None).contains("would not be uncertain")
        );
        assert!(e(Shape::Uniform { min: 2.0, max: 1.0 }, None, None).contains("less than `max`"));
        assert!(e(
            Shape::Triangular {
                min: 0.0,
                mode: 5.0,
                max: 1.0
            },
            None,
            None
        )
        .contains("between"));
        assert!(e(Shape::Normal { mean: 0.0, sd: 1.0 }, Some(2.0), Some(1.0)).contains("no room"));
        assert!(e(Shape::Normal { mean: 0.0, sd: 1.0 }, Some(40.0), None).contains("probability"));
        assert!(Distribution::lognormal_from_mean_sd(-1.0, 1.0).is_err());
        let s = Distribution::lognormal_from_mean_sd(2.0, 0.5).unwrap();
        let Shape::LogNormal { mu, sigma } = s else {
            unreachable!()
        };
        // Mean of a log-normal: exp(mu + sigma²/2).
        assert!(((mu + sigma * sigma / 2.0).exp() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn every_field_has_a_unique_name_and_a_home() {
        let mut names: Vec<&str> = Field::ALL.iter().map(|f| f.1).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Field::ALL.len());
        for (f, name, _) in Field::ALL {
            assert_eq!(Field::from_name(name), Some(f));
            let _ = f.home();
        }
    }
}
