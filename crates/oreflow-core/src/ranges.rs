//! The range of every numeric input, in one table: data-table columns
//! (`table.column`, as in the CSV files) and scenario keys (`section.key`,
//! as in scenario files). A value outside the *possible* range is an error
//! (it cannot be meant: a mine larger than world demand, a price of 1e308);
//! a value inside it but outside the *plausible* range is a warning (it can
//! be meant, but is far from any sourced figure: check its unit).
//!
//! The loader (`oreflow-data`), the scenario resolver (`oreflow-scenario`)
//! and [`crate::Dataset::check`] call [`check`] with a key of this table, so
//! a new column or key gets its range by adding one row to [`RANGES`].
//! `docs/ranges.md` is generated from the table ([`markdown`]; a test keeps
//! them equal).

/// An interval of allowed values; each end open or closed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
    /// `lo` itself is excluded.
    pub lo_open: bool,
    /// `hi` itself is excluded.
    pub hi_open: bool,
}

impl Interval {
    /// `[lo, hi]`.
    pub const fn closed(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }
    /// `(lo, hi]`.
    pub const fn above(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: true,
            hi_open: false,
        }
    }
    /// `[lo, hi)`.
    pub const fn below(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: true,
        }
    }

    /// Whether `x` (finite) is inside.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite()
            && (if self.lo_open {
                x > self.lo
            } else {
                x >= self.lo
            })
            && (if self.hi_open {
                x < self.hi
            } else {
                x <= self.hi
            })
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}, {}{}",
            if self.lo_open { "(" } else { "[" },
            number(self.lo),
            number(self.hi),
            if self.hi_open { ")" } else { "]" }
        )
    }
}

/// A number for messages: thousands separated from 10,000 on, no float
/// noise.
pub fn number(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e9 || x.abs() < 1e-3) {
        return format!("{x:e}");
    }
    let neg = x < 0.0;
    let a = x.abs();
    let int = a.trunc() as u64;
    let frac = a - a.trunc();
    let digits = int.to_string();
    let mut s = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && int >= 10_000 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(c);
    }
    if frac > 0.0 {
        let f = format!("{frac:.4}");
        s.push_str(f.trim_start_matches('0').trim_end_matches('0'));
    }
    if neg {
        format!("−{s}")
    } else {
        s
    }
}

/// The ranges of one numeric input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// `table.column` (data) or `section.key` (scenario files).
    pub key: &'static str,
    pub unit: &'static str,
    /// Outside: an error.
    pub possible: Interval,
    /// Outside (but possible): a warning.
    pub plausible: Interval,
    /// Why the bounds are where they are.
    pub basis: &'static str,
}

/// Whether a value is in range.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Ok,
    /// Possible but outside the plausible range: a warning with this message.
    Implausible(String),
    /// Outside the possible range (or not a finite number): an error.
    Impossible(String),
}

impl Range {
    /// Checks `x` ("is 1e308; expected …").
    pub fn check(&self, x: f64) -> Verdict {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        if !x.is_finite() {
            return Verdict::Impossible(format!(
                "is {x}; expected a finite number in {}{unit}",
                self.possible
            ));
        }
        if !self.possible.contains(x) {
            return Verdict::Impossible(format!(
                "is {}; possible values are {}{unit} ({})",
                number(x),
                self.possible,
                self.basis
            ));
        }
        if !self.plausible.contains(x) {
            return Verdict::Implausible(format!(
                "is {}, outside the plausible range {}{unit} ({}); check the value and its unit",
                number(x),
                self.plausible,
                self.basis
            ));
        }
        Verdict::Ok
    }
}

/// The range of `key`, if it has one.
pub fn range(key: &str) -> Option<&'static Range> {
    RANGES.iter().find(|r| r.key == key)
}

/// Checks `x` against the range of `key`. A key without a range is a bug
/// in the caller (caught in tests); in release builds it passes.
pub fn check(key: &str, x: f64) -> Verdict {
    match range(key) {
        Some(r) => r.check(x),
        None => {
            debug_assert!(
                false,
                "no range for `{key}` in oreflow_core::ranges::RANGES"
            );
            if x.is_finite() {
                Verdict::Ok
            } else {
                Verdict::Impossible(format!("is {x}; expected a finite number"))
            }
        }
    }
}

const Y: Interval = Interval::closed(1900.0, 2100.0);
const CAPACITY: Interval = Interval::closed(0.0, 1e7);
const CAPACITY_PLAUSIBLE: Interval = Interval::closed(0.0, 5e5);
const CAPACITY_BASIS: &str = "10 Mt/yr is 25 times world mine output in 2024, 384 kt REO in mines.csv; its largest row is 190 kt";
const MAGNET_BASIS: &str =
    "10 Mt/yr is 30 times world magnet output; the largest row of magnet_plants.csv is 213 kt";
const COST_BASIS: &str = "the embedded costs are 2–25 USD/kg (mines.csv, separation_plants.csv, magnet_plants.csv); 10,000 USD/kg is ten times the dearest oxide (Tb, elements.csv)";
const YEAR_BASIS: &str = "the model runs 2024–2050; the embedded facilities start 2023–2032";
const RAMP_BASIS: &str = "the embedded ramps are 0–5 years";
const SHARE_BASIS: &str = "a share of one";

/// Every range. Keys of data-table columns are `table.column` with the
/// file's name without `.csv`; scenario keys are the section and key of
/// `docs/scenarios.md`.
pub const RANGES: &[Range] = &[
    // ---- data tables ----
    Range {
        key: "sources.year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(1950.0, 2030.0),
        basis: "publication years of the embedded sources are 2011–2026",
    },
    Range {
        key: "elements.reference_price_usd_per_kg",
        unit: "USD/kg",
        possible: Interval::above(0.0, 1e5),
        plausible: Interval::closed(0.1, 5_000.0),
        basis: "USGS 2024 prices in elements.csv run from 0.97 (La) to 812 (Lu) USD/kg",
    },
    Range {
        key: "ore_types.share",
        unit: "of REO",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 1.0),
        basis: SHARE_BASIS,
    },
    Range {
        key: "mines.capacity_t_reo",
        unit: "t REO/yr",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: CAPACITY_BASIS,
    },
    Range {
        key: "mines.ore_capacity_t",
        unit: "t ore/yr",
        possible: Interval::closed(0.0, 1e10),
        plausible: Interval::closed(0.0, 1e8),
        basis: "10 Gt of ore a year is several times world iron-ore mining",
    },
    Range {
        key: "mines.recovered_grade",
        unit: "t REO per t ore",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 0.5),
        basis: "rare-earth ores grade 0.05–10 % REO",
    },
    Range {
        key: "mines.cost_usd_per_kg_reo",
        unit: "USD/kg REO",
        possible: Interval::closed(0.0, 1e4),
        plausible: Interval::closed(0.0, 200.0),
        basis: COST_BASIS,
    },
    Range {
        key: "mines.start_year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(1950.0, 2050.0),
        basis: YEAR_BASIS,
    },
    Range {
        key: "mines.end_year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(2000.0, 2100.0),
        basis: YEAR_BASIS,
    },
    Range {
        key: "mines.ramp_years",
        unit: "years",
        possible: Interval::closed(0.0, 30.0),
        plausible: Interval::closed(0.0, 10.0),
        basis: RAMP_BASIS,
    },
    Range {
        key: "separation_plants.capacity_t_reo",
        unit: "t REO/yr",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: CAPACITY_BASIS,
    },
    Range {
        key: "separation_plants.cost_usd_per_kg_reo",
        unit: "USD/kg REO",
        possible: Interval::closed(0.0, 1e4),
        plausible: Interval::closed(0.0, 100.0),
        basis: COST_BASIS,
    },
    Range {
        key: "separation_plants.start_year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(1950.0, 2050.0),
        basis: YEAR_BASIS,
    },
    Range {
        key: "separation_plants.end_year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(2000.0, 2100.0),
        basis: YEAR_BASIS,
    },
    Range {
        key: "separation_plants.ramp_years",
        unit: "years",
        possible: Interval::closed(0.0, 30.0),
        plausible: Interval::closed(0.0, 10.0),
        basis: RAMP_BASIS,
    },
    Range {
        key: "magnet_plants.capacity_t_magnet",
        unit: "t magnet/yr",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: MAGNET_BASIS,
    },
    Range {
        key: "magnet_plants.cost_usd_per_kg_magnet",
        unit: "USD/kg magnet",
        possible: Interval::closed(0.0, 1e4),
        plausible: Interval::closed(0.0, 200.0),
        basis: COST_BASIS,
    },
    Range {
        key: "magnet_plants.start_year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(1950.0, 2050.0),
        basis: YEAR_BASIS,
    },
    Range {
        key: "magnet_plants.end_year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(2000.0, 2100.0),
        basis: YEAR_BASIS,
    },
    Range {
        key: "magnet_plants.ramp_years",
        unit: "years",
        possible: Interval::closed(0.0, 30.0),
        plausible: Interval::closed(0.0, 10.0),
        basis: RAMP_BASIS,
    },
    Range {
        key: "magnet_recipe.t_reo_per_t_magnet",
        unit: "t REO per t magnet",
        possible: Interval::below(0.0, 1.0),
        plausible: Interval::closed(0.0, 0.35),
        basis: "NdFeB magnets are about 30 % rare-earth oxide by mass (magnet_recipe.csv: Nd 0.2566)",
    },
    Range {
        key: "end_uses.elasticity",
        unit: "",
        possible: Interval::below(-5.0, 0.0),
        plausible: Interval::closed(-2.0, -0.01),
        basis: "end_uses.csv: −0.5 to −0.05 (short-run demand for rare earths is inelastic)",
    },
    Range {
        key: "end_uses.lifetime_years",
        unit: "years",
        possible: Interval::closed(0.0, 100.0),
        plausible: Interval::closed(1.0, 50.0),
        basis: "end_uses.csv: 2–25 years",
    },
    Range {
        key: "end_uses.value_added_usd_per_kg",
        unit: "USD/kg",
        possible: Interval::closed(0.0, 1e7),
        plausible: Interval::closed(0.0, 2e5),
        basis: "end_uses.csv: 100–50,000 USD per kg of rare earth",
    },
    Range {
        key: "magnet_demand.t_magnet",
        unit: "t magnet",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: "magnet_demand.csv rows are 3–46,479 t; world use is about 200 kt",
    },
    Range {
        key: "oxide_demand.t_reo",
        unit: "t REO",
        possible: CAPACITY,
        plausible: Interval::closed(0.0, 2e5),
        basis: "oxide_demand.csv rows are 0.5–17,360 t",
    },
    Range {
        key: "demand_growth.year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(2000.0, 2100.0),
        basis: "demand_growth.csv covers 2024–2050",
    },
    Range {
        key: "production_quotas.year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(2000.0, 2100.0),
        basis: "production_quotas.csv of hist-2010 covers 2009–2015",
    },
    Range {
        key: "observed_prices.year",
        unit: "",
        possible: Y,
        plausible: Interval::closed(1990.0, 2100.0),
        basis: "observed_prices.csv covers 2007–2026",
    },
    Range {
        key: "demand_growth.index",
        unit: "× 2024",
        possible: Interval::closed(0.0, 1000.0),
        plausible: Interval::closed(0.0, 20.0),
        basis: "demand_growth.csv indices run from 0.45 to 6.5",
    },
    Range {
        key: "trade_costs.usd_per_kg",
        unit: "USD/kg",
        possible: Interval::closed(0.0, 1e4),
        plausible: Interval::closed(0.0, 50.0),
        basis: "trade_costs.csv: 0.1–5 USD/kg",
    },
    // ---- scenario files ----
    Range {
        key: "run.disposal_cost_usd_per_kg",
        unit: "USD/kg",
        possible: Interval::closed(0.0, 1_000.0),
        plausible: Interval::closed(0.0, 20.0),
        basis: "disposing of a surplus oxide costs far less than the cheapest priced oxide (La, 0.97 USD/kg in elements.csv); 1,000 would price by-products above Tb",
    },
    Range {
        key: "run.stock_scale",
        unit: "× stocks.csv",
        possible: Interval::closed(0.0, 10.0),
        plausible: Interval::closed(0.0, 3.0),
        basis: "1 = the commercial stocks of stocks.csv (about 60 days of use); 0 = none",
    },
    Range {
        key: "run.recycling",
        unit: "share",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 0.6),
        basis: "end-of-life recycling is below 1 % today (UNEP IRP 2011); 60 % is a high collection × recovery",
    },
    Range {
        key: "project.capacity_t_reo",
        unit: "t REO/yr",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: CAPACITY_BASIS,
    },
    Range {
        key: "project.capacity_t_magnet",
        unit: "t magnet/yr",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: MAGNET_BASIS,
    },
    Range {
        key: "project.ore_capacity_t",
        unit: "t ore/yr",
        possible: Interval::closed(0.0, 1e10),
        plausible: Interval::closed(0.0, 1e8),
        basis: "10 Gt of ore a year is several times world iron-ore mining",
    },
    Range {
        key: "project.recovered_grade",
        unit: "t REO per t ore",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 0.5),
        basis: "rare-earth ores grade 0.05–10 % REO",
    },
    Range {
        key: "project.cost_usd_per_kg",
        unit: "USD/kg",
        possible: Interval::closed(0.0, 1e4),
        plausible: Interval::closed(0.0, 200.0),
        basis: COST_BASIS,
    },
    Range {
        key: "project.capacity_factor",
        unit: "× capacity",
        possible: Interval::closed(0.0, 100.0),
        plausible: Interval::closed(0.0, 5.0),
        basis: "a factor on the facility's capacity; 1 leaves it unchanged",
    },
    Range {
        key: "export_control.rate",
        unit: "× price",
        possible: Interval::closed(0.0, 5.0),
        plausible: Interval::closed(0.0, 1.0),
        basis: "China's 2010-15 export duties were 15-25 % (0.15-0.25)",
    },
    Range {
        key: "export_control.leak_t",
        unit: "t/yr",
        possible: CAPACITY,
        plausible: Interval::closed(0.0, 100_000.0),
        basis: "estimates of smuggled Chinese exports around 2010-13: 10,000-35,000 t a year",
    },
    Range {
        key: "export_control.leak_cost_usd_per_kg",
        unit: "USD/kg",
        possible: Interval::closed(0.0, 1e5),
        plausible: Interval::closed(0.0, 1_000.0),
        basis: "an extra cost of evading the cap; the crisis-2010 case uses 1 USD/kg",
    },
    Range {
        key: "production_quota.t_reo",
        unit: "t REO/yr",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: "China's mining quota was 89,200 t in 2010 and 270,000 t in 2024",
    },
    Range {
        key: "reserve_purchase.t_reo",
        unit: "t REO/yr",
        possible: CAPACITY,
        plausible: Interval::closed(0.0, 100_000.0),
        basis: "Baotou's 2010 plan: 80,000 t of oxides over 2-3 years; China's 2014 State Reserve purchases: ~10,000 t",
    },
    Range {
        key: "export_control.share",
        unit: "of pre-policy exports",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 1.0),
        basis: SHARE_BASIS,
    },
    Range {
        key: "export_control.fee_usd_per_kg",
        unit: "USD/kg",
        possible: Interval::closed(0.0, 1e5),
        plausible: Interval::closed(0.0, 1_000.0),
        basis: "the shipped scenarios use 0.5–20 USD/kg; Tb, the dearest oxide, is about 1,000 USD/kg",
    },
    Range {
        key: "export_control.quota_t",
        unit: "t/yr",
        possible: CAPACITY,
        plausible: CAPACITY_PLAUSIBLE,
        basis: CAPACITY_BASIS,
    },
    Range {
        key: "tariff.rate",
        unit: "× value",
        possible: Interval::closed(0.0, 10.0),
        plausible: Interval::closed(0.0, 3.0),
        basis: "ad-valorem rates; 3 = 300 %",
    },
    Range {
        key: "agreement.cost_factor",
        unit: "× shipping cost",
        possible: Interval::closed(0.0, 10.0),
        plausible: Interval::closed(0.0, 3.0),
        basis: "the shipped scenarios use 0.5",
    },
    Range {
        key: "agreement.offtake_share",
        unit: "share",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 1.0),
        basis: SHARE_BASIS,
    },
    Range {
        key: "demand.substitution.share",
        unit: "share of demand",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 1.0),
        basis: SHARE_BASIS,
    },
    Range {
        key: "demand.thrifting.reduction",
        unit: "share of content",
        possible: Interval::closed(0.0, 1.0),
        plausible: Interval::closed(0.0, 0.9),
        basis: "grain-boundary diffusion saves up to 90 % of Dy/Tb per magnet (Liu et al. 2021)",
    },
    Range {
        key: "stockpile.size_t",
        unit: "t",
        possible: CAPACITY,
        plausible: Interval::closed(0.0, 1e5),
        basis: "the shipped stockpiles hold 8–45 t; 100 kt is a quarter of world output",
    },
    Range {
        key: "stockpile.release_above_usd_per_kg",
        unit: "USD/kg",
        possible: Interval::closed(0.0, 1e6),
        plausible: Interval::closed(0.0, 1e4),
        basis: "the shipped triggers are 385 and 1,220 USD/kg",
    },
];

/// `docs/ranges.md`: the table as Markdown.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Input ranges\n\n\
         Generated from `crates/oreflow-core/src/ranges.rs` (a test keeps this page and the table equal).\n\n\
         Every numeric input has a *possible* range and a *plausible* one. A value outside the\n\
         possible range is an error (`oreflow validate`, `run` and the rest exit with status 2 and\n\
         name the file, line and field or key); a value inside it but outside the plausible range\n\
         is a warning printed before the command goes on. `NaN` and infinities are never accepted.\n\
         `(` and `)` mark an excluded end.\n\n\
         Data-table columns are `table.column` (the CSV file without `.csv`); scenario keys are\n\
         the section and key of [scenarios.md](scenarios.md).\n\n\
         | key | unit | possible | plausible | basis |\n|---|---|---|---|---|\n",
    );
    for r in RANGES {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.key, r.unit, r.possible, r.plausible, r.basis
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range_is_well_formed_and_plausible_lies_within_possible() {
        let mut keys = std::collections::BTreeSet::new();
        for r in RANGES {
            assert!(keys.insert(r.key), "{} twice", r.key);
            assert!(r.possible.lo <= r.possible.hi, "{}", r.key);
            assert!(
                r.plausible.lo >= r.possible.lo && r.plausible.hi <= r.possible.hi,
                "{}",
                r.key
            );
            assert!(!r.basis.is_empty(), "{}", r.key);
        }
    }

    #[test]
    fn values_are_judged_with_the_range_in_the_message() {
        assert_eq!(check("mines.capacity_t_reo", 1000.0), Verdict::Ok);
        let Verdict::Impossible(m) = check("mines.capacity_t_reo", 1e308) else {
            panic!()
        };
        assert!(
            m.contains("possible values are [0, 10,000,000] t REO/yr"),
            "{m}"
        );
        assert!(matches!(
            check("mines.capacity_t_reo", 2e6),
            Verdict::Implausible(_)
        ));
        assert!(matches!(
            check("end_uses.elasticity", 0.0),
            Verdict::Impossible(_)
        ));
        assert!(matches!(
            check("elements.reference_price_usd_per_kg", f64::NAN),
            Verdict::Impossible(_)
        ));
        assert_eq!(number(1234567.5), "1,234,567.5");
        assert_eq!(number(-0.05), "−0.05");
    }
}
