//! What the reader reports: facts, events and their checks.

use serde::Serialize;

pub use crate::read::Section;

/// A calendar date (month and day may be unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl Date {
    /// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`).
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let head = s.get(..10.min(s.len()))?;
        let mut parts = head.split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        if !(1900..=2100).contains(&year) {
            return None;
        }
        let month = match parts.next() {
            Some(m) => Some(m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?),
            None => None,
        };
        let day = match parts.next() {
            Some(d) => {
                let d: u8 = d.get(..2.min(d.len()))?.parse().ok()?;
                (1..=days_in_month(year, month?)).contains(&d).then_some(d)
            }
            None => None,
        };
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (month and day default to 1).
    pub fn days(&self) -> i64 {
        let (y, m, d) = (
            self.year as i64,
            self.month.unwrap_or(1) as i64,
            self.day.unwrap_or(1) as i64,
        );
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` days since 1970-01-01.
    pub fn from_days(z: i64) -> Date {
        let z = z + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
        Date {
            year: y as i32,
            month: Some(m as u8),
            day: Some(d as u8),
        }
    }

    /// Day of the week, 0 = Monday.
    pub fn weekday(&self) -> i64 {
        (self.days() + 3).rem_euclid(7)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{:02}-{:02}", self.year, m, d),
            (Some(m), None) => write!(f, "{:04}-{:02}", self.year, m),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// What a figure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A tonnage (t, with its basis).
    Quantity,
    /// A share in % (of world output, of imports, a grade, a rate).
    Share,
    /// A change in % (rose 40 %, cut by 72 %).
    Change,
    /// A price per unit (USD/kg, USD/t).
    Price,
    /// An amount of money.
    Money,
    /// A multiple (sixfold, three times).
    Multiple,
    /// A rank (top five, second-largest).
    Rank,
    /// A year or date.
    Date,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Quantity => "quantity",
            Kind::Share => "share",
            Kind::Change => "change",
            Kind::Price => "price",
            Kind::Money => "money",
            Kind::Multiple => "multiple",
            Kind::Rank => "rank",
            Kind::Date => "date",
        }
    }
}

/// The outcome of checking a fact against the dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Within the stated tolerance of a dataset row.
    Agrees,
    /// A dataset row says otherwise (value, unit or basis, status).
    Conflicts,
    /// A claim the dataset could hold but does not.
    New,
    /// Not a claim the dataset holds (dates, money, multiples, changes, targets).
    Context,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Agrees => "agrees",
            Status::Conflicts => "conflicts",
            Status::New => "new",
            Status::Context => "context",
        }
    }
}

/// What a fact is about.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Subject {
    /// The one name a reader would give: facility id, else region code, else
    /// element, else `world`; for prices the element.
    pub key: String,
    pub region: Option<String>,
    pub facility: Option<String>,
    pub element: Option<String>,
    /// mining, separation, magnet, demand, trade, reserves, stockpile, price.
    pub stage: Option<String>,
}

/// The dataset row a fact was checked against.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DatasetRow {
    /// `baseline` or `hist-2010`.
    pub dataset: String,
    /// Table file and row (id, or key columns).
    pub table: String,
    pub row: String,
    pub value: f64,
    pub unit: String,
    /// Source ids of the row (`sources.csv`).
    pub source: String,
    /// The tolerance applied.
    pub tolerance: String,
}

/// A figure of the text with its provenance and check.
#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    /// The input it came from (file name or `-`).
    pub file: String,
    pub section: Section,
    /// The sentence.
    pub text: String,
    /// Byte offsets of the sentence in the input.
    pub start: usize,
    pub end: usize,
    /// The figure as written, and its byte offsets in the input.
    pub quote: String,
    pub quote_start: usize,
    pub quote_end: usize,
    /// Byte offsets of the figure in the extracted document text.
    pub text_start: usize,
    pub text_end: usize,
    pub kind: Kind,
    pub subject: Subject,
    pub value: Option<f64>,
    /// Ends of a range (`between 2,000 and 4,000`); `value` is the midpoint.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `t`, `%`, `USD`, `USD/kg`, `USD/t`, `AUD`, `x`, `rank`, `year`, …
    pub unit: String,
    /// For tonnages: ore, reo, concentrate, magnet, or an element (`NdPr`).
    pub basis: Option<String>,
    /// about, more than, up to, … (widens or bounds the check).
    pub qualifier: Option<String>,
    pub year: Option<i32>,
    pub date: Option<String>,
    pub status: Status,
    pub dataset: Option<DatasetRow>,
    /// Why this status (which comparison, which assumption).
    pub note: String,
    #[serde(skip)]
    pub cues: Cues,
}

impl Fact {
    /// Unit and basis as one string (`t reo`, `t`, `%`).
    pub fn unit_basis(&self) -> String {
        match &self.basis {
            Some(b) if self.unit == "t" => format!("t {b}"),
            _ => self.unit.clone(),
        }
    }
}

/// Words around a figure that the check and the draft use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cues {
    /// world, global, worldwide in the clause.
    pub world: bool,
    /// quota in the clause.
    pub quota: bool,
    /// a sub-quota (light, ion-adsorption, export, separation, first batch).
    pub quota_part: bool,
    /// start, begin, come online, first production.
    pub start: bool,
    /// price words in the clause.
    pub price: bool,
    /// inside China / Chinese domestic, or Europe / outside China.
    pub location: Option<String>,
    /// the clause names demand.
    pub demand: bool,
    /// tariff, duty, tax: a percentage is a rate.
    pub rate: bool,
}

/// An agreement or event of the text.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub file: String,
    pub section: Section,
    /// mou, agreement, visit, meeting, ban, licence, export_quota, tariff,
    /// plant_announced, factory_deal, stockpile.
    pub kind: String,
    /// Region codes named in the sentence, in order.
    pub parties: Vec<String>,
    /// Facilities named in the sentence.
    pub facilities: Vec<String>,
    /// Elements named in the sentence.
    pub elements: Vec<String>,
    pub date: Option<String>,
    pub year: Option<i32>,
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// The sentence speaks of exports or imports.
    pub trade: bool,
}
