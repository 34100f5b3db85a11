//! CSV parsing with locations, then semantic validation.

use std::collections::{HashMap, HashSet};

use oreflow_core::ranges::{self, Verdict};

use oreflow_core::{
    closest, CapacityPath, Commodity, DataIssue, Dataset, Element, ElementInfo, EndUse, EndUseKind,
    GrowthPath, MagnetDemand, MagnetPlant, Mine, OreType, OxideDemand, Provenance, Quality,
    RecipeRow, Region, RegionId, SeparationPlant, Source, Status, TonnesMagnet, TonnesReo,
    TradeCost, UsdPerKg, Year, DEFAULT_REFERENCE_YEAR, ELEMENTS, MAX_YEAR, MIN_YEAR,
};
use oreflow_core::{
    Parameter, ProductionQuota, StockChange, StockItem, StockRow, SupplyResponse, PARAMETERS,
};

use crate::DataError;

/// The most regions a dataset may define.
pub const MAX_REGIONS: usize = 500;

/// One parsed row with its location; field accessors record problems.
struct Row<'a> {
    file: &'a str,
    /// The file name without `.csv`: the first part of range keys.
    table: &'a str,
    line: u64,
    cols: &'a HashMap<String, usize>,
    rec: &'a csv::StringRecord,
}

struct Ctx {
    issues: Vec<DataIssue>,
}

impl Ctx {
    fn push(&mut self, file: &str, line: u64, field: &str, message: String) {
        self.issues.push(DataIssue {
            file: file.to_string(),
            line,
            field: field.to_string(),
            message,
        });
    }
}

impl Row<'_> {
    fn raw(&self, field: &str) -> &str {
        self.cols
            .get(field)
            .and_then(|&i| self.rec.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    fn err(&self, ctx: &mut Ctx, field: &str, message: String) {
        ctx.push(self.file, self.line, field, message);
    }

    fn text(&self, ctx: &mut Ctx, field: &str) -> Option<String> {
        let v = self.raw(field);
        if v.is_empty() {
            self.err(ctx, field, "is empty; a value is required".into());
            None
        } else {
            Some(v.to_string())
        }
    }

    fn opt_num(&self, ctx: &mut Ctx, field: &str) -> Option<Option<f64>> {
        let v = self.raw(field);
        if v.is_empty() {
            return Some(None);
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(Some(x)),
            _ => {
                self.err(ctx, field, format!("`{v}` is not a number"));
                None
            }
        }
    }

    fn num(&self, ctx: &mut Ctx, field: &str) -> Option<f64> {
        match self.opt_num(ctx, field)? {
            Some(x) => Some(x),
            None => {
                self.err(ctx, field, "is empty; a number is required".into());
                None
            }
        }
    }

    /// An optional column (tables written before it existed lack it): its
    /// number, or `default` when the column or the value is empty.
    fn num_or(&self, ctx: &mut Ctx, field: &str, default: f64) -> Option<f64> {
        Some(self.opt_num(ctx, field)?.unwrap_or(default))
    }

    /// An optional `yes`/`no` column (empty = no).
    fn flag(&self, ctx: &mut Ctx, field: &str) -> Option<bool> {
        match self.raw(field) {
            "" | "no" | "false" => Some(false),
            "yes" | "true" => Some(true),
            other => {
                self.err(ctx, field, format!("`{other}` is not yes or no"));
                None
            }
        }
    }

    fn nonneg(&self, ctx: &mut Ctx, field: &str) -> Option<f64> {
        let x = self.num(ctx, field)?;
        if x < 0.0 {
            self.err(
                ctx,
                field,
                format!("is {x}; expected a non-negative number"),
            );
            return None;
        }
        Some(x)
    }

    /// `x` if it is in the possible range of `key` ([`oreflow_core::ranges`]).
    fn in_range(&self, ctx: &mut Ctx, field: &str, key: &str, x: f64) -> Option<f64> {
        match ranges::check(key, x) {
            Verdict::Impossible(m) => {
                self.err(ctx, field, m);
                None
            }
            _ => Some(x),
        }
    }

    /// A required number in the possible range of `table.field`.
    fn ranged(&self, ctx: &mut Ctx, field: &str) -> Option<f64> {
        let x = self.num(ctx, field)?;
        self.in_range(ctx, field, &format!("{}.{field}", self.table), x)
    }

    /// An optional number in the possible range of `table.field`.
    fn opt_ranged(&self, ctx: &mut Ctx, field: &str) -> Option<Option<f64>> {
        match self.opt_num(ctx, field)? {
            None => Some(None),
            Some(x) => self
                .in_range(ctx, field, &format!("{}.{field}", self.table), x)
                .map(Some),
        }
    }

    fn year(&self, ctx: &mut Ctx, field: &str, required: bool) -> Option<Option<Year>> {
        let v = self.raw(field);
        if v.is_empty() {
            if required {
                self.err(ctx, field, "is empty; a year is required".into());
                return None;
            }
            return Some(None);
        }
        match v.parse::<Year>() {
            Ok(y) => self
                .in_range(ctx, field, &format!("{}.{field}", self.table), y as f64)
                .map(|_| Some(y)),
            _ => {
                self.err(
                    ctx,
                    field,
                    format!("`{v}` is not a year (an integer between 1900 and 2100)"),
                );
                None
            }
        }
    }

    fn element(&self, ctx: &mut Ctx, field: &str) -> Option<Element> {
        let v = self.raw(field);
        v.parse::<Element>().ok().or_else(|| {
            let hint = closest(v, ELEMENTS.iter().map(|e| e.symbol()))
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            self.err(ctx, field, format!("unknown element `{v}`{hint}"));
            None
        })
    }

    fn lookup(&self, ctx: &mut Ctx, field: &str, what: &str, names: &[&str]) -> Option<usize> {
        let v = self.raw(field);
        if let Some(i) = names.iter().position(|n| *n == v) {
            return Some(i);
        }
        let hint = closest(v, names.iter().copied())
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        self.err(ctx, field, format!("unknown {what} `{v}`{hint}"));
        None
    }

    fn provenance(&self, ctx: &mut Ctx, sources: &[String]) -> Option<Provenance> {
        let src = self.raw("source");
        let ids: Vec<String> = src
            .split(';')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let mut ok = true;
        if ids.is_empty() {
            self.err(
                ctx,
                "source",
                "is empty; every row must cite a source id from sources.csv".into(),
            );
            ok = false;
        }
        for id in &ids {
            if !sources.contains(id) {
                let hint = closest(id, sources.iter().map(String::as_str))
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                self.err(
                    ctx,
                    "source",
                    format!("source id `{id}` is not defined in sources.csv{hint}"),
                );
                ok = false;
            }
        }
        let q = self.raw("quality");
        let quality = Quality::parse(q);
        if quality.is_none() {
            self.err(
                ctx,
                "quality",
                format!(
                    "`{q}` is not a quality; expected one of {}",
                    Quality::NAMES.join(", ")
                ),
            );
        }
        if !ok {
            return None;
        }
        Some(Provenance {
            file: self.file.to_string(),
            line: self.line,
            sources: ids,
            quality: quality?,
            note: self.raw("note").to_string(),
        })
    }
}

/// Reads one CSV file; calls `f` for each row. Checks that the required columns exist.
fn each_row(
    ctx: &mut Ctx,
    files: &[(String, String)],
    file: &str,
    required: &[&str],
    mut f: impl FnMut(&mut Ctx, &Row),
) {
    let Some((_, content)) = files.iter().find(|(n, _)| n == file) else {
        ctx.push(file, 0, "", "file is missing from the dataset".into());
        return;
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(content.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            ctx.push(file, 1, "", format!("cannot read the header row: {e}"));
            return;
        }
    };
    let cols: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().trim_start_matches('\u{feff}').to_string(), i))
        .collect();
    if headers.len() == 1 {
        let h = headers.get(0).unwrap_or("");
        if let Some((sep, name)) = [(';', "semicolons"), ('\t', "tabs")]
            .into_iter()
            .find(|(c, _)| h.contains(*c))
        {
            ctx.push(
                file,
                1,
                "",
                format!(
                    "the header is one field holding `{}`: the columns are separated by {name}, not commas\n  hint: saved by Excel with `{}`? Re-save it as \"CSV UTF-8 (comma delimited)\", or replace the separators with `,`",
                    sep.escape_default(),
                    sep.escape_default()
                ),
            );
            return;
        }
    }
    let mut missing = false;
    for r in required {
        if !cols.contains_key(*r) {
            let hint = closest(r, cols.keys().map(String::as_str))
                .map(|c| format!(" (found `{c}`: misspelt?)"))
                .unwrap_or_default();
            ctx.push(
                file,
                1,
                r,
                format!(
                    "required column `{r}` is missing{hint}; expected columns: {}",
                    required.join(",")
                ),
            );
            missing = true;
        }
    }
    if missing {
        return;
    }
    for rec in rdr.records() {
        match rec {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let row = Row {
                    file,
                    table: file.trim_end_matches(".csv"),
                    line,
                    cols: &cols,
                    rec: &rec,
                };
                f(ctx, &row);
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let msg = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        let hint = if len < expected_len {
                            "an unclosed quote `\"` joins the lines after it into one field"
                        } else {
                            "a field that holds a comma must be in double quotes"
                        };
                        format!(
                            "row has {len} fields; the header has {expected_len} (hint: {hint})"
                        )
                    }
                    _ => format!("malformed CSV: {e}"),
                };
                ctx.push(file, line, "", msg);
            }
        }
    }
}

const PROV: [&str; 3] = ["source", "quality", "note"];

fn req(cols: &[&'static str]) -> Vec<&'static str> {
    cols.iter().chain(PROV.iter()).copied().collect()
}

fn capacity(ctx: &mut Ctx, row: &Row, nameplate: f64) -> Option<CapacityPath> {
    let start_year = row.year(ctx, "start_year", true)??;
    let end_year = row.year(ctx, "end_year", false)?;
    let ramp = row.raw("ramp_years");
    let ramp_years = if ramp.is_empty() {
        0
    } else {
        match ramp.parse::<u32>() {
            Ok(r) => {
                row.in_range(
                    ctx,
                    "ramp_years",
                    &format!("{}.ramp_years", row.table),
                    r as f64,
                )?;
                r
            }
            _ => {
                row.err(
                    ctx,
                    "ramp_years",
                    format!("`{ramp}` is not a whole number of years between 0 and 30"),
                );
                return None;
            }
        }
    };
    Some(CapacityPath {
        nameplate,
        start_year,
        ramp_years,
        end_year,
    })
}

fn status(ctx: &mut Ctx, row: &Row) -> Option<Status> {
    let v = row.raw("status");
    Status::parse(v).or_else(|| {
        let hint = closest(v, Status::NAMES)
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        row.err(
            ctx,
            "status",
            format!(
                "unknown status `{v}`{hint}; expected one of {}",
                Status::NAMES.join(", ")
            ),
        );
        None
    })
}

/// Parses and validates a dataset from (file name, content) pairs.
pub fn parse(files: &[(String, String)]) -> Result<Dataset, DataError> {
    let mut ctx = Ctx { issues: Vec::new() };

    let mut sources: Vec<Source> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "sources.csv",
        &["id", "publication", "table", "year", "url", "note"],
        |ctx, r| {
            let Some(id) = r.text(ctx, "id") else { return };
            if sources.iter().any(|s| s.id == id) {
                r.err(ctx, "id", format!("source id `{id}` is defined twice"));
                return;
            }
            let Some(publication) = r.text(ctx, "publication") else {
                return;
            };
            let year = r.year(ctx, "year", false).flatten();
            sources.push(Source {
                id,
                publication,
                table: r.raw("table").to_string(),
                year,
                url: r.raw("url").to_string(),
                note: r.raw("note").to_string(),
            });
        },
    );
    let source_ids: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();
    // Tables that define ids others refer to are checked first; if one is
    // broken, stop there rather than report every reference to it.
    macro_rules! stop_if_broken {
        () => {
            if !ctx.issues.is_empty() {
                return Err(DataError { issues: ctx.issues });
            }
        };
    }
    stop_if_broken!();

    let mut reference_year = None;
    let mut default_to = None;
    let mut default_growth_path: Option<String> = None;
    each_row(
        &mut ctx,
        files,
        "dataset.csv",
        &req(&["key", "value"]),
        |ctx, r| {
            let key = r.raw("key").to_string();
            const KEYS: [&str; 3] = ["reference_year", "default_to", "default_growth_path"];
            if r.provenance(ctx, &source_ids).is_none() {
                return;
            }
            let slot = match key.as_str() {
                "reference_year" => &mut reference_year,
                "default_to" => &mut default_to,
                "default_growth_path" => {
                    if default_growth_path
                        .replace(r.raw("value").to_string())
                        .is_some()
                    {
                        r.err(ctx, "key", format!("`{key}` is given twice"));
                    }
                    return;
                }
                other => {
                    let hint = closest(other, KEYS)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    r.err(
                        ctx,
                        "key",
                        format!(
                            "unknown key `{other}`{hint}; expected one of {}",
                            KEYS.join(", ")
                        ),
                    );
                    return;
                }
            };
            match r.raw("value").parse::<Year>() {
                Ok(y) if (MIN_YEAR..=MAX_YEAR).contains(&y) => {
                    if slot.replace((y, r.line)).is_some() {
                        r.err(ctx, "key", format!("`{key}` is given twice"));
                    }
                }
                _ => r.err(
                    ctx,
                    "value",
                    format!(
                        "`{}` is not a year between {MIN_YEAR} and {MAX_YEAR}",
                        r.raw("value")
                    ),
                ),
            }
        },
    );
    let (reference_year, default_to) = match (reference_year, default_to) {
        (Some((ry, _)), Some((to, line))) if to < ry => {
            ctx.push(
                "dataset.csv",
                line,
                "value",
                format!("default_to {to} is before the reference year {ry}"),
            );
            (ry, ry)
        }
        (Some((ry, _)), to) => (ry, to.map(|t| t.0).unwrap_or(ry.clamp(2040, MAX_YEAR))),
        (None, _) => {
            if !ctx.issues.iter().any(|i| i.file == "dataset.csv") {
                ctx.push(
                    "dataset.csv",
                    0,
                    "key",
                    "no `reference_year` row: the dataset must say which year it describes".into(),
                );
            }
            (DEFAULT_REFERENCE_YEAR, DEFAULT_REFERENCE_YEAR)
        }
    };

    let mut regions: Vec<Region> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "regions.csv",
        &req(&["code", "name", "aliases"]),
        |ctx, r| {
            let (Some(code), Some(name)) = (r.text(ctx, "code"), r.text(ctx, "name")) else {
                return;
            };
            if regions.iter().any(|x| x.code == code) {
                r.err(ctx, "code", format!("region `{code}` is defined twice"));
                return;
            }
            let Some(provenance) = r.provenance(ctx, &source_ids) else {
                return;
            };
            let aliases = r
                .raw("aliases")
                .split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            regions.push(Region {
                code,
                name,
                aliases,
                provenance,
            });
        },
    );
    // Trade costs and flows grow with the square of the number of regions
    // (and a region id is 16 bits): far more than the world's countries is
    // not a dataset.
    if regions.len() > MAX_REGIONS {
        ctx.push(
            "regions.csv",
            0,
            "",
            format!(
                "has {} regions; at most {MAX_REGIONS} (the model's trade arcs grow with the square of the number of regions)",
                regions.len()
            ),
        );
    }
    stop_if_broken!();
    let mut region_names: Vec<(String, RegionId)> = Vec::new();
    for (i, reg) in regions.iter().enumerate() {
        let id = RegionId(i as u16);
        region_names.push((reg.code.clone(), id));
        region_names.push((reg.name.clone(), id));
        for a in &reg.aliases {
            region_names.push((a.clone(), id));
        }
    }
    let region = |ctx: &mut Ctx, r: &Row, field: &str| -> Option<RegionId> {
        let v = r.raw(field);
        if let Some((_, id)) = region_names.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
            return Some(*id);
        }
        let hint = closest(v, region_names.iter().map(|(n, _)| n.as_str()))
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        r.err(ctx, field, format!("unknown region `{v}`{hint}"));
        None
    };

    let mut elements: Vec<ElementInfo> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "elements.csv",
        &req(&["element", "oxide", "reference_price_usd_per_kg"]),
        |ctx, r| {
            let Some(element) = r.element(ctx, "element") else {
                return;
            };
            let Some(price) = r.opt_num(ctx, "reference_price_usd_per_kg") else {
                return;
            };
            // Out of range: reported, and the element kept (unpriced) so that
            // no "has no row" follows.
            let price = price.and_then(|p| {
                r.in_range(
                    ctx,
                    "reference_price_usd_per_kg",
                    "elements.reference_price_usd_per_kg",
                    p,
                )
            });
            let Some(provenance) = r.provenance(ctx, &source_ids) else {
                return;
            };
            elements.push(ElementInfo {
                element,
                oxide: r.raw("oxide").to_string(),
                reference_price: price.map(UsdPerKg),
                provenance,
            });
        },
    );
    for e in ELEMENTS {
        if !elements.iter().any(|i| i.element == e) {
            ctx.push(
                "elements.csv",
                0,
                "element",
                format!("element {e} has no row"),
            );
        }
    }

    let mut ore_types: Vec<OreType> = Vec::new();
    let mut ore_cols = vec!["id", "name"];
    ore_cols.extend(ELEMENTS.iter().map(|e| e.symbol()));
    each_row(
        &mut ctx,
        files,
        "ore_types.csv",
        &req(&ore_cols),
        |ctx, r| {
            let (Some(id), Some(name)) = (r.text(ctx, "id"), r.text(ctx, "name")) else {
                return;
            };
            let mut composition = [0.0; 15];
            let mut ok = true;
            for e in ELEMENTS {
                match r.opt_num(ctx, e.symbol()) {
                    Some(Some(x)) => match r.in_range(ctx, e.symbol(), "ore_types.share", x) {
                        Some(x) => composition[e.index()] = x,
                        None => ok = false,
                    },
                    Some(None) => {}
                    None => ok = false,
                }
            }
            let Some(provenance) = r.provenance(ctx, &source_ids) else {
                return;
            };
            if ok {
                ore_types.push(OreType {
                    id,
                    name,
                    composition,
                    provenance,
                });
            }
        },
    );
    stop_if_broken!();
    let ore_ids: Vec<String> = ore_types.iter().map(|o| o.id.clone()).collect();
    let ore_refs: Vec<&str> = ore_ids.iter().map(String::as_str).collect();

    // A set, not a list: 100,000 facility rows must load in linear time.
    let mut ids_seen: HashSet<String> = HashSet::new();
    let mut unique = |ctx: &mut Ctx, r: &Row, id: &str| -> bool {
        if ids_seen.insert(id.to_string()) {
            true
        } else {
            r.err(ctx, "id", format!("facility id `{id}` is used twice"));
            false
        }
    };

    let mut mines: Vec<Mine> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "mines.csv",
        &req(&[
            "id",
            "name",
            "region",
            "ore_type",
            "status",
            "start_year",
            "capacity_t_reo",
            "ore_capacity_t",
            "recovered_grade",
            "ramp_years",
            "end_year",
            "cost_usd_per_kg_reo",
        ]),
        |ctx, r| {
            let (Some(id), Some(name)) = (r.text(ctx, "id"), r.text(ctx, "name")) else {
                return;
            };
            if !unique(ctx, r, &id) {
                return;
            }
            let reg = region(ctx, r, "region");
            let ore = r.lookup(ctx, "ore_type", "ore type", &ore_refs);
            let st = status(ctx, r);
            let cap = r.opt_ranged(ctx, "capacity_t_reo");
            let ore_cap = r.opt_ranged(ctx, "ore_capacity_t");
            let grade = r.opt_ranged(ctx, "recovered_grade");
            let cost = r.ranged(ctx, "cost_usd_per_kg_reo");
            let unreported = r.flag(ctx, "unreported");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(cap), Some(ore_cap), Some(grade), Some(unreported)) =
                (cap, ore_cap, grade, unreported)
            else {
                return;
            };
            let nameplate = match (cap, ore_cap, grade) {
                (Some(c), _, _) => c,
                (None, Some(o), Some(g)) => o * g,
                _ => {
                    r.err(
                        ctx,
                        "capacity_t_reo",
                        "is empty; give capacity_t_reo, or both ore_capacity_t and recovered_grade"
                            .into(),
                    );
                    return;
                }
            };
            if r.in_range(ctx, "capacity_t_reo", "mines.capacity_t_reo", nameplate)
                .is_none()
            {
                return;
            }
            let Some(path) = capacity(ctx, r, nameplate) else {
                return;
            };
            let (Some(region), Some(ore_type), Some(status), Some(cost), Some(provenance)) =
                (reg, ore, st, cost, prov)
            else {
                return;
            };
            mines.push(Mine {
                id,
                name,
                region,
                ore_type,
                status,
                capacity: path,
                ore_capacity_t: ore_cap,
                recovered_grade: grade,
                cost: UsdPerKg(cost),
                unreported,
                provenance,
            });
        },
    );

    // The fields separation and magnet plants share, parsed the same way.
    struct Plant {
        id: String,
        name: String,
        region: RegionId,
        status: Status,
        capacity: CapacityPath,
        cost: UsdPerKg,
        provenance: Provenance,
    }
    let mut plant = |ctx: &mut Ctx, r: &Row, cap_field: &str, cost_field: &str| -> Option<Plant> {
        let (Some(id), Some(name)) = (r.text(ctx, "id"), r.text(ctx, "name")) else {
            return None;
        };
        if !unique(ctx, r, &id) {
            return None;
        }
        let reg = region(ctx, r, "region");
        let st = status(ctx, r);
        let cap = r.ranged(ctx, cap_field);
        let cost = r.ranged(ctx, cost_field);
        let prov = r.provenance(ctx, &source_ids);
        let capacity = capacity(ctx, r, cap?)?;
        Some(Plant {
            id,
            name,
            region: reg?,
            status: st?,
            capacity,
            cost: UsdPerKg(cost?),
            provenance: prov?,
        })
    };
    let plant_columns = |cap: &'static str, cost: &'static str| {
        req(&[
            "id",
            "name",
            "region",
            "status",
            "start_year",
            cap,
            "ramp_years",
            "end_year",
            cost,
        ])
    };

    let mut separation_plants: Vec<SeparationPlant> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "separation_plants.csv",
        &plant_columns("capacity_t_reo", "cost_usd_per_kg_reo"),
        |ctx, r| {
            let p = plant(ctx, r, "capacity_t_reo", "cost_usd_per_kg_reo");
            // Optional column: the region that separates a light-only plant's heavy by-product.
            let heavy_to = match r.raw("heavy_to") {
                "" => None,
                _ => match region(ctx, r, "heavy_to") {
                    Some(h) => Some(h),
                    None => return,
                },
            };
            let Some(p) = p else { return };
            separation_plants.push(SeparationPlant {
                id: p.id,
                name: p.name,
                region: p.region,
                status: p.status,
                capacity: p.capacity,
                cost: p.cost,
                heavy_to,
                provenance: p.provenance,
            });
        },
    );

    let mut magnet_plants: Vec<MagnetPlant> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "magnet_plants.csv",
        &plant_columns("capacity_t_magnet", "cost_usd_per_kg_magnet"),
        |ctx, r| {
            let Some(p) = plant(ctx, r, "capacity_t_magnet", "cost_usd_per_kg_magnet") else {
                return;
            };
            magnet_plants.push(MagnetPlant {
                id: p.id,
                name: p.name,
                region: p.region,
                status: p.status,
                capacity: p.capacity,
                cost: p.cost,
                provenance: p.provenance,
            });
        },
    );

    let mut recipe: Vec<RecipeRow> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "magnet_recipe.csv",
        &req(&["element", "t_reo_per_t_magnet"]),
        |ctx, r| {
            let el = r.element(ctx, "element");
            let v = r.ranged(ctx, "t_reo_per_t_magnet");
            let thrift = r.num_or(ctx, "thrifting_elasticity", 0.0);
            let min_share = r.num_or(ctx, "min_share", 1.0);
            let adjust = r.num_or(ctx, "adjustment_years", 0.0);
            let reversibility = r.num_or(ctx, "reversibility", 1.0);
            let prov = r.provenance(ctx, &source_ids);
            let (
                Some(element),
                Some(v),
                Some(thrifting_elasticity),
                Some(min_share),
                Some(adjustment_years),
                Some(reversibility),
                Some(provenance),
            ) = (el, v, thrift, min_share, adjust, reversibility, prov)
            else {
                return;
            };
            if recipe.iter().any(|x| x.element == element) {
                r.err(
                    ctx,
                    "element",
                    format!("{element} appears twice in the recipe"),
                );
                return;
            }
            recipe.push(RecipeRow {
                element,
                t_reo_per_t_magnet: v,
                thrifting_elasticity,
                min_share,
                adjustment_years,
                reversibility,
                provenance,
            });
        },
    );

    let mut end_uses: Vec<EndUse> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "end_uses.csv",
        &req(&[
            "id",
            "name",
            "kind",
            "elasticity",
            "lifetime_years",
            "value_added_usd_per_kg",
        ]),
        |ctx, r| {
            let (Some(id), Some(name)) = (r.text(ctx, "id"), r.text(ctx, "name")) else {
                return;
            };
            let kind = match r.raw("kind") {
                "magnet" => Some(EndUseKind::Magnet),
                "oxide" => Some(EndUseKind::Oxide),
                other => {
                    r.err(
                        ctx,
                        "kind",
                        format!("`{other}` is not a kind; expected `magnet` or `oxide`"),
                    );
                    None
                }
            };
            let el = r.ranged(ctx, "elasticity");
            let life = r.ranged(ctx, "lifetime_years");
            let va = r.ranged(ctx, "value_added_usd_per_kg");
            let short = r.opt_num(ctx, "elasticity_short_run");
            let adjust = r.num_or(ctx, "adjustment_years", 0.0);
            let reversibility = r.num_or(ctx, "reversibility", 1.0);
            let prov = r.provenance(ctx, &source_ids);
            let (
                Some(kind),
                Some(elasticity),
                Some(lifetime_years),
                Some(va),
                Some(short),
                Some(adjustment_years),
                Some(reversibility),
                Some(provenance),
            ) = (kind, el, life, va, short, adjust, reversibility, prov)
            else {
                return;
            };
            if end_uses.iter().any(|u| u.id == id) {
                r.err(ctx, "id", format!("end use `{id}` is defined twice"));
                return;
            }
            end_uses.push(EndUse {
                id,
                name,
                kind,
                elasticity,
                elasticity_short_run: short.unwrap_or(elasticity),
                adjustment_years,
                reversibility,
                lifetime_years,
                value_added: UsdPerKg(va),
                provenance,
            });
        },
    );
    stop_if_broken!();
    let use_ids: Vec<String> = end_uses.iter().map(|u| u.id.clone()).collect();
    let use_refs: Vec<&str> = use_ids.iter().map(String::as_str).collect();
    let end_use_of_kind = |ctx: &mut Ctx, r: &Row, kind: EndUseKind| -> Option<usize> {
        let i = r.lookup(ctx, "end_use", "end use", &use_refs)?;
        if end_uses[i].kind != kind {
            let k = if kind == EndUseKind::Magnet {
                "magnet"
            } else {
                "oxide"
            };
            r.err(
                ctx,
                "end_use",
                format!("end use `{}` is not a {k} end use", use_refs[i]),
            );
            return None;
        }
        Some(i)
    };

    let mut magnet_demand: Vec<MagnetDemand> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "magnet_demand.csv",
        &req(&["region", "end_use", "t_magnet"]),
        |ctx, r| {
            let reg = region(ctx, r, "region");
            let u = end_use_of_kind(ctx, r, EndUseKind::Magnet);
            let q = r.ranged(ctx, "t_magnet");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(region), Some(end_use), Some(q), Some(provenance)) = (reg, u, q, prov) else {
                return;
            };
            magnet_demand.push(MagnetDemand {
                region,
                end_use,
                quantity: TonnesMagnet(q),
                provenance,
            });
        },
    );

    let mut oxide_demand: Vec<OxideDemand> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "oxide_demand.csv",
        &req(&["region", "end_use", "element", "t_reo"]),
        |ctx, r| {
            let reg = region(ctx, r, "region");
            let u = end_use_of_kind(ctx, r, EndUseKind::Oxide);
            let el = r.element(ctx, "element");
            let q = r.ranged(ctx, "t_reo");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(region), Some(end_use), Some(element), Some(q), Some(provenance)) =
                (reg, u, el, q, prov)
            else {
                return;
            };
            oxide_demand.push(OxideDemand {
                region,
                end_use,
                element,
                quantity: TonnesReo(q),
                provenance,
            });
        },
    );

    let mut growth_paths: Vec<GrowthPath> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "demand_growth.csv",
        &req(&["path", "end_use", "year", "index"]),
        |ctx, r| {
            let path = r.text(ctx, "path");
            let u = r.lookup(ctx, "end_use", "end use", &use_refs);
            let y = r.year(ctx, "year", true).flatten();
            let v = r.ranged(ctx, "index");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(path), Some(u), Some(y), Some(v), Some(_)) = (path, u, y, v, prov) else {
                return;
            };
            let gp = match growth_paths.iter_mut().position(|p| p.name == path) {
                Some(i) => &mut growth_paths[i],
                None => {
                    growth_paths.push(GrowthPath {
                        name: path,
                        points: vec![Vec::new(); use_refs.len()],
                    });
                    growth_paths.last_mut().expect("just pushed")
                }
            };
            if gp.points[u].iter().any(|(yy, _)| *yy == y) {
                r.err(
                    ctx,
                    "year",
                    format!(
                        "path `{}`, end use `{}`: year {y} appears twice",
                        gp.name, use_refs[u]
                    ),
                );
                return;
            }
            gp.points[u].push((y, v));
        },
    );
    for gp in &mut growth_paths {
        for pts in &mut gp.points {
            pts.sort_by_key(|p| p.0);
        }
    }

    let mut trade_costs: Vec<TradeCost> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "trade_costs.csv",
        &req(&["stage", "from", "to", "usd_per_kg"]),
        |ctx, r| {
            let commodity = match r.raw("stage") {
                "concentrate" => Some(Commodity::Concentrate),
                "oxide" => Some(Commodity::Oxide),
                "magnet" => Some(Commodity::Magnet),
                other => {
                    r.err(ctx, "stage", format!("`{other}` is not a traded stage; expected concentrate, oxide or magnet"));
                    None
                }
            };
            let any_or_region = |ctx: &mut Ctx, field: &str| -> Option<Option<RegionId>> {
                if r.raw(field) == "*" {
                    Some(None)
                } else {
                    region(ctx, r, field).map(Some)
                }
            };
            let from = any_or_region(ctx, "from");
            let to = any_or_region(ctx, "to");
            let cost = r.ranged(ctx, "usd_per_kg");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(commodity), Some(from), Some(to), Some(cost), Some(provenance)) =
                (commodity, from, to, cost, prov)
            else {
                return;
            };
            trade_costs.push(TradeCost {
                commodity,
                from,
                to,
                cost: UsdPerKg(cost),
                provenance,
            });
        },
    );

    let mut stocks: Vec<StockRow> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "stocks.csv",
        &req(&[
            "region",
            "element",
            "normal_years",
            "opening_years",
            "max_years",
            "elasticity",
            "precaution_years",
        ]),
        |ctx, r| {
            let reg = region(ctx, r, "region");
            let el = match r.raw("element") {
                "*" => Some(StockItem::AllElements),
                "magnet" | "magnets" => Some(StockItem::Magnets),
                _ => r.element(ctx, "element").map(StockItem::Element),
            };
            let normal = r.nonneg(ctx, "normal_years");
            let opening = r.nonneg(ctx, "opening_years");
            let max = r.nonneg(ctx, "max_years");
            let elasticity = r.num(ctx, "elasticity");
            let precaution = r.nonneg(ctx, "precaution_years");
            let prov = r.provenance(ctx, &source_ids);
            let (
                Some(region),
                Some(item),
                Some(normal_years),
                Some(opening_years),
                Some(max_years),
                Some(elasticity),
                Some(precaution_years),
                Some(provenance),
            ) = (reg, el, normal, opening, max, elasticity, precaution, prov)
            else {
                return;
            };
            if stocks.iter().any(|s| s.region == region && s.item == item) {
                r.err(
                    ctx,
                    "element",
                    "this region and element appear twice".into(),
                );
                return;
            }
            stocks.push(StockRow {
                region,
                item,
                normal_years,
                opening_years,
                max_years,
                elasticity,
                precaution_years,
                provenance,
            });
        },
    );

    let mut production_quotas: Vec<ProductionQuota> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "production_quotas.csv",
        &req(&["region", "year", "t_reo"]),
        |ctx, r| {
            let reg = region(ctx, r, "region");
            let y = r.year(ctx, "year", true).flatten();
            let q = r.nonneg(ctx, "t_reo");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(region), Some(year), Some(q), Some(provenance)) = (reg, y, q, prov) else {
                return;
            };
            if production_quotas
                .iter()
                .any(|x| x.region == region && x.year == year)
            {
                r.err(
                    ctx,
                    "year",
                    format!("a quota for this region in {year} is given twice"),
                );
                return;
            }
            production_quotas.push(ProductionQuota {
                region,
                year,
                tonnes: TonnesReo(q),
                provenance,
            });
        },
    );

    let mut supply_response: Vec<SupplyResponse> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "supply_response.csv",
        &req(&["status", "lead_years", "hurdle", "max_slip_years"]),
        |ctx, r| {
            let st = status(ctx, r);
            let whole = |ctx: &mut Ctx, field: &str| -> Option<u32> {
                let v = r.raw(field);
                match v.parse::<u32>() {
                    Ok(x) if x <= 30 => Some(x),
                    _ => {
                        r.err(
                            ctx,
                            field,
                            format!("`{v}` is not a whole number of years between 0 and 30"),
                        );
                        None
                    }
                }
            };
            let lead = whole(ctx, "lead_years");
            let slip = whole(ctx, "max_slip_years");
            let hurdle = r.nonneg(ctx, "hurdle");
            let prov = r.provenance(ctx, &source_ids);
            let (
                Some(status),
                Some(lead_years),
                Some(max_slip_years),
                Some(hurdle),
                Some(provenance),
            ) = (st, lead, slip, hurdle, prov)
            else {
                return;
            };
            if supply_response.iter().any(|s| s.status == status) {
                r.err(
                    ctx,
                    "status",
                    format!("status `{}` appears twice", status.as_str()),
                );
                return;
            }
            supply_response.push(SupplyResponse {
                status,
                lead_years,
                hurdle,
                max_slip_years,
                provenance,
            });
        },
    );

    let mut parameters: Vec<Parameter> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "parameters.csv",
        &req(&["key", "value"]),
        |ctx, r| {
            let key = r.raw("key").to_string();
            if !PARAMETERS.iter().any(|(k, _)| *k == key) {
                let hint = closest(&key, PARAMETERS.iter().map(|(k, _)| *k))
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                r.err(ctx, "key", format!("unknown parameter `{key}`{hint}"));
                return;
            }
            let v = r.num(ctx, "value");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(value), Some(provenance)) = (v, prov) else {
                return;
            };
            if parameters.iter().any(|p| p.key == key) {
                r.err(ctx, "key", format!("`{key}` is given twice"));
                return;
            }
            parameters.push(Parameter {
                key,
                value,
                provenance,
            });
        },
    );

    let mut stock_changes: Vec<StockChange> = Vec::new();
    each_row(
        &mut ctx,
        files,
        "stock_changes.csv",
        &req(&["region", "element", "t_reo"]),
        |ctx, r| {
            let reg = region(ctx, r, "region");
            let el = r.element(ctx, "element");
            let q = r.num(ctx, "t_reo");
            let prov = r.provenance(ctx, &source_ids);
            let (Some(region), Some(element), Some(tonnes), Some(provenance)) = (reg, el, q, prov)
            else {
                return;
            };
            stock_changes.push(StockChange {
                region,
                element,
                tonnes,
                provenance,
            });
        },
    );

    let default_growth_path = default_growth_path.unwrap_or_else(|| "steps".into());
    if !growth_paths.iter().any(|p| p.name == default_growth_path) && !growth_paths.is_empty() {
        ctx.push(
            "dataset.csv",
            0,
            "value",
            format!(
                "default_growth_path `{default_growth_path}` is not a path of demand_growth.csv"
            ),
        );
    }
    let ds = Dataset {
        reference_year,
        default_to,
        default_growth_path,
        sources,
        regions,
        elements,
        ore_types,
        mines,
        separation_plants,
        magnet_plants,
        recipe,
        end_uses,
        magnet_demand,
        oxide_demand,
        growth_paths,
        trade_costs,
        stocks,
        production_quotas,
        supply_response,
        parameters,
        stock_changes,
    };
    ctx.issues.extend(ds.check());
    if ctx.issues.is_empty() {
        Ok(ds)
    } else {
        Err(DataError { issues: ctx.issues })
    }
}

/// Parses an observations table whose `source` ids resolve in `sources`.
pub(crate) fn parse_observations(
    sources: &str,
    content: &str,
) -> Result<Vec<oreflow_core::Observation>, DataError> {
    use oreflow_core::{Basis, Observation};
    let mut ctx = Ctx { issues: Vec::new() };
    let files = vec![
        ("sources.csv".to_string(), sources.to_string()),
        ("observed_prices.csv".to_string(), content.to_string()),
    ];
    let mut ids: Vec<String> = Vec::new();
    each_row(&mut ctx, &files, "sources.csv", &["id"], |_, r| {
        ids.push(r.raw("id").to_string())
    });
    let mut out = Vec::new();
    each_row(
        &mut ctx,
        &files,
        "observed_prices.csv",
        &req(&[
            "id",
            "element",
            "basis",
            "year",
            "period",
            "price_type",
            "usd_per_kg",
        ]),
        |ctx, r| {
            let element = match r.raw("element") {
                "magnet" => Some(None),
                _ => r.element(ctx, "element").map(Some),
            };
            let basis = match r.raw("basis") {
                "china" => Some(Basis::China),
                "outside" => Some(Basis::Outside),
                "ratio" => Some(Basis::Ratio),
                other => {
                    r.err(
                        ctx,
                        "basis",
                        format!("`{other}` is not a basis; expected china, outside or ratio"),
                    );
                    None
                }
            };
            let year = r.year(ctx, "year", true).flatten();
            let value = r.nonneg(ctx, "usd_per_kg");
            let low = r.opt_num(ctx, "low_usd_per_kg");
            let high = r.opt_num(ctx, "high_usd_per_kg");
            let prov = r.provenance(ctx, &ids);
            let (
                Some(element),
                Some(basis),
                Some(year),
                Some(value),
                Some(low),
                Some(high),
                Some(provenance),
            ) = (element, basis, year, value, low, high, prov)
            else {
                return;
            };
            out.push(Observation {
                id: r.raw("id").to_string(),
                element,
                basis,
                year,
                period: r.raw("period").to_string(),
                price_type: r.raw("price_type").to_string(),
                value,
                low,
                high,
                product: r.raw("product").to_string(),
                location: r.raw("location").to_string(),
                date: r.raw("date").to_string(),
                provenance,
            });
        },
    );
    if ctx.issues.is_empty() {
        Ok(out)
    } else {
        Err(DataError { issues: ctx.issues })
    }
}
