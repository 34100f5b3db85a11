/// One table of the dataset: its file, what it holds, and its embedded content.
#[derive(Clone, Copy, Debug)]
pub struct TableInfo {
    /// File name (also the name used in error messages).
    pub file: &'static str,
    /// One-line description with units.
    pub description: &'static str,
    /// The embedded default content.
    pub embedded: &'static str,
}

macro_rules! table {
    ($file:literal, $desc:literal) => {
        TableInfo {
            file: $file,
            description: $desc,
            embedded: include_str!(concat!("../data/", $file)),
        }
    };
}

macro_rules! hist {
    ($file:literal) => {
        ($file, include_str!(concat!("../data/hist-2010/", $file)))
    };
}

/// The historical 2010 reference dataset (`base = "hist-2010"` in a
/// scenario): the same tables, read from `data/hist-2010/`; the sources
/// table is shared with the default dataset.
pub const HIST_2010: &[(&str, &str)] = &[
    ("sources.csv", include_str!("../data/sources.csv")),
    hist!("dataset.csv"),
    hist!("regions.csv"),
    hist!("elements.csv"),
    hist!("ore_types.csv"),
    hist!("mines.csv"),
    hist!("separation_plants.csv"),
    hist!("magnet_plants.csv"),
    hist!("magnet_recipe.csv"),
    hist!("end_uses.csv"),
    hist!("magnet_demand.csv"),
    hist!("oxide_demand.csv"),
    hist!("demand_growth.csv"),
    hist!("trade_costs.csv"),
    hist!("stocks.csv"),
    hist!("production_quotas.csv"),
    hist!("supply_response.csv"),
    hist!("parameters.csv"),
    hist!("stock_changes.csv"),
];

/// All tables, in load order (sources first, then ids that others refer to).
pub const TABLES: &[TableInfo] = &[
    table!("sources.csv", "publications cited by every other table"),
    table!(
        "dataset.csv",
        "the dataset's reference (calibration) year and default last year of a run"
    ),
    table!("regions.csv", "countries and blocs, with aliases"),
    table!(
        "elements.csv",
        "rare-earth oxides and their 2024 reference prices (USD/kg)"
    ),
    table!(
        "ore_types.csv",
        "element composition of each ore type (shares of REO, sum 1)"
    ),
    table!(
        "mines.csv",
        "mines and mining regions: capacity (t REO/yr), ramp, status, cost (USD/kg REO)"
    ),
    table!(
        "separation_plants.csv",
        "separation/refining plants: feed capacity (t REO/yr), cost (USD/kg REO)"
    ),
    table!(
        "magnet_plants.csv",
        "NdFeB magnet plants: capacity (t magnet/yr), conversion cost (USD/kg magnet)"
    ),
    table!(
        "magnet_recipe.csv",
        "oxide content of one tonne of NdFeB magnet (t REO per t magnet)"
    ),
    table!(
        "end_uses.csv",
        "end uses: kind, price elasticity, lifetime, value added (USD/kg)"
    ),
    table!(
        "magnet_demand.csv",
        "2024 magnet consumption by region and end use (t magnet)"
    ),
    table!(
        "oxide_demand.csv",
        "2024 direct oxide use by region, end use and element (t REO)"
    ),
    table!(
        "demand_growth.csv",
        "demand index (2024 = 1) per growth path, end use and year"
    ),
    table!(
        "trade_costs.csv",
        "shipping cost per stage and region pair (USD/kg)"
    ),
    table!(
        "stocks.csv",
        "commercial stocks per region (and element): normal, opening and maximum years of use, price elasticity, precautionary buying"
    ),
    table!(
        "production_quotas.csv",
        "mining quotas by region and year (t REO; reported output only)"
    ),
    table!(
        "supply_response.csv",
        "how facilities of each status respond to sustained rents: lead time, hurdle, slip"
    ),
    table!(
        "parameters.csv",
        "behavioural parameters with their sources (stock expectations, supply response limits)"
    ),
    table!(
        "stock_changes.csv",
        "sourced reference-year stock changes (t REO), used in calibration"
    ),
];
