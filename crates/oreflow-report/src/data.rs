//! The numbers behind the charts, taken from the `oreflow_metrics` tables (the
//! same rows as the run's CSV files) so that chart and CSV agree.

use std::collections::{BTreeMap, HashMap};

use oreflow_core::{Element, Stage, Year, ELEMENTS};
use oreflow_metrics::{ConsumptionRow, PriceRow, ProductionRow, RelianceRow, ShareRow};
use oreflow_sim::{Model, RunResult};

/// Elements with a time-series chart: the magnet four, then cerium and lanthanum.
pub(crate) const KEY: [Element; 6] = [
    Element::Nd,
    Element::Pr,
    Element::Dy,
    Element::Tb,
    Element::Ce,
    Element::La,
];

/// Columns of the import-reliance table: oxides of the magnet elements, then magnets.
pub(crate) const RELIANCE_COLUMNS: [&str; 5] = ["Nd", "Pr", "Dy", "Tb", "magnet"];

/// The metric tables of one run.
pub(crate) struct Tables<'a> {
    pub model: &'a Model,
    pub run: &'a RunResult,
    pub production: Vec<ProductionRow>,
    pub consumption: Vec<ConsumptionRow>,
    pub prices: Vec<PriceRow>,
    pub shares: Vec<ShareRow>,
    pub reliance: Vec<RelianceRow>,
}

impl<'a> Tables<'a> {
    pub(crate) fn new(model: &'a Model, run: &'a RunResult) -> Self {
        Tables {
            model,
            run,
            production: oreflow_metrics::production(model, run),
            consumption: oreflow_metrics::consumption(model, run),
            prices: oreflow_metrics::prices(model, run),
            shares: oreflow_metrics::shares(model, run),
            reliance: oreflow_metrics::import_reliance(model, run),
        }
    }

    pub(crate) fn years(&self) -> Vec<Year> {
        self.run.years.iter().map(|y| y.solution.year).collect()
    }
}

/// Supply, baseline demand, shortfall and the price in China of one element, per year.
#[derive(Clone, Debug, Default)]
pub(crate) struct ElementSeries {
    /// Separated output + heavy by-product (production.csv, separation stage)
    /// + recycled supply, t REO.
    pub supply: Vec<Option<f64>>,
    /// Baseline demand at the reference price (consumption.csv `demand_t`), t REO.
    pub demand: Vec<Option<f64>>,
    /// Sum of `shortfall_t` over regions and end uses, t REO.
    pub shortfall: Vec<Option<f64>>,
    /// Oxide price in China (prices.csv), USD/kg.
    pub price_cn: Vec<Option<f64>>,
}

/// Per key element, its series over `years` (`None` where the run has no such year).
pub(crate) fn element_series(t: &Tables, years: &[Year]) -> BTreeMap<Element, ElementSeries> {
    let mut sep: HashMap<(Year, &str), f64> = HashMap::new();
    for r in t.production.iter().filter(|r| r.stage == Stage::Separation) {
        *sep.entry((r.year, r.element.as_str())).or_default() += r.tonnes;
    }
    let mut dem: HashMap<(Year, &str), (f64, f64)> = HashMap::new();
    for r in &t.consumption {
        let v = dem.entry((r.year, r.element.as_str())).or_default();
        v.0 += r.demand_t;
        v.1 += r.shortfall_t;
    }
    let price: HashMap<(Year, &str), f64> = t
        .prices
        .iter()
        .filter(|p| p.region == "CN")
        .map(|p| ((p.year, p.commodity.as_str()), p.usd_per_kg))
        .collect();
    let mut out = BTreeMap::new();
    for e in KEY {
        let sym = e.symbol();
        let mut s = ElementSeries::default();
        for &y in years {
            let yr = t.run.years.iter().find(|r| r.solution.year == y);
            match yr {
                Some(yr) => {
                    let recycled: f64 = yr.data.recycled.iter().map(|r| r[e.index()]).sum();
                    s.supply
                        .push(Some(sep.get(&(y, sym)).copied().unwrap_or(0.0) + recycled));
                    let (d, short) = dem.get(&(y, sym)).copied().unwrap_or((0.0, 0.0));
                    s.demand.push(Some(d));
                    s.shortfall.push(Some(short));
                    s.price_cn.push(price.get(&(y, sym)).copied());
                }
                None => {
                    s.supply.push(None);
                    s.demand.push(None);
                    s.shortfall.push(None);
                    s.price_cn.push(None);
                }
            }
        }
        out.insert(e, s);
    }
    out
}

/// China's share and the HHI of one stage per year (`all`: all REO; magnets in t magnet).
#[derive(Clone, Debug, Default)]
pub(crate) struct StageSeries {
    pub china_share: Vec<Option<f64>>,
    pub hhi: Vec<Option<f64>>,
}

pub(crate) fn stage_series(t: &Tables, years: &[Year]) -> BTreeMap<Stage, StageSeries> {
    let mut out = BTreeMap::new();
    for stage in Stage::ALL {
        let mut s = StageSeries::default();
        for &y in years {
            let group: Vec<&ShareRow> = t
                .shares
                .iter()
                .filter(|r| r.year == y && r.stage == stage && r.element == "all")
                .collect();
            if group.is_empty() {
                s.china_share.push(None);
                s.hhi.push(None);
            } else {
                s.china_share.push(Some(
                    group
                        .iter()
                        .find(|r| r.region == "CN")
                        .map(|r| r.share)
                        .unwrap_or(0.0),
                ));
                s.hhi.push(Some(group[0].hhi));
            }
        }
        out.insert(stage, s);
    }
    out
}

/// Import reliance in `year`: regions with at least one value, and their
/// values per [`RELIANCE_COLUMNS`].
pub(crate) fn reliance_grid(t: &Tables, year: Year) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let mut rows = Vec::new();
    let mut grid = Vec::new();
    for code in &t.model.network.regions {
        let vals: Vec<Option<f64>> = RELIANCE_COLUMNS
            .iter()
            .map(|&col| {
                let stage = if col == "magnet" { "magnet" } else { "oxide" };
                t.reliance
                    .iter()
                    .find(|r| {
                        r.year == year && &r.region == code && r.stage == stage && r.element == col
                    })
                    .map(|r| r.import_reliance)
            })
            .collect();
        if vals.iter().any(Option::is_some) {
            rows.push(code.clone());
            grid.push(vals);
        }
    }
    (rows, grid)
}

/// Flows of Nd+Pr+Dy+Tb (t REO) in one year: mine region → separation region
/// (content of concentrate shipped) → magnet region (oxide used to make
/// magnets, attributed to origins in proportion to each region's supply).
#[derive(Clone, Debug, Default)]
pub(crate) struct Flows {
    pub year: Year,
    /// (from region, to region, t) per stage pair: 0 = mining → separation,
    /// 1 = separation → magnet.
    pub links: [Vec<(String, String, f64)>; 2],
}

pub(crate) fn flows(model: &Model, run: &RunResult, i: usize) -> Flows {
    let ds = &model.dataset;
    let net = &model.network;
    let s = &run.years[i].solution;
    let n = net.regions.len();
    let magnet = |comp: &[f64; 15]| Element::MAGNET.iter().map(|e| comp[e.index()]).sum::<f64>();
    let mut conc = vec![vec![0.0; n]; n];
    for f in &s.concentrate {
        let mine = &ds.mines[f.from];
        let from = mine.region.index();
        let to = ds.separation_plants[f.to].region.index();
        conc[from][to] += f.tonnes * magnet(&ds.ore_types[mine.ore_type].composition);
    }
    // Each region's own supply (separated, by-product, recycled) and imports, per element.
    let mut own = vec![[0.0; 15]; n];
    for (p, plant) in net.separation_plants.iter().enumerate() {
        for e in ELEMENTS {
            own[plant.region.index()][e.index()] += s.separated[p][e.index()];
        }
    }
    for r in 0..n {
        for e in ELEMENTS {
            own[r][e.index()] += s.heavy_byproduct[r][e.index()] + s.recycled_used[r][e.index()];
        }
    }
    let mut imports = vec![vec![[0.0; 15]; n]; n]; // [to][from][e]
    for f in &s.oxide_trade {
        if let Some(e) = f.element {
            imports[f.to][f.from][e.index()] += f.tonnes;
        }
    }
    let mut mag_out = vec![0.0; n];
    for (p, plant) in net.magnet_plants.iter().enumerate() {
        mag_out[plant.region.index()] += s.magnet_output[p];
    }
    let mut oxide = vec![vec![0.0; n]; n]; // [from][to]
    for r in 0..n {
        if mag_out[r] <= 0.0 {
            continue;
        }
        for e in Element::MAGNET {
            let use_e = s.recipe[e.index()] * mag_out[r];
            let total = own[r][e.index()] + (0..n).map(|k| imports[r][k][e.index()]).sum::<f64>();
            if total <= 0.0 || use_e <= 0.0 {
                continue;
            }
            let k = (use_e / total).min(1.0);
            oxide[r][r] += own[r][e.index()] * k;
            for from in 0..n {
                oxide[from][r] += imports[r][from][e.index()] * k;
            }
        }
    }
    let mut out = Flows {
        year: s.year,
        ..Default::default()
    };
    for (stage, m) in [(0, &conc), (1, &oxide)] {
        for a in 0..n {
            for b in 0..n {
                if m[a][b] > 1e-6 {
                    out.links[stage].push((
                        net.regions[a].clone(),
                        net.regions[b].clone(),
                        (m[a][b] * 1e6).round() / 1e6,
                    ));
                }
            }
        }
    }
    out
}
