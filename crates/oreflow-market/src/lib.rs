//! The yearly market equilibrium (MODEL.md §2): one linear program that
//! maximises welfare — the area under the demand curves minus mining,
//! separation, magnet-making, transport and disposal costs — over
//! concentrate flows indexed by mine group (mines of one region and
//! composition ship on one arc per plant, so element content stays linear under
//! joint production), oxide and magnet trade, demand steps and disposal.
//! Prices are the duals of the element and magnet balance rows.
//!
//! Architecture invariant: this crate knows the supply chain but not files,
//! scenarios or the time loop. It takes a [`Network`] (what exists and where)
//! and a [`YearData`] (this year's numbers) and returns a [`YearSolution`]; it
//! does no IO. Units: quantities in tonnes (t REO or t magnet), money in
//! USD/kg, so the objective is in thousands of USD and duals are USD/kg.

mod build;
mod curve;
mod solution;

pub use build::{solve_year, MarketError, MarketSession};
pub use curve::{centred_steps, constant_elasticity_steps, steps_for, CurveParams, Shape, Step};
pub use solution::Flow;
pub use solution::{BalanceViolation, YearSolution};

use oreflow_core::{Element, RegionId, N_ELEMENTS};

/// A mine as the market sees it.
#[derive(Clone, Debug)]
pub struct MineSpec {
    pub name: String,
    pub region: RegionId,
    /// Share of each element in the mine's REO (sums to 1).
    pub composition: [f64; N_ELEMENTS],
}

/// A plant (separation or magnet) as the market sees it.
#[derive(Clone, Debug)]
pub struct PlantSpec {
    pub name: String,
    pub region: RegionId,
    /// Separation plants without a heavy circuit: the region that receives
    /// their mixed heavy by-product (Sm–Lu, Y) and separates it.
    pub heavy_to: Option<RegionId>,
}

/// What a demand curve buys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Good {
    /// Magnets (t magnet).
    Magnet,
    /// One separated oxide (t REO).
    Oxide(Element),
}

/// A demand curve's identity: who buys what for which end use.
#[derive(Clone, Debug)]
pub struct CurveSpec {
    pub region: RegionId,
    /// Index of the end use (in the caller's list).
    pub end_use: usize,
    pub good: Good,
    /// Label for LP rows and columns (`JP ev_motors magnet`).
    pub label: String,
}

/// The structure of the market: regions, facilities, curves and the cost of
/// moving goods between regions. Fixed over a run; a year only changes numbers.
#[derive(Clone, Debug)]
pub struct Network {
    /// Region codes, indexed by [`RegionId`].
    pub regions: Vec<String>,
    pub mines: Vec<MineSpec>,
    pub separation_plants: Vec<PlantSpec>,
    pub magnet_plants: Vec<PlantSpec>,
    /// t REO of each element per t magnet.
    pub recipe: [f64; N_ELEMENTS],
    pub curves: Vec<CurveSpec>,
    /// Shipping cost of concentrate, `[from][to]`, USD/kg REO.
    pub concentrate_cost: Vec<Vec<f64>>,
    /// Shipping cost of oxide, `[from][to]`, USD/kg.
    pub oxide_cost: Vec<Vec<f64>>,
    /// Shipping cost of magnets, `[from][to]`, USD/kg magnet.
    pub magnet_cost: Vec<Vec<f64>>,
    /// Groups of trade flows whose total can be capped (export quotas, licences).
    pub caps: Vec<CapGroup>,
    /// Regions and elements with a strategic stockpile (release-only stocks).
    pub strategic: Vec<(RegionId, Element)>,
    /// Guaranteed offtakes: at least `share` of `from`'s mine output goes to
    /// separation plants in `to` (as concentrate) in the years it is active.
    pub offtakes: Vec<Offtake>,
    /// Caps on the total output of groups of mines (production quotas).
    pub production_caps: Vec<ProductionCap>,
    /// Routing tie-break: each shipping arc's cost is multiplied by
    /// `1 + tie_break × u`, with `u` in [0, 1) a fixed pseudo-random number
    /// of the arc. Arcs of equal cost otherwise make the optimal routing
    /// arbitrary (any split between equally cheap origins is optimal), which
    /// costs the simplex hundreds of degenerate pivots a year and makes the
    /// reported routes depend on the solver's path. 0 = no tie-break.
    pub tie_break: f64,
    /// Degeneracy break on costs: every column's cost is multiplied by
    /// `1 + cost_break × u`, with `u` in [0, 1) a fixed pseudo-random
    /// number of the column, so that no two ways of meeting demand cost
    /// exactly the same and the optimal quantities are unique. 0 = none.
    pub cost_break: f64,
    /// Degeneracy break on bounds: every finite positive upper bound of a
    /// column or row (above its lower bound) is multiplied by
    /// `1 − bound_break × u`, so that no capacity, quota or stock coincides
    /// exactly with the edge of a demand step and the prices (duals) are
    /// unique. It only tightens: no capacity, quota or demand is exceeded
    /// because of it. Lower bounds and fixed values are kept. 0 = none.
    pub bound_break: f64,
}

/// The tie-break used by default ([`Network::tie_break`]): at most 1 % of a
/// shipping cost (0.003 USD/kg on the 0.30 USD/kg default oxide freight, far
/// inside the uncertainty of the freight estimates). Measured on the
/// 2024–2040 baseline: warm-started simplex iterations fall by about half
/// against no tie-break.
pub const DEFAULT_TIE_BREAK: f64 = 1e-2;

/// The degeneracy breaks used by default ([`Network::cost_break`],
/// [`Network::bound_break`]): 1e-4 of each cost and each upper bound
/// (0.08 USD/kg on an 800 USD/kg price, 27 t on 270,000 t of capacity; far
/// inside the data's precision), large enough against HiGHS' tolerances
/// (1e-7) that the solver sees them. Why and what they do: docs/model.md,
/// "Unique prices"; measured in docs/benchmarks.md.
pub const DEFAULT_DEGENERACY_BREAK: f64 = 1e-4;

/// A guaranteed offtake of one region's concentrate by another region.
#[derive(Clone, Debug, PartialEq)]
pub struct Offtake {
    pub from: RegionId,
    pub to: RegionId,
    pub share: f64,
}

/// A group of mines whose total output can be capped (a production quota:
/// China's mining quota covers its licensed mines, not unreported output).
#[derive(Clone, Debug, PartialEq)]
pub struct ProductionCap {
    /// Label for the LP row and reports.
    pub label: String,
    /// Indices of the mines covered.
    pub mines: Vec<usize>,
}

/// A group of trade flows from one origin whose yearly total can be capped.
#[derive(Clone, Debug, PartialEq)]
pub struct CapGroup {
    /// Label for the LP row and reports.
    pub label: String,
    pub commodity: oreflow_core::Commodity,
    /// Elements covered (oxide flows of these elements; concentrate and
    /// magnets that contain any of them). Empty = all.
    pub elements: Vec<Element>,
    pub from: RegionId,
    pub to: Vec<RegionId>,
}

/// Policy terms on one trade arc in one year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ArcTerm {
    /// The arc carries nothing (an export ban or embargo).
    pub closed: bool,
    /// Added cost, USD/kg (tariffs, licence fees); negative for a preference.
    pub extra_cost: f64,
}

/// Policy terms on trade for one year, indexed `[from][to]` (and by element
/// for oxides). Empty vectors mean no terms at all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TradeTerms {
    pub concentrate: Vec<Vec<ArcTerm>>,
    pub oxide: Vec<Vec<[ArcTerm; N_ELEMENTS]>>,
    pub magnet: Vec<Vec<ArcTerm>>,
}

impl TradeTerms {
    /// Empty terms sized for `n` regions, ready to be filled.
    pub fn new(n: usize) -> Self {
        TradeTerms {
            concentrate: vec![vec![ArcTerm::default(); n]; n],
            oxide: vec![vec![[ArcTerm::default(); N_ELEMENTS]; n]; n],
            magnet: vec![vec![ArcTerm::default(); n]; n],
        }
    }
    pub(crate) fn conc(&self, i: usize, j: usize) -> ArcTerm {
        self.concentrate
            .get(i)
            .and_then(|r| r.get(j))
            .copied()
            .unwrap_or_default()
    }
    pub(crate) fn ox(&self, e: Element, i: usize, j: usize) -> ArcTerm {
        self.oxide
            .get(i)
            .and_then(|r| r.get(j))
            .map(|a| a[e.index()])
            .unwrap_or_default()
    }
    pub(crate) fn mag(&self, i: usize, j: usize) -> ArcTerm {
        self.magnet
            .get(i)
            .and_then(|r| r.get(j))
            .copied()
            .unwrap_or_default()
    }
}

/// One year's numbers for a [`Network`].
#[derive(Clone, Debug)]
pub struct YearData {
    pub year: oreflow_core::Year,
    /// t REO per year, per mine.
    pub mine_capacity: Vec<f64>,
    /// USD/kg REO, per mine.
    pub mine_cost: Vec<f64>,
    /// t REO feed per year, per separation plant.
    pub separation_capacity: Vec<f64>,
    /// USD/kg REO feed, per separation plant.
    pub separation_cost: Vec<f64>,
    /// t magnet per year, per magnet plant.
    pub magnet_capacity: Vec<f64>,
    /// USD/kg magnet (conversion only), per magnet plant.
    pub magnet_cost: Vec<f64>,
    /// Demand steps per curve (same order as [`Network::curves`]).
    pub steps: Vec<Vec<Step>>,
    /// Baseline demand per curve at the reference price (for shortfall).
    pub baseline_demand: Vec<f64>,
    /// Recycled oxide available per region and element (t REO).
    pub recycled: Vec<[f64; N_ELEMENTS]>,
    /// Cost of disposing of a surplus element, USD/kg.
    pub disposal_cost: f64,
    /// Commercial stocks per region and element (see [`StockHolding`]); empty = none.
    pub stocks: Vec<[Option<StockHolding>; N_ELEMENTS]>,
    /// Commercial stocks of magnets per region (t magnet); empty = none.
    pub magnet_stocks: Vec<Option<StockHolding>>,
    /// Per region and element, a use no listed end use explains (the
    /// calibration's unattributed residual: stocked, or used in ways the
    /// data do not list), t REO: absorbed before any end use at the
    /// region's price, whatever the price (it does not respond to prices).
    /// Empty = none.
    pub unattributed_use: Vec<[f64; N_ELEMENTS]>,
    /// Per region and element, a fixed supply no listed source explains
    /// (a negative residual), t REO. Empty = none.
    pub unattributed_supply: Vec<[f64; N_ELEMENTS]>,
    /// Cap on each [`Network::production_caps`] group this year, t REO
    /// (infinite = no cap).
    pub production_caps: Vec<f64>,
    /// Per cap group: tonnes a year that can bypass the cap (smuggling,
    /// unrecorded exports) and the extra cost of doing so, USD/kg. Empty = none.
    pub cap_leaks: Vec<(f64, f64)>,
    /// Strategic stockpiles, in the order of [`Network::strategic`]: stock
    /// held and the price at or above which it is released.
    pub strategic: Vec<StockRule>,
    /// t REO of each element per t magnet this year (thrifting changes it).
    pub recipe: [f64; N_ELEMENTS],
    /// Policy terms on trade arcs.
    pub trade: TradeTerms,
    /// Cap on each [`Network::caps`] group this year, t (infinite = no cap).
    pub caps: Vec<f64>,
    /// Whether each [`Network::offtakes`] agreement binds this year.
    pub offtakes: Vec<bool>,
}

/// Commercial stocks of one element in one region this year: the stock
/// held at the start of the year is supplied to the market, and
/// stockholders' demand for the stock they hold at the end of the year is a
/// stepped curve (`steps`, with the same step values as the region's demand
/// for the element, whose step columns it shares): they hold more when the
/// price is low against what they expect, less when it is high.
#[derive(Clone, Debug, PartialEq)]
pub struct StockHolding {
    /// Stock held at the start of the year, t REO.
    pub opening: f64,
    /// Demand for closing stock, t REO, highest value first.
    pub steps: Vec<Step>,
}

/// A release-only stock (a strategic stockpile): up to `opening` t are sold
/// at or above `sell_above`; `room` and `buy_below` allow buying into it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StockRule {
    /// Stock held at the start of the year, t REO.
    pub opening: f64,
    /// Space left in stock, t REO.
    pub room: f64,
    /// USD/kg at or below which stock is bought.
    pub buy_below: f64,
    /// USD/kg at or above which stock is sold.
    pub sell_above: f64,
}
