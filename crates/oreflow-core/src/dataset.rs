//! The validated dataset: everything the model needs, with provenance.

use crate::{Commodity, Element, TonnesMagnet, TonnesReo, UsdPerKg, Year, N_ELEMENTS};

/// Index of a region in [`Dataset::regions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct RegionId(pub u16);

impl RegionId {
    /// Position in [`Dataset::regions`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How a figure was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    /// Read in the cited source.
    Reported,
    /// Arithmetic on cited figures (the note says which).
    Derived,
    /// A judgement; the note gives the basis.
    Estimate,
    /// A plan from news or company statements, not operating.
    Announced,
}

impl Quality {
    /// Parses the lower-case name used in data files.
    pub fn parse(s: &str) -> Option<Quality> {
        match s.trim() {
            "reported" => Some(Quality::Reported),
            "derived" => Some(Quality::Derived),
            "estimate" => Some(Quality::Estimate),
            "announced" => Some(Quality::Announced),
            _ => None,
        }
    }

    /// The names accepted by [`Quality::parse`].
    pub const NAMES: [&'static str; 4] = ["reported", "derived", "estimate", "announced"];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Reported => "reported",
            Quality::Derived => "derived",
            Quality::Estimate => "estimate",
            Quality::Announced => "announced",
        }
    }
}

/// Where a data row came from: its file and line, its sources and quality.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Provenance {
    /// File name the row was read from (e.g. `mines.csv`).
    pub file: String,
    /// 1-based line number in that file.
    pub line: u64,
    /// Source ids (see [`Dataset::sources`]).
    pub sources: Vec<String>,
    /// How the figure was obtained.
    pub quality: Quality,
    /// Free-text note (basis of an estimate, arithmetic of a derivation).
    pub note: String,
}

/// A publication cited by data rows.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Source {
    /// Short id used in the `source` column of data files.
    pub id: String,
    /// Title and publisher.
    pub publication: String,
    /// Table, page or section, if any.
    pub table: String,
    /// Publication year.
    pub year: Option<Year>,
    /// Where it can be read.
    pub url: String,
    /// Free text (e.g. "seen via" copy).
    pub note: String,
}

/// A country or bloc.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Region {
    /// Short code used in files (`CN`, `TR`, `EU`, …).
    pub code: String,
    /// Display name (`China`, `Türkiye`, …).
    pub name: String,
    /// Other accepted names (`Turkey`, `Burma`, …).
    pub aliases: Vec<String>,
    /// Where the row came from.
    pub provenance: Provenance,
}

/// Reference information about one element's oxide.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ElementInfo {
    /// The element.
    pub element: Element,
    /// Oxide formula (`Nd2O3`).
    pub oxide: String,
    /// Reference-year price of the oxide, if there is a market quote.
    /// Elements without one are unpriced by-products (disposed).
    pub reference_price: Option<UsdPerKg>,
    /// Where the row came from.
    pub provenance: Provenance,
}

/// An ore type with its element composition.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OreType {
    /// Id used in `mines.csv`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Share of each element in the REO of the concentrate (sums to 1).
    pub composition: [f64; N_ELEMENTS],
    /// Where the row came from.
    pub provenance: Provenance,
}

/// Life-cycle status of a facility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Operating,
    Construction,
    Feasibility,
    Announced,
    Pilot,
    Closed,
    /// Built but not producing (mothballed, care and maintenance): restarts
    /// when prices pay, after a lead time (`supply_response.csv`).
    Idle,
}

impl Status {
    /// The names accepted in data files.
    pub const NAMES: [&'static str; 7] = [
        "operating",
        "construction",
        "feasibility",
        "announced",
        "pilot",
        "closed",
        "idle",
    ];

    /// Parses a lower-case status name.
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s.trim() {
            "operating" => Status::Operating,
            "construction" => Status::Construction,
            "feasibility" => Status::Feasibility,
            "announced" => Status::Announced,
            "pilot" => Status::Pilot,
            "closed" => Status::Closed,
            "idle" => Status::Idle,
            _ => return None,
        })
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        Status::NAMES[self as usize]
    }
}

/// A capacity path: nameplate reached linearly over `ramp_years` from `start_year`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct CapacityPath {
    /// Full capacity per year (t REO, or t magnet for magnet plants).
    pub nameplate: f64,
    /// First year with output.
    pub start_year: Year,
    /// Years to reach full capacity (0: full from the start year).
    pub ramp_years: u32,
    /// Last year with output, if the facility closes.
    pub end_year: Option<Year>,
}

impl CapacityPath {
    /// Capacity available in `year`: zero before start and after end; in the
    /// ramp, `nameplate × (year − start + 1) / (ramp_years + 1)`.
    pub fn at(&self, year: Year) -> f64 {
        if year < self.start_year || self.end_year.is_some_and(|e| year > e) {
            return 0.0;
        }
        let done = (year - self.start_year + 1) as f64;
        let fraction = (done / (self.ramp_years as f64 + 1.0)).min(1.0);
        self.nameplate * fraction
    }
}

/// A mine or mining region producing concentrate.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Mine {
    pub id: String,
    pub name: String,
    pub region: RegionId,
    /// Index into [`Dataset::ore_types`].
    pub ore_type: usize,
    pub status: Status,
    /// Capacity in t REO per year.
    pub capacity: CapacityPath,
    /// Ore throughput (t ore per year), when the capacity is stated in ore.
    pub ore_capacity_t: Option<f64>,
    /// Recovered REO per t ore, when the capacity is stated in ore.
    pub recovered_grade: Option<f64>,
    /// Cash cost of mining and beneficiation, USD per kg REO in concentrate.
    pub cost: UsdPerKg,
    /// Output outside official statistics and quotas (China's unreported
    /// mining around 2010): not covered by a production quota.
    pub unreported: bool,
    pub provenance: Provenance,
}

/// A separation (refining) plant turning concentrate into separated oxides.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SeparationPlant {
    pub id: String,
    pub name: String,
    pub region: RegionId,
    pub status: Status,
    /// Feed capacity in t REO per year.
    pub capacity: CapacityPath,
    /// Separation cost, USD per kg REO of feed.
    pub cost: UsdPerKg,
    /// For a plant without a heavy-rare-earth circuit: the region where its
    /// mixed heavy by-product (Sm to Lu, and Y) is separated. `None`: the
    /// plant separates every element.
    pub heavy_to: Option<RegionId>,
    pub provenance: Provenance,
}

/// An NdFeB magnet plant (metal, alloy and magnet making).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MagnetPlant {
    pub id: String,
    pub name: String,
    pub region: RegionId,
    pub status: Status,
    /// Output capacity in t magnet per year.
    pub capacity: CapacityPath,
    /// Conversion cost, USD per kg magnet, excluding the oxide content.
    pub cost: UsdPerKg,
    pub provenance: Provenance,
}

/// Whether an end use consumes magnets or oxides directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndUseKind {
    Magnet,
    Oxide,
}

/// An end use of rare earths.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EndUse {
    pub id: String,
    pub name: String,
    pub kind: EndUseKind,
    /// Long-run own-price elasticity of demand (negative): the response once
    /// substitution and thrifting have worked through.
    pub elasticity: f64,
    /// Short-run elasticity (negative, at most as large as the long-run one
    /// in size): the response within the year of a price change.
    pub elasticity_short_run: f64,
    /// Time constant of the move from the short-run to the long-run
    /// response, years (0: the long run is reached at once).
    pub adjustment_years: f64,
    /// Speed at which substitution is undone when prices fall, as a share of
    /// the speed at which it happens (0: never undone, 1: symmetric).
    pub reversibility: f64,
    /// Mean product lifetime in years.
    pub lifetime_years: f64,
    /// Downstream output lost per kg not supplied (USD per kg of oxide, or of magnet).
    pub value_added: UsdPerKg,
    pub provenance: Provenance,
}

/// Reference-year magnet consumption of one region and magnet end use.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MagnetDemand {
    pub region: RegionId,
    /// Index into [`Dataset::end_uses`] (a magnet end use).
    pub end_use: usize,
    pub quantity: TonnesMagnet,
    pub provenance: Provenance,
}

/// Reference-year direct use of one element by one region and oxide end use.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OxideDemand {
    pub region: RegionId,
    /// Index into [`Dataset::end_uses`] (an oxide end use).
    pub end_use: usize,
    pub element: Element,
    pub quantity: TonnesReo,
    pub provenance: Provenance,
}

/// A demand growth path: an index (reference year = 1) per end use over time.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GrowthPath {
    /// Path name (`steps`, `aps`, `nze`, …).
    pub name: String,
    /// Per end use (index into [`Dataset::end_uses`]): points (year, index), sorted by year.
    pub points: Vec<Vec<(Year, f64)>>,
}

impl GrowthPath {
    /// Demand index of `end_use` in `year`, linearly interpolated and held
    /// flat outside the given years; 1.0 if the path has no points for it.
    pub fn index(&self, end_use: usize, year: Year) -> f64 {
        let pts = match self.points.get(end_use) {
            Some(p) if !p.is_empty() => p,
            _ => return 1.0,
        };
        if year <= pts[0].0 {
            return pts[0].1;
        }
        for w in pts.windows(2) {
            let ((y0, v0), (y1, v1)) = (w[0], w[1]);
            if year <= y1 {
                let t = (year - y0) as f64 / (y1 - y0) as f64;
                return v0 + t * (v1 - v0);
            }
        }
        pts[pts.len() - 1].1
    }
}

/// Cost of shipping one kg of a commodity between two regions.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TradeCost {
    pub commodity: Commodity,
    /// `None` = any origin.
    pub from: Option<RegionId>,
    /// `None` = any destination.
    pub to: Option<RegionId>,
    pub cost: UsdPerKg,
    pub provenance: Provenance,
}

/// Average content of one tonne of NdFeB magnet in t REO per element.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RecipeRow {
    pub element: Element,
    pub t_reo_per_t_magnet: f64,
    /// Elasticity of the content with respect to the element's price
    /// (≤ 0; 0: fixed content): thrifting when it is dear.
    pub thrifting_elasticity: f64,
    /// Lowest content reachable by thrifting, as a share of the reference.
    pub min_share: f64,
    /// Time constant of thrifting, years.
    pub adjustment_years: f64,
    /// Speed at which thrifting is undone when prices fall, as a share of
    /// its forward speed (0: never).
    pub reversibility: f64,
    pub provenance: Provenance,
}

/// What a row of `stocks.csv` covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StockItem {
    /// Every element used in the region (`*`).
    AllElements,
    /// One element's oxide.
    Element(Element),
    /// NdFeB magnets (`magnet`), in years of the region's magnet use.
    Magnets,
}

/// Commercial stocks held in a region (`stocks.csv`), in years of the
/// region's reference-year use of each element (or of magnets) covered.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StockRow {
    pub region: RegionId,
    pub item: StockItem,
    /// Stock held at normal prices, years of use.
    pub normal_years: f64,
    /// Stock at the start of the reference year, years of use.
    pub opening_years: f64,
    /// Most that can be held, years of use.
    pub max_years: f64,
    /// Elasticity of the stock held with respect to the price against its
    /// normal level (negative).
    pub elasticity: f64,
    /// Extra stock wanted in the year an export control on the element
    /// toward the region starts (precautionary buying), years of use.
    pub precaution_years: f64,
    pub provenance: Provenance,
}

/// A production quota of a region in one year (`production_quotas.csv`):
/// the region's reported mine output may not exceed it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ProductionQuota {
    pub region: RegionId,
    pub year: Year,
    pub tonnes: TonnesReo,
    pub provenance: Provenance,
}

/// How facilities of one status respond to sustained rents
/// (`supply_response.csv`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SupplyResponse {
    pub status: Status,
    /// Years from the decision (rents sustained) to first output.
    pub lead_years: u32,
    /// Rent, as a share of the facility's unit cost, that counts as paying.
    pub hurdle: f64,
    /// Most years a start may slip while the facility does not pay.
    pub max_slip_years: u32,
    pub provenance: Provenance,
}

/// The keys `parameters.csv` may set, with what each means (and the value
/// the model uses when a dataset does not give it).
pub const PARAMETERS: &[(&str, &str)] = &[
    (
        "normal_price_years",
        "years of past prices whose geometric mean is the price stockholders expect (default 3)",
    ),
    (
        "supply_sustain_years",
        "years a facility's rent must stay above its hurdle before its start is brought forward (default 2)",
    ),
    (
        "supply_max_new_share",
        "capacity that may be brought forward or restarted in one year, as a share of the stage's world capacity (default 0.05)",
    ),
];

/// A behavioural parameter with its source (`parameters.csv`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Parameter {
    pub key: String,
    pub value: f64,
    pub provenance: Provenance,
}

/// A sourced stock change in the reference year (`stock_changes.csv`):
/// part of the gap between supply and listed uses that calibration does
/// not leave to the unattributed residual (positive: stock built).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StockChange {
    pub region: RegionId,
    pub element: Element,
    pub tonnes: f64,
    pub provenance: Provenance,
}

/// Everything the model needs. Built by `oreflow-data`, which validates it
/// (ids resolve, compositions sum to one, capacities and costs are finite and
/// non-negative, every row names a defined source); [`Dataset::check`] re-runs
/// the semantic checks after a change.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Dataset {
    /// The year the dataset describes: capacities, demand and prices are
    /// this year's, and a run calibrates to it and starts no earlier
    /// (`dataset.csv`).
    pub reference_year: Year,
    /// Last year of a run when none is given (`dataset.csv`).
    pub default_to: Year,
    /// Demand growth path of a run when none is given (`dataset.csv`).
    pub default_growth_path: String,
    pub sources: Vec<Source>,
    pub regions: Vec<Region>,
    pub elements: Vec<ElementInfo>,
    pub ore_types: Vec<OreType>,
    pub mines: Vec<Mine>,
    pub separation_plants: Vec<SeparationPlant>,
    pub magnet_plants: Vec<MagnetPlant>,
    pub recipe: Vec<RecipeRow>,
    pub end_uses: Vec<EndUse>,
    pub magnet_demand: Vec<MagnetDemand>,
    pub oxide_demand: Vec<OxideDemand>,
    pub growth_paths: Vec<GrowthPath>,
    pub trade_costs: Vec<TradeCost>,
    pub stocks: Vec<StockRow>,
    pub production_quotas: Vec<ProductionQuota>,
    pub supply_response: Vec<SupplyResponse>,
    pub parameters: Vec<Parameter>,
    pub stock_changes: Vec<StockChange>,
}

/// Where an observed price was paid (`observed_prices.csv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// China's domestic or FOB price (FOB China once export quotas and
    /// duties are gone: it is what Chinese sellers get).
    China,
    /// Paid outside China: Europe, Japan, the US; FOB China while export
    /// quotas and duties were in force (2009–14).
    Outside,
    /// A ratio of the price outside China to China's (no unit).
    Ratio,
}

/// An observed price, for back-tests (`observations/observed_prices.csv`).
/// Observations are not model inputs: nothing in a run reads them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Observation {
    pub id: String,
    /// The element; `None` for NdFeB magnets.
    pub element: Option<Element>,
    pub basis: Basis,
    pub year: Year,
    /// `annual_average`, `annual_estimate` (derived from quarters and
    /// points), `quarter_average`, `month_average`, `point`, `peak_point`,
    /// `year_end` or `range_after_control`.
    pub period: String,
    /// `spot_assessment`, `contract`, `ask`, …
    pub price_type: String,
    /// USD/kg (a ratio for [`Basis::Ratio`]); the midpoint of a range.
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub product: String,
    pub location: String,
    /// The date as published (a year, a quarter, a day).
    pub date: String,
    pub provenance: Provenance,
}

/// A problem found in a dataset, located by file, line and field.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DataIssue {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for DataIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            // A problem with the whole file (or folder), not one line.
            if self.field.is_empty() {
                write!(f, "{}: {}", self.file, self.message)
            } else {
                write!(f, "{}: field `{}`: {}", self.file, self.field, self.message)
            }
        } else if self.field.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{}:{}: field `{}`: {}",
                self.file, self.line, self.field, self.message
            )
        }
    }
}

/// Tolerance on the sum of an ore composition.
pub const COMPOSITION_TOLERANCE: f64 = 0.005;

impl Dataset {
    /// The provenance of every data row (all tables except sources and
    /// growth paths), in table order.
    pub fn provenances(&self) -> impl Iterator<Item = &Provenance> {
        self.regions
            .iter()
            .map(|x| &x.provenance)
            .chain(self.elements.iter().map(|x| &x.provenance))
            .chain(self.ore_types.iter().map(|x| &x.provenance))
            .chain(self.mines.iter().map(|x| &x.provenance))
            .chain(self.separation_plants.iter().map(|x| &x.provenance))
            .chain(self.magnet_plants.iter().map(|x| &x.provenance))
            .chain(self.recipe.iter().map(|x| &x.provenance))
            .chain(self.end_uses.iter().map(|x| &x.provenance))
            .chain(self.magnet_demand.iter().map(|x| &x.provenance))
            .chain(self.oxide_demand.iter().map(|x| &x.provenance))
            .chain(self.trade_costs.iter().map(|x| &x.provenance))
            .chain(self.stocks.iter().map(|x| &x.provenance))
            .chain(self.production_quotas.iter().map(|x| &x.provenance))
            .chain(self.supply_response.iter().map(|x| &x.provenance))
            .chain(self.parameters.iter().map(|x| &x.provenance))
            .chain(self.stock_changes.iter().map(|x| &x.provenance))
    }

    /// A behavioural parameter by key (`parameters.csv`), if given.
    pub fn parameter(&self, key: &str) -> Option<f64> {
        self.parameters
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value)
    }

    /// How facilities of `status` respond to rents, if the dataset says.
    pub fn supply_response(&self, status: Status) -> Option<&SupplyResponse> {
        self.supply_response.iter().find(|s| s.status == status)
    }

    /// Production quota of `region` in `year`, t REO, if any.
    pub fn production_quota(&self, region: RegionId, year: Year) -> Option<f64> {
        self.production_quotas
            .iter()
            .find(|q| q.region == region && q.year == year)
            .map(|q| q.tonnes.0)
    }

    /// Region with this code, name or alias (case-insensitive).
    pub fn region(&self, name: &str) -> Option<RegionId> {
        let n = name.trim();
        self.regions
            .iter()
            .position(|r| {
                r.code.eq_ignore_ascii_case(n)
                    || r.name.to_lowercase() == n.to_lowercase()
                    || r.aliases
                        .iter()
                        .any(|a| a.to_lowercase() == n.to_lowercase())
            })
            .map(|i| RegionId(i as u16))
    }

    /// The region's short code.
    pub fn region_code(&self, r: RegionId) -> &str {
        &self.regions[r.index()].code
    }

    /// Index of the end use with this id.
    pub fn end_use(&self, id: &str) -> Option<usize> {
        self.end_uses.iter().position(|u| u.id == id)
    }

    /// Growth path by name.
    pub fn growth_path(&self, name: &str) -> Option<&GrowthPath> {
        self.growth_paths.iter().find(|p| p.name == name)
    }

    /// Reference price of an element, if it has one.
    pub fn reference_price(&self, e: Element) -> Option<UsdPerKg> {
        self.elements
            .iter()
            .find(|i| i.element == e)
            .and_then(|i| i.reference_price)
    }

    /// Magnet recipe as an array indexed by element (t REO per t magnet).
    pub fn recipe_array(&self) -> [f64; N_ELEMENTS] {
        let mut a = [0.0; N_ELEMENTS];
        for r in &self.recipe {
            a[r.element.index()] = r.t_reo_per_t_magnet;
        }
        a
    }

    /// Shipping cost of `commodity` from `from` to `to` (0 within a region):
    /// the most specific matching row wins (pair, then origin, then destination, then `*`).
    pub fn trade_cost(&self, commodity: Commodity, from: RegionId, to: RegionId) -> UsdPerKg {
        if from == to {
            return UsdPerKg::ZERO;
        }
        let mut best: Option<(u8, UsdPerKg)> = None;
        for t in self.trade_costs.iter().filter(|t| t.commodity == commodity) {
            let rank = match (t.from, t.to) {
                (Some(f), Some(d)) if f == from && d == to => 4,
                (Some(f), None) if f == from => 3,
                (None, Some(d)) if d == to => 2,
                (None, None) => 1,
                _ => 0,
            };
            if rank > 0 && best.is_none_or(|(r, _)| rank > r) {
                best = Some((rank, t.cost));
            }
        }
        best.map(|b| b.1).unwrap_or(UsdPerKg::ZERO)
    }

    /// Every numeric field of every row with its provenance, field name and
    /// key in [`crate::ranges::RANGES`].
    fn each_number(&self, mut f: impl FnMut(&Provenance, &str, &'static str, f64)) {
        for e in &self.elements {
            if let Some(p) = e.reference_price {
                f(
                    &e.provenance,
                    "reference_price_usd_per_kg",
                    "elements.reference_price_usd_per_kg",
                    p.0,
                );
            }
        }
        for o in &self.ore_types {
            for (e, &x) in crate::ELEMENTS.iter().zip(&o.composition) {
                f(&o.provenance, e.symbol(), "ore_types.share", x);
            }
        }
        type Facility<'a> = (&'a Provenance, &'a CapacityPath, UsdPerKg);
        let tables: [(&str, &str, &str, Vec<Facility>); 3] = [
            (
                "mines",
                "capacity_t_reo",
                "cost_usd_per_kg_reo",
                self.mines
                    .iter()
                    .map(|m| (&m.provenance, &m.capacity, m.cost))
                    .collect(),
            ),
            (
                "separation_plants",
                "capacity_t_reo",
                "cost_usd_per_kg_reo",
                self.separation_plants
                    .iter()
                    .map(|m| (&m.provenance, &m.capacity, m.cost))
                    .collect(),
            ),
            (
                "magnet_plants",
                "capacity_t_magnet",
                "cost_usd_per_kg_magnet",
                self.magnet_plants
                    .iter()
                    .map(|m| (&m.provenance, &m.capacity, m.cost))
                    .collect(),
            ),
        ];
        for (table, cap, cost, rows) in &tables {
            let key = |col: &str| -> &'static str {
                crate::ranges::RANGES
                    .iter()
                    .find(|r| {
                        r.key.strip_prefix(table).and_then(|k| k.strip_prefix('.')) == Some(col)
                    })
                    .map(|r| r.key)
                    .unwrap_or("")
            };
            for (p, c, k) in rows {
                f(p, cap, key(cap), c.nameplate);
                f(p, cost, key(cost), k.0);
                f(p, "start_year", key("start_year"), c.start_year as f64);
                if let Some(e) = c.end_year {
                    f(p, "end_year", key("end_year"), e as f64);
                }
                f(p, "ramp_years", key("ramp_years"), c.ramp_years as f64);
            }
        }
        for m in &self.mines {
            if let Some(o) = m.ore_capacity_t {
                f(&m.provenance, "ore_capacity_t", "mines.ore_capacity_t", o);
            }
            if let Some(g) = m.recovered_grade {
                f(&m.provenance, "recovered_grade", "mines.recovered_grade", g);
            }
        }
        for r in &self.recipe {
            f(
                &r.provenance,
                "t_reo_per_t_magnet",
                "magnet_recipe.t_reo_per_t_magnet",
                r.t_reo_per_t_magnet,
            );
        }
        for u in &self.end_uses {
            f(
                &u.provenance,
                "elasticity",
                "end_uses.elasticity",
                u.elasticity,
            );
            f(
                &u.provenance,
                "lifetime_years",
                "end_uses.lifetime_years",
                u.lifetime_years,
            );
            f(
                &u.provenance,
                "value_added_usd_per_kg",
                "end_uses.value_added_usd_per_kg",
                u.value_added.0,
            );
        }
        for d in &self.magnet_demand {
            f(
                &d.provenance,
                "t_magnet",
                "magnet_demand.t_magnet",
                d.quantity.0,
            );
        }
        for d in &self.oxide_demand {
            f(&d.provenance, "t_reo", "oxide_demand.t_reo", d.quantity.0);
        }
        for t in &self.trade_costs {
            f(
                &t.provenance,
                "usd_per_kg",
                "trade_costs.usd_per_kg",
                t.cost.0,
            );
        }
    }

    /// Semantic checks: everything that must hold for the model to be well
    /// defined, and every number in its possible range
    /// ([`crate::ranges`]). Returns every problem found (empty = valid).
    pub fn check(&self) -> Vec<DataIssue> {
        let mut out = Vec::new();
        let issue = |out: &mut Vec<DataIssue>, p: &Provenance, field: &str, message: String| {
            out.push(DataIssue {
                file: p.file.clone(),
                line: p.line,
                field: field.to_string(),
                message,
            })
        };
        self.each_number(|p, field, key, x| {
            if let crate::ranges::Verdict::Impossible(m) = crate::ranges::check(key, x) {
                issue(&mut out, p, field, m);
            }
        });
        for o in &self.ore_types {
            let sum: f64 = o.composition.iter().sum();
            if o.composition.iter().all(|s| s.is_finite())
                && (sum - 1.0).abs() > COMPOSITION_TOLERANCE
            {
                issue(
                    &mut out,
                    &o.provenance,
                    "composition",
                    format!(
                        "element shares of ore type `{}` sum to {sum:.4}; expected 1 (± {COMPOSITION_TOLERANCE})",
                        o.id
                    ),
                );
            }
        }
        let facilities = self
            .mines
            .iter()
            .map(|m| (&m.provenance, &m.id, &m.capacity))
            .chain(
                self.separation_plants
                    .iter()
                    .map(|m| (&m.provenance, &m.id, &m.capacity)),
            )
            .chain(
                self.magnet_plants
                    .iter()
                    .map(|m| (&m.provenance, &m.id, &m.capacity)),
            );
        for (p, id, c) in facilities {
            if let Some(e) = c.end_year {
                if e < c.start_year {
                    issue(
                        &mut out,
                        p,
                        "end_year",
                        format!("`{id}` ends ({e}) before it starts ({})", c.start_year),
                    );
                }
            }
        }
        for u in &self.end_uses {
            let (lr, sr) = (u.elasticity, u.elasticity_short_run);
            if !(sr.is_finite() && sr < 0.0 && sr >= lr) {
                issue(
                    &mut out,
                    &u.provenance,
                    "elasticity_short_run",
                    format!(
                        "short-run elasticity of `{}` is {sr}; expected a negative number no larger in size than the long-run {lr}",
                        u.id
                    ),
                );
            }
            if !(u.adjustment_years.is_finite() && u.adjustment_years >= 0.0)
                || u.adjustment_years > 50.0
            {
                issue(
                    &mut out,
                    &u.provenance,
                    "adjustment_years",
                    format!("is {}; expected 0 to 50 years", u.adjustment_years),
                );
            }
            if !(0.0..=1.0).contains(&u.reversibility) {
                issue(
                    &mut out,
                    &u.provenance,
                    "reversibility",
                    format!("is {}; expected a share between 0 and 1", u.reversibility),
                );
            }
        }
        for r in &self.recipe {
            let bad = !(r.thrifting_elasticity.is_finite() && r.thrifting_elasticity <= 0.0);
            if bad {
                issue(
                    &mut out,
                    &r.provenance,
                    "thrifting_elasticity",
                    format!(
                        "is {}; expected 0 or a negative number",
                        r.thrifting_elasticity
                    ),
                );
            }
            if !(r.min_share > 0.0 && r.min_share <= 1.0) {
                issue(
                    &mut out,
                    &r.provenance,
                    "min_share",
                    format!("is {}; expected a share above 0 and at most 1", r.min_share),
                );
            }
            if !(r.adjustment_years.is_finite() && r.adjustment_years >= 0.0)
                || r.adjustment_years > 50.0
            {
                issue(
                    &mut out,
                    &r.provenance,
                    "adjustment_years",
                    format!("is {}; expected 0 to 50 years", r.adjustment_years),
                );
            }
            if !(0.0..=1.0).contains(&r.reversibility) {
                issue(
                    &mut out,
                    &r.provenance,
                    "reversibility",
                    format!("is {}; expected a share between 0 and 1", r.reversibility),
                );
            }
        }
        for s in &self.stocks {
            if s.max_years > 5.0 || s.normal_years > s.max_years || s.opening_years > s.max_years {
                issue(
                    &mut out,
                    &s.provenance,
                    "max_years",
                    format!(
                        "normal {} and opening {} must not exceed the maximum {} (at most 5 years of use)",
                        s.normal_years, s.opening_years, s.max_years
                    ),
                );
            }
            if !(s.elasticity.is_finite() && s.elasticity < 0.0 && s.elasticity >= -20.0) {
                issue(
                    &mut out,
                    &s.provenance,
                    "elasticity",
                    format!(
                        "is {}; expected a negative number (at least -20)",
                        s.elasticity
                    ),
                );
            }
            if s.precaution_years > 5.0 {
                issue(
                    &mut out,
                    &s.provenance,
                    "precaution_years",
                    format!("is {}; expected at most 5 years of use", s.precaution_years),
                );
            }
        }
        for s in &self.supply_response {
            if s.hurdle > 10.0 {
                issue(
                    &mut out,
                    &s.provenance,
                    "hurdle",
                    format!(
                        "is {}; expected a share of unit cost between 0 and 10",
                        s.hurdle
                    ),
                );
            }
        }
        for p in &self.parameters {
            let ok = match p.key.as_str() {
                "normal_price_years" | "supply_sustain_years" => {
                    p.value >= 1.0 && p.value <= 10.0 && p.value.fract() == 0.0
                }
                _ => (0.0..=1.0).contains(&p.value),
            };
            if !ok {
                issue(
                    &mut out,
                    &p.provenance,
                    "value",
                    format!(
                        "`{}` is {}; expected {}",
                        p.key,
                        p.value,
                        if p.key.ends_with("years") {
                            "a whole number of years from 1 to 10"
                        } else {
                            "a share between 0 and 1"
                        }
                    ),
                );
            }
        }
        out
    }

    /// Numbers that are possible but outside their plausible range
    /// ([`crate::ranges`]): warnings, located like [`Dataset::check`]'s
    /// problems.
    pub fn warnings(&self) -> Vec<DataIssue> {
        let mut out = Vec::new();
        self.each_number(|p, field, key, x| {
            if let crate::ranges::Verdict::Implausible(m) = crate::ranges::check(key, x) {
                out.push(DataIssue {
                    file: p.file.clone(),
                    line: p.line,
                    field: field.to_string(),
                    message: m,
                });
            }
        });
        out
    }
}

/// The closest candidate to `name` by edit distance, if it is close enough to
/// be a plausible typo ("did you mean …?").
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let n = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (c, levenshtein(&n, &c.to_lowercase())))
        .filter(|(c, d)| {
            // Short names allow one typo; longer ones about one in three characters.
            let len = c.chars().count().min(n.chars().count());
            *d <= if len <= 3 { 1 } else { (len / 3).max(2) }
        })
        .min_by_key(|(_, d)| *d)
        .map(|(c, _)| c)
}

/// Edit distance (Levenshtein) between two strings, in characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_ramps_linearly() {
        let c = CapacityPath {
            nameplate: 300.0,
            start_year: 2028,
            ramp_years: 2,
            end_year: Some(2035),
        };
        assert_eq!(c.at(2027), 0.0);
        assert_eq!(c.at(2028), 100.0);
        assert_eq!(c.at(2029), 200.0);
        assert_eq!(c.at(2030), 300.0);
        assert_eq!(c.at(2035), 300.0);
        assert_eq!(c.at(2036), 0.0);
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            closest("Turky", ["Türkiye", "Turkey", "China"]),
            Some("Turkey")
        );
        assert_eq!(closest("Zzzzzz", ["China", "Japan"]), None);
        assert_eq!(closest("TH", ["CN", "MM"]), None);
        assert_eq!(closest("Dyy", ["Dy", "Y"]), Some("Dy"));
    }

    #[test]
    fn growth_index_interpolates() {
        let p = GrowthPath {
            name: "x".into(),
            points: vec![vec![(2024, 1.0), (2030, 2.2)]],
        };
        assert_eq!(p.index(0, 2020), 1.0);
        assert!((p.index(0, 2027) - 1.6).abs() < 1e-12);
        assert_eq!(p.index(0, 2040), 2.2);
        assert_eq!(p.index(5, 2040), 1.0);
    }
}
