//! Policy levers (MODEL.md §3) in model terms: region ids, elements, years.
//! Built by `oreflow-scenario` from a scenario file; applied year by year in
//! [`crate::Model::year_data`].

use oreflow_core::{Commodity, Element, RegionId, Stage, Year, MIN_YEAR};

/// A piecewise-linear path of values over years (flat outside its points).
#[derive(Clone, Debug, PartialEq)]
pub struct Path(pub Vec<(Year, f64)>);

impl Path {
    /// Value in `year` (linear between points, flat outside; 0 if empty).
    pub fn at(&self, year: Year) -> f64 {
        let p = &self.0;
        match p.first() {
            None => 0.0,
            Some(&(y0, v0)) if year <= y0 => v0,
            _ => {
                for w in p.windows(2) {
                    let ((y0, v0), (y1, v1)) = (w[0], w[1]);
                    if year <= y1 {
                        return v0 + (v1 - v0) * (year - y0) as f64 / (y1 - y0).max(1) as f64;
                    }
                }
                p[p.len() - 1].1
            }
        }
    }
}

/// A set of years from [`MIN_YEAR`] to [`crate::MAX_YEAR`]: the years
/// a lever is in force. A scenario's lever is in force over one span; a
/// disruption event of an ensemble may come and go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Years(u64);

impl Years {
    /// No year.
    pub const NONE: Years = Years(0);

    /// The years `from..=to` (clipped to the years a run can reach).
    pub fn span(from: Year, to: Year) -> Years {
        let mut y = Years::NONE;
        for year in from.max(MIN_YEAR)..=to.min(crate::MAX_YEAR) {
            y.insert(year);
        }
        y
    }

    /// Adds `year` (ignored outside the years a run can reach).
    pub fn insert(&mut self, year: Year) {
        if (MIN_YEAR..=crate::MAX_YEAR).contains(&year) {
            self.0 |= 1 << (year - MIN_YEAR);
        }
    }

    /// Whether `year` is in the set.
    pub fn contains(self, year: Year) -> bool {
        (MIN_YEAR..=crate::MAX_YEAR).contains(&year) && self.0 & (1 << (year - MIN_YEAR)) != 0
    }

    /// Whether `year` is in the set and the year before is not (the lever
    /// starts, or starts again, in `year`).
    pub fn starts(self, year: Year) -> bool {
        self.contains(year) && !self.contains(year - 1)
    }

    /// The first year in the set.
    pub fn first(self) -> Option<Year> {
        (self.0 != 0).then(|| MIN_YEAR + self.0.trailing_zeros() as Year)
    }

    /// The years in the set, in order.
    pub fn iter(self) -> impl Iterator<Item = Year> {
        (MIN_YEAR..=crate::MAX_YEAR).filter(move |&y| self.contains(y))
    }
}

/// What an export control does.
#[derive(Clone, Debug, PartialEq)]
pub enum ControlKind {
    /// Nothing may be shipped.
    Ban,
    /// Total shipments capped at `tonnes` a year.
    Quota { tonnes: f64 },
    /// Shipments capped at `share` of the pre-policy level (the year before
    /// the control starts) and/or charged `fee` USD/kg.
    Licence {
        share: Option<f64>,
        fee_usd_per_kg: f64,
    },
    /// An ad valorem export duty: `rate` × the origin's price of the good
    /// in the year before (the reference price in a run's first year).
    Tax { rate: f64 },
}

/// An export ban, quota or licence.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportControl {
    pub label: String,
    pub origin: RegionId,
    pub destinations: Vec<RegionId>,
    pub stages: Vec<Commodity>,
    /// Elements covered (empty = all).
    pub elements: Vec<Element>,
    /// Years in force.
    pub years: Years,
    pub kind: ControlKind,
    /// For quotas and licences on oxides: one cap over all covered elements
    /// together (a tonnage quota, the market choosing the mix, as China's
    /// 2010–14 export quota) instead of one cap per element.
    pub pooled: bool,
    /// Tonnes a year that can pass the cap informally (smuggling) and the
    /// extra cost per kg of doing so.
    pub leak_t: f64,
    pub leak_cost_usd_per_kg: f64,
    /// Year the control is announced (precautionary buying by importers'
    /// stockholders from then until it starts); `None`: when it starts.
    pub announced: Option<Year>,
}

/// State (or enterprise) reserve purchases: a fixed tonnage bought each year
/// in force, whatever the price (China's 2010 enterprise reserve plan, its
/// State Reserve Bureau purchases), split over elements by `mix` (shares
/// summing to 1).
#[derive(Clone, Debug, PartialEq)]
pub struct ReservePurchase {
    pub region: RegionId,
    pub tonnes: f64,
    pub mix: [f64; oreflow_core::N_ELEMENTS],
    pub years: Years,
}

/// A cap on a region's reported mine output (China's mining quota).
#[derive(Clone, Debug, PartialEq)]
pub struct ProductionQuota {
    pub region: RegionId,
    pub tonnes: f64,
    pub years: Years,
}

/// Facilities producing below capacity in some years (a disruption: a
/// conflict closing mines, a flood, a strike): capacity × `capacity_factor`.
#[derive(Clone, Debug, PartialEq)]
pub struct Outage {
    pub label: String,
    pub stage: Stage,
    /// Indices into the dataset's mines, separation plants or magnet plants.
    pub facilities: Vec<usize>,
    pub capacity_factor: f64,
    pub years: Years,
}

/// An ad valorem import tariff at the reference price.
#[derive(Clone, Debug, PartialEq)]
pub struct Tariff {
    pub importer: RegionId,
    pub origins: Vec<RegionId>,
    pub stages: Vec<Commodity>,
    pub elements: Vec<Element>,
    pub rate: f64,
    pub from: Year,
    pub to: Year,
}

/// A preferential link: trade between two regions costs `cost_factor` ×
/// normal; optionally `b` takes at least `offtake_share` of `a`'s mine output.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub a: RegionId,
    pub b: RegionId,
    pub stages: Vec<Commodity>,
    pub cost_factor: f64,
    pub offtake_share: Option<f64>,
    pub from: Year,
    pub to: Year,
}

/// A strategic stockpile released when the price reaches a trigger.
#[derive(Clone, Debug, PartialEq)]
pub struct Stockpile {
    pub region: RegionId,
    pub element: Element,
    pub size_t: f64,
    pub release_above_usd_per_kg: f64,
    pub from: Year,
}

/// All levers of a scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policies {
    pub export_controls: Vec<ExportControl>,
    pub tariffs: Vec<Tariff>,
    pub links: Vec<Link>,
    /// Share of an end use's demand that no longer needs rare earths (e.g.
    /// rare-earth-free motors), per end use index.
    pub substitution: Vec<(usize, Path)>,
    /// Reduction of an element's content per tonne of magnet (0–1).
    pub thrifting: Vec<(Element, Path)>,
    pub stockpiles: Vec<Stockpile>,
    /// Recycling rate over time (replaces the run's constant rate).
    pub recycling: Option<Path>,
    pub outages: Vec<Outage>,
    /// Mining quotas (they replace the dataset's `production_quotas.csv`
    /// for their region in their years).
    pub production_quotas: Vec<ProductionQuota>,
    pub reserve_purchases: Vec<ReservePurchase>,
}

#[cfg(test)]
mod tests {
    use super::{Path, Years};

    #[test]
    fn years_know_their_starts() {
        let mut y = Years::span(2026, 2027);
        y.insert(2031);
        assert!(y.contains(2026) && y.contains(2027) && !y.contains(2028));
        assert!(y.starts(2026) && !y.starts(2027) && y.starts(2031));
        assert_eq!(y.first(), Some(2026));
        assert_eq!(y.iter().collect::<Vec<_>>(), vec![2026, 2027, 2031]);
        assert_eq!(
            Years::span(1990, 2001).iter().collect::<Vec<_>>(),
            vec![2000, 2001]
        );
        assert!(!Years::NONE.contains(2030) && Years::NONE.first().is_none());
        assert!(!y.contains(1990) && !y.contains(2100));
    }

    #[test]
    fn path_interpolates_and_holds() {
        let p = Path(vec![(2025, 0.0), (2030, 0.5)]);
        assert_eq!(p.at(2020), 0.0);
        assert_eq!(p.at(2027), 0.2);
        assert_eq!(p.at(2040), 0.5);
        assert_eq!(Path(vec![]).at(2030), 0.0);
    }
}
