//! The numbers behind the charts, taken from the `oreflow_metrics` tables (the
//! same rows as the run's CSV files) so that chart and CSV agree. A
//! [`RunTables`] comes either from a live run ([`RunTables::from_run`]) or from
//! the CSV files of a finished run read back ([`RunTables::from_csv`]); the
//! renderer sees only the tables, so both give the same report.

use std::collections::{BTreeMap, HashMap};

use oreflow_core::{Element, Stage, Year};
use oreflow_metrics::{ConsumptionRow, PriceRow, ProductionRow, RelianceRow, ShareRow, TradeRow};
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

/// Elements (or aggregates) of the market-share charts, as in shares.csv.
pub(crate) const SHARE_ELEMENTS: [&str; 6] = ["all", "magnet_ree", "Nd", "Pr", "Dy", "Tb"];

fn is_magnet_element(s: &str) -> bool {
    Element::MAGNET.iter().any(|e| e.symbol() == s)
}

/// A data source listed in the footer.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRef {
    pub id: String,
    pub publication: String,
    pub url: String,
}

/// The metric tables of one run: everything the report draws.
#[derive(Clone, Debug, PartialEq)]
pub struct RunTables {
    pub scenario: String,
    pub growth_path: String,
    /// Years of the run, in order.
    pub years: Vec<Year>,
    pub production: Vec<ProductionRow>,
    pub prices: Vec<PriceRow>,
    pub consumption: Vec<ConsumptionRow>,
    pub trade: Vec<TradeRow>,
    pub shares: Vec<ShareRow>,
    pub reliance: Vec<RelianceRow>,
    /// Sources of the dataset (footer).
    pub sources: Vec<SourceRef>,
}

impl RunTables {
    /// The tables of a live run, computed with `oreflow_metrics`.
    pub fn from_run(name: &str, model: &Model, run: &RunResult) -> Self {
        RunTables {
            scenario: name.to_string(),
            growth_path: model.config.growth_path.clone(),
            years: run.years.iter().map(|y| y.solution.year).collect(),
            production: oreflow_metrics::production(model, run),
            prices: oreflow_metrics::prices(model, run),
            consumption: oreflow_metrics::consumption(model, run),
            trade: oreflow_metrics::trade(model, run),
            shares: oreflow_metrics::shares(model, run),
            reliance: oreflow_metrics::import_reliance(model, run),
            sources: model
                .dataset
                .sources
                .iter()
                .map(|s| SourceRef {
                    id: s.id.clone(),
                    publication: s.publication.clone(),
                    url: s.url.clone(),
                })
                .collect(),
        }
    }

    /// The tables of a finished run read back from its output files
    /// (`docs/outputs.md`). `read(file)` returns a file's text, or `None` when
    /// it is missing. Sources are not among the outputs: the caller sets them.
    pub fn from_csv(read: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let text = |f: &str| read(f).ok_or_else(|| format!("{f}: missing"));
        let summary: serde_json::Value = serde_json::from_str(&text("summary.json")?)
            .map_err(|e| format!("summary.json: {e}"))?;
        let scenario = summary["scenario"]
            .as_str()
            .ok_or("summary.json: no `scenario`")?
            .to_string();
        let growth_path = summary["growth_path"].as_str().unwrap_or("").to_string();
        let (from, to) = match (summary["years"][0].as_i64(), summary["years"][1].as_i64()) {
            (Some(a), Some(b)) if a <= b => (a as Year, b as Year),
            _ => return Err("summary.json: `years` is not [from, to]".into()),
        };
        // Regions of the run (summary.json of oreflow ≥ this version lists
        // them): every region column must name one of them.
        let regions: Option<Vec<String>> = summary["regions"].as_array().map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        });
        let v = csv::Valid {
            from,
            to,
            regions: regions.as_deref(),
        };
        let production = csv::rows(
            &text("production.csv")?,
            "production.csv",
            &["year", "stage", "facility", "region", "element"],
            |r| {
                Ok(ProductionRow {
                    year: r.year("year", &v)?,
                    stage: r.stage("stage")?,
                    facility: r.str("facility")?,
                    region: r.region("region", &v)?,
                    element: r.str("element")?,
                    tonnes: r.amount("tonnes")?,
                })
            },
        )?;
        let prices = csv::rows(
            &text("prices.csv")?,
            "prices.csv",
            &["year", "region", "commodity"],
            |r| {
                Ok(PriceRow {
                    year: r.year("year", &v)?,
                    region: r.region("region", &v)?,
                    commodity: r.str("commodity")?,
                    usd_per_kg: r.amount("usd_per_kg")?,
                })
            },
        )?;
        let consumption = csv::rows(
            &text("consumption.csv")?,
            "consumption.csv",
            &["year", "region", "end_use", "element"],
            |r| {
                Ok(ConsumptionRow {
                    year: r.year("year", &v)?,
                    region: r.region("region", &v)?,
                    end_use: r.str("end_use")?,
                    element: r.str("element")?,
                    demand_t: r.amount("demand_t")?,
                    consumed_t: r.amount("consumed_t")?,
                    shortfall_t: r.amount("shortfall_t")?,
                })
            },
        )?;
        let trade = csv::rows(
            &text("trade.csv")?,
            "trade.csv",
            &["year", "from", "to", "commodity", "element"],
            |r| {
                Ok(TradeRow {
                    year: r.year("year", &v)?,
                    from: r.region("from", &v)?,
                    to: r.region("to", &v)?,
                    commodity: r.str("commodity")?,
                    element: r.str("element")?,
                    tonnes: r.amount("tonnes")?,
                    value_usd: r.amount("value_usd")?,
                })
            },
        )?;
        let shares = csv::rows(
            &text("shares.csv")?,
            "shares.csv",
            &["year", "stage", "element", "region"],
            |r| {
                Ok(ShareRow {
                    year: r.year("year", &v)?,
                    stage: r.stage("stage")?,
                    element: r.str("element")?,
                    region: r.region("region", &v)?,
                    tonnes: r.amount("tonnes")?,
                    share: r.within("share", 0.0, 1.0)?,
                    hhi: r.within("hhi", 0.0, 10_000.0)?,
                    top3_share: r.within("top3_share", 0.0, 1.0)?,
                })
            },
        )?;
        let reliance = csv::rows(
            &text("import_reliance.csv")?,
            "import_reliance.csv",
            &["year", "region", "stage", "element"],
            |r| {
                Ok(RelianceRow {
                    year: r.year("year", &v)?,
                    region: r.region("region", &v)?,
                    stage: r.str("stage")?,
                    element: r.str("element")?,
                    apparent_consumption_t: r.amount("apparent_consumption_t")?,
                    // Net exporters are negative; at most 1 (all imported).
                    import_reliance: r.within("import_reliance", f64::MIN, 1.0)?,
                })
            },
        )?;
        // A folder written by `oreflow run` has rows for every year it ran.
        for y in from..=to {
            for (file, has) in [
                ("production.csv", production.iter().any(|r| r.year == y)),
                ("prices.csv", prices.iter().any(|r| r.year == y)),
                ("consumption.csv", consumption.iter().any(|r| r.year == y)),
                ("shares.csv", shares.iter().any(|r| r.year == y)),
            ] {
                if !has {
                    return Err(format!(
                        "{file} has no rows for {y}, although summary.json says the run covers {from}–{to}; \
                         expected the output folder of `oreflow run`"
                    ));
                }
            }
        }
        Ok(RunTables {
            scenario,
            growth_path,
            years: (from..=to).collect(),
            production,
            prices,
            consumption,
            trade,
            shares,
            reliance,
            sources: Vec::new(),
        })
    }

    /// Region codes in the order they first appear in the prices, production,
    /// import-reliance and trade tables (the model's order for a live run).
    pub(crate) fn regions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |r: &str| {
            if !out.iter().any(|x| x == r) {
                out.push(r.to_string());
            }
        };
        self.prices.iter().for_each(|r| add(&r.region));
        self.production.iter().for_each(|r| add(&r.region));
        self.reliance.iter().for_each(|r| add(&r.region));
        for t in &self.trade {
            add(&t.from);
            add(&t.to);
        }
        out
    }
}

/// Reading the run's CSV files back, with field access by column name and
/// line, validated like the dataset's tables: every row has the header's
/// fields, numbers are finite (and non-negative where a quantity or price),
/// years lie in the run's years, regions are the run's, and no row repeats
/// another's key.
mod csv {
    use std::collections::HashMap;

    use oreflow_core::{Stage, Year};

    /// What the rows of a run's tables may hold.
    pub(super) struct Valid<'a> {
        pub from: Year,
        pub to: Year,
        /// The run's region codes (`None`: not known, not checked).
        pub regions: Option<&'a [String]>,
    }

    pub(super) struct Row<'a> {
        file: &'a str,
        line: usize,
        header: &'a [String],
        cells: Vec<String>,
    }

    impl Row<'_> {
        fn get(&self, col: &str) -> Result<&str, String> {
            let i = self
                .header
                .iter()
                .position(|h| h == col)
                .ok_or_else(|| format!("{}: no column `{col}` in the header", self.file))?;
            self.cells
                .get(i)
                .map(String::as_str)
                .ok_or_else(|| format!("{}:{}: missing field `{col}`", self.file, self.line))
        }
        fn bad(&self, col: &str, v: &str, what: &str) -> String {
            format!("{}:{}: `{col}` = {v:?} {what}", self.file, self.line)
        }
        pub(super) fn str(&self, col: &str) -> Result<String, String> {
            self.get(col).map(str::to_string)
        }
        /// A finite number.
        pub(super) fn num(&self, col: &str) -> Result<f64, String> {
            let v = self.get(col)?;
            match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                Ok(_) => Err(self.bad(col, v, "is not a finite number")),
                Err(_) => Err(self.bad(col, v, "is not a number")),
            }
        }
        /// A finite number in `[lo, hi]` (up to rounding in the last digits).
        pub(super) fn within(&self, col: &str, lo: f64, hi: f64) -> Result<f64, String> {
            let x = self.num(col)?;
            let tol = 1e-9 * hi.abs().max(1.0);
            if x < lo - tol.min(1e-9) || x > hi + tol {
                let v = self.get(col)?;
                return Err(self.bad(
                    col,
                    v,
                    &if lo == f64::MIN {
                        format!("is above {hi}")
                    } else {
                        format!("is outside [{lo}, {hi}]")
                    },
                ));
            }
            Ok(x)
        }
        /// A quantity, value or price: finite and not negative.
        pub(super) fn amount(&self, col: &str) -> Result<f64, String> {
            let x = self.num(col)?;
            if x < 0.0 {
                let v = self.get(col)?;
                return Err(self.bad(
                    col,
                    v,
                    "is negative; oreflow writes no negative quantity, value or price",
                ));
            }
            Ok(x)
        }
        /// A year of the run.
        pub(super) fn year(&self, col: &str, v: &Valid) -> Result<Year, String> {
            let s = self.get(col)?;
            let y = s
                .trim()
                .parse::<Year>()
                .map_err(|_| self.bad(col, s, "is not a year"))?;
            if y < v.from || y > v.to {
                return Err(self.bad(
                    col,
                    s,
                    &format!(
                        "is outside the run's years {}–{} (summary.json)",
                        v.from, v.to
                    ),
                ));
            }
            Ok(y)
        }
        /// A region of the run.
        pub(super) fn region(&self, col: &str, v: &Valid) -> Result<String, String> {
            let s = self.get(col)?;
            if let Some(regions) = v.regions {
                if !regions.iter().any(|r| r == s) {
                    let hint = oreflow_core::closest(s, regions.iter().map(String::as_str))
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    return Err(self.bad(
                        col,
                        s,
                        &format!("is not a region of the run (summary.json lists them){hint}"),
                    ));
                }
            }
            Ok(s.to_string())
        }
        pub(super) fn stage(&self, col: &str) -> Result<Stage, String> {
            let v = self.get(col)?;
            Stage::ALL
                .into_iter()
                .find(|s| s.as_str() == v)
                .ok_or_else(|| self.bad(col, v, "is not mining, separation or magnet"))
        }
    }

    /// Reads a CSV file with the workspace's `csv` crate (quoting, CRLF and
    /// blank lines handled there), maps each record through `f`, and refuses
    /// rows with more or fewer fields than the header, a file with no rows,
    /// and a row whose `key` columns repeat an earlier row's.
    pub(super) fn rows<T>(
        text: &str,
        file: &str,
        key: &[&str],
        f: impl Fn(&Row) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let mut rdr = ::csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| format!("{file}: {e}"))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        if header.iter().all(|h| h.is_empty()) {
            return Err(format!("{file}: empty file"));
        }
        let key_cols: Vec<usize> = key
            .iter()
            .map(|k| {
                header
                    .iter()
                    .position(|h| h == k)
                    .ok_or_else(|| format!("{file}: no column `{k}` in the header"))
            })
            .collect::<Result<_, _>>()?;
        let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
        let mut out = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| match e.kind() {
                ::csv::ErrorKind::UnequalLengths {
                    pos,
                    expected_len,
                    len,
                } => format!(
                    "{file}:{}: the row has {len} fields; the header has {expected_len}",
                    pos.as_ref().map(|p| p.line()).unwrap_or(0)
                ),
                _ => format!("{file}: {e}"),
            })?;
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            let k: Vec<String> = key_cols
                .iter()
                .map(|&i| rec.get(i).unwrap_or("").to_string())
                .collect();
            if let Some(first) = seen.insert(k.clone(), line) {
                return Err(format!(
                    "{file}:{line}: repeats the row of line {first} ({} = {}): a table of `oreflow run` has one row per key",
                    key.join(", "),
                    k.join(", ")
                ));
            }
            out.push(f(&Row {
                file,
                line,
                header: &header,
                cells: rec.iter().map(String::from).collect(),
            })?);
        }
        if out.is_empty() && file != "trade.csv" {
            return Err(format!(
                "{file}: has a header but no rows; expected the output of `oreflow run`"
            ));
        }
        Ok(out)
    }
}

/// Supply, baseline demand, consumption, shortfall and the price in China of
/// one element, per year.
#[derive(Clone, Debug, Default)]
pub(crate) struct ElementSeries {
    /// Separated output + heavy by-product (production.csv, separation stage), t REO.
    pub supply: Vec<Option<f64>>,
    /// Baseline demand at the reference price (consumption.csv `demand_t`), t REO.
    pub demand: Vec<Option<f64>>,
    /// Equilibrium consumption (consumption.csv `consumed_t`), t REO.
    pub consumed: Vec<Option<f64>>,
    /// Sum of `shortfall_t` over regions and end uses, t REO.
    pub shortfall: Vec<Option<f64>>,
    /// Oxide price in China (prices.csv), USD/kg.
    pub price_cn: Vec<Option<f64>>,
}

/// Per key element, its series over `years` (`None` where the run has no such year).
pub(crate) fn element_series(t: &RunTables, years: &[Year]) -> BTreeMap<Element, ElementSeries> {
    let mut sep: HashMap<(Year, &str), f64> = HashMap::new();
    for r in t.production.iter().filter(|r| r.stage == Stage::Separation) {
        *sep.entry((r.year, r.element.as_str())).or_default() += r.tonnes;
    }
    let mut dem: HashMap<(Year, &str), (f64, f64, f64)> = HashMap::new();
    for r in &t.consumption {
        let v = dem.entry((r.year, r.element.as_str())).or_default();
        v.0 += r.demand_t;
        v.1 += r.consumed_t;
        v.2 += r.shortfall_t;
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
            if t.years.contains(&y) {
                s.supply
                    .push(Some(sep.get(&(y, sym)).copied().unwrap_or(0.0)));
                let (d, c, short) = dem.get(&(y, sym)).copied().unwrap_or_default();
                s.demand.push(Some(d));
                s.consumed.push(Some(c));
                s.shortfall.push(Some(short));
                s.price_cn.push(price.get(&(y, sym)).copied());
            } else {
                s.supply.push(None);
                s.demand.push(None);
                s.consumed.push(None);
                s.shortfall.push(None);
                s.price_cn.push(None);
            }
        }
        out.insert(e, s);
    }
    out
}

/// China's share, the HHI and the top-3 share of one stage and element per year.
#[derive(Clone, Debug, Default)]
pub(crate) struct StageSeries {
    pub china_share: Vec<Option<f64>>,
    pub hhi: Vec<Option<f64>>,
    pub top3_share: Vec<Option<f64>>,
}

/// Per stage with rows for `element` (shares.csv), its series over `years`.
pub(crate) fn stage_series(
    t: &RunTables,
    years: &[Year],
    element: &str,
) -> BTreeMap<Stage, StageSeries> {
    let mut out = BTreeMap::new();
    for stage in Stage::ALL {
        if !t
            .shares
            .iter()
            .any(|r| r.stage == stage && r.element == element)
        {
            continue;
        }
        let mut s = StageSeries::default();
        for &y in years {
            let group: Vec<&ShareRow> = t
                .shares
                .iter()
                .filter(|r| r.year == y && r.stage == stage && r.element == element)
                .collect();
            if group.is_empty() {
                s.china_share.push(None);
                s.hhi.push(None);
                s.top3_share.push(None);
            } else {
                s.china_share.push(Some(
                    group
                        .iter()
                        .find(|r| r.region == "CN")
                        .map(|r| r.share)
                        .unwrap_or(0.0),
                ));
                s.hhi.push(Some(group[0].hhi));
                s.top3_share.push(Some(group[0].top3_share));
            }
        }
        out.insert(stage, s);
    }
    out
}

/// Import reliance in `year`: regions with at least one value, and their
/// values per [`RELIANCE_COLUMNS`].
pub(crate) fn reliance_grid(t: &RunTables, year: Year) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let mut rows = Vec::new();
    let mut grid = Vec::new();
    for code in t.regions() {
        let vals: Vec<Option<f64>> = RELIANCE_COLUMNS
            .iter()
            .map(|&col| {
                let stage = if col == "magnet" { "magnet" } else { "oxide" };
                t.reliance
                    .iter()
                    .find(|r| {
                        r.year == year && r.region == code && r.stage == stage && r.element == col
                    })
                    .map(|r| r.import_reliance)
            })
            .collect();
        if vals.iter().any(Option::is_some) {
            rows.push(code);
            grid.push(vals);
        }
    }
    (rows, grid)
}

/// Flows of Nd+Pr+Dy+Tb (t REO) in one year: mine region → separation region
/// (content of concentrate) → magnet region (oxide used to make magnets) →
/// end use (content of the magnets consumed, by recipe).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flows {
    pub year: Year,
    /// (from, to, t) per stage pair: 0 = mining → separation, 1 = separation
    /// → magnet, 2 = magnet region → end use.
    pub links: [Vec<(String, String, f64)>; 3],
}

/// The flows of `year`, from the tables alone:
///
/// - mine → separation: each region's mined Nd+Pr+Dy+Tb (production.csv)
///   leaves as concentrate (trade.csv) with the region's average magnet
///   share of its mined REO; the rest is separated at home;
/// - separation → magnet: the recipe (consumption.csv, magnet end uses) times
///   the magnets made (production.csv), attributed to the region's own supply
///   (import_reliance.csv apparent consumption + exports − imports) and its
///   oxide imports (trade.csv) in proportion;
/// - magnet region → end use: the Nd+Pr+Dy+Tb content of magnets consumed
///   per end use (consumption.csv), attributed to the magnet makers supplying
///   the consuming region (own output kept and imports) in proportion.
pub fn flows(t: &RunTables, year: Year) -> Flows {
    let regions = t.regions();
    let n = regions.len();
    let idx = |c: &str| regions.iter().position(|r| r == c);
    let mut mined_all = vec![0.0; n];
    let mut mined_mag = vec![0.0; n];
    for r in t
        .production
        .iter()
        .filter(|r| r.year == year && r.stage == Stage::Mining)
    {
        if let Some(i) = idx(&r.region) {
            mined_all[i] += r.tonnes;
            if is_magnet_element(&r.element) {
                mined_mag[i] += r.tonnes;
            }
        }
    }
    let mut conc = vec![vec![0.0; n]; n];
    let mut exported = vec![0.0; n];
    let mut ox_imp = vec![vec![[0.0; 4]; n]; n]; // [to][from][magnet element]
    let mut ox_net = vec![[0.0; 4]; n]; // exports − imports
    let mut mag_trade = vec![vec![0.0; n]; n]; // [from][to]
    let mag_k = |s: &str| Element::MAGNET.iter().position(|e| e.symbol() == s);
    for tr in t.trade.iter().filter(|x| x.year == year) {
        let (Some(a), Some(b)) = (idx(&tr.from), idx(&tr.to)) else {
            continue;
        };
        match tr.commodity.as_str() {
            "concentrate" if mined_all[a] > 0.0 => {
                let c = tr.tonnes * mined_mag[a] / mined_all[a];
                conc[a][b] += c;
                exported[a] += c;
            }
            "oxide" => {
                if let Some(k) = mag_k(&tr.element) {
                    ox_imp[b][a][k] += tr.tonnes;
                    ox_net[a][k] += tr.tonnes;
                    ox_net[b][k] -= tr.tonnes;
                }
            }
            "magnet" => mag_trade[a][b] += tr.tonnes,
            _ => {}
        }
    }
    for i in 0..n {
        let home = mined_mag[i] - exported[i];
        if home > 0.0 {
            conc[i][i] += home;
        }
    }
    // Recipe: Nd, Pr, Dy, Tb per t magnet, from the largest magnet end use.
    let mut recipe = [0.0; 4];
    if let Some(m) = t
        .consumption
        .iter()
        .filter(|r| r.year == year && r.element == "magnet" && r.demand_t > 0.0)
        .max_by(|a, b| a.demand_t.total_cmp(&b.demand_t))
    {
        for r in t
            .consumption
            .iter()
            .filter(|r| r.year == year && r.region == m.region && r.end_use == m.end_use)
        {
            if let Some(k) = mag_k(&r.element) {
                recipe[k] = r.demand_t / m.demand_t;
            }
        }
    }
    let mut mag_out = vec![0.0; n];
    for r in t
        .production
        .iter()
        .filter(|r| r.year == year && r.stage == Stage::Magnet)
    {
        if let Some(i) = idx(&r.region) {
            mag_out[i] += r.tonnes;
        }
    }
    let mut own = vec![[0.0; 4]; n];
    for r in t
        .reliance
        .iter()
        .filter(|r| r.year == year && r.stage == "oxide")
    {
        if let (Some(i), Some(k)) = (idx(&r.region), mag_k(&r.element)) {
            own[i][k] += r.apparent_consumption_t;
        }
    }
    for i in 0..n {
        for k in 0..4 {
            own[i][k] = (own[i][k] + ox_net[i][k]).max(0.0);
        }
    }
    let mut oxide = vec![vec![0.0; n]; n]; // [from][to]
    for r in 0..n {
        if mag_out[r] <= 0.0 {
            continue;
        }
        for k in 0..4 {
            let use_k = recipe[k] * mag_out[r];
            let total = own[r][k] + (0..n).map(|f| ox_imp[r][f][k]).sum::<f64>();
            if total <= 0.0 || use_k <= 0.0 {
                continue;
            }
            let q = (use_k / total).min(1.0);
            oxide[r][r] += own[r][k] * q;
            for from in 0..n {
                oxide[from][r] += ox_imp[r][from][k] * q;
            }
        }
    }
    // Magnet end uses: (region, end use) pairs with a `magnet` row.
    let mut content: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for r in t
        .consumption
        .iter()
        .filter(|r| r.year == year && r.element == "magnet")
    {
        content.insert((r.region.as_str(), r.end_use.as_str()), 0.0);
    }
    for r in t
        .consumption
        .iter()
        .filter(|r| r.year == year && is_magnet_element(&r.element))
    {
        if let Some(v) = content.get_mut(&(r.region.as_str(), r.end_use.as_str())) {
            *v += r.consumed_t;
        }
    }
    let mut end_uses: Vec<&str> = content.keys().map(|k| k.1).collect();
    end_uses.sort();
    end_uses.dedup();
    let mut enduse = vec![vec![0.0; end_uses.len()]; n]; // [maker][end use]
    for ((region, end_use), v) in &content {
        let (Some(c), Some(u)) = (idx(region), end_uses.iter().position(|x| x == end_use)) else {
            continue;
        };
        let exports: f64 = mag_trade[c].iter().sum();
        let src: Vec<f64> = (0..n)
            .map(|m| {
                if m == c {
                    (mag_out[c] - exports).max(0.0)
                } else {
                    mag_trade[m][c]
                }
            })
            .collect();
        let total: f64 = src.iter().sum();
        if total <= 0.0 {
            continue;
        }
        for m in 0..n {
            enduse[m][u] += v * src[m] / total;
        }
    }
    let mut out = Flows {
        year,
        ..Default::default()
    };
    let round = |x: f64| (x * 1e6).round() / 1e6;
    for (stage, m) in [(0, &conc), (1, &oxide)] {
        for a in 0..n {
            for b in 0..n {
                if m[a][b] > 1e-6 {
                    out.links[stage].push((regions[a].clone(), regions[b].clone(), round(m[a][b])));
                }
            }
        }
    }
    for a in 0..n {
        for (u, name) in end_uses.iter().enumerate() {
            if enduse[a][u] > 1e-6 {
                out.links[2].push((regions[a].clone(), (*name).to_string(), round(enduse[a][u])));
            }
        }
    }
    out
}
