//! The file format as serde sees it. Every field that names something
//! (regions, elements, stages, facilities, end uses) keeps its span so a bad
//! value can be reported at its line and column.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub(crate) type S<T> = Spanned<T>;
pub(crate) type Points = Vec<Spanned<(i32, f64)>>;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: Option<S<String>>,
    pub description: Option<String>,
    pub base: Option<S<String>>,
    pub run: Option<RawRun>,
    pub tables: Option<BTreeMap<S<String>, S<String>>>,
    #[serde(default)]
    pub export_control: Vec<RawControl>,
    #[serde(default)]
    pub tariff: Vec<RawTariff>,
    #[serde(default)]
    pub project: Vec<RawProject>,
    #[serde(default)]
    pub agreement: Vec<RawAgreement>,
    pub demand: Option<RawDemand>,
    #[serde(default)]
    pub stockpile: Vec<RawStockpile>,
    #[serde(default)]
    pub production_quota: Vec<RawProductionQuota>,
    #[serde(default)]
    pub reserve_purchase: Vec<RawReservePurchase>,
    pub uncertain: Option<RawUncertain>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReservePurchase {
    pub region: S<String>,
    pub t_reo: S<f64>,
    pub elements: Option<S<Vec<S<String>>>>,
    pub from: S<i32>,
    pub to: Option<S<i32>>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProductionQuota {
    pub region: S<String>,
    pub t_reo: S<f64>,
    pub from: S<i32>,
    pub to: Option<S<i32>>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRun {
    pub from: Option<S<i32>>,
    pub to: Option<S<i32>>,
    pub growth_path: Option<S<String>>,
    pub recycling: Option<S<Points>>,
    pub disposal_cost_usd_per_kg: Option<S<f64>>,
    pub stock_scale: Option<S<f64>>,
    pub adjustment: Option<bool>,
    pub supply_response: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawControl {
    pub label: Option<String>,
    pub origin: S<String>,
    pub destinations: S<Vec<S<String>>>,
    #[serde(default)]
    pub except: Vec<S<String>>,
    pub stages: S<Vec<S<String>>>,
    pub elements: Option<S<Vec<S<String>>>>,
    pub from: S<i32>,
    pub to: Option<S<i32>>,
    pub kind: S<String>,
    pub share: Option<S<f64>>,
    pub fee_usd_per_kg: Option<S<f64>>,
    pub quota_t: Option<S<f64>>,
    pub rate: Option<S<f64>>,
    pub pooled: Option<S<bool>>,
    pub leak_t: Option<S<f64>>,
    pub leak_cost_usd_per_kg: Option<S<f64>>,
    pub announced: Option<S<i32>>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTariff {
    pub importer: S<String>,
    pub origins: S<Vec<S<String>>>,
    pub stages: S<Vec<S<String>>>,
    pub elements: Option<S<Vec<S<String>>>>,
    pub rate: S<f64>,
    pub from: S<i32>,
    pub to: Option<S<i32>>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProject {
    pub id: S<String>,
    pub stage: Option<S<String>>,
    pub name: Option<String>,
    pub region: Option<S<String>>,
    pub ore_type: Option<S<String>>,
    pub status: Option<S<String>>,
    pub start_year: Option<S<i32>>,
    pub ramp_years: Option<S<u32>>,
    pub end_year: Option<S<i32>>,
    pub capacity_t_reo: Option<S<f64>>,
    pub capacity_t_magnet: Option<S<f64>>,
    pub ore_capacity_t: Option<S<f64>>,
    pub recovered_grade: Option<S<f64>>,
    pub cost_usd_per_kg: Option<S<f64>>,
    pub capacity_factor: Option<S<f64>>,
    pub delay_years: Option<S<i32>>,
    pub close_year: Option<S<i32>>,
    pub source: Option<String>,
    pub quality: Option<S<String>>,
    pub note: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAgreement {
    pub kind: S<String>,
    pub regions: S<Vec<S<String>>>,
    pub stages: S<Vec<S<String>>>,
    pub cost_factor: Option<S<f64>>,
    pub offtake_share: Option<S<f64>>,
    pub from: S<i32>,
    pub to: Option<S<i32>>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDemand {
    pub path: Option<S<String>>,
    #[serde(default)]
    pub substitution: Vec<RawSubstitution>,
    #[serde(default)]
    pub thrifting: Vec<RawThrifting>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubstitution {
    pub end_use: S<String>,
    pub share: S<Points>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawThrifting {
    pub element: S<String>,
    pub reduction: S<Points>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStockpile {
    pub region: S<String>,
    pub element: S<String>,
    pub size_t: S<f64>,
    pub release_above_usd_per_kg: S<f64>,
    pub from: Option<S<i32>>,
    pub source: Option<String>,
}

/// `[uncertain]`: what an ensemble draws.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUncertain {
    #[serde(default)]
    pub parameter: Vec<RawParameter>,
    pub projects: Option<BTreeMap<S<String>, S<RawStatusRisk>>>,
    #[serde(default)]
    pub event: Vec<RawEvent>,
}

/// A distribution: `{ kind = "normal", mean = 1.0, sd = 0.1, min = 0 }`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDistribution {
    pub kind: S<String>,
    pub mean: Option<S<f64>>,
    pub sd: Option<S<f64>>,
    pub median: Option<S<f64>>,
    pub sigma: Option<S<f64>>,
    pub mode: Option<S<f64>>,
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParameter {
    pub name: Option<S<String>>,
    pub target: S<String>,
    pub apply: Option<S<String>>,
    pub per_row: Option<S<bool>>,
    pub distribution: S<RawDistribution>,
    pub id: Option<S<String>>,
    pub ids: Option<S<Vec<S<String>>>>,
    pub region: Option<S<String>>,
    pub status: Option<S<String>>,
    pub end_use: Option<S<String>>,
    pub element: Option<S<String>>,
    pub path: Option<S<String>>,
    pub stage: Option<S<String>>,
    pub label: Option<S<String>>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStatusRisk {
    pub online_probability: S<f64>,
    pub delay_years: Option<S<RawDistribution>>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvent {
    pub name: S<String>,
    pub probability: S<f64>,
    pub duration_years: S<Vec<S<i64>>>,
    pub from: Option<S<i32>>,
    pub to: Option<S<i32>>,
    #[serde(default)]
    pub export_control: Vec<RawEventControl>,
    #[serde(default)]
    pub outage: Vec<RawOutage>,
    pub source: Option<String>,
}

/// An export control while an event lasts: `[[export_control]]` without
/// `from` and `to` (the event decides the years).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEventControl {
    pub label: Option<String>,
    pub origin: S<String>,
    pub destinations: S<Vec<S<String>>>,
    #[serde(default)]
    pub except: Vec<S<String>>,
    pub stages: S<Vec<S<String>>>,
    pub elements: Option<S<Vec<S<String>>>>,
    pub kind: S<String>,
    pub share: Option<S<f64>>,
    pub fee_usd_per_kg: Option<S<f64>>,
    pub quota_t: Option<S<f64>>,
    pub rate: Option<S<f64>>,
    pub pooled: Option<S<bool>>,
    pub leak_t: Option<S<f64>>,
    pub leak_cost_usd_per_kg: Option<S<f64>>,
    pub source: Option<String>,
}

/// Facilities below capacity while an event lasts.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutage {
    pub stage: S<String>,
    pub ids: Option<S<Vec<S<String>>>>,
    pub region: Option<S<String>>,
    pub capacity_factor: S<f64>,
    pub source: Option<String>,
}
