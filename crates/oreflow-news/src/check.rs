//! Checks each fact against the embedded dataset.
//!
//! Tolerances (also in docs/news.md):
//! - tonnages: 10 % of the dataset value, whether or not the text says
//!   about, around or roughly;
//! - prices: 15 % of an observation of the same element and year, or inside
//!   its low-high range widened by as much (20 % when approximate);
//! - shares of world output: 3 percentage points;
//! - `more than`/`over`/`at least` make the figure a lower bound and `less
//!   than`/`below`/`under` an upper bound (the other side is open).

use oreflow_core::{Basis, Dataset, Element, Observation, Status as FacilityStatus};

use crate::model::{DatasetRow, Fact, Kind, Status};

pub const TONNES_TOL: f64 = 0.10;
pub const PRICE_TOL: f64 = 0.15;
pub const PRICE_TOL_APPROX: f64 = 0.20;
pub const SHARE_TOL_POINTS: f64 = 3.0;

const APPROX: &[&str] = &[
    "about",
    "around",
    "roughly",
    "some",
    "nearly",
    "almost",
    "approximately",
    "approx",
    "circa",
    "close to",
    "near",
    "an estimated",
    "estimated",
];
const LOWER: &[&str] = &["more than", "over", "above", "at least", "just over"];
const UPPER: &[&str] = &["less than", "fewer than", "below", "under", "just under"];

/// The dataset a document is checked against.
pub struct Checker<'a> {
    pub ds: &'a Dataset,
    /// `baseline` or `hist-2010`.
    pub name: &'static str,
    pub observations: &'a [Observation],
}

enum Bound {
    Point,
    Lower,
    Upper,
}

fn bound(f: &Fact) -> (Bound, bool) {
    let q = f.qualifier.as_deref().unwrap_or("");
    let approx = APPROX.contains(&q);
    if LOWER.contains(&q) {
        (Bound::Lower, approx)
    } else if UPPER.contains(&q) {
        (Bound::Upper, approx)
    } else {
        (Bound::Point, approx)
    }
}

/// Whether `value` (the text's) agrees with `data` within a relative tolerance.
fn agrees_rel(value: f64, data: f64, tol: f64, b: &Bound) -> bool {
    match b {
        Bound::Point => (value - data).abs() <= tol * data.abs().max(1e-9),
        Bound::Lower => data >= value * (1.0 - tol),
        Bound::Upper => data <= value * (1.0 + tol),
    }
}

fn fmt_num(v: f64) -> String {
    if v.abs() >= 100.0 {
        let r = v.round() as i64;
        let s = r.abs().to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if r < 0 {
            format!("-{out}")
        } else {
            out
        }
    } else {
        format!("{}", (v * 100.0).round() / 100.0)
    }
}

impl Checker<'_> {
    fn row(
        &self,
        table: &str,
        row: &str,
        value: f64,
        unit: &str,
        sources: &[String],
        tol: String,
    ) -> DatasetRow {
        DatasetRow {
            dataset: self.name.to_string(),
            table: table.to_string(),
            row: row.to_string(),
            value,
            unit: unit.to_string(),
            source: sources.join(";"),
            tolerance: tol,
        }
    }

    fn region(&self, code: &str) -> Option<oreflow_core::RegionId> {
        self.ds.region(code)
    }

    /// Reference-year capacity of the operating facilities (of `region`, or
    /// of the world) among `rows`: (status, region, capacity path).
    fn operating<'r>(
        &self,
        rows: impl Iterator<
            Item = (
                FacilityStatus,
                oreflow_core::RegionId,
                &'r oreflow_core::CapacityPath,
            ),
        >,
        region: Option<oreflow_core::RegionId>,
    ) -> f64 {
        let y = self.ds.reference_year;
        rows.filter(|(status, r, _)| {
            *status == FacilityStatus::Operating && region.is_none_or(|want| *r == want)
        })
        .map(|(_, _, c)| c.at(y))
        .sum()
    }

    fn mine_output(&self, region: Option<oreflow_core::RegionId>) -> f64 {
        let rows = self
            .ds
            .mines
            .iter()
            .map(|m| (m.status, m.region, &m.capacity));
        self.operating(rows, region)
    }

    fn separation(&self, region: Option<oreflow_core::RegionId>) -> f64 {
        let rows = (self.ds.separation_plants.iter()).map(|m| (m.status, m.region, &m.capacity));
        self.operating(rows, region)
    }

    fn magnets(&self, region: Option<oreflow_core::RegionId>) -> f64 {
        let rows = (self.ds.magnet_plants.iter()).map(|m| (m.status, m.region, &m.capacity));
        self.operating(rows, region)
    }

    /// Sets `status`, `dataset` and `note` of `f`.
    pub fn check(&self, f: &mut Fact) {
        let (status, row, note) = self.judge(f);
        f.status = status;
        f.dataset = row;
        f.note = note;
    }

    fn judge(&self, f: &Fact) -> (Status, Option<DatasetRow>, String) {
        let value = f.value.unwrap_or(f64::NAN);
        match f.kind {
            Kind::Date => (Status::Context, None, "a date".into()),
            Kind::Multiple => (
                Status::Context,
                None,
                "a multiple: not a quantity the dataset holds".into(),
            ),
            Kind::Rank => (Status::Context, None, "a rank: not checked".into()),
            Kind::Money => (
                Status::Context,
                None,
                "an amount of money: the dataset holds no investment or deal values".into(),
            ),
            Kind::Change => (
                Status::Context,
                None,
                "a change: the dataset holds levels, not changes".into(),
            ),
            Kind::Price => self.price(f, value),
            Kind::Share => self.share(f, value),
            Kind::Quantity => self.quantity(f, value),
        }
    }

    fn price(&self, f: &Fact, value: f64) -> (Status, Option<DatasetRow>, String) {
        if f.unit != "USD/kg" {
            return (
                Status::New,
                None,
                format!("a price in {}: the dataset's prices are in USD/kg", f.unit),
            );
        }
        let elements: Vec<Element> = match f.subject.element.as_deref() {
            Some("NdPr") => vec![Element::Nd, Element::Pr],
            Some(e) => match e.parse::<Element>().ok() {
                Some(el) => vec![el],
                None => {
                    return (
                        Status::New,
                        None,
                        format!("{e} is not an element of the model"),
                    )
                }
            },
            None => return (Status::New, None, "a price without a named element".into()),
        };
        let Some(year) = f.year else {
            return (Status::New, None, "a price without a year".into());
        };
        let (b, approx) = bound(f);
        let tol = if approx { PRICE_TOL_APPROX } else { PRICE_TOL };
        let tol_s = format!("±{:.0} % of an observation of {year}", tol * 100.0);
        let location = f.cues.location.as_deref();
        let obs: Vec<&Observation> = self
            .observations
            .iter()
            .filter(|o| o.year == year && o.element.is_some_and(|e| elements.contains(&e)))
            .filter(|o| o.basis != Basis::Ratio)
            .filter(|o| match location {
                Some("china") => o.basis == Basis::China,
                Some("outside") => o.basis == Basis::Outside,
                _ => true,
            })
            .collect();
        if obs.is_empty() {
            if year == 2024 {
                if let Some(p) = elements.iter().find_map(|e| {
                    self.ds
                        .elements
                        .iter()
                        .find(|i| i.element == *e && i.reference_price.is_some())
                }) {
                    let data = p.reference_price.map_or(0.0, |x| x.0);
                    let row = self.row(
                        "elements.csv",
                        p.element.symbol(),
                        data,
                        "USD/kg",
                        &p.provenance.sources,
                        tol_s,
                    );
                    let ok = agrees_rel(value, data, tol, &b);
                    return (
                        if ok {
                            Status::Agrees
                        } else {
                            Status::Conflicts
                        },
                        Some(row),
                        format!(
                            "2024 reference price of {} oxide: {} USD/kg",
                            p.element.symbol(),
                            fmt_num(data)
                        ),
                    );
                }
            }
            return (
                Status::New,
                None,
                format!(
                    "no observed price of {} in {year}",
                    elements
                        .iter()
                        .map(|e| e.symbol())
                        .collect::<Vec<_>>()
                        .join("/")
                ),
            );
        }
        let fits = |o: &Observation| {
            agrees_rel(value, o.value, tol, &b)
                || match (o.low, o.high) {
                    (Some(l), Some(h)) => value >= l * (1.0 - tol) && value <= h * (1.0 + tol),
                    _ => false,
                }
        };
        let best = obs
            .iter()
            .find(|o| fits(o))
            .or_else(|| {
                obs.iter().min_by(|a, c| {
                    let da = (value / a.value).ln().abs();
                    let dc = (value / c.value).ln().abs();
                    da.partial_cmp(&dc).unwrap_or(std::cmp::Ordering::Equal)
                })
            })
            .copied();
        let Some(o) = best else {
            return (Status::New, None, "no observation".into());
        };
        let row = self.row(
            "observations/observed_prices.csv",
            &o.id,
            o.value,
            "USD/kg",
            &o.provenance.sources,
            tol_s,
        );
        let what = format!(
            "{} {} {} ({}, {})",
            o.element.map_or("magnet", |e| e.symbol()),
            o.product,
            fmt_num(o.value),
            o.location,
            o.date
        );
        if fits(o) {
            (Status::Agrees, Some(row), format!("observed: {what}"))
        } else {
            (
                Status::Conflicts,
                Some(row),
                format!("closest observation of {year}: {what} USD/kg"),
            )
        }
    }

    fn share(&self, f: &Fact, value: f64) -> (Status, Option<DatasetRow>, String) {
        let stage = f.subject.stage.as_deref();
        if f.cues.rate {
            return (
                Status::Context,
                None,
                "a tariff, duty or tax rate: not a quantity of the dataset".into(),
            );
        }
        if stage == Some("trade") {
            return (
                Status::New,
                None,
                "a trade share: the dataset holds no trade flows".into(),
            );
        }
        if !f.cues.world || f.subject.region.is_none() || f.subject.facility.is_some() {
            return (
                Status::Context,
                None,
                "a share that is not of world output (a grade, a rate, a target)".into(),
            );
        }
        let Some(code) = f.subject.region.as_deref() else {
            return (Status::Context, None, String::new());
        };
        let Some(r) = self.region(code) else {
            return (
                Status::New,
                None,
                format!("{code} is not a region of the dataset"),
            );
        };
        let (part, whole, table, what) = match stage {
            Some("separation") => (
                self.separation(Some(r)),
                self.separation(None),
                "separation_plants.csv",
                "separation capacity",
            ),
            Some("magnet") => (
                self.magnets(Some(r)),
                self.magnets(None),
                "magnet_plants.csv",
                "magnet capacity",
            ),
            Some("mining") | None => (
                self.mine_output(Some(r)),
                self.mine_output(None),
                "mines.csv",
                "mine output",
            ),
            Some(other) => {
                return (
                    Status::Context,
                    None,
                    format!("a share of {other}: not compared"),
                )
            }
        };
        if whole <= 0.0 {
            return (Status::New, None, "no world total in the dataset".into());
        }
        let data = 100.0 * part / whole;
        let (b, _) = bound(f);
        let ok = match b {
            Bound::Point => (value - data).abs() <= SHARE_TOL_POINTS,
            Bound::Lower => data >= value - SHARE_TOL_POINTS,
            Bound::Upper => data <= value + SHARE_TOL_POINTS,
        };
        let y = self.ds.reference_year;
        let row = self.row(
            table,
            &format!("{code} / world, operating, {y}"),
            (data * 10.0).round() / 10.0,
            "%",
            &[format!(
                "sum of the {table} rows of {code} and of the world"
            )],
            format!("±{SHARE_TOL_POINTS} percentage points"),
        );
        let note = format!(
            "{code}: {} of {} t ({what} {y}) = {:.1} %",
            fmt_num(part),
            fmt_num(whole),
            data
        );
        (
            if ok {
                Status::Agrees
            } else {
                Status::Conflicts
            },
            Some(row),
            note,
        )
    }

    fn quantity(&self, f: &Fact, value: f64) -> (Status, Option<DatasetRow>, String) {
        let stage = f.subject.stage.as_deref();
        match stage {
            Some("trade") => {
                return (
                    Status::New,
                    None,
                    "a traded tonnage: the dataset holds no trade flows".into(),
                )
            }
            Some("reserves") => {
                return (
                    Status::New,
                    None,
                    "a deposit, reserve or resource: the dataset holds capacities, not reserves"
                        .into(),
                )
            }
            Some("stockpile") => {
                return (Status::New, None, "a stockpile: not in the dataset".into())
            }
            Some("demand") => return (Status::New, None, "a demand tonnage: not compared".into()),
            _ => {}
        }
        // "about", "roughly" do not widen the tonnage tolerance: 10 % already
        // covers a figure rounded to two significant digits.
        let (b, _) = bound(f);
        let tol = TONNES_TOL;
        let tol_s = format!("±{:.0} %", tol * 100.0);
        if let Some(fid) = f.subject.facility.as_deref() {
            return self.facility(f, fid, value, tol, tol_s, &b);
        }
        let basis = f.basis.as_deref();
        if matches!(basis, Some("ore") | Some("concentrate")) {
            return (
                Status::New,
                None,
                format!(
                    "a regional tonnage of {}: the dataset's totals are t REO",
                    basis.unwrap_or("")
                ),
            );
        }
        let region = match f.subject.region.as_deref() {
            Some(code) => match self.region(code) {
                Some(r) => Some(r),
                None => {
                    return (
                        Status::New,
                        None,
                        format!("{code} is not a region of the dataset"),
                    )
                }
            },
            None if f.cues.world => None,
            None => {
                return (
                    Status::New,
                    None,
                    "a tonnage without a region or facility".into(),
                )
            }
        };
        let code = f.subject.region.clone().unwrap_or_else(|| "world".into());
        let y = self.ds.reference_year;
        if f.cues.quota {
            if f.cues.quota_part || stage == Some("separation") {
                return (Status::New, None, "a part of a quota (light, ionic, separation, export): the dataset holds the total mining quota only".into());
            }
            let year = f.year.unwrap_or(y);
            if let Some(r) = region {
                if let Some(q) = self
                    .ds
                    .production_quotas
                    .iter()
                    .find(|q| q.region == r && q.year == year)
                {
                    let data = q.tonnes.0;
                    let ok = agrees_rel(value, data, tol, &b) && basis != Some("magnet");
                    let row = self.row(
                        "production_quotas.csv",
                        &format!("{code},{year}"),
                        data,
                        "t REO",
                        &q.provenance.sources,
                        tol_s,
                    );
                    return (
                        if ok {
                            Status::Agrees
                        } else {
                            Status::Conflicts
                        },
                        Some(row),
                        format!("mining quota of {code} in {year}: {} t REO", fmt_num(data)),
                    );
                }
            }
            return (
                Status::New,
                None,
                format!("no mining quota of {code} for {year} in the dataset"),
            );
        }
        let (data, table, what, unit) = match (stage, basis) {
            (_, Some("magnet")) | (Some("magnet"), None) => (
                self.magnets(region),
                "magnet_plants.csv",
                "magnet capacity",
                "t magnet",
            ),
            (Some("separation"), _) => (
                self.separation(region),
                "separation_plants.csv",
                "separation capacity",
                "t REO",
            ),
            (_, Some(e)) if e != "reo" => {
                return (
                    Status::New,
                    None,
                    format!("a tonnage of {e}: the dataset holds totals in t REO"),
                );
            }
            _ => (
                self.mine_output(region),
                "mines.csv",
                "mine output",
                "t REO",
            ),
        };
        if data <= 0.0 {
            return (
                Status::New,
                None,
                format!("no {what} of {code} in the dataset"),
            );
        }
        let ok = agrees_rel(value, data, tol, &b);
        let row = self.row(
            table,
            &format!("{code}, operating, {y}"),
            data,
            unit,
            &[format!("sum of the {table} rows of {code}")],
            tol_s,
        );
        let assumed = if basis.is_none() {
            " (the text gives no basis: read as t REO)"
        } else {
            ""
        };
        (
            if ok {
                Status::Agrees
            } else {
                Status::Conflicts
            },
            Some(row),
            format!("{what} of {code} in {y}: {} {unit}{assumed}", fmt_num(data)),
        )
    }

    fn facility(
        &self,
        f: &Fact,
        fid: &str,
        value: f64,
        tol: f64,
        tol_s: String,
        b: &Bound,
    ) -> (Status, Option<DatasetRow>, String) {
        let basis = f.basis.as_deref();
        let start_check = |start: i32, status: FacilityStatus| -> Option<String> {
            let y = f.year?;
            (f.cues.start && (y - start).abs() > 1).then(|| {
                format!(
                    "start {y} in the text, {start} in the dataset ({})",
                    status.as_str()
                )
            })
        };
        if let Some(m) = self.ds.mines.iter().find(|m| m.id == fid) {
            let reo = m.capacity.nameplate;
            let sources = &m.provenance.sources;
            let status_s = m.status.as_str();
            match basis {
                Some("ore") => match m.ore_capacity_t {
                    Some(ore) => {
                        let row = self.row("mines.csv", fid, ore, "t ore", sources, tol_s);
                        let ok = agrees_rel(value, ore, tol, b);
                        return (
                            if ok {
                                Status::Agrees
                            } else {
                                Status::Conflicts
                            },
                            Some(row),
                            format!("{}: {} t ore a year ({status_s})", m.name, fmt_num(ore)),
                        );
                    }
                    None => {
                        let row = self.row("mines.csv", fid, reo, "t REO", sources, tol_s);
                        return (
                            Status::Conflicts,
                            Some(row),
                            format!(
                                "{}: the dataset gives {} t REO, not ore (different basis)",
                                m.name,
                                fmt_num(reo)
                            ),
                        );
                    }
                },
                Some("concentrate") | Some("magnet") => {
                    let row = self.row("mines.csv", fid, reo, "t REO", sources, tol_s);
                    return (
                        Status::Conflicts,
                        Some(row),
                        format!(
                            "{}: the dataset gives {} t REO a year; t of {} is a different basis",
                            m.name,
                            fmt_num(reo),
                            basis.unwrap_or("")
                        ),
                    );
                }
                Some(e) if e != "reo" => {
                    return (
                        Status::New,
                        None,
                        format!("a tonnage of {e} at {}: the dataset holds t REO", m.name),
                    )
                }
                _ => {}
            }
            let row = self.row("mines.csv", fid, reo, "t REO", sources, tol_s.clone());
            if agrees_rel(value, reo, tol, b) {
                if let Some(n) = start_check(m.capacity.start_year, m.status) {
                    return (
                        Status::Conflicts,
                        Some(row),
                        format!("{}: capacity agrees; {n}", m.name),
                    );
                }
                return (
                    Status::Agrees,
                    Some(row),
                    format!("{}: {} t REO a year ({status_s})", m.name, fmt_num(reo)),
                );
            }
            if let Some(ore) = m.ore_capacity_t {
                if agrees_rel(value, ore, tol, b) {
                    let row = self.row("mines.csv", fid, ore, "t ore", sources, tol_s);
                    return (Status::Conflicts, Some(row), format!("{}: {} is the dataset's ore throughput (t ore); it gives {} t REO (ore vs oxide)", m.name, fmt_num(ore), fmt_num(reo)));
                }
            }
            return (
                Status::Conflicts,
                Some(row),
                format!(
                    "{}: {} t REO a year in the dataset ({status_s})",
                    m.name,
                    fmt_num(reo)
                ),
            );
        }
        if let Some(p) = self.ds.separation_plants.iter().find(|p| p.id == fid) {
            let cap = p.capacity.nameplate;
            let row = self.row(
                "separation_plants.csv",
                fid,
                cap,
                "t REO",
                &p.provenance.sources,
                tol_s,
            );
            match basis {
                Some("reo") | None => {}
                Some("ore") | Some("concentrate") | Some("magnet") => {
                    return (
                        Status::Conflicts,
                        Some(row),
                        format!(
                            "{}: the dataset gives {} t REO of feed; t of {} is a different basis",
                            p.name,
                            fmt_num(cap),
                            basis.unwrap_or("")
                        ),
                    );
                }
                Some(e) => {
                    return (
                        Status::New,
                        None,
                        format!(
                            "a tonnage of {e} at {}: the dataset holds t REO of feed",
                            p.name
                        ),
                    )
                }
            }
            if agrees_rel(value, cap, tol, b) {
                if let Some(n) = start_check(p.capacity.start_year, p.status) {
                    return (
                        Status::Conflicts,
                        Some(row),
                        format!("{}: capacity agrees; {n}", p.name),
                    );
                }
                return (
                    Status::Agrees,
                    Some(row),
                    format!(
                        "{}: {} t REO of feed a year ({})",
                        p.name,
                        fmt_num(cap),
                        p.status.as_str()
                    ),
                );
            }
            let extra = start_check(p.capacity.start_year, p.status)
                .map(|n| format!("; {n}"))
                .unwrap_or_default();
            return (
                Status::Conflicts,
                Some(row),
                format!(
                    "{}: {} t REO of feed a year in the dataset ({}){extra}",
                    p.name,
                    fmt_num(cap),
                    p.status.as_str()
                ),
            );
        }
        if let Some(p) = self.ds.magnet_plants.iter().find(|p| p.id == fid) {
            let cap = p.capacity.nameplate;
            let row = self.row(
                "magnet_plants.csv",
                fid,
                cap,
                "t magnet",
                &p.provenance.sources,
                tol_s,
            );
            if matches!(basis, Some(x) if x != "magnet") {
                return (
                    Status::Conflicts,
                    Some(row),
                    format!(
                        "{}: the dataset gives {} t of magnet; t of {} is a different basis",
                        p.name,
                        fmt_num(cap),
                        basis.unwrap_or("")
                    ),
                );
            }
            if agrees_rel(value, cap, tol, b) {
                if let Some(n) = start_check(p.capacity.start_year, p.status) {
                    return (
                        Status::Conflicts,
                        Some(row),
                        format!("{}: capacity agrees; {n}", p.name),
                    );
                }
                return (
                    Status::Agrees,
                    Some(row),
                    format!(
                        "{}: {} t of magnet a year ({})",
                        p.name,
                        fmt_num(cap),
                        p.status.as_str()
                    ),
                );
            }
            return (
                Status::Conflicts,
                Some(row),
                format!(
                    "{}: {} t of magnet a year in the dataset ({})",
                    p.name,
                    fmt_num(cap),
                    p.status.as_str()
                ),
            );
        }
        (
            Status::New,
            None,
            format!("{fid} is not in the {} dataset", self.name),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerances_and_bounds() {
        assert!(agrees_rel(10_000.0, 9_975.0, TONNES_TOL, &Bound::Point));
        assert!(!agrees_rel(31_000.0, 27_000.0, TONNES_TOL, &Bound::Point));
        // "more than 90 %" holds for 93.8; "less than 5,000" does not for 7,750.
        assert!(agrees_rel(90.0, 93.8, 0.0, &Bound::Lower));
        assert!(!agrees_rel(5_000.0, 7_750.0, TONNES_TOL, &Bound::Upper));
        assert_eq!(fmt_num(390_541.0), "390,541");
        assert_eq!(fmt_num(-1_234.0), "-1,234");
        assert_eq!(fmt_num(5.944), "5.94");
    }

    #[test]
    fn basis_conflicts_name_the_row() {
        let r = crate::Reader::new().unwrap();
        let t = "Brussels, 15 January 2026 - The Beylikova plant will produce 570,000 tonnes of rare earth oxide a year.";
        let rep = r.read(t.as_bytes(), &crate::Options::default()).unwrap();
        let f = rep
            .facts
            .iter()
            .find(|f| f.value == Some(570_000.0))
            .unwrap();
        assert_eq!(f.status, Status::Conflicts);
        let row = f.dataset.as_ref().unwrap();
        assert_eq!(
            (row.row.as_str(), row.unit.as_str()),
            ("tr_beylikova", "t ore")
        );
        assert!(f.note.contains("ore vs oxide"), "{}", f.note);
    }
}
